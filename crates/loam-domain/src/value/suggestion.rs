//! Suggestions (model.md §8.6): the value checked as a status-less response value, then the
//! `score`, `agent` and `type` a suggestion carries.

use serde_json::{Map, Value};

use super::common::QuestionRef;
use super::kinds::check_value;
use super::parse::{join, parse_value};
use crate::error::{Loc, Rejection, SchemaError};
use crate::python::is_space;
use crate::schema::check_len;

/// A suggestion after validation, normalised for storage.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedSuggestion {
    pub value: Value,
    /// `null`, a number or a list of numbers.
    pub score: Value,
    pub agent: Option<String>,
    /// `"model"`, `"human"` or `None`.
    pub kind: Option<String>,
}
/// Length limits (in characters) of a suggestion's `agent`.
pub const AGENT_MIN_CHARS: usize = 1;
pub const AGENT_MAX_CHARS: usize = 200;
/// The pattern a suggestion's `agent` must match (checked by hand, see [`agent_matches`]).
pub const AGENT_PATTERN: &str = r"^[a-zA-Z0-9-_:\.\/\s]*[a-zA-Z0-9][a-zA-Z0-9-_:\.\/\s]*$";
/// Validates one suggestion for `question` (value as a response value with no status; score,
/// agent and type by model.md §8.6).
pub fn check_suggestion(
    value: &Value,
    score: Option<&Value>,
    agent: Option<&Value>,
    kind: Option<&Value>,
    question: QuestionRef<'_>,
    record_fields: &Map<String, Value>,
) -> Result<CheckedSuggestion, Rejection> {
    // Parse level, in the reference schema's field order: type, value, agent, score.
    let kind = parse_kind(kind)?;
    let value_loc = vec![Loc::from("value")];
    let parsed = parse_value(value, &value_loc)?;
    let agent = parse_agent(agent)?;
    let score = parse_score(score)?;

    // Rules: the value as a status-less response value, then the score's cardinality.
    let checked = check_value(value, &parsed, question.settings, None, record_fields, &value_loc)?;
    let value_len = checked.list_len();
    match (value_len, &score) {
        (None, Value::Array(_)) => {
            return Err(Rejection::invalid(
                "a list of score values is not allowed for a suggestion with a single value",
            ));
        }
        (Some(_), Value::Number(_)) => {
            return Err(Rejection::invalid(
                "a single score value is not allowed for a suggestion with a multiple items value",
            ));
        }
        (Some(n), Value::Array(scores)) if n != scores.len() => {
            return Err(Rejection::invalid("number of items on value and score attributes doesn't match"));
        }
        _ => {}
    }
    Ok(CheckedSuggestion { value: checked.to_json(), score, agent, kind })
}

/// Whether `agent` matches [`AGENT_PATTERN`]: only ASCII letters and digits, `-_:./` and
/// whitespace (Python's notion of it), with at least one letter or digit.
pub fn agent_matches(agent: &str) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.' | '/') || is_space(c);
    agent.chars().all(allowed) && agent.chars().any(|c| c.is_ascii_alphanumeric())
}

fn parse_kind(kind: Option<&Value>) -> Result<Option<String>, SchemaError> {
    match kind {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text == "model" || text == "human" => Ok(Some(text.clone())),
        Some(_) => Err(SchemaError::new(vec![Loc::from("type")], "enum", "Input should be 'model' or 'human'")),
    }
}

fn parse_agent(agent: Option<&Value>) -> Result<Option<String>, SchemaError> {
    let loc = vec![Loc::from("agent")];
    match agent {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => {
            check_len(text, &loc, AGENT_MIN_CHARS, AGENT_MAX_CHARS)?;
            if !agent_matches(text) {
                return Err(SchemaError::new(
                    loc,
                    "string_pattern_mismatch",
                    format!("String should match pattern '{AGENT_PATTERN}'"),
                ));
            }
            Ok(Some(text.clone()))
        }
        Some(_) => Err(SchemaError::new(loc, "string_type", "Input should be a valid string")),
    }
}

fn parse_score(score: Option<&Value>) -> Result<Value, SchemaError> {
    let loc = vec![Loc::from("score")];
    let one = |value: &Value, loc: Vec<Loc>| match value {
        Value::Number(n) => match n.as_f64() {
            Some(it) if (0.0..=1.0).contains(&it) => Ok(()),
            _ => Err(SchemaError::value(vec![Loc::from("score")], "score must be between 0 and 1")),
        },
        _ => Err(SchemaError::new(loc, "float_type", "Input should be a valid number")),
    };
    match score {
        None | Some(Value::Null) => Ok(Value::Null),
        Some(Value::Array(items)) => {
            if items.is_empty() {
                return Err(SchemaError::new(
                    loc,
                    "too_short",
                    "List should have at least 1 item after validation, not 0",
                ));
            }
            for (idx, item) in items.iter().enumerate() {
                one(item, join(&loc, idx))?;
            }
            Ok(Value::Array(items.clone()))
        }
        Some(value) => {
            one(value, loc)?;
            Ok(value.clone())
        }
    }
}
