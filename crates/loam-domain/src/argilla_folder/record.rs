//! One record of a folder: an object of `records.json`, or a row of the Hub layout's Parquet
//! files given as a JSON object of its columns.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};
use uuid::Uuid;

use super::settings::FolderSettings;
use crate::value::ResponseStatus;

#[derive(Clone, Debug, PartialEq)]
pub struct FolderSuggestion {
    pub question: String,
    pub value: Value,
    pub score: Option<Value>,
    pub agent: Option<Value>,
}

/// One user's response: `values` by question name, each `{"value": …}` (the API's shape).
#[derive(Clone, Debug, PartialEq)]
pub struct FolderResponse {
    pub user_id: Uuid,
    pub status: ResponseStatus,
    pub values: Map<String, Value>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FolderRecord {
    /// The SDK's record `id` (the server's `external_id`).
    pub external_id: Option<String>,
    pub fields: Map<String, Value>,
    pub metadata: Map<String, Value>,
    pub vectors: Map<String, Value>,
    pub suggestions: Vec<FolderSuggestion>,
    pub responses: Vec<FolderResponse>,
}

/// Responses as they are read, per user in the order users first appear.
#[derive(Default)]
struct Responses {
    order: Vec<Uuid>,
    by_user: HashMap<Uuid, (Map<String, Value>, Vec<ResponseStatus>)>,
}

impl Responses {
    fn add(&mut self, user: Uuid, question: &str, value: Value, status: Option<ResponseStatus>) -> bool {
        let entry = self.by_user.entry(user).or_insert_with(|| {
            self.order.push(user);
            (Map::new(), Vec::new())
        });
        if entry.0.contains_key(question) {
            return false;
        }
        if !value.is_null() {
            entry.0.insert(question.to_owned(), serde_json::json!({ "value": value }));
        }
        if let Some(status) = status {
            entry.1.push(status);
        }
        true
    }

    /// A user's status: the one their answers carry; none or several make a draft (the SDK's
    /// `UserResponse._compute_status_from_responses`).
    fn finish(mut self) -> Vec<FolderResponse> {
        self.order
            .iter()
            .filter_map(|user| {
                let (values, mut statuses) = self.by_user.remove(user)?;
                statuses.dedup();
                let status = match statuses.as_slice() {
                    [one] => *one,
                    _ => ResponseStatus::Draft,
                };
                Some(FolderResponse { user_id: *user, status, values })
            })
            .collect()
    }
}

fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

fn object_or_empty<'a>(value: Option<&'a Value>, key: &str) -> Result<Option<&'a Map<String, Value>>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(format!("`{key}` must be an object")),
    }
}

/// Non-null entries of an object.
fn present(map: Option<&Map<String, Value>>) -> Map<String, Value> {
    map.into_iter().flatten().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn user_id(value: &Value, question: &str) -> Result<Uuid, String> {
    value
        .as_str()
        .and_then(|it| Uuid::parse_str(it).ok())
        .ok_or_else(|| format!("a response to `{question}` has no valid user_id ({value})"))
}

fn status(value: Option<&Value>, question: &str) -> Result<Option<ResponseStatus>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => ResponseStatus::parse(text)
            .map(Some)
            .ok_or_else(|| format!("a response to `{question}` has an unknown status `{text}`")),
        Some(other) => Err(format!("a response to `{question}` has a status that is not text ({other})")),
    }
}

/// One object of `records.json`.
pub fn disk_record(value: &Value) -> Result<FolderRecord, String> {
    let obj = value.as_object().ok_or("a record must be an object")?;
    let mut record = FolderRecord {
        external_id: obj.get("id").and_then(id_text),
        fields: present(object_or_empty(obj.get("fields"), "fields")?),
        metadata: present(object_or_empty(obj.get("metadata"), "metadata")?),
        vectors: present(object_or_empty(obj.get("vectors"), "vectors")?),
        ..FolderRecord::default()
    };
    for (question, suggestion) in object_or_empty(obj.get("suggestions"), "suggestions")?.into_iter().flatten() {
        let Some(suggestion) = suggestion.as_object() else {
            return Err(format!("the suggestion for `{question}` must be an object"));
        };
        let value = suggestion.get("value").cloned().unwrap_or(Value::Null);
        if value.is_null() {
            continue;
        }
        record.suggestions.push(FolderSuggestion {
            question: question.clone(),
            value,
            score: suggestion.get("score").filter(|it| !it.is_null()).cloned(),
            agent: suggestion.get("agent").filter(|it| !it.is_null()).cloned(),
        });
    }
    let mut responses = Responses::default();
    for (question, list) in object_or_empty(obj.get("responses"), "responses")?.into_iter().flatten() {
        let Some(list) = list.as_array() else {
            return Err(format!("the responses to `{question}` must be a list"));
        };
        for response in list {
            let Some(response) = response.as_object() else {
                return Err(format!("a response to `{question}` must be an object"));
            };
            let user = user_id(response.get("user_id").unwrap_or(&Value::Null), question)?;
            let value = response.get("value").cloned().unwrap_or(Value::Null);
            responses.add(user, question, value, status(response.get("status"), question)?);
        }
    }
    record.responses = responses.finish();
    Ok(record)
}

/// What a Hub row's column holds.
#[derive(Clone, Debug, PartialEq)]
enum Column {
    ExternalId,
    /// `status`, `_server_id`: the source server's, not data.
    Ignored,
    Field(String),
    Metadata(String),
    Vector(String),
    Suggestion(String),
    SuggestionScore(String),
    SuggestionAgent(String),
    Responses(String),
    ResponseUsers(String),
    ResponseStatus(String),
    /// A column the settings do not name: extra metadata when the dataset allows it.
    Unknown,
}

/// A `Column` variant that names a question.
type MakeColumn = fn(String) -> Column;

/// The columns of a Hub layout's Parquet files, read against the folder's settings; `labels`
/// are the names of `ClassLabel` columns (the SDK stores label suggestions as class indices).
#[derive(Clone, Debug)]
pub struct HubColumns {
    columns: BTreeMap<String, Column>,
    labels: HashMap<String, Vec<Value>>,
    allow_extra_metadata: bool,
}

impl HubColumns {
    pub fn new(settings: &FolderSettings, names: &[String], labels: HashMap<String, Vec<Value>>) -> Self {
        let question = |name: &str| settings.question(name).map(|it| it.name.clone());
        let classify = |name: &str| -> Column {
            match name {
                "id" => return Column::ExternalId,
                "status" | "_server_id" => return Column::Ignored,
                _ => {}
            }
            if settings.field(name).is_some() {
                return Column::Field(name.to_owned());
            }
            if settings.metadata.iter().any(|it| it.name == name) {
                return Column::Metadata(name.to_owned());
            }
            if settings.vectors.iter().any(|it| it.name == name) {
                return Column::Vector(name.to_owned());
            }
            let suffixes: [(&str, MakeColumn); 6] = [
                (".suggestion", Column::Suggestion),
                (".suggestion.score", Column::SuggestionScore),
                (".suggestion.agent", Column::SuggestionAgent),
                (".responses", Column::Responses),
                (".responses.users", Column::ResponseUsers),
                (".responses.status", Column::ResponseStatus),
            ];
            for (suffix, make) in suffixes {
                if let Some(q) = name.strip_suffix(suffix).and_then(&question) {
                    return make(q);
                }
            }
            Column::Unknown
        };
        let columns = names.iter().map(|name| (name.clone(), classify(name))).collect();
        HubColumns { columns, labels, allow_extra_metadata: settings.allow_extra_metadata }
    }

    /// Columns that are neither data of the settings nor kept as extra metadata.
    pub fn skipped(&self) -> Vec<&str> {
        if self.allow_extra_metadata {
            return Vec::new();
        }
        self.columns.iter().filter(|(_, it)| **it == Column::Unknown).map(|(name, _)| name.as_str()).collect()
    }

    fn label(&self, column: &str, value: &Value) -> Result<Value, String> {
        let Some(names) = self.labels.get(column) else {
            return Ok(value.clone());
        };
        let Some(idx) = value.as_u64() else {
            return Ok(value.clone());
        };
        usize::try_from(idx)
            .ok()
            .and_then(|idx| names.get(idx))
            .cloned()
            .ok_or_else(|| format!("`{column}` holds class {idx}, which its ClassLabel feature does not name"))
    }
}

/// An image field's value in a Hub row: the `Image` feature's `{bytes, path}` (the bytes as a
/// data URI by the reader), or the URL text it was written as.
fn image_value(value: &Value) -> Value {
    match value {
        Value::Object(map) => match map.get("bytes") {
            Some(bytes @ Value::String(_)) => bytes.clone(),
            _ => map.get("path").cloned().unwrap_or(Value::Null),
        },
        other => other.clone(),
    }
}

/// One row of the Hub layout, its columns as a JSON object.
pub fn hub_record(
    row: &Map<String, Value>,
    columns: &HubColumns,
    settings: &FolderSettings,
) -> Result<FolderRecord, String> {
    let mut record = FolderRecord::default();
    let mut suggestions: BTreeMap<&str, FolderSuggestion> = BTreeMap::new();
    let mut responses: BTreeMap<&str, [Option<&Value>; 3]> = BTreeMap::new();
    for (name, value) in row {
        let Some(column) = columns.columns.get(name) else {
            continue;
        };
        if value.is_null() && !matches!(column, Column::ExternalId) {
            continue;
        }
        match column {
            Column::ExternalId => record.external_id = id_text(value),
            Column::Ignored => {}
            Column::Field(field) => {
                let is_image = settings
                    .field(field)
                    .is_some_and(|it| matches!(it.settings, crate::settings::FieldSettings::Image));
                let value = if is_image { image_value(value) } else { value.clone() };
                if !value.is_null() {
                    record.fields.insert(field.clone(), value);
                }
            }
            Column::Metadata(key) => {
                record.metadata.insert(key.clone(), value.clone());
            }
            Column::Unknown => {
                if columns.allow_extra_metadata {
                    record.metadata.insert(name.clone(), value.clone());
                }
            }
            Column::Vector(key) => {
                record.vectors.insert(key.clone(), value.clone());
            }
            Column::Suggestion(q) => {
                let value = columns.label(name, value)?;
                suggestions.entry(q.as_str()).or_insert_with(|| empty_suggestion(q)).value = value;
            }
            Column::SuggestionScore(q) => {
                suggestions.entry(q.as_str()).or_insert_with(|| empty_suggestion(q)).score = Some(value.clone());
            }
            Column::SuggestionAgent(q) => {
                suggestions.entry(q.as_str()).or_insert_with(|| empty_suggestion(q)).agent = Some(value.clone());
            }
            Column::Responses(q) => responses.entry(q.as_str()).or_default()[0] = Some(value),
            Column::ResponseUsers(q) => responses.entry(q.as_str()).or_default()[1] = Some(value),
            Column::ResponseStatus(q) => responses.entry(q.as_str()).or_default()[2] = Some(value),
        }
    }
    record.suggestions = suggestions.into_values().filter(|it| !it.value.is_null()).collect();
    let mut by_user = Responses::default();
    for (question, [values, users, statuses]) in responses {
        let values = as_list(values, question, "responses")?;
        let users = as_list(users, question, "responses.users")?;
        let statuses = as_list(statuses, question, "responses.status")?;
        if values.len() != users.len() {
            return Err(format!("`{question}.responses` has {} values for {} users", values.len(), users.len()));
        }
        for (idx, (value, user)) in values.iter().zip(users).enumerate() {
            let user = user_id(user, question)?;
            let status = status(statuses.get(idx), question)?;
            // The SDK's from_hub keeps a user's first answer to a question.
            by_user.add(user, question, value.clone(), status);
        }
    }
    record.responses = by_user.finish();
    Ok(record)
}

fn empty_suggestion(question: &str) -> FolderSuggestion {
    FolderSuggestion { question: question.to_owned(), value: Value::Null, score: None, agent: None }
}

fn as_list<'a>(value: Option<&'a Value>, question: &str, what: &str) -> Result<&'a [Value], String> {
    match value {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(format!("`{question}.{what}` must be a list, not {other}")),
    }
}

/// A ranking as the SDK keeps it (a list of option values, best first) in the API's shape:
/// `[{"value": …}]` for a suggestion, as the SDK sends it; `[{"value": …, "rank": n}]` for a
/// response, whose ranks the server requires (the SDK drops them on reading, keeping the order).
fn ranking_to_api(value: &mut Value, ranked: bool) {
    if let Value::Array(items) = value {
        for (idx, item) in items.iter_mut().enumerate() {
            if let Value::String(text) = item {
                *item = if ranked {
                    serde_json::json!({ "value": text, "rank": idx + 1 })
                } else {
                    serde_json::json!({ "value": text })
                };
            }
        }
    }
}

/// Values of ranking questions into the API's shape; call after [`disk_record`] or
/// [`hub_record`].
pub fn normalize(record: &mut FolderRecord, settings: &FolderSettings) {
    let ranking = |name: &str| {
        settings
            .question(name)
            .is_some_and(|it| matches!(it.settings, crate::settings::QuestionSettings::Ranking { .. }))
    };
    for suggestion in &mut record.suggestions {
        if ranking(&suggestion.question) {
            ranking_to_api(&mut suggestion.value, false);
        }
    }
    for response in &mut record.responses {
        for (question, value) in response.values.iter_mut() {
            if ranking(question) {
                if let Some(inner) = value.get_mut("value") {
                    ranking_to_api(inner, true);
                }
            }
        }
    }
}

/// The `ClassLabel` columns' names in the `huggingface` key of a Parquet file's metadata
/// (`{"info": {"features": {column: {"_type": "ClassLabel", "names": […]}}}}`).
pub fn class_labels(huggingface: &Value) -> HashMap<String, Vec<Value>> {
    let features = huggingface.pointer("/info/features").and_then(Value::as_object);
    features
        .into_iter()
        .flatten()
        .filter(|(_, feature)| feature.get("_type").and_then(Value::as_str) == Some("ClassLabel"))
        .filter_map(|(name, feature)| Some((name.clone(), feature.get("names")?.as_array()?.clone())))
        .collect()
}
