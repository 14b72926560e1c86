//! The `records` shape's row of a record as stored (`loam_domain::stored`): the same cells as
//! [`RecordsShape::row`] gives of the decoded record, read from the JSON text with
//! [`JsonRef`] (strings borrowed, no `Value` trees) and written over a recycled row
//! ([`Refill`]), so a row costs a few allocations rather than a hundred.

use loam_domain::json_ref::JsonRef;
use loam_domain::model::{Question, Vector};
use loam_domain::settings::{FieldSettings, MetadataSettings, QuestionSettings};
use loam_domain::stored::StoredRecord;
use loam_domain::table::{Cell, ColumnType, Refill};
use serde_json::Value;
use uuid::Uuid;

use super::{chat_cell, responses_type, score_type, suggestion_type, RecordsShape};

/// A uuid as its hyphenated lower-case text, appended to `out`.
pub fn push_uuid(id: &Uuid, out: &mut String) {
    out.push_str(id.hyphenated().encode_lower(&mut Uuid::encode_buffer()));
}

impl RecordsShape {
    /// The cells of [`RecordsShape::row`] for `it`, written to `out`: `answers` are its
    /// responses' answers (`StoredRecord::answers`), `vectors` its vectors (only read when the
    /// settings have vector settings). Fails on JSON text that does not parse.
    pub fn fill(
        &self,
        it: &StoredRecord<'_>,
        answers: &[Option<JsonRef<'_>>],
        vectors: &[Vector],
        out: &mut Refill<'_>,
    ) -> Result<(), serde_json::Error> {
        match it.external_id {
            Some(id) => out.str(id),
            None => out.null(),
        }
        out.str(it.status.as_str());
        out.str(it.id.0.hyphenated().encode_lower(&mut Uuid::encode_buffer()));
        self.fill_fields(it, out)?;
        for settings in &self.schema.vector_settings {
            // The last of the record's vectors for these settings, as a map of them keeps it.
            match vectors.iter().rev().find(|v| v.record_id == it.id && v.vector_settings_id == settings.id) {
                Some(vector) => out.float_list(&vector.value),
                None => out.null(),
            }
        }
        for question in &self.schema.questions {
            fill_responses(question, it, answers, out);
        }
        for question in &self.schema.questions {
            // One suggestion per question; the SDK keeps the last it reads.
            let Some(suggestion) = it.suggestions.iter().rev().find(|s| s.question_id == question.id) else {
                out.null();
                out.null();
                out.null();
                continue;
            };
            let value = JsonRef::parse(suggestion.value)?;
            match suggestion_type(question) {
                ColumnType::Str => out.str(&value.plain_text()),
                ColumnType::Int => out.push(value.as_i64().map_or(Cell::Null, Cell::Int)),
                ColumnType::StrList => match value.as_array() {
                    Some(items) => out.str_list(items.iter().map(|item| sdk_item(question, item))),
                    None => out.null(),
                },
                _ => out.push(Cell::Json(sdk_value(question, &value))),
            }
            let score = suggestion.score.map(JsonRef::parse).transpose()?;
            match (score_type(question), score) {
                (_, None | Some(JsonRef::Null)) => out.null(),
                (ColumnType::Float, Some(score)) => out.push(score.as_f64().map_or(Cell::Null, Cell::Float)),
                (_, Some(score)) => out.push(Cell::Json(score.to_value())),
            }
            match suggestion.agent {
                Some(agent) => out.str(agent),
                None => out.null(),
            }
        }
        Ok(())
    }

    fn fill_fields(&self, it: &StoredRecord<'_>, out: &mut Refill<'_>) -> Result<(), serde_json::Error> {
        let fields = it.fields.map(JsonRef::parse).transpose()?;
        let fields = fields.as_ref().filter(|it| matches!(it, JsonRef::Object(_)));
        for field in &self.schema.fields {
            match (&field.settings, fields.and_then(|it| it.get(&field.name))) {
                (_, None | Some(JsonRef::Null)) => out.null(),
                (FieldSettings::Text { .. } | FieldSettings::Image, Some(value)) => out.str(&value.plain_text()),
                (FieldSettings::Chat { .. }, Some(value)) => out.push(chat_cell(&value.to_value())),
                (FieldSettings::Custom { .. }, Some(value)) => out.push(Cell::Json(value.to_value())),
            }
        }
        let metadata = it.metadata.map(JsonRef::parse).transpose()?;
        let metadata = metadata.as_ref().filter(|it| matches!(it, JsonRef::Object(_)));
        for property in &self.schema.metadata_properties {
            match (&property.settings, metadata.and_then(|it| it.get(&property.name))) {
                (_, None | Some(JsonRef::Null)) => out.null(),
                (MetadataSettings::Terms { .. }, Some(value)) => out.str(&value.plain_text()),
                (MetadataSettings::Integer { .. }, Some(value)) => {
                    out.push(value.as_i64().map_or(Cell::Null, Cell::Int))
                }
                (MetadataSettings::Float { .. }, Some(value)) => {
                    out.push(value.as_f64().map_or(Cell::Null, Cell::Float))
                }
            }
        }
        for key in &self.extra_metadata {
            match metadata.and_then(|it| it.get(key)) {
                None | Some(JsonRef::Null) => out.null(),
                Some(value) => out.push(Cell::Json(value.to_value())),
            }
        }
        Ok(())
    }
}

/// The `<question>.responses`, `.users` and `.status` cells.
fn fill_responses(question: &Question, it: &StoredRecord<'_>, answers: &[Option<JsonRef<'_>>], out: &mut Refill<'_>) {
    let value_of = |values: &Option<JsonRef<'_>>| -> bool {
        values.as_ref().and_then(|v| v.get(&question.name)).and_then(|v| v.get("value")).is_some()
    };
    let answered = || it.responses.iter().zip(answers).filter(|pair| value_of(pair.1));
    if answered().next().is_none() {
        out.null();
        out.null();
        out.null();
        return;
    }
    let values = || answers.iter().filter_map(|values| values.as_ref()?.get(&question.name)?.get("value"));
    match responses_type(question) {
        ColumnType::StrList => out.str_list(values().map(|v| v.plain_text())),
        // A stored rating that is no integer (never valid) makes the list null.
        ColumnType::IntList => {
            if values().all(|v| v.as_i64().is_some()) {
                out.int_list(values().filter_map(JsonRef::as_i64));
            } else {
                out.null();
            }
        }
        _ => out.push(Cell::Json(Value::Array(values().map(|v| sdk_value(question, v)).collect()))),
    }
    out.str_list_by(answered(), |(response, _), s| push_uuid(&response.user_id.0, s));
    out.str_list(answered().map(|(response, _)| response.status.as_str()));
}

/// A stored value as the SDK shows it (`sdk_value` of the decoded record's).
fn sdk_value(question: &Question, value: &JsonRef<'_>) -> Value {
    match (&question.settings, value.as_array()) {
        (QuestionSettings::Ranking { .. }, Some(items)) => {
            Value::Array(items.iter().map(|it| it.get("value").map_or(Value::Null, JsonRef::to_value)).collect())
        }
        _ => value.to_value(),
    }
}

/// An item of a list value as the SDK shows it, as text: a ranking's item as its value.
fn sdk_item<'v>(question: &Question, item: &'v JsonRef<'_>) -> std::borrow::Cow<'v, str> {
    match &question.settings {
        QuestionSettings::Ranking { .. } => match item.get("value") {
            Some(value) => value.plain_text(),
            None => std::borrow::Cow::Borrowed("null"),
        },
        _ => item.plain_text(),
    }
}
