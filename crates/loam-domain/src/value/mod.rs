//! Response and suggestion values, validated against their question (model.md §8).
//!
//! A value goes through two stages, as in the reference server:
//!
//! 1. its JSON shape is matched against the accepted shapes (§8.3): a string, an integer, a list
//!    of strings, a list of ranking items or a list of span items. No match is a [`Rejection::Schema`].
//! 2. the rules of the question's type apply (§8.4). A violation is a [`Rejection::Invalid`] carrying
//!    the exact client-facing message (Python-style renderings included).
//!
//! The same per-type code serves responses (which have a status) and suggestions (which do not).
//! Values come back normalised for storage: span items keep `label/start/end` and a numeric
//! `score` (the legacy SDK's per-span score; other extra keys are dropped), ranking items become
//! `{"value", "rank"}`, numbers inside lists become strings.
//!
//! Files: this one holds the entry point for responses; `common.rs` what every stage shares;
//! `parse.rs` the shape level (§8.3), `kinds.rs` the rules per question type (§8.4),
//! `suggestion.rs` the suggestion entry point and its `score` / `agent` / `type` (§8.6).

use serde_json::{json, Map, Value};

use crate::error::{Loc, Rejection, SchemaError};
use crate::python::repr_str;
use crate::schema::{check_len, object};

mod common;
mod kinds;
mod parse;
mod suggestion;
#[cfg(test)]
mod tests;

pub use common::{QuestionRef, ResponseStatus, SPAN_VALUE_MAX_ITEMS, VALUES_KEY_MAX_CHARS, VALUES_KEY_MIN_CHARS};
use kinds::check_value;
use parse::{join, parse_value, Parsed};
pub use suggestion::{
    agent_matches, check_suggestion, CheckedSuggestion, AGENT_MAX_CHARS, AGENT_MIN_CHARS, AGENT_PATTERN,
};

/// Validates a response's `values` (`{"<question>": {"value": …}}` or null) for `status`
/// against the dataset's `questions`; `record_fields` are the record's stored field values (span
/// questions measure their field). Returns the normalised values to store (`None` for none).
pub fn check_response(
    values: Option<&Value>,
    status: ResponseStatus,
    questions: &[QuestionRef<'_>],
    record_fields: &Map<String, Value>,
) -> Result<Option<Value>, Rejection> {
    let map = match values {
        None | Some(Value::Null) => None,
        Some(Value::Object(map)) => Some(map),
        Some(_) => {
            return Err(
                SchemaError::new(vec![Loc::from("values")], "dict_type", "Input should be a valid dictionary").into()
            )
        }
    };

    // Parse level (§8.3): every entry is `{"value": <accepted shape>}` under a 1..200 chars key.
    let mut entries: Vec<(&str, &Value, Parsed)> = Vec::new();
    for (name, entry) in map.into_iter().flatten() {
        let key_loc = vec![Loc::from("values"), Loc::Key(name.clone())];
        check_len(name, &key_loc, VALUES_KEY_MIN_CHARS, VALUES_KEY_MAX_CHARS)?;
        let obj = object(entry, &key_loc)?;
        let value_loc = join(&key_loc, "value");
        let raw = obj.get("value").ok_or_else(|| SchemaError::new(value_loc.clone(), "missing", "Field required"))?;
        let parsed = parse_value(raw, &value_loc)?;
        entries.push((name.as_str(), raw, parsed));
    }

    // Response level (§8.2), in the reference order.
    let submitted = status == ResponseStatus::Submitted;
    if submitted && map.is_none_or(Map::is_empty) {
        return Err(Rejection::invalid("missing response values for submitted response"));
    }
    if submitted {
        for question in questions {
            let present = map.is_some_and(|it| it.contains_key(question.name));
            if question.required && !present {
                return Err(Rejection::invalid(format!(
                    "missing response value for required question with name={}",
                    repr_str(question.name)
                )));
            }
        }
    }
    for (name, _, _) in &entries {
        if !questions.iter().any(|question| question.name == *name) {
            return Err(Rejection::invalid(format!(
                "found response value for non configured question with name={}",
                repr_str(name)
            )));
        }
    }

    // Per value (§8.4), in the order of the dataset's questions.
    let mut normalised: Vec<Option<Value>> = vec![None; entries.len()];
    for question in questions {
        let Some(idx) = entries.iter().position(|(name, _, _)| *name == question.name) else {
            continue;
        };
        let (name, raw, parsed) = &entries[idx];
        let loc = vec![Loc::from("values"), Loc::Key((*name).to_owned()), Loc::from("value")];
        let checked = check_value(raw, parsed, question.settings, Some(status), record_fields, &loc)?;
        normalised[idx] = Some(checked.to_json());
    }

    if map.is_none() {
        return Ok(None);
    }
    let mut out = Map::new();
    for ((name, _, _), value) in entries.iter().zip(normalised) {
        // Every key is a question (checked above), so every value has been normalised.
        if let Some(value) = value {
            out.insert((*name).to_owned(), json!({ "value": value }));
        }
    }
    Ok(Some(Value::Object(out)))
}

/// Gives back the ranks the v2 SDK drops on a round trip. The v2 SDK reads a ranking answer as the
/// list of its values and, when it re-logs a record (to add its own user's answer), sends every
/// response of the record back with ranking items lacking `rank`, which a submitted response may
/// not have. For each of the `ranking` questions, a sent value whose items all lack a rank and
/// name the same values in the same order as the `stored` answer of that user is replaced by the
/// stored value. Anything else is left as sent (and validated as usual). `values` and `stored` are
/// response `values` objects (`{"<question>": {"value": …}}`).
pub fn restore_dropped_ranks(values: &mut Value, stored: &Value, ranking: &[&str]) {
    let Value::Object(values) = values else {
        return;
    };
    for question in ranking {
        let Some(sent) = values.get_mut(*question).and_then(|it| it.get_mut("value")) else {
            continue;
        };
        let Some(kept) = stored.get(*question).and_then(|it| it.get("value")) else {
            continue;
        };
        let (Value::Array(sent_items), Value::Array(kept_items)) = (&*sent, kept) else {
            continue;
        };
        let unranked = sent_items.iter().all(|it| matches!(it.get("rank"), None | Some(Value::Null)));
        let same = sent_items.len() == kept_items.len()
            && sent_items
                .iter()
                .zip(kept_items)
                .all(|(a, b)| a.get("value").is_some() && a.get("value") == b.get("value"));
        if unranked && same {
            *sent = kept.clone();
        }
    }
}
