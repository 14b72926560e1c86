//! Tests of settings parsing, updates and the metadata value rules.

use serde_json::{json, Value};

use super::*;
use crate::error::{Loc, SchemaError};
use crate::schema::Reader;

#[test]
fn field_description_is_optional_text_of_at_most_1000_characters() {
    let loc = [Loc::from("body")];
    let long = "é".repeat(FIELD_DESCRIPTION_MAX_CHARS);
    let cases: [(Value, Result<Option<&str>, &str>); 8] = [
        (json!({}), Ok(None)),
        (json!({"description": null}), Ok(None)),
        (json!({"description": ""}), Ok(None)),
        (json!({"description": "  \n"}), Ok(None)),
        (json!({"description": "What the model was asked"}), Ok(Some("What the model was asked"))),
        (json!({"description": long}), Ok(Some(long.as_str()))),
        (json!({"description": format!("{long}x")}), Err("string_too_long")),
        (json!({"description": 3}), Err("string_type")),
    ];
    for (body, expected) in cases {
        let obj = body.as_object().unwrap();
        let res = field_description(&Reader::new(obj, &loc), "description");
        match expected {
            Ok(want) => assert_eq!(res.unwrap().as_deref(), want, "{body}"),
            Err(kind) => {
                let err = res.unwrap_err();
                assert_eq!(err.kind, kind, "{body}");
                assert_eq!(err.loc, vec![Loc::from("body"), Loc::from("description")], "{body}");
            }
        }
    }
}

fn q(value: Value) -> Result<QuestionSettings, SchemaError> {
    QuestionSettings::parse(&value, &[Loc::from("settings")], Limits::default())
}

#[test]
fn question_settings_round_trip_with_all_keys() {
    let label =
        q(json!({"type": "label_selection", "options": [{"value": "a", "text": "A"}, {"value": "b", "text": "B"}]}))
            .unwrap();
    assert_eq!(
        label.to_json(),
        json!({"type": "label_selection", "options": [
            {"value": "a", "text": "A", "description": null},
            {"value": "b", "text": "B", "description": null}], "visible_options": null})
    );
    let span = q(json!({"type": "span", "field": "text", "options": [{"value": "a", "text": "A"}]})).unwrap();
    assert_eq!(span.to_json()["allow_character_annotation"], json!(true));
    assert_eq!(span.to_json()["allow_overlapping"], json!(false));
}

#[test]
fn question_settings_reject_bad_shapes() {
    for (bad, kind) in [
        (json!({"type": "rating", "options": [{"value": 1}]}), "too_short"),
        (json!({"type": "rating", "options": [{"value": 1}, {"value": 11}]}), "value_error"),
        (json!({"type": "rating", "options": [{"value": 1}, {"value": 1}]}), "value_error"),
        (
            json!({"type": "label_selection", "options": [{"value": "a", "text": "A"}, {"value": "a", "text": "B"}]}),
            "value_error",
        ),
        (json!({"type": "label_selection", "options": [{"value": "a"}, {"value": "b", "text": "B"}]}), "missing"),
        (
            json!({"type": "label_selection", "options": [{"value": "a", "text": "A"}, {"value": "b", "text": "B"}], "visible_options": 3}),
            "value_error",
        ),
        (json!({"type": "text", "use_markdown": null}), "bool_type"),
        (json!({"type": "nope"}), "union_tag_invalid"),
        (json!({"options": []}), "union_tag_not_found"),
    ] {
        let err = q(bad.clone()).expect_err(&bad.to_string());
        assert_eq!(err.kind, kind, "{bad}: {err}");
    }
}

#[test]
fn label_update_keeps_values_and_checks_visible_options() {
    let label = q(json!({"type": "label_selection", "options": [
        {"value": "a", "text": "A"}, {"value": "b", "text": "B"}, {"value": "c", "text": "C"}]}))
    .unwrap();
    let loc = [Loc::from("settings")];
    let reordered = json!({"type": "label_selection", "options": [
        {"value": "c", "text": "Cee"}, {"value": "a", "text": "A"}, {"value": "b", "text": "B"}], "visible_options": 3});
    let res = label.update(&reordered, &loc, Limits::default()).unwrap().unwrap();
    assert_eq!(res.option_values(), ["c", "a", "b"]);
    let renamed = json!({"type": "label_selection", "options": [
        {"value": "x", "text": "A"}, {"value": "a", "text": "A"}, {"value": "b", "text": "B"}]});
    assert!(label.update(&renamed, &loc, Limits::default()).unwrap().unwrap_err().0.contains("['x']"));
    let fewer =
        json!({"type": "label_selection", "options": [{"value": "a", "text": "A"}, {"value": "b", "text": "B"}]});
    assert!(label.update(&fewer, &loc, Limits::default()).unwrap().is_err());
    let retyped = json!({"type": "text"});
    assert!(label.update(&retyped, &loc, Limits::default()).unwrap().unwrap_err().0.contains("cannot be changed"));
}

#[test]
fn metadata_values_follow_type_rules() {
    let int = MetadataSettings::Integer { min: Some(0), max: Some(10) };
    assert!(int.check_value(&json!(5)).is_ok());
    assert!(int.check_value(&json!(true)).is_ok());
    assert_eq!(int.check_value(&json!(5.5)).unwrap_err(), "'5.5' is not an integer.");
    assert_eq!(int.check_value(&json!(11)).unwrap_err(), "'11' is greater than the maximum value of '10'.");
    let float = MetadataSettings::Float { min: None, max: None };
    assert!(float.check_value(&json!(5.0)).is_ok());
    assert_eq!(float.check_value(&json!(5)).unwrap_err(), "'5' is not a float.");
    let terms = MetadataSettings::Terms { values: Some(vec![json!("a"), json!("b")]) };
    assert!(terms.check_value(&json!(["a", "b"])).is_ok());
    assert_eq!(terms.check_value(&json!("c")).unwrap_err(), "'c' is not an allowed term.");
}

#[test]
fn messages_show_values_as_the_reference_renders_them() {
    // Each case would read differently under the naive quoting these messages used before.
    let loc = [Loc::from("settings")];
    let label = q(json!({"type": "label_selection", "options": [
        {"value": "a", "text": "A"}, {"value": "b", "text": "B"}]}))
    .unwrap();
    let renamed = json!({"type": "label_selection", "options": [
        {"value": "a", "text": "A"}, {"value": "don't\u{7}é", "text": "B"}]});
    assert_eq!(
        label.update(&renamed, &loc, Limits::default()).unwrap().unwrap_err().0,
        "the option values cannot be modified. found unexpected option values: [\"don't\\x07é\"]"
    );
    let duplicated = json!({"type": "label_selection", "options": [
        {"value": "it's", "text": "A"}, {"value": "it's", "text": "B"}, {"value": "a\\b", "text": "C"}, {"value": "a\\b", "text": "D"}]});
    assert_eq!(
        q(duplicated).unwrap_err().msg,
        "Value error, Option values must be unique, found duplicates: {'a\\\\b', \"it's\"}"
    );
    let terms = MetadataSettings::Terms { values: Some(vec![json!("a")]) };
    assert_eq!(terms.check_value(&json!(true)).unwrap_err(), "'True' is not an allowed term.");
    assert_eq!(terms.check_value(&json!([["a"]])).unwrap_err(), "'['a']' is not an allowed term.");
    let int = MetadataSettings::Integer { min: Some(2), max: None };
    assert_eq!(int.check_value(&json!(false)).unwrap_err(), "'False' is less than the minimum value of '2'.");
    let float = MetadataSettings::Float { min: None, max: Some(10.5) };
    assert_eq!(float.check_value(&json!(1e16)).unwrap_err(), "'1e+16' is greater than the maximum value of '10.5'.");
    assert_eq!(float.check_value(&json!({"k": null})).unwrap_err(), "'{'k': None}' is not a float.");
}

#[test]
fn field_update_cannot_change_type() {
    let text = FieldSettings::Text { use_markdown: false };
    let loc = [Loc::from("settings")];
    let res = text.update(&json!({"type": "text", "use_markdown": true}), &loc).unwrap().unwrap();
    assert_eq!(res, FieldSettings::Text { use_markdown: true });
    assert!(text.update(&json!({"type": "image"}), &loc).unwrap().is_err());
}
