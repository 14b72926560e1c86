//! Webhook events: their names (one table), their `data`, and the envelope receivers get.
//!
//! An event's `data` is the REST shape of the same object (the functions of this module's
//! siblings) with its references expanded, as the reference's event schemas have it
//! (argilla-server 2.8, `webhooks/v1/schemas.py`): a record's `dataset_id` becomes its `dataset`,
//! a response's `record_id` and `user_id` become its `record` and `user`, a dataset's
//! `workspace_id` becomes its `workspace` followed by its settings, and the keys those nested
//! shapes leave out (a user's `api_key`, a setting's `dataset_id`, a dataset's loam-only
//! `responses_visible_for_annotators`) are dropped. Keys keep their REST order.

use loam_domain::model::{Dataset, DatasetSchema, Record, Response, User, Workspace};
use loam_domain::Timestamp;
use serde_json::{json, Map, Value};

use super::account::{user, workspace};
use super::dataset::{dataset, field, metadata_property, question, vector_settings};
use super::record::record_base;

/// The events a webhook can subscribe to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    DatasetCreated,
    DatasetUpdated,
    DatasetDeleted,
    DatasetPublished,
    RecordCreated,
    RecordUpdated,
    RecordDeleted,
    RecordCompleted,
    ResponseCreated,
    ResponseUpdated,
    ResponseDeleted,
}

impl Event {
    /// Every event with its Argilla name, in the reference's order: the one table of names.
    pub const TABLE: [(Event, &'static str); 11] = [
        (Event::DatasetCreated, "dataset.created"),
        (Event::DatasetUpdated, "dataset.updated"),
        (Event::DatasetDeleted, "dataset.deleted"),
        (Event::DatasetPublished, "dataset.published"),
        (Event::RecordCreated, "record.created"),
        (Event::RecordUpdated, "record.updated"),
        (Event::RecordDeleted, "record.deleted"),
        (Event::RecordCompleted, "record.completed"),
        (Event::ResponseCreated, "response.created"),
        (Event::ResponseUpdated, "response.updated"),
        (Event::ResponseDeleted, "response.deleted"),
    ];

    /// The event's name on the wire and in stored subscriptions.
    pub const fn name(self) -> &'static str {
        // The table lists the events in declaration order.
        Event::TABLE[self as usize].1
    }

    /// The event of a name, if it is one.
    pub fn parse(name: &str) -> Option<Event> {
        Event::TABLE.iter().find(|(_, it)| *it == name).map(|(event, _)| *event)
    }
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Every event name, in the table's order.
pub const EVENTS: [&str; Event::TABLE.len()] = {
    let mut out = [""; Event::TABLE.len()];
    let mut idx = 0;
    while idx < out.len() {
        out[idx] = Event::TABLE[idx].1;
        idx += 1;
    }
    out
};

/// A user as events carry it: the REST user without its `api_key`.
pub fn user_event(it: &User) -> Value {
    expand(user(it, None), "api_key", [])
}

/// A dataset as events carry it: with its workspace (null if it is gone) and its settings.
pub fn dataset_event(ds: &Dataset, ws: Option<&Workspace>, schema: &DatasetSchema) -> Value {
    let settings = |it: Value| expand(it, "dataset_id", []);
    let rendered = dataset(ds);
    let rendered = expand(rendered, "responses_visible_for_annotators", []);
    expand(
        rendered,
        "workspace_id",
        [
            ("workspace", ws.map(workspace).unwrap_or(Value::Null)),
            ("questions", schema.questions.iter().map(|it| settings(question(it))).collect()),
            ("fields", schema.fields.iter().map(|it| settings(field(it))).collect()),
            (
                "metadata_properties",
                schema.metadata_properties.iter().map(|it| settings(metadata_property(it))).collect(),
            ),
            ("vectors_settings", schema.vector_settings.iter().map(|it| settings(vector_settings(it))).collect()),
        ],
    )
}

/// A record as events carry it: without its conditional keys, with its dataset (as
/// [`dataset_event`] renders it) in place of `dataset_id`.
pub fn record_event(it: &Record, dataset: Value) -> Value {
    expand(record_base(it), "dataset_id", [("dataset", dataset)])
}

/// A response as events carry it: its record (as [`record_event`] renders it) and its author (as
/// [`user_event`] does) in place of `record_id` and `user_id`.
pub fn response_event(it: &Response, record: Value, author: Value) -> Value {
    let rendered = expand(super::record::response(it), "record_id", [("record", record)]);
    expand(rendered, "user_id", [("user", author)])
}

/// `rest` with `key` replaced, in place, by `with` (dropped when `with` is empty).
fn expand<const N: usize>(rest: Value, key: &str, with: [(&str, Value); N]) -> Value {
    let Value::Object(map) = rest else {
        return rest;
    };
    let mut with = Some(with);
    let mut out = Map::with_capacity(map.len() + N);
    for (name, value) in map {
        if name != key {
            out.insert(name, value);
        } else if let Some(with) = with.take() {
            out.extend(with.into_iter().map(|(name, value)| (name.to_owned(), value)));
        }
    }
    Value::Object(out)
}

/// The body of an event as receivers get it: `{"type", "version", "timestamp", "data"}`. `kind`
/// is an [`Event`]'s name, or `ping` for the test delivery.
pub fn event_body(kind: &str, at: Timestamp, data: Value) -> String {
    json!({"type": kind, "version": 1, "timestamp": utc_micros(at), "data": data}).to_string()
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ`: always six fraction digits and the zone, unlike the naive
/// timestamps of the API's entities.
fn utc_micros(at: Timestamp) -> String {
    let plain = at.to_string();
    let (seconds, fraction) = plain.split_once('.').unwrap_or((plain.as_str(), "000000"));
    format!("{seconds}.{fraction}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_timestamps_always_have_micros_and_a_zone() {
        assert_eq!(utc_micros(Timestamp(0)), "1970-01-01T00:00:00.000000Z");
        assert_eq!(utc_micros(Timestamp(1_500_000)), "1970-01-01T00:00:01.500000Z");
        assert_eq!(utc_micros(Timestamp(1_000_001)), "1970-01-01T00:00:01.000001Z");
    }

    #[test]
    fn event_body_has_the_standard_keys() {
        let body: Value = serde_json::from_str(&event_body("ping", Timestamp(0), json!({"a": 1}))).unwrap();
        assert_eq!(
            body,
            json!({"type": "ping", "version": 1, "timestamp": "1970-01-01T00:00:00.000000Z", "data": {"a": 1}})
        );
    }

    #[test]
    fn every_event_has_its_own_name_and_parses_back() {
        for (idx, (event, name)) in Event::TABLE.iter().enumerate() {
            assert_eq!(*event as usize, idx, "the table follows the declaration order");
            assert_eq!(event.name(), *name);
            assert_eq!(Event::parse(name), Some(*event));
            assert_eq!(EVENTS[idx], *name);
        }
        assert_eq!(Event::parse("ping"), None);
        assert_eq!(Event::RecordCompleted.to_string(), "record.completed");
    }

    #[test]
    fn expanding_replaces_a_key_in_place_or_drops_it() {
        let rest = json!({"id": 1, "dataset_id": 2, "at": 3});
        let text = expand(rest.clone(), "dataset_id", [("dataset", json!({"id": 2})), ("more", json!(4))]).to_string();
        assert_eq!(text, r#"{"id":1,"dataset":{"id":2},"more":4,"at":3}"#);
        assert_eq!(expand(rest, "dataset_id", []).to_string(), r#"{"id":1,"at":3}"#);
    }
}
