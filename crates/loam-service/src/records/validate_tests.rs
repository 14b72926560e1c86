//! Unit tests of record validation: one item's fields, metadata, responses and suggestions, the
//! plan of a partial update, and a batch's external ids.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;

use loam_domain::distribution::{Distribution, RecordStatus};
use loam_domain::error::Loc;
use loam_domain::model::{Dataset, DatasetSchema, DatasetStatus, Question, Record};
use loam_domain::settings::QuestionSettings;
use loam_domain::value::ResponseStatus;
use loam_domain::Rejection;
use loam_domain::{DatasetId, QuestionId, RecordId, Timestamp, UserId, WorkspaceId};
use serde_json::{json, Value};

use super::*;
use crate::records::input::{NewRecord, NewResponseItem, NewSuggestionItem, RecordPatch};

fn dataset() -> Dataset {
    Dataset {
        id: DatasetId::new(),
        name: "ds".into(),
        guidelines: None,
        allow_extra_metadata: false,
        status: DatasetStatus::Ready,
        distribution: Distribution::default(),
        metadata: None,
        workspace_id: WorkspaceId::new(),
        last_activity_at: Timestamp(1),
        inserted_at: Timestamp(1),
        updated_at: Timestamp(1),
        responses_visible_for_annotators: false,
        settings_version: 0,
    }
}

fn schema(ds: &Dataset) -> DatasetSchema {
    let question = Question {
        id: QuestionId::new(),
        dataset_id: ds.id,
        name: "score".into(),
        title: "Score".into(),
        description: None,
        required: true,
        settings: QuestionSettings::Rating { options: vec![1, 2, 3] },
        inserted_at: Timestamp(1),
        updated_at: Timestamp(1),
    };
    DatasetSchema { questions: vec![question], ..loam_store::testing::text_schema(ds.id) }
}

fn item(fields: Value) -> NewRecord {
    NewRecord { fields: Some(fields), ..NewRecord::default() }
}

fn reason_of(err: Rejection) -> String {
    match err {
        Rejection::Invalid(it) => it.0,
        Rejection::Schema(it) => panic!("a rule was expected, got a shape error: {}", it.msg),
    }
}

fn stored(ds: &Dataset, external_id: Option<&str>) -> Record {
    Record {
        id: RecordId::new(),
        dataset_id: ds.id,
        fields: json!({"text": "stored"}).as_object().cloned().unwrap(),
        metadata: None,
        external_id: external_id.map(str::to_owned),
        status: RecordStatus::Pending,
        inserted_at: Timestamp(1),
        updated_at: Timestamp(1),
    }
}

#[test]
fn a_valid_new_record_is_checked_with_its_response() {
    let ds = dataset();
    let schema = schema(&ds);
    let user = UserId::new();
    let validator = Validator { dataset: &ds, schema: &schema, known_users: HashSet::from([user]) };
    let mut payload = item(json!({"text": "hello"}));
    payload.responses.push(NewResponseItem {
        user_id: user,
        status: ResponseStatus::Submitted,
        values: Some(json!({"score": {"value": 2}})),
    });
    let checked = validator.check(&payload, RecordId::new(), None).unwrap();
    assert_eq!(checked.fields.unwrap()["text"], json!("hello"));
    assert!(checked.metadata.is_none(), "no metadata key: nothing to write");
    assert_eq!(checked.responses.len(), 1);
    assert_eq!(checked.responses[0].0, user);
}

#[test]
fn an_oversized_field_value_is_refused_with_its_size() {
    let ds = dataset();
    let schema = schema(&ds);
    let validator = Validator { dataset: &ds, schema: &schema, known_users: HashSet::new() };
    let big = "x".repeat(MAX_FIELD_VALUE_BYTES + 1);
    let err = validator.check(&item(json!({ "text": big })), RecordId::new(), None).err().unwrap();
    assert_eq!(
        reason_of(err),
        format!(
            "field 'text' value is too large: {} bytes, the maximum is {MAX_FIELD_VALUE_BYTES} bytes",
            MAX_FIELD_VALUE_BYTES + 1
        )
    );
}

#[test]
fn responses_by_unknown_users_or_twice_by_one_user_are_refused() {
    let ds = dataset();
    let schema = schema(&ds);
    let user = UserId::new();
    let validator = Validator { dataset: &ds, schema: &schema, known_users: HashSet::new() };
    let response = NewResponseItem { user_id: user, status: ResponseStatus::Draft, values: None };
    let mut payload = item(json!({"text": "hello"}));
    payload.responses.push(response.clone());
    let err = validator.check(&payload, RecordId::new(), None).err().unwrap();
    assert_eq!(reason_of(err), format!("record does not have valid responses: user with id {user} not found"));
    payload.responses.push(response);
    let validator = Validator { dataset: &ds, schema: &schema, known_users: HashSet::from([user]) };
    match validator.check(&payload, RecordId::new(), None).err().unwrap() {
        Rejection::Schema(it) => assert_eq!(it.loc, vec![Loc::from("responses")]),
        Rejection::Invalid(it) => panic!("a shape error was expected, got {}", it.0),
    }
}

#[test]
fn suggestions_for_unknown_questions_are_refused() {
    let ds = dataset();
    let schema = schema(&ds);
    let validator = Validator { dataset: &ds, schema: &schema, known_users: HashSet::new() };
    let mut payload = item(json!({"text": "hello"}));
    let question = QuestionId::new();
    payload.suggestions.push(NewSuggestionItem {
        question_id: question,
        value: json!(1),
        score: None,
        agent: None,
        kind: None,
    });
    let err = validator.check(&payload, RecordId::new(), None).err().unwrap();
    assert_eq!(
        reason_of(err),
        format!("record does not have valid suggestions: question id={question} does not exists")
    );
}

#[test]
fn a_patch_may_not_change_an_external_id_and_plans_only_what_it_sends() {
    let ds = dataset();
    let schema = schema(&ds);
    let validator = Validator { dataset: &ds, schema: &schema, known_users: HashSet::new() };
    let patch = RecordPatch { external_id: Some("b".into()), ..RecordPatch::default() };
    let err = validator.plan_patch(stored(&ds, Some("a")), &patch).err().unwrap();
    assert_eq!(
        reason_of(err),
        "its external_id cannot change (not supported by loam): the record has 'a', the update sends 'b'"
    );
    // The same id, or one sent for a record without one, is accepted; only metadata changes.
    let patch = RecordPatch { external_id: Some("a".into()), metadata: Some(Value::Null), ..RecordPatch::default() };
    let plan = validator.plan_patch(stored(&ds, Some("a")), &patch).unwrap();
    assert!(plan.fields.is_none() && plan.suggestions.is_none() && plan.vectors.is_empty());
    assert_eq!(plan.metadata, Some(None), "a null clears the metadata");
    assert!(validator.plan_patch(stored(&ds, None), &patch).is_ok());
}

#[test]
fn external_ids_must_be_unique_in_a_batch() {
    assert!(check_unique_external_ids([Some("a"), None, Some("b"), None].into_iter()).is_ok());
    match check_unique_external_ids([Some("a"), Some("a")].into_iter()) {
        Err(Error::Schema(errors)) => assert_eq!(errors[0].msg, "Value error, External IDs must be unique"),
        other => panic!("expected a schema error, got {other:?}"),
    }
}

#[test]
fn empty_response_values_are_the_same_however_spelled() {
    assert!(same_values(&None, &Some(Value::Null)));
    assert!(same_values(&Some(json!({})), &None));
    assert!(same_values(&Some(json!({"a": 1})), &Some(json!({"a": 1}))));
    assert!(!same_values(&Some(json!({"a": 1})), &None));
}

#[test]
fn rejections_are_placed_at_their_item() {
    match at_position(3, Rejection::Invalid(loam_domain::Invalid("bad".into()))) {
        Error::Invalid(msg) => assert_eq!(msg, "Record at position 3 is not valid because bad"),
        other => panic!("{other:?}"),
    }
    let shape = loam_domain::SchemaError::value(vec![Loc::from("fields")], "x");
    match at_position(3, Rejection::Schema(shape)) {
        Error::Schema(errors) => {
            assert_eq!(errors[0].loc, vec![Loc::from("body"), Loc::from("items"), Loc::Index(3), Loc::from("fields")])
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn nul_anywhere_in_a_payload_is_refused_as_the_api_refuses_it() {
    let ds = dataset();
    let schema = schema(&ds);
    let user = UserId::new();
    let validator = Validator { dataset: &ds, schema: &schema, known_users: HashSet::from([user]) };
    let question_id = schema.questions[0].id;
    let suggestion =
        |value: Value, agent: Option<Value>| NewSuggestionItem { question_id, value, score: None, agent, kind: None };
    let mut cases = vec![item(json!({"text": "a\u{0}b"})), item(json!({"te\u{0}xt": "ab"}))];
    let mut with = |change: &dyn Fn(&mut NewRecord)| {
        let mut payload = item(json!({"text": "fine"}));
        change(&mut payload);
        cases.push(payload);
    };
    with(&|it| it.metadata = Some(json!({"k\u{0}": 1})));
    with(&|it| it.metadata = Some(json!({"k": ["x", "y\u{0}"]})));
    with(&|it| it.external_id = Some("id\u{0}".into()));
    with(&|it| it.suggestions.push(suggestion(json!(2), Some(json!("model\u{0}")))));
    with(&|it| it.suggestions.push(suggestion(json!("2\u{0}"), None)));
    with(&|it| {
        it.responses.push(NewResponseItem {
            user_id: user,
            status: ResponseStatus::Draft,
            values: Some(json!({"score": {"value": "\u{0}"}})),
        })
    });
    with(&|it| {
        it.vectors.insert("v\u{0}".into(), json!([1.0]));
    });
    for payload in cases {
        let err = validator.check(&payload, RecordId::new(), None).err().unwrap();
        assert_eq!(reason_of(err), "Text must not contain the NUL character (\\u0000)", "{payload:?}");
    }
    // The same payloads without it pass.
    assert!(validator.check(&item(json!({"text": "ab"})), RecordId::new(), None).is_ok());
}
