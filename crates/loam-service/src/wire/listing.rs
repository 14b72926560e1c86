//! Records as the use cases return them ([`RecordView`]: a record with what was asked to be
//! loaded), singly and in pages: bulk replies, listings, search hits.

use serde::{ser::SerializeMap, Serialize, Serializer};
use serde_json::Value;

use super::record::RecordOut;
use super::ser::{to_value, Seq};
use crate::records::RecordView;

/// A record with the conditional keys that were loaded.
pub fn record(view: &RecordView) -> Value {
    to_value(&RecordOut::of(view))
}

impl<'a> RecordOut<'a> {
    /// The record of `view`, with what it loaded.
    pub fn of(view: &'a RecordView) -> Self {
        Self {
            record: &view.record,
            responses: view.responses.as_deref(),
            suggestions: view.suggestions.as_deref(),
            vectors: view.vectors.as_deref(),
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use loam_domain::distribution::RecordStatus;
    use loam_domain::model::{Record, Response, Suggestion};
    use loam_domain::value::ResponseStatus;
    use loam_domain::{DatasetId, QuestionId, RecordId, ResponseId, SuggestionId, Timestamp, UserId};
    use serde_json::{json, Map};

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
