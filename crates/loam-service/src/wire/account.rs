//! Users (the v1 shape and the legacy "v0" one), workspaces and webhooks.

use loam_domain::model::{User, Webhook, Workspace};
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
