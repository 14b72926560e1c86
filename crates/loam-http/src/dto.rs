//! The Argilla wire shapes of loam's entities (api.md), rendered from domain types.
//!
//! Every documented key is always present (null when empty), except the conditional keys of
//! records (`responses`, `suggestions`, `vectors`), which appear only when loaded.

use loam_domain::model::*;
use loam_service::{MetadataMetrics, MyMetrics, Progress, RecordView};
use serde::{ser::SerializeMap, Serialize, Serializer};
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

/// A dataset; the reference's keys and one loam extension (`responses_visible_for_annotators`),
/// which the SDKs' models ignore as an unknown key.
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
        "responses_visible_for_annotators": it.responses_visible_for_annotators,
    })
}

pub fn field(it: &Field) -> Value {
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
    to_value(&ResponseOut(it))
}

pub fn suggestion(it: &Suggestion) -> Value {
    to_value(&SuggestionOut(it))
}

/// A record without its conditional keys (`responses`, `suggestions`, `vectors`).
pub fn record_base(it: &Record) -> Value {
    to_value(&RecordOut { record: it, responses: None, suggestions: None, vectors: None })
}

pub fn record(view: &RecordView) -> Value {
    to_value(&RecordOut::of(view))
}

/// Renders a borrowed wire shape; the shapes below serialize infallibly (string keys only).
fn to_value(it: &impl Serialize) -> Value {
    serde_json::to_value(it).unwrap_or(Value::Null)
}

// Records are the bulk of what loam sends (bulk replies, listings, search hits), so their shapes
// serialize straight from the domain types instead of being copied into a `Value` tree first.

/// The wire shape of a response, borrowed.
pub struct ResponseOut<'a>(pub &'a Response);

impl Serialize for ResponseOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let it = self.0;
        let mut map = s.serialize_map(Some(7))?;
        map.serialize_entry("id", &it.id)?;
        map.serialize_entry("values", &it.values)?;
        map.serialize_entry("status", it.status.as_str())?;
        map.serialize_entry("record_id", &it.record_id)?;
        map.serialize_entry("user_id", &it.user_id)?;
        map.serialize_entry("inserted_at", &Shown(&it.inserted_at))?;
        map.serialize_entry("updated_at", &Shown(&it.updated_at))?;
        map.end()
    }
}

/// The wire shape of a suggestion, borrowed.
pub struct SuggestionOut<'a>(pub &'a Suggestion);

impl Serialize for SuggestionOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let it = self.0;
        let mut map = s.serialize_map(Some(8))?;
        map.serialize_entry("id", &it.id)?;
        map.serialize_entry("question_id", &it.question_id)?;
        map.serialize_entry("type", &it.kind)?;
        map.serialize_entry("value", &it.value)?;
        map.serialize_entry("agent", &it.agent)?;
        map.serialize_entry("score", &it.score)?;
        map.serialize_entry("inserted_at", &Shown(&it.inserted_at))?;
        map.serialize_entry("updated_at", &Shown(&it.updated_at))?;
        map.end()
    }
}

/// The wire shape of a record, borrowed; the conditional keys appear only when given.
pub struct RecordOut<'a> {
    pub record: &'a Record,
    pub responses: Option<&'a [Response]>,
    pub suggestions: Option<&'a [Suggestion]>,
    pub vectors: Option<&'a [(String, Vec<f64>)]>,
}

impl<'a> RecordOut<'a> {
    pub fn of(view: &'a RecordView) -> Self {
        Self {
            record: &view.record,
            responses: view.responses.as_deref(),
            suggestions: view.suggestions.as_deref(),
            vectors: view.vectors.as_deref(),
        }
    }
}

impl Serialize for RecordOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let it = self.record;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("id", &it.id)?;
        map.serialize_entry("status", it.status.as_str())?;
        map.serialize_entry("fields", &it.fields)?;
        map.serialize_entry("metadata", &it.metadata)?;
        map.serialize_entry("external_id", &it.external_id)?;
        map.serialize_entry("dataset_id", &it.dataset_id)?;
        map.serialize_entry("inserted_at", &Shown(&it.inserted_at))?;
        map.serialize_entry("updated_at", &Shown(&it.updated_at))?;
        if let Some(responses) = self.responses {
            map.serialize_entry("responses", &Seq(responses.iter().map(ResponseOut)))?;
        }
        if let Some(suggestions) = self.suggestions {
            map.serialize_entry("suggestions", &Seq(suggestions.iter().map(SuggestionOut)))?;
        }
        if let Some(vectors) = self.vectors {
            map.serialize_entry("vectors", &Pairs(vectors))?;
        }
        map.end()
    }
}

/// `{"items": [...]}` of records, serialized as it goes.
pub struct RecordItems<'a>(pub &'a [RecordView]);

impl Serialize for RecordItems<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry("items", &Seq(self.0.iter().map(RecordOut::of)))?;
        map.end()
    }
}

/// `{"items": [...], "total": n}`: a page of a record listing.
pub struct RecordPage<'a> {
    pub items: &'a [RecordView],
    pub total: i64,
}

impl Serialize for RecordPage<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("items", &Seq(self.items.iter().map(RecordOut::of)))?;
        map.serialize_entry("total", &self.total)?;
        map.end()
    }
}

/// `{"items": [{"record": ..., "query_score": s}], "total": n}`: a page of search hits.
pub struct SearchPage<'a> {
    pub hits: &'a [(RecordView, Option<f64>)],
    pub total: i64,
}

impl Serialize for SearchPage<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("items", &Seq(self.hits.iter().map(|(view, score)| Hit(view, *score))))?;
        map.serialize_entry("total", &self.total)?;
        map.end()
    }
}

struct Hit<'a>(&'a RecordView, Option<f64>);

impl Serialize for Hit<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("record", &RecordOut::of(self.0))?;
        map.serialize_entry("query_score", &self.1)?;
        map.end()
    }
}

/// A value rendered through its `Display` (timestamps), without an intermediate `String`.
struct Shown<'a, T>(&'a T);

impl<T: std::fmt::Display> Serialize for Shown<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self.0)
    }
}

/// A sequence serialized from a cloneable iterator.
struct Seq<I>(I);

impl<I, T> Serialize for Seq<I>
where
    I: Iterator<Item = T> + Clone,
    T: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.clone())
    }
}

/// Named vectors as a JSON object.
struct Pairs<'a>(&'a [(String, Vec<f64>)]);

impl Serialize for Pairs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(name, value)| (name, value)))
    }
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

/// `GET /api/v1/ui/datasets/{id}/progress`: both progress replies and the change token.
pub fn ui_progress(token: &str, progress: &Progress, users: &[UserProgress]) -> Value {
    let per_user = users_progress(users);
    json!({"token": token, "progress": self::progress(progress), "users": per_user["users"]})
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

/// `GET /api/v1/metadata-properties/{id}/metrics`.
pub fn metadata_metrics(it: &MetadataMetrics) -> Value {
    match it {
        MetadataMetrics::Terms { total, values } => {
            let values: Vec<Value> = values.iter().map(|(term, count)| json!({"term": term, "count": count})).collect();
            json!({"type": "terms", "total": total, "values": values})
        }
        MetadataMetrics::Integer { min, max } => json!({"type": "integer", "min": min, "max": max}),
        MetadataMetrics::Float { min, max } => json!({"type": "float", "min": min, "max": max}),
    }
}

/// `{"items": [...]}`.
pub fn items(values: impl IntoIterator<Item = Value>) -> Value {
    json!({"items": values.into_iter().collect::<Vec<_>>()})
}

#[cfg(test)]
mod tests {
    use super::*;
    use loam_domain::distribution::RecordStatus;
    use loam_domain::value::ResponseStatus;
    use loam_domain::{DatasetId, QuestionId, RecordId, ResponseId, SuggestionId, Timestamp, UserId};

    fn view() -> RecordView {
        let at = Timestamp(1_700_000_000_000_000);
        let id = RecordId::new();
        let mut fields = Map::new();
        fields.insert("prompt".into(), json!("Say \"hi\"\n"));
        fields.insert("answer".into(), json!("hi"));
        RecordView {
            record: Record {
                id,
                dataset_id: DatasetId::new(),
                fields,
                metadata: None,
                external_id: Some("ext-1".into()),
                status: RecordStatus::Pending,
                inserted_at: at,
                updated_at: at,
            },
            responses: Some(vec![Response {
                id: ResponseId::new(),
                record_id: id,
                user_id: UserId::new(),
                values: Some(json!({"quality": {"value": "good"}})),
                status: ResponseStatus::Submitted,
                inserted_at: at,
                updated_at: at,
            }]),
            suggestions: Some(vec![Suggestion {
                id: SuggestionId::new(),
                record_id: id,
                question_id: QuestionId::new(),
                value: json!("good"),
                score: json!(0.5),
                agent: Some("model".into()),
                kind: None,
                inserted_at: at,
                updated_at: at,
            }]),
            vectors: Some(vec![("emb".into(), vec![0.25, -1.0])]),
        }
    }

    #[test]
    fn records_serialize_to_the_documented_shape_in_key_order() {
        let view = view();
        let it = &view.record;
        let response = &view.responses.as_ref().unwrap()[0];
        let suggestion = &view.suggestions.as_ref().unwrap()[0];
        let stamp = it.inserted_at.to_string();
        let expected = json!({
            "id": it.id,
            "status": "pending",
            "fields": {"prompt": "Say \"hi\"\n", "answer": "hi"},
            "metadata": null,
            "external_id": "ext-1",
            "dataset_id": it.dataset_id,
            "inserted_at": stamp,
            "updated_at": stamp,
            "responses": [{
                "id": response.id, "values": {"quality": {"value": "good"}}, "status": "submitted",
                "record_id": it.id, "user_id": response.user_id, "inserted_at": stamp, "updated_at": stamp,
            }],
            "suggestions": [{
                "id": suggestion.id, "question_id": suggestion.question_id, "type": null, "value": "good",
                "agent": "model", "score": 0.5, "inserted_at": stamp, "updated_at": stamp,
            }],
            "vectors": {"emb": [0.25, -1.0]},
        });
        // Compared as text, so key order counts too.
        assert_eq!(serde_json::to_string(&RecordOut::of(&view)).unwrap(), expected.to_string());
        let page = serde_json::to_value(RecordPage { items: std::slice::from_ref(&view), total: 7 }).unwrap();
        assert_eq!(page, json!({"items": [expected.clone()], "total": 7}));
        let hits = [(view.clone(), Some(0.75))];
        let page = serde_json::to_value(SearchPage { hits: &hits, total: 1 }).unwrap();
        assert_eq!(page, json!({"items": [{"record": expected, "query_score": 0.75}], "total": 1}));
    }

    #[test]
    fn conditional_record_keys_appear_only_when_loaded() {
        let mut view = view();
        view.responses = None;
        view.suggestions = None;
        view.vectors = None;
        let value = record(&view);
        let keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            ["id", "status", "fields", "metadata", "external_id", "dataset_id", "inserted_at", "updated_at"]
        );
    }
}
