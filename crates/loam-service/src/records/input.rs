//! What callers send to write records: record payloads for bulk create and upsert, their
//! responses and suggestions, and partial updates. Raw values: `validate.rs` checks them.

use loam_domain::value::ResponseStatus;
use loam_domain::{QuestionId, RecordId, UserId};
use serde_json::{Map, Value};

/// One response inside a record payload.
#[derive(Clone, Debug)]
pub struct NewResponseItem {
    pub user_id: UserId,
    pub status: ResponseStatus,
    pub values: Option<Value>,
}

/// One suggestion inside a record payload (raw values, validated against the question).
#[derive(Clone, Debug)]
pub struct NewSuggestionItem {
    pub question_id: QuestionId,
    pub value: Value,
    pub score: Option<Value>,
    pub agent: Option<Value>,
    pub kind: Option<Value>,
}

/// A record payload. `fields` / `metadata` are `None` when the key was absent.
#[derive(Clone, Debug, Default)]
pub struct NewRecord {
    pub fields: Option<Value>,
    pub metadata: Option<Value>,
    pub external_id: Option<String>,
    pub responses: Vec<NewResponseItem>,
    pub suggestions: Vec<NewSuggestionItem>,
    pub vectors: Map<String, Value>,
}

#[derive(Clone, Debug, Default)]
pub struct UpsertRecord {
    pub id: Option<RecordId>,
    pub record: NewRecord,
}

/// A partial update of one record (PATCH, legacy bulk PATCH).
#[derive(Clone, Debug, Default)]
pub struct RecordPatch {
    pub fields: Option<Value>,
    /// `Some(Null)` clears.
    pub metadata: Option<Value>,
    /// Replaces all suggestions of the record when present.
    pub suggestions: Option<Vec<NewSuggestionItem>>,
    pub vectors: Option<Map<String, Value>>,
    /// The `external_id` the client sent. A record's external id never changes: sending a
    /// different one for a record that has one is refused rather than ignored (the legacy SDK
    /// sends the record's whole payload back); for a record without one it is ignored.
    pub external_id: Option<String>,
}
