//! Records, responses and suggestions. Records are the bulk of what loam sends (bulk replies,
//! listings, search hits), so their shapes serialize straight from the borrowed domain types
//! instead of being copied into a `Value` tree first.

use loam_domain::model::{Record, Response, Suggestion};
use serde::{ser::SerializeMap, Serialize, Serializer};
use serde_json::Value;

use super::ser::{to_value, Pairs, Seq, Shown};

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
