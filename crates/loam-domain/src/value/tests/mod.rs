//! Tests of value validation, by entry point; this file holds their shared fixtures.

use std::fmt;

use serde_json::{json, Map, Value};

use super::kinds::first_overlap;
use super::parse::SpanItem;
use super::*;
use crate::error::{Loc, Rejection, SchemaError};
use crate::python::repr_float as py_float;
use crate::settings::{LabelOption, QuestionSettings};

mod responses;
mod suggestions;
mod values;

fn opts(values: &[&str]) -> Vec<LabelOption> {
    values
        .iter()
        .map(|it| LabelOption { value: (*it).to_owned(), text: it.to_uppercase(), description: None })
        .collect()
}

fn text_q() -> QuestionSettings {
    QuestionSettings::Text { use_markdown: false }
}
fn label_q() -> QuestionSettings {
    QuestionSettings::LabelSelection { options: opts(&["a", "b"]), visible_options: None }
}
fn multi_q() -> QuestionSettings {
    QuestionSettings::MultiLabelSelection {
        options: opts(&["a", "b", "c"]),
        visible_options: None,
        options_order: crate::settings::OptionsOrder::Natural,
    }
}
fn rating_q() -> QuestionSettings {
    QuestionSettings::Rating { options: vec![1, 2, 3] }
}
fn ranking_q() -> QuestionSettings {
    QuestionSettings::Ranking { options: opts(&["x", "y", "z"]) }
}
fn span_q(allow_overlapping: bool) -> QuestionSettings {
    QuestionSettings::Span {
        field: "text".to_owned(),
        options: opts(&["PER", "ORG"]),
        visible_options: None,
        allow_overlapping,
    }
}

fn fields(text: &str) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("text".to_owned(), json!(text));
    map.insert("chat".to_owned(), json!([{"role": "user", "content": "hi"}]));
    map
}

fn invalid_msg(res: Result<impl fmt::Debug, Rejection>) -> String {
    match res {
        Err(Rejection::Invalid(it)) => it.0,
        other => panic!("expected an Invalid, got {other:?}"),
    }
}

fn schema_err(res: Result<impl fmt::Debug, Rejection>) -> SchemaError {
    match res {
        Err(Rejection::Schema(it)) => it,
        other => panic!("expected a SchemaError, got {other:?}"),
    }
}

/// Checks a response whose only value is `value` for the question `q` (named "q").
fn check(settings: &QuestionSettings, status: ResponseStatus, value: Value, text: &str) -> Result<Value, Rejection> {
    let questions = [QuestionRef { name: "q", required: false, settings }];
    let values = json!({"q": {"value": value}});
    check_response(Some(&values), status, &questions, &fields(text))
        .map(|it| it.map_or(Value::Null, |it| it["q"]["value"].clone()))
}

fn check_sugg(
    settings: &QuestionSettings,
    value: Value,
    score: Value,
    agent: Value,
    kind: Value,
) -> Result<CheckedSuggestion, Rejection> {
    let question = QuestionRef { name: "q", required: true, settings };
    check_suggestion(&value, Some(&score), Some(&agent), Some(&kind), question, &fields("Hello world"))
}

const SUB: ResponseStatus = ResponseStatus::Submitted;
const DRAFT: ResponseStatus = ResponseStatus::Draft;
