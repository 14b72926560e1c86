//! The Argilla wire shapes of loam's entities (api.md), rendered from domain types.
//!
//! Every documented key is always present (null when empty), except the conditional keys of
//! records (`responses`, `suggestions`, `vectors`), which appear only when loaded.

use loam_domain::model::*;
use loam_service::{MyMetrics, Progress, RecordView};
use serde_json::{json, Map, Value};

/// What stands in for an API key the server no longer knows (only digests are stored).
pub const MASKED_KEY: &str = "******** (shown once, at creation or rotation)";

pub fn user(it: &User, api_key: Option<&str>) -> Value {
    json!({
        "id": it.id,
        "first_name": it.first_name,
        "last_name": it.last_name,
        "username": it.username,
        "role": it.role.as_str(),
        "api_key": api_key.unwrap_or(MASKED_KEY),
        "inserted_at": it.inserted_at.to_string(),
        "updated_at": it.updated_at.to_string(),
    })
}

/// The legacy ("v0") user object: null keys omitted, workspace names, full name.
pub fn user_v0(it: &User, workspaces: &[String], api_key: Option<&str>) -> Value {
    let full_name = match &it.last_name {
        Some(last) => format!("{} {}", it.first_name, last),
        None => it.first_name.clone(),
    };
    let mut obj = Map::new();
    obj.insert("id".into(), json!(it.id));
    obj.insert("first_name".into(), json!(it.first_name));
    if let Some(last) = &it.last_name {
        obj.insert("last_name".into(), json!(last));
    }
    obj.insert("full_name".into(), json!(full_name));
    obj.insert("username".into(), json!(it.username));
    obj.insert("role".into(), json!(it.role.as_str()));
    obj.insert("workspaces".into(), json!(workspaces));
    obj.insert("api_key".into(), json!(api_key.unwrap_or(MASKED_KEY)));
    obj.insert("inserted_at".into(), json!(it.inserted_at.to_string()));
    obj.insert("updated_at".into(), json!(it.updated_at.to_string()));
    Value::Object(obj)
}

pub fn workspace(it: &Workspace) -> Value {
    json!({
        "id": it.id,
        "name": it.name,
        "inserted_at": it.inserted_at.to_string(),
        "updated_at": it.updated_at.to_string(),
    })
}

pub fn dataset(it: &Dataset) -> Value {
    json!({
        "id": it.id,
        "name": it.name,
        "guidelines": it.guidelines,
        "allow_extra_metadata": it.allow_extra_metadata,
        "status": it.status.as_str(),
        "distribution": it.distribution.to_json(),
        "metadata": it.metadata,
        "workspace_id": it.workspace_id,
        "last_activity_at": it.last_activity_at.to_string(),
        "inserted_at": it.inserted_at.to_string(),
        "updated_at": it.updated_at.to_string(),
    })
}

pub fn field(it: &Field) -> Value {
    json!({
        "id": it.id,
        "name": it.name,
        "title": it.title,
        "required": it.required,
        "settings": it.settings.to_json(),
        "dataset_id": it.dataset_id,
        "inserted_at": it.inserted_at.to_string(),
        "updated_at": it.updated_at.to_string(),
    })
}

pub fn question(it: &Question) -> Value {
    json!({
        "id": it.id,
        "name": it.name,
        "title": it.title,
        "description": it.description,
        "required": it.required,
        "settings": it.settings.to_json(),
        "dataset_id": it.dataset_id,
        "inserted_at": it.inserted_at.to_string(),
        "updated_at": it.updated_at.to_string(),
    })
}

pub fn metadata_property(it: &MetadataProperty) -> Value {
    json!({
        "id": it.id,
        "name": it.name,
        "title": it.title,
        "settings": it.settings.to_json(),
        "visible_for_annotators": it.visible_for_annotators,
        "dataset_id": it.dataset_id,
        "inserted_at": it.inserted_at.to_string(),
        "updated_at": it.updated_at.to_string(),
    })
}

pub fn vector_settings(it: &VectorSettings) -> Value {
    json!({
        "id": it.id,
        "name": it.name,
        "title": it.title,
        "dimensions": it.dimensions,
        "dataset_id": it.dataset_id,
        "inserted_at": it.inserted_at.to_string(),
        "updated_at": it.updated_at.to_string(),
    })
}

pub fn response(it: &Response) -> Value {
    json!({
        "id": it.id,
        "values": it.values,
        "status": it.status.as_str(),
        "record_id": it.record_id,
        "user_id": it.user_id,
        "inserted_at": it.inserted_at.to_string(),
        "updated_at": it.updated_at.to_string(),
    })
}

pub fn suggestion(it: &Suggestion) -> Value {
    json!({
        "id": it.id,
        "question_id": it.question_id,
        "type": it.kind,
        "value": it.value,
        "agent": it.agent,
        "score": it.score,
        "inserted_at": it.inserted_at.to_string(),
        "updated_at": it.updated_at.to_string(),
    })
}

pub fn record_base(it: &Record) -> Map<String, Value> {
    let mut obj = Map::new();
    obj.insert("id".into(), json!(it.id));
    obj.insert("status".into(), json!(it.status.as_str()));
    obj.insert("fields".into(), Value::Object(it.fields.clone()));
    obj.insert("metadata".into(), it.metadata.clone().map(Value::Object).unwrap_or(Value::Null));
    obj.insert("external_id".into(), json!(it.external_id));
    obj.insert("dataset_id".into(), json!(it.dataset_id));
    obj.insert("inserted_at".into(), json!(it.inserted_at.to_string()));
    obj.insert("updated_at".into(), json!(it.updated_at.to_string()));
    obj
}

pub fn record(view: &RecordView) -> Value {
    let mut obj = record_base(&view.record);
    if let Some(responses) = &view.responses {
        obj.insert("responses".into(), Value::Array(responses.iter().map(response).collect()));
    }
    if let Some(suggestions) = &view.suggestions {
        obj.insert("suggestions".into(), Value::Array(suggestions.iter().map(suggestion).collect()));
    }
    if let Some(vectors) = &view.vectors {
        let map: Map<String, Value> = vectors.iter().map(|(name, value)| (name.clone(), json!(value))).collect();
        obj.insert("vectors".into(), Value::Object(map));
    }
    Value::Object(obj)
}

pub fn webhook(it: &Webhook) -> Value {
    json!({
        "id": it.id,
        "url": it.url,
        "secret": it.secret,
        "events": it.events,
        "enabled": it.enabled,
        "description": it.description,
        "inserted_at": it.inserted_at.to_string(),
        "updated_at": it.updated_at.to_string(),
    })
}

pub fn progress(it: &Progress) -> Value {
    let users: Vec<Value> = it.users.iter().map(|name| json!({"username": name})).collect();
    json!({"total": it.total, "completed": it.completed, "pending": it.pending, "users": users})
}

pub fn users_progress(items: &[UserProgress]) -> Value {
    let counts = |c: &StatusCounts| json!({"submitted": c.submitted, "discarded": c.discarded, "draft": c.draft});
    let users: Vec<Value> = items
        .iter()
        .map(|it| json!({"username": it.username, "completed": counts(&it.completed), "pending": counts(&it.pending)}))
        .collect();
    json!({"users": users})
}

pub fn my_metrics(it: &MyMetrics) -> Value {
    let count = it.submitted + it.discarded + it.draft;
    json!({
        "records": {"count": it.total},
        "responses": {
            "total": it.total,
            "count": count,
            "submitted": it.submitted,
            "discarded": it.discarded,
            "draft": it.draft,
            "pending": it.total - count,
        },
    })
}

/// `{"items": [...]}`.
pub fn items(values: impl IntoIterator<Item = Value>) -> Value {
    json!({"items": values.into_iter().collect::<Vec<_>>()})
}
