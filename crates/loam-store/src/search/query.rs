//! What a search asks for and what it finds: the conditions, sort keys and text match of a
//! query on one dataset's records, resolved to storage terms by the service, and its hits.

use loam_domain::query::TextMatch;
use loam_domain::{RecordId, UserId};
use serde_json::Value;
use uuid::Uuid;

/// What a filter or sort key reads, resolved to storage terms by the service.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    RecordId,
    ExternalId,
    Status,
    InsertedAt,
    UpdatedAt,
    /// A metadata key, and whether its property compares numbers (integer, float) or text (terms).
    Metadata(String, bool),
    SuggestionValue(Uuid),
    SuggestionScore(Uuid),
    SuggestionAgent(Uuid),
    SuggestionType(Uuid),
    ResponseValue(String),
    ResponseStatus,
}

/// A bound of a range filter; timestamps are microseconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    Number(f64),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// Matches when the target (any element, for lists) equals one of the values. Values are
    /// JSON scalars; strings compare as text, numbers numerically.
    Terms(Target, Vec<Value>),
    Range(Target, Option<Bound>, Option<Bound>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct SortKey {
    pub target: Target,
    pub descending: bool,
}

/// A query on one dataset's records.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecordQuery {
    /// What the text index must match.
    pub text: Option<TextMatch>,
    /// Restricts the text match to one field (its ordinal).
    pub field_ordinal: Option<i64>,
    pub conditions: Vec<Condition>,
    pub sort: Vec<SortKey>,
    /// Response filters and sorts consider only this user's responses (the `/me` search).
    pub only_user: Option<UserId>,
    /// Without sort: order pseudo-randomly but stably for this salt (the `/me` search).
    pub shuffle_salt: Option<i64>,
    /// One submitted response completes a record (the dataset's `min_submitted` is 1), so no
    /// submitted response is on a pending record: counting the caller's queue of pending records
    /// need not read their submitted responses.
    pub submitted_completes: bool,
}

/// One hit: the record and its text relevance (higher is better) when a text query ranked it.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub record_id: RecordId,
    pub score: Option<f64>,
}
