//! `GET /api/v1/records/{id}/history` (a loam extension): the changes of a record's field and
//! metadata values, newest first.

use loam_domain::history::HistoryEntry;
use serde_json::{json, Value};

/// `{"items": [...]}`: each change with its part (`field` or `metadata`), name, the value before
/// and after (null where absent), who made it (null when unknown) and when.
pub fn record_history(entries: &[HistoryEntry]) -> Value {
    let items: Vec<Value> = entries
        .iter()
        .map(|it| {
            let by = match (it.changed_by, &it.username) {
                (Some(id), Some(username)) => json!({"id": id, "username": username}),
                _ => Value::Null,
            };
            json!({
                "id": it.id,
                "record_id": it.record_id,
                "kind": it.change.kind.as_str(),
                "name": it.change.name,
                "previous": it.change.previous,
                "value": it.change.value,
                "changed_by": by,
                "changed_at": it.changed_at.to_string(),
            })
        })
        .collect();
    json!({ "items": items })
}
