use std::collections::HashMap;

use serde_json::{json, Value};

use super::*;
use crate::settings::{FieldSettings, Limits, MetadataSettings, QuestionSettings};
use crate::value::ResponseStatus;

/// `settings.json` as argilla 2.8's `Dataset.to_disk()` wrote it (ids and times left out).
const SDK_SETTINGS: &str = include_str!("settings_sdk28.json");

fn settings() -> FolderSettings {
    let value: Value = serde_json::from_str(SDK_SETTINGS).expect("fixture is JSON");
    parse_settings(&value, Limits::default()).expect("the SDK's settings parse")
}

const USER: &str = "d7e85b2f-5b3f-4c60-9feb-8461137cf70b";

#[test]
fn the_sdks_settings_parse_with_every_kind() {
    let s = settings();
    assert_eq!(s.guidelines.as_deref(), Some("Do it"));
    assert!(s.allow_extra_metadata);
    assert_eq!(s.distribution.min_submitted, 2);
    let kinds: Vec<&str> = s.fields.iter().map(|it| it.settings.type_name()).collect();
    assert_eq!(kinds, ["text", "image", "chat"]);
    assert_eq!(s.fields[0].settings, FieldSettings::Text { use_markdown: true });
    assert!(s.fields[0].required && !s.fields[1].required);
    let kinds: Vec<&str> = s.questions.iter().map(|it| it.settings.type_name()).collect();
    assert_eq!(kinds, ["label_selection", "multi_label_selection", "rating", "text", "ranking", "span"]);
    assert_eq!(s.questions[0].settings.option_values(), ["a", "b"]);
    assert!(matches!(&s.questions[5].settings, QuestionSettings::Span { field, .. } if field == "text"));
    assert_eq!(s.metadata.len(), 3);
    assert!(matches!(s.metadata[0].settings, MetadataSettings::Terms { .. }));
    assert_eq!(s.vectors, vec![VectorDef { name: "emb".into(), title: "emb".into(), dimensions: 3 }]);
}

#[test]
fn bad_settings_name_their_place() {
    let mut value: Value = serde_json::from_str(SDK_SETTINGS).expect("fixture is JSON");
    value["questions"][2]["settings"]["type"] = json!("stars");
    let err = parse_settings(&value, Limits::default()).expect_err("unknown type");
    assert_eq!(err.to_string().split(':').next(), Some("questions.2.settings.type"));
    let err = parse_settings(&json!([]), Limits::default()).expect_err("not an object");
    assert_eq!(err.kind, "model_attributes_type");
    let err = parse_settings(&json!({"vectors": [{"name": "v", "dimensions": 0}]}), Limits::default())
        .expect_err("no dimensions");
    assert_eq!(err.kind, "greater_than");
}

#[test]
fn dataset_json_gives_the_name() {
    assert_eq!(dataset_name(&json!({"name": "d2", "status": "ready"})).ok().as_deref(), Some("d2"));
    assert!(dataset_name(&json!({"status": "ready"})).is_err());
}

#[test]
fn a_disk_record_with_everything() {
    let raw = json!({
        "id": "r1",
        "fields": {"text": "hello Ann 1", "img": "data:image/png;base64,AAA", "chat": [{"role": "user", "content": "hi"}], "gone": null},
        "metadata": {"genre": "a", "n": 1, "extra": "x"},
        "suggestions": {"label": {"value": "b", "score": 0.9, "agent": "m"}, "multi": {"value": ["x"], "score": null, "agent": null},
                        "rating": {"value": null, "score": null, "agent": null}},
        "responses": {"label": [{"value": "a", "user_id": USER}], "rank": [{"value": ["r2", "r1"], "user_id": USER}]},
        "vectors": {"emb": [0.1, 0.2, 1.0]},
        "status": "pending",
        "_server_id": "207a6643-a086-4c94-8de0-18d298bc4d9b"
    });
    let mut record = disk_record(&raw).expect("parses");
    normalize(&mut record, &settings());
    assert_eq!(record.external_id.as_deref(), Some("r1"));
    assert_eq!(record.fields.len(), 3, "null fields are left out");
    assert_eq!(record.metadata["extra"], json!("x"));
    assert_eq!(record.vectors["emb"], json!([0.1, 0.2, 1.0]));
    assert_eq!(record.suggestions.len(), 2, "a suggestion without value is none");
    assert_eq!(record.suggestions[0].score, Some(json!(0.9)));
    assert_eq!(record.suggestions[1].agent, None);
    assert_eq!(record.responses.len(), 1, "one response per user");
    let response = &record.responses[0];
    assert_eq!(response.user_id.to_string(), USER);
    assert_eq!(response.status, ResponseStatus::Draft, "records.json carries no status: from_disk's draft");
    assert_eq!(response.values["label"], json!({"value": "a"}));
    assert_eq!(response.values["rank"], json!({"value": [{"value": "r2", "rank": 1}, {"value": "r1", "rank": 2}]}));
}

#[test]
fn bad_disk_records_say_why() {
    assert!(disk_record(&json!("text")).is_err());
    let err = disk_record(&json!({"responses": {"label": [{"value": "a", "user_id": "nobody"}]}})).expect_err("user");
    assert!(err.contains("user_id"), "{err}");
    let err = disk_record(&json!({"fields": [1]})).expect_err("fields");
    assert!(err.contains("`fields`"), "{err}");
    let err = disk_record(&json!({"responses": {"label": [{"value": "a", "user_id": USER, "status": "done"}]}}))
        .expect_err("status");
    assert!(err.contains("unknown status"), "{err}");
}

fn hub_columns(names: &[&str]) -> HubColumns {
    let labels = class_labels(&json!({"info": {"features": {
        "label.suggestion": {"names": ["b", "a"], "_type": "ClassLabel"},
        "text": {"dtype": "string", "_type": "Value"}
    }}}));
    let names: Vec<String> = names.iter().map(|it| it.to_string()).collect();
    HubColumns::new(&settings(), &names, labels)
}

#[test]
fn a_hub_row_with_everything() {
    let row = json!({
        "id": "r1", "status": "pending", "_server_id": "207a6643-a086-4c94-8de0-18d298bc4d9b",
        "text": "hello Ann 1", "img": {"bytes": "data:image/png;base64,AAA", "path": null},
        "chat": [{"content": "hi", "role": "user"}], "genre": "a", "n": 1, "f": null, "extra": "x",
        "emb": [0.1, 0.2, 1.0],
        "label.responses": ["a", "b"], "label.responses.users": [USER, "0193a0a0-0000-7000-8000-000000000001"],
        "label.responses.status": ["submitted", "discarded"],
        "rank.responses": [["r1", "r2"]], "rank.responses.users": [USER], "rank.responses.status": ["submitted"],
        "label.suggestion": 1, "label.suggestion.score": 0.9, "label.suggestion.agent": "m",
        "multi.suggestion": null, "multi.suggestion.score": null, "multi.suggestion.agent": null
    });
    let columns = hub_columns(&row.as_object().expect("object").keys().map(String::as_str).collect::<Vec<_>>());
    assert!(columns.skipped().is_empty(), "extra metadata is allowed");
    let settings = settings();
    let mut record = hub_record(row.as_object().expect("object"), &columns, &settings).expect("parses");
    normalize(&mut record, &settings);
    assert_eq!(record.external_id.as_deref(), Some("r1"));
    assert_eq!(record.fields["img"], json!("data:image/png;base64,AAA"));
    assert_eq!(record.fields.len(), 3);
    assert_eq!(record.metadata.len(), 3, "genre, n and extra; null f is absent");
    assert_eq!(record.vectors["emb"], json!([0.1, 0.2, 1.0]));
    assert_eq!(record.suggestions.len(), 1);
    assert_eq!(record.suggestions[0].value, json!("a"), "class 1 of the ClassLabel names");
    assert_eq!(record.suggestions[0].agent, Some(json!("m")));
    assert_eq!(record.responses.len(), 2);
    assert_eq!(record.responses[0].status, ResponseStatus::Submitted);
    assert_eq!(
        record.responses[0].values["rank"],
        json!({"value": [{"value": "r1", "rank": 1}, {"value": "r2", "rank": 2}]})
    );
    assert_eq!(record.responses[1].status, ResponseStatus::Discarded);
    assert_eq!(record.responses[1].values["label"], json!({"value": "b"}));
}

#[test]
fn hub_rows_that_do_not_fit_say_why() {
    let settings = settings();
    let columns = hub_columns(&["label.responses", "label.responses.users", "label.suggestion"]);
    let row = json!({"label.responses": ["a"], "label.responses.users": []});
    let err = hub_record(row.as_object().expect("object"), &columns, &settings).expect_err("lengths");
    assert!(err.contains("1 values for 0 users"), "{err}");
    let row = json!({"label.suggestion": 7});
    let err = hub_record(row.as_object().expect("object"), &columns, &settings).expect_err("class");
    assert!(err.contains("class 7"), "{err}");
}

#[test]
fn unknown_columns_are_skipped_without_extra_metadata() {
    let mut settings = settings();
    settings.allow_extra_metadata = false;
    let columns = HubColumns::new(&settings, &["id".into(), "extra".into()], HashMap::new());
    assert_eq!(columns.skipped(), ["extra"]);
    let row = json!({"id": 5, "extra": "x"});
    let record = hub_record(row.as_object().expect("object"), &columns, &settings).expect("parses");
    assert_eq!(record.external_id.as_deref(), Some("5"));
    assert!(record.metadata.is_empty());
}
