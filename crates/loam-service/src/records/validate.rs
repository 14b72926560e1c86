//! Validation of record payloads against a dataset's settings: fields (with a size cap),
//! metadata, suggestions, vectors and responses of one item, external-id uniqueness in a batch,
//! and the plan of a partial update. Pure: what a check needs from the database (the users a
//! payload names) is read beforehand. A rejection is the domain's [`Rejection`], placed in the
//! client's message by [`at_position`] or [`bare`].

use std::collections::HashSet;

use loam_domain::error::Loc;
use loam_domain::model::{Dataset, DatasetSchema, Question, Record, Suggestion};
use loam_domain::record::{check_fields, check_metadata, check_vector, FieldRef, MetadataRef};
use loam_domain::value::{check_response, check_suggestion, QuestionRef, ResponseStatus};
use loam_domain::Rejection;
use loam_domain::{Invalid, RecordId, SchemaError, SuggestionId, Timestamp, UserId, VectorSettingsId};
use serde_json::{Map, Value};

use super::input::{NewRecord, NewResponseItem, NewSuggestionItem, RecordPatch};
use crate::{now, Error, Result};

/// A response that passed validation: author, status, normalised values.
pub(crate) type CheckedResponse = (UserId, ResponseStatus, Option<Value>);

/// A record that passed validation, ready to store.
pub(crate) struct Checked {
    pub(crate) fields: Option<Map<String, Value>>,
    pub(crate) metadata: Option<Option<Map<String, Value>>>,
    pub(crate) suggestions: Vec<Suggestion>,
    pub(crate) vectors: Vec<(VectorSettingsId, Vec<f64>)>,
    pub(crate) responses: Vec<CheckedResponse>,
}

/// The largest single field value: room for the largest image data URL the clients accept
/// (5,000,000 characters) and nothing that would make one record dominate memory.
pub const MAX_FIELD_VALUE_BYTES: usize = 5_000_100;

fn reason(msg: String) -> Rejection {
    Rejection::Invalid(Invalid(msg))
}

pub(crate) struct Validator<'a> {
    pub(crate) dataset: &'a Dataset,
    pub(crate) schema: &'a DatasetSchema,
    /// The users the payload's responses name that exist.
    pub(crate) known_users: HashSet<UserId>,
}

impl<'a> Validator<'a> {
    fn field_refs(&self) -> Vec<FieldRef<'a>> {
        self.schema
            .fields
            .iter()
            .map(|it| FieldRef { name: &it.name, required: it.required, settings: &it.settings })
            .collect()
    }

    fn question_refs(&self) -> Vec<QuestionRef<'a>> {
        self.schema
            .questions
            .iter()
            .map(|it| QuestionRef { name: &it.name, required: it.required, settings: &it.settings })
            .collect()
    }

    /// Field values, after a size check: no single value may exceed [`MAX_FIELD_VALUE_BYTES`].
    fn check_fields(&self, fields: &Value) -> Result<Map<String, Value>, Rejection> {
        if let Value::Object(map) = fields {
            for (name, value) in map {
                let size = match value {
                    Value::String(text) => text.len(),
                    Value::Null => 0,
                    other => other.to_string().len(),
                };
                if size > MAX_FIELD_VALUE_BYTES {
                    return Err(reason(format!(
                        "field '{name}' value is too large: {size} bytes, the maximum is {MAX_FIELD_VALUE_BYTES} bytes"
                    )));
                }
            }
        }
        check_fields(fields, &self.field_refs())
    }

    fn check_metadata(&self, metadata: &Value) -> Result<Option<Map<String, Value>>, Rejection> {
        let map = match metadata {
            Value::Null => return Ok(None),
            Value::Object(map) => map,
            _ => {
                return Err(Rejection::Schema(SchemaError::new(
                    vec![Loc::from("metadata")],
                    "dict_type",
                    "Input should be a valid dictionary",
                )))
            }
        };
        let props: Vec<MetadataRef<'_>> = self
            .schema
            .metadata_properties
            .iter()
            .map(|it| MetadataRef { name: &it.name, settings: &it.settings })
            .collect();
        check_metadata(map, &props, self.dataset.allow_extra_metadata, &self.dataset.id.to_string())?;
        Ok(Some(map.clone()))
    }

    fn check_suggestions(
        &self,
        items: &[NewSuggestionItem],
        record: RecordId,
        fields: &Map<String, Value>,
    ) -> Result<Vec<Suggestion>, Rejection> {
        let wrap = |it: String| reason(format!("record does not have valid suggestions: {it}"));
        let mut seen = HashSet::new();
        if !items.iter().all(|it| seen.insert(it.question_id)) {
            return Err(wrap("found duplicate suggestions question IDs".to_owned()));
        }
        let at = now();
        let mut res = Vec::with_capacity(items.len());
        for item in items {
            let Some(question) = self.schema.questions.iter().find(|q| q.id == item.question_id) else {
                return Err(wrap(format!("question id={} does not exists", item.question_id)));
            };
            let suggestion = checked_suggestion(item, question, record, fields, at).map_err(|e| match e {
                Rejection::Invalid(it) => wrap(it.0),
                schema => schema,
            })?;
            res.push(suggestion);
        }
        Ok(res)
    }

    fn check_vectors(&self, vectors: &Map<String, Value>) -> Result<Vec<(VectorSettingsId, Vec<f64>)>, Rejection> {
        let mut res = Vec::with_capacity(vectors.len());
        for (name, value) in vectors {
            let settings = self.schema.vector_settings.iter().find(|it| &it.name == name);
            let numbers = check_vector(name, value, settings.map(|it| it.dimensions), &self.dataset.id.to_string())
                .map_err(|e| reason(format!("record does not have valid vectors: {}", e.0)))?;
            if let Some(settings) = settings {
                res.push((settings.id, numbers));
            }
        }
        Ok(res)
    }

    fn check_responses(
        &self,
        items: &[NewResponseItem],
        fields: &Map<String, Value>,
    ) -> Result<Vec<CheckedResponse>, Rejection> {
        let questions = self.question_refs();
        let mut seen = HashSet::new();
        let mut res = Vec::with_capacity(items.len());
        for item in items {
            if !seen.insert(item.user_id) {
                return Err(Rejection::Schema(SchemaError::value(
                    vec![Loc::from("responses")],
                    format!("'responses' contains several responses for the same user_id='{}'", item.user_id),
                )));
            }
            if !self.known_users.contains(&item.user_id) {
                return Err(reason(format!(
                    "record does not have valid responses: user with id {} not found",
                    item.user_id
                )));
            }
            let values =
                check_response(item.values.as_ref(), item.status, &questions, fields).map_err(|e| match e {
                    Rejection::Invalid(it) => reason(format!("record does not have valid responses: {}", it.0)),
                    schema => schema,
                })?;
            res.push((item.user_id, item.status, values));
        }
        Ok(res)
    }

    /// Checks a payload for a new record (fields required) or an update of `existing`.
    pub(crate) fn check(
        &self,
        item: &NewRecord,
        record: RecordId,
        existing: Option<&Record>,
    ) -> Result<Checked, Rejection> {
        refuse_nul(item)?;
        let fields = match (&item.fields, existing) {
            (Some(fields), _) => Some(self.check_fields(fields)?),
            (None, None) => Some(check_fields(&Value::Null, &self.field_refs())?),
            (None, Some(_)) => None,
        };
        let metadata = match &item.metadata {
            Some(metadata) => Some(self.check_metadata(metadata)?),
            None => None,
        };
        let empty = Map::new();
        let effective_fields = fields.as_ref().or(existing.map(|it| &it.fields)).unwrap_or(&empty);
        let suggestions = self.check_suggestions(&item.suggestions, record, effective_fields)?;
        let vectors = self.check_vectors(&item.vectors)?;
        let responses = self.check_responses(&item.responses, effective_fields)?;
        Ok(Checked { fields, metadata, suggestions, vectors, responses })
    }

    /// Checks a partial update of `record`: what it changes, ready to write.
    pub(super) fn plan_patch(&self, record: Record, patch: &RecordPatch) -> Result<PatchPlan, Rejection> {
        if let (Some(sent), Some(stored)) = (&patch.external_id, &record.external_id) {
            if sent != stored {
                return Err(reason(format!(
                    "its external_id cannot change (not supported by loam): the record has '{stored}', the update sends '{sent}'"
                )));
            }
        }
        let fields = match &patch.fields {
            Some(fields) => Some(self.check_fields(fields)?),
            None => None,
        };
        let metadata = match &patch.metadata {
            Some(metadata) => Some(self.check_metadata(metadata)?),
            None => None,
        };
        let effective = fields.as_ref().unwrap_or(&record.fields).clone();
        let suggestions = match &patch.suggestions {
            Some(items) => Some(self.check_suggestions(items, record.id, &effective)?),
            None => None,
        };
        let vectors = match &patch.vectors {
            Some(vectors) => self.check_vectors(vectors)?,
            None => Vec::new(),
        };
        Ok(PatchPlan { record, fields, metadata, suggestions, vectors })
    }
}

/// The HTTP API refuses NUL in any body (`loam-http` `extract.rs`); payloads that come another
/// way (file, folder and Argilla imports) are held to the same rule here, so a value is stored
/// alike on SQLite and PostgreSQL (which cannot store `\0` in text nor `\u0000` in jsonb).
fn refuse_nul(item: &NewRecord) -> Result<(), Rejection> {
    let suggestions = item.suggestions.iter().flat_map(|it| [Some(&it.value), it.agent.as_ref(), it.kind.as_ref()]);
    let responses = item.responses.iter().map(|it| it.values.as_ref());
    let values = [item.fields.as_ref(), item.metadata.as_ref()].into_iter().chain(suggestions).chain(responses);
    let held = values.flatten().any(holds_nul)
        || item.vectors.keys().any(|it| it.contains('\0'))
        || item.external_id.as_deref().is_some_and(|it| it.contains('\0'));
    if held {
        return Err(reason("Text must not contain the NUL character (\\u0000)".to_owned()));
    }
    Ok(())
}

/// Whether `value` holds NUL in a string or a key.
fn holds_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(map) => map.iter().any(|(key, it)| key.contains('\0') || holds_nul(it)),
        _ => false,
    }
}

/// A validated partial update of one record, ready to write (`write.rs`).
#[derive(Debug)]
pub(super) struct PatchPlan {
    pub(super) record: Record,
    pub(super) fields: Option<Map<String, Value>>,
    pub(super) metadata: Option<Option<Map<String, Value>>>,
    /// Replaces every suggestion of the record when present.
    pub(super) suggestions: Option<Vec<Suggestion>>,
    pub(super) vectors: Vec<(VectorSettingsId, Vec<f64>)>,
}

/// Validates a suggestion for `question` on a record with `fields`, ready to store.
pub(crate) fn checked_suggestion(
    item: &NewSuggestionItem,
    question: &Question,
    record: RecordId,
    fields: &Map<String, Value>,
    at: Timestamp,
) -> Result<Suggestion, Rejection> {
    let qref = QuestionRef { name: &question.name, required: question.required, settings: &question.settings };
    let checked =
        check_suggestion(&item.value, item.score.as_ref(), item.agent.as_ref(), item.kind.as_ref(), qref, fields)?;
    Ok(Suggestion {
        id: SuggestionId::new(),
        record_id: record,
        question_id: question.id,
        value: checked.value,
        score: checked.score,
        agent: checked.agent,
        kind: checked.kind,
        inserted_at: at,
        updated_at: at,
    })
}

/// Refuses a batch that names one external id twice.
pub(super) fn check_unique_external_ids<'a>(ids: impl Iterator<Item = Option<&'a str>>) -> Result<()> {
    let mut seen = HashSet::new();
    for id in ids.flatten() {
        if !seen.insert(id) {
            return Err(Error::Schema(vec![SchemaError::value(
                vec![Loc::from("body"), Loc::from("items")],
                "External IDs must be unique",
            )]));
        }
    }
    Ok(())
}

/// Response values compared as stored: no values, `null` and `{}` all mean "no answers".
pub(super) fn same_values(a: &Option<Value>, b: &Option<Value>) -> bool {
    let empty = |it: &Option<Value>| match it {
        None | Some(Value::Null) => true,
        Some(Value::Object(map)) => map.is_empty(),
        Some(_) => false,
    };
    (empty(a) && empty(b)) || a == b
}

/// The rejection of the bulk item at `idx`, in the message the clients know.
pub(super) fn at_position(idx: usize, err: Rejection) -> Error {
    match err {
        Rejection::Invalid(it) => Error::Invalid(format!("Record at position {idx} is not valid because {}", it.0)),
        Rejection::Schema(err) => {
            Error::Schema(vec![err.under(&[Loc::from("body"), Loc::from("items"), Loc::Index(idx)])])
        }
    }
}

/// The rejection of a single record's payload (the request body is the record).
pub(super) fn bare(err: Rejection) -> Error {
    match err {
        Rejection::Invalid(it) => Error::Invalid(it.0),
        Rejection::Schema(err) => Error::Schema(vec![err.under(&[Loc::from("body")])]),
    }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
