//! A row of a file, as the mapping reads it: the parts of a record payload, not yet validated
//! (the bulk API's rules do that, on exactly these values).

use serde_json::{Map, Value};

use super::mapping::{AgentSource, Mapping, Target};

/// One question's suggestion as a row gives it (the question by name).
#[derive(Clone, Debug, PartialEq)]
pub struct MappedSuggestion {
    pub question: String,
    pub value: Value,
    pub score: Option<Value>,
    pub agent: Option<Value>,
}

/// The record payload a row makes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MappedRow {
    pub fields: Map<String, Value>,
    /// `None` when no metadata column has a value.
    pub metadata: Option<Map<String, Value>>,
    pub external_id: Option<String>,
    pub suggestions: Vec<MappedSuggestion>,
    pub vectors: Map<String, Value>,
}

/// A cell as the record rules should see it: `None` for a missing, null or (text files) empty
/// cell; text from a text file read as JSON where the target takes more than text; a JSON list
/// or object that a typed file (Parquet, JSONL) carries as text parsed for JSON targets too
/// (exports write chat and custom fields that way).
fn cell(row: &Map<String, Value>, column: &str, target: Target, textual: bool) -> Option<Value> {
    match row.get(column)? {
        Value::Null => None,
        Value::String(text) if textual && text.is_empty() => None,
        Value::String(text) if target != Target::Text => {
            let first = text.trim_start().as_bytes().first();
            let looks_json = match target {
                Target::Json => textual || matches!(first, Some(b'[' | b'{')),
                _ => matches!(first, Some(b'[')),
            };
            match looks_json.then(|| serde_json::from_str::<Value>(text)).and_then(Result::ok) {
                Some(parsed) => Some(parsed),
                None => Some(Value::String(text.clone())),
            }
        }
        other => Some(other.clone()),
    }
}

/// An external id from a cell: text as it is, a number as its decimal text.
fn external_id(value: Value) -> Result<String, String> {
    match value {
        Value::String(it) => Ok(it),
        Value::Number(it) => Ok(it.to_string()),
        other => Err(format!("the external id must be text or a number, not {other}")),
    }
}

impl Mapping {
    /// The record payload of `row` (column → cell). `textual`: the cells are text (CSV), read
    /// per target. Fails on a row with no value for any mapped field (naming them) and on what no
    /// record rule could judge (an external id that is a list).
    pub fn map_row(&self, row: &Map<String, Value>, textual: bool) -> Result<MappedRow, String> {
        let mut res = MappedRow::default();
        for (name, column, target) in &self.fields {
            if let Some(value) = cell(row, column, *target, textual) {
                res.fields.insert(name.clone(), value);
            }
        }
        if res.fields.is_empty() && !self.fields.is_empty() {
            // Said here, with the columns, rather than as the record rules' "fields cannot be empty".
            let missing: Vec<String> =
                self.fields.iter().map(|(name, column, _)| format!("`{name}` (column `{column}`)")).collect();
            return Err(format!("the row has no value for any field: {} missing", missing.join(", ")));
        }
        let mut metadata = Map::new();
        for (name, column, target) in &self.metadata {
            if let Some(value) = cell(row, column, *target, textual) {
                metadata.insert(name.clone(), value);
            }
        }
        if !metadata.is_empty() {
            res.metadata = Some(metadata);
        }
        for source in &self.suggestions {
            let Some(value) = cell(row, &source.value, source.value_target, textual) else {
                continue;
            };
            let score = source.score.as_deref().and_then(|column| cell(row, column, Target::Json, textual));
            let agent = match &source.agent {
                AgentSource::None => None,
                AgentSource::Column(column) => cell(row, column, Target::Text, textual),
                AgentSource::Literal(agent) => Some(Value::String(agent.clone())),
            };
            res.suggestions.push(MappedSuggestion { question: source.question.clone(), value, score, agent });
        }
        if let Some(column) = &self.external_id {
            if let Some(value) = cell(row, column, Target::Text, textual) {
                res.external_id = Some(external_id(value).map_err(|e| format!("column `{column}`: {e}"))?);
            }
        }
        for (name, column) in &self.vectors {
            if let Some(value) = cell(row, column, Target::Json, textual) {
                res.vectors.insert(name.clone(), value);
            }
        }
        Ok(res)
    }
}
