//! Record history (issue 20): which field and metadata values an update of a record changes.
//! Only values that differ make a change, so an update that rewrites a record with what it
//! already holds (an SDK upsert of the same rows) leaves no history.

use serde_json::{Map, Value};

use crate::{RecordId, Timestamp, UserId};

/// What part of a record a change is to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    Field,
    Metadata,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Field => "field",
            Self::Metadata => "metadata",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "field" => Some(Self::Field),
            "metadata" => Some(Self::Metadata),
            _ => None,
        }
    }
}

/// One changed value: `previous` and `value` are `None` where the record had no such key
/// before or has none after.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueChange {
    pub kind: ChangeKind,
    pub name: String,
    pub previous: Option<Value>,
    pub value: Option<Value>,
}

/// One stored change, with the username of who made it (`None` once that user is deleted, or
/// when the write named nobody).
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEntry {
    pub id: uuid::Uuid,
    pub record_id: RecordId,
    pub change: ValueChange,
    pub changed_by: Option<UserId>,
    pub username: Option<String>,
    pub changed_at: Timestamp,
}

/// The changes from `before` to `after` of one kind, by name.
fn diff(kind: ChangeKind, before: Option<&Map<String, Value>>, after: Option<&Map<String, Value>>) -> Vec<ValueChange> {
    let empty = Map::new();
    let (before, after) = (before.unwrap_or(&empty), after.unwrap_or(&empty));
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter_map(|name| {
            let (old, new) = (before.get(name), after.get(name));
            (old != new).then(|| ValueChange { kind, name: name.clone(), previous: old.cloned(), value: new.cloned() })
        })
        .collect()
}

/// The field changes, then the metadata changes, of a record going from (`fields`, `metadata`)
/// to (`new_fields`, `new_metadata`).
pub fn record_changes(
    fields: &Map<String, Value>,
    metadata: Option<&Map<String, Value>>,
    new_fields: &Map<String, Value>,
    new_metadata: Option<&Map<String, Value>>,
) -> Vec<ValueChange> {
    let mut res = diff(ChangeKind::Field, Some(fields), Some(new_fields));
    res.extend(diff(ChangeKind::Metadata, metadata, new_metadata));
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(it) => it,
            _ => Map::new(),
        }
    }

    #[test]
    fn only_values_that_differ_are_changes() {
        let fields = map(json!({"text": "a", "title": "t"}));
        let meta = map(json!({"n": 1, "gone": "x"}));
        let new_fields = map(json!({"text": "b", "title": "t"}));
        let new_meta = map(json!({"n": 1, "added": [1, 2]}));
        let changes = record_changes(&fields, Some(&meta), &new_fields, Some(&new_meta));
        assert_eq!(
            changes,
            vec![
                ValueChange {
                    kind: ChangeKind::Field,
                    name: "text".into(),
                    previous: Some(json!("a")),
                    value: Some(json!("b"))
                },
                ValueChange {
                    kind: ChangeKind::Metadata,
                    name: "added".into(),
                    previous: None,
                    value: Some(json!([1, 2]))
                },
                ValueChange {
                    kind: ChangeKind::Metadata,
                    name: "gone".into(),
                    previous: Some(json!("x")),
                    value: None
                },
            ]
        );
    }

    #[test]
    fn the_same_record_written_again_has_no_change() {
        let fields = map(json!({"text": "a"}));
        assert!(record_changes(&fields, None, &fields.clone(), None).is_empty());
        let meta = map(json!({"k": "v"}));
        assert!(record_changes(&fields, Some(&meta), &fields, Some(&meta.clone())).is_empty());
    }

    #[test]
    fn metadata_removed_entirely_lists_every_key() {
        let fields = map(json!({"text": "a"}));
        let meta = map(json!({"a": 1, "b": 2}));
        let changes = record_changes(&fields, Some(&meta), &fields, None);
        assert_eq!(changes.len(), 2);
        assert!(changes.iter().all(|it| it.kind == ChangeKind::Metadata && it.value.is_none()));
        assert_eq!(ChangeKind::parse(ChangeKind::Metadata.as_str()), Some(ChangeKind::Metadata));
    }
}
