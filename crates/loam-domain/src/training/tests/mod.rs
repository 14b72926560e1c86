//! Tests of the training shapes: parsing and rejecting mappings, inferring them, and the rows.

mod infer;
mod parse;
mod preference;
mod rows;

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::answer::{AnnotatedRecord, Final};
use crate::distribution::RecordStatus;
use crate::error::Rejection;
use crate::ids::{DatasetId, FieldId, QuestionId, RecordId};
use crate::model::{DatasetSchema, Field, Question, Record};
use crate::settings::{FieldSettings, LabelOption, QuestionSettings};
use crate::table::{Cell, Message};
use crate::timestamp::Timestamp;

fn field(name: &str, settings: FieldSettings) -> Field {
    Field {
        id: FieldId(Uuid::nil()),
        dataset_id: DatasetId(Uuid::nil()),
        name: name.to_owned(),
        title: name.to_owned(),
        description: None,
        required: false,
        settings,
        inserted_at: Timestamp(0),
        updated_at: Timestamp(0),
    }
}

fn text(name: &str) -> Field {
    field(name, FieldSettings::Text { use_markdown: false })
}

fn chat(name: &str) -> Field {
    field(name, FieldSettings::Chat { use_markdown: true })
}

fn question(name: &str, settings: QuestionSettings) -> Question {
    Question {
        id: QuestionId(Uuid::nil()),
        dataset_id: DatasetId(Uuid::nil()),
        name: name.to_owned(),
        title: name.to_owned(),
        description: None,
        required: false,
        settings,
        inserted_at: Timestamp(0),
        updated_at: Timestamp(0),
    }
}

fn options(values: &[&str]) -> Vec<LabelOption> {
    values.iter().map(|it| LabelOption { value: (*it).to_owned(), text: (*it).to_owned(), description: None }).collect()
}

fn text_q(name: &str) -> Question {
    question(name, QuestionSettings::Text { use_markdown: false })
}

fn rating_q(name: &str) -> Question {
    question(name, QuestionSettings::Rating { options: vec![1, 2, 3, 4, 5] })
}

fn label_q(name: &str, labels: &[&str]) -> Question {
    question(name, QuestionSettings::LabelSelection { options: options(labels), visible_options: None })
}

fn multi_q(name: &str, labels: &[&str]) -> Question {
    question(
        name,
        QuestionSettings::MultiLabelSelection {
            options: options(labels),
            visible_options: None,
            options_order: crate::settings::OptionsOrder::Natural,
        },
    )
}

fn ranking_q(name: &str, values: &[&str]) -> Question {
    question(name, QuestionSettings::Ranking { options: options(values) })
}

fn schema(fields: Vec<Field>, questions: Vec<Question>) -> DatasetSchema {
    DatasetSchema { fields, questions, ..DatasetSchema::default() }
}

/// What distilabel 1.5.3's `TextGenerationToArgilla` creates.
fn textgen() -> DatasetSchema {
    schema(vec![text("id"), text("instruction"), text("generation")], vec![label_q("quality", &["bad", "good"])])
}

/// What distilabel 1.5.3's `PreferenceToArgilla` creates with `num_generations=3`.
fn preference() -> DatasetSchema {
    let mut questions = Vec::new();
    for idx in 0..3 {
        questions.push(rating_q(&format!("generations-{idx}-rating")));
        questions.push(text_q(&format!("generations-{idx}-rationale")));
    }
    schema(
        vec![text("id"), text("instruction"), text("generations-0"), text("generations-1"), text("generations-2")],
        questions,
    )
}

/// A prompt, three responses and a ranking of them.
fn ranked() -> DatasetSchema {
    schema(
        vec![text("prompt"), text("response-1"), text("response-2"), text("response-3")],
        vec![ranking_q("rank", &["response-1", "response-2", "response-3"])],
    )
}

/// A prompt and a response, a corrected-response question and a quality rating (the guides' SFT).
fn corrected() -> DatasetSchema {
    schema(vec![text("prompt"), text("response")], vec![text_q("corrected"), rating_q("quality")])
}

/// A prompt, two responses and a label question that picks one.
fn choice() -> DatasetSchema {
    schema(vec![text("prompt"), text("response-a"), text("response-b")], vec![label_q("best", &["A", "B", "tie"])])
}

fn record(fields: Value) -> AnnotatedRecord {
    let fields: Map<String, Value> = fields.as_object().cloned().unwrap_or_default();
    AnnotatedRecord {
        record: Record {
            id: RecordId(Uuid::nil()),
            dataset_id: DatasetId(Uuid::nil()),
            fields,
            metadata: None,
            external_id: None,
            status: RecordStatus::Completed,
            inserted_at: Timestamp(0),
            updated_at: Timestamp(0),
        },
        responses: Vec::new(),
        suggestions: Vec::new(),
    }
}

fn finals(items: Vec<(&str, Final)>) -> BTreeMap<String, Final> {
    items.into_iter().map(|(name, it)| (name.to_owned(), it)).collect()
}

/// The message of a rule's rejection.
fn rejected<T: std::fmt::Debug>(res: Result<T, Rejection>) -> String {
    match res {
        Err(Rejection::Invalid(it)) => it.0,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

fn s(text: &str) -> Cell {
    Cell::Str(text.to_owned())
}

fn msgs(items: &[(&str, &str)]) -> Cell {
    Cell::Messages(
        items.iter().map(|(role, content)| Message { role: (*role).into(), content: (*content).into() }).collect(),
    )
}
