//! The shape level of a value (model.md §8.3): a string, an integer, a list of strings, a list
//! of ranking items or a list of span items, tried in the reference's order. No match is a
//! [`SchemaError`] with the location of the first bad item.

use serde_json::{json, Map, Number, Value};

use super::common::SPAN_VALUE_MAX_ITEMS;
use crate::error::{Loc, SchemaError};
use crate::python::{repr_str, repr_str_list, str_number};
use crate::schema::object;

#[derive(Clone, Debug, PartialEq)]
pub(super) struct RankItem {
    pub(super) value: String,
    pub(super) rank: Option<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct SpanItem {
    pub(super) label: String,
    pub(super) start: i64,
    pub(super) end: i64,
    /// The per-span score the legacy SDK's `SpanValueSchema` carries, kept when it is a number.
    pub(super) score: Option<Number>,
}

/// A value in one of the accepted shapes. An empty list is `Spans(vec![])`, as in the reference
/// (the span alternative is tried first and accepts it).
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Parsed {
    Str(String),
    /// A JSON integer (never a float).
    Int(Number),
    Strings(Vec<String>),
    Ranking(Vec<RankItem>),
    Spans(Vec<SpanItem>),
}

impl Parsed {
    pub(super) fn list_len(&self) -> Option<usize> {
        match self {
            Parsed::Str(_) | Parsed::Int(_) => None,
            Parsed::Strings(items) => Some(items.len()),
            Parsed::Ranking(items) => Some(items.len()),
            Parsed::Spans(items) => Some(items.len()),
        }
    }

    pub(super) fn is_list(&self) -> bool {
        self.list_len().is_some()
    }

    /// Python's `type(value)` as the reference prints it.
    pub(super) fn py_class(&self) -> &'static str {
        match self {
            Parsed::Str(_) => "<class 'str'>",
            Parsed::Int(_) => "<class 'int'>",
            _ => "<class 'list'>",
        }
    }

    /// Python's `repr(value)` of the parsed value (list items are pydantic models there).
    pub(super) fn py_repr(&self) -> String {
        match self {
            Parsed::Str(text) => repr_str(text),
            Parsed::Int(n) => n.to_string(),
            Parsed::Strings(items) => repr_str_list(items),
            Parsed::Ranking(items) => {
                let parts: Vec<String> = items
                    .iter()
                    .map(|it| {
                        let rank = it.rank.map_or_else(|| "None".to_owned(), |rank| rank.to_string());
                        format!("RankingQuestionResponseValueItem(value={}, rank={rank})", repr_str(&it.value))
                    })
                    .collect();
                format!("[{}]", parts.join(", "))
            }
            Parsed::Spans(items) => {
                let parts: Vec<String> = items
                    .iter()
                    .map(|it| {
                        format!(
                            "SpanQuestionResponseValueItem(label={}, start={}, end={})",
                            repr_str(&it.label),
                            it.start,
                            it.end
                        )
                    })
                    .collect();
                format!("[{}]", parts.join(", "))
            }
        }
    }

    /// The normalised JSON to store.
    pub(super) fn to_json(&self) -> Value {
        match self {
            Parsed::Str(text) => Value::String(text.clone()),
            Parsed::Int(n) => Value::Number(n.clone()),
            Parsed::Strings(items) => Value::Array(items.iter().cloned().map(Value::String).collect()),
            Parsed::Ranking(items) => {
                Value::Array(items.iter().map(|it| json!({"value": it.value, "rank": it.rank})).collect())
            }
            Parsed::Spans(items) => Value::Array(
                items
                    .iter()
                    .map(|it| {
                        let mut item = json!({"label": it.label, "start": it.start, "end": it.end});
                        if let (Some(score), Value::Object(map)) = (&it.score, &mut item) {
                            map.insert("score".to_owned(), Value::Number(score.clone()));
                        }
                        item
                    })
                    .collect(),
            ),
        }
    }
}

/// Matches `value` against the accepted shapes, in the reference's order: span list, ranking
/// list, string list, integer, string.
pub(super) fn parse_value(value: &Value, loc: &[Loc]) -> Result<Parsed, SchemaError> {
    match value {
        Value::String(text) => Ok(Parsed::Str(text.clone())),
        Value::Number(n) if n.is_i64() || n.is_u64() => Ok(Parsed::Int(n.clone())),
        Value::Array(items) => parse_list(items, loc),
        _ => Err(SchemaError::value(
            loc.to_vec(),
            "value must be a string, an integer, a list of strings, a list of ranking items or a list of span items",
        )),
    }
}

pub(super) fn parse_list(items: &[Value], loc: &[Loc]) -> Result<Parsed, SchemaError> {
    let spans_err = match parse_spans(items, loc) {
        Ok(spans) => return Ok(Parsed::Spans(spans)),
        Err(err) => err,
    };
    let ranking_err = match parse_rankings(items, loc) {
        Ok(ranking) => return Ok(Parsed::Ranking(ranking)),
        Err(err) => err,
    };
    let strings_err = match parse_strings(items, loc) {
        Ok(strings) => return Ok(Parsed::Strings(strings)),
        Err(err) => err,
    };
    // None matched: report against the shape the client most likely meant.
    let has_key = |keys: &[&str]| {
        items.iter().any(|it| it.as_object().is_some_and(|obj| keys.iter().any(|key| obj.contains_key(*key))))
    };
    if has_key(&["label", "start", "end"]) {
        Err(spans_err)
    } else if items.iter().any(Value::is_object) {
        Err(ranking_err)
    } else {
        Err(strings_err)
    }
}

pub(super) fn parse_spans(items: &[Value], loc: &[Loc]) -> Result<Vec<SpanItem>, SchemaError> {
    if items.len() > SPAN_VALUE_MAX_ITEMS {
        return Err(SchemaError::new(
            loc.to_vec(),
            "too_long",
            format!("List should have at most {SPAN_VALUE_MAX_ITEMS} items after validation, not {}", items.len()),
        ));
    }
    items.iter().enumerate().map(|(idx, item)| parse_span_item(item, &join(loc, idx))).collect()
}

pub(super) fn parse_span_item(item: &Value, loc: &[Loc]) -> Result<SpanItem, SchemaError> {
    let obj = object(item, loc)?;
    let label = str_key(obj, "label", loc)?;
    let start = int_key(obj, "start", loc, 0)?;
    let end = int_key(obj, "end", loc, 1)?;
    if end <= start {
        return Err(SchemaError::value(
            loc.to_vec(),
            "span question response value 'end' must have a value greater than 'start'",
        ));
    }
    let score = match obj.get("score") {
        Some(Value::Number(n)) => Some(n.clone()),
        _ => None,
    };
    Ok(SpanItem { label, start, end, score })
}

pub(super) fn parse_rankings(items: &[Value], loc: &[Loc]) -> Result<Vec<RankItem>, SchemaError> {
    items
        .iter()
        .enumerate()
        .map(|(idx, item)| {
            let loc = join(loc, idx);
            let obj = object(item, &loc)?;
            let value = str_key(obj, "value", &loc)?;
            let rank = match obj.get("rank") {
                None | Some(Value::Null) => None,
                Some(rank) => Some(int_like(rank, &join(&loc, "rank"))?),
            };
            Ok(RankItem { value, rank })
        })
        .collect()
}

pub(super) fn parse_strings(items: &[Value], loc: &[Loc]) -> Result<Vec<String>, SchemaError> {
    items.iter().enumerate().map(|(idx, item)| str_like(item, &join(loc, idx))).collect()
}

pub(super) fn str_key(obj: &Map<String, Value>, key: &str, loc: &[Loc]) -> Result<String, SchemaError> {
    let loc = join(loc, key);
    match obj.get(key) {
        None => Err(SchemaError::new(loc, "missing", "Field required")),
        Some(value) => str_like(value, &loc),
    }
}

/// A string slot inside a list: strings stay, numbers become their Python `str` (the reference
/// coerces them), anything else is rejected.
pub(super) fn str_like(value: &Value, loc: &[Loc]) -> Result<String, SchemaError> {
    match value {
        Value::String(text) => Ok(text.clone()),
        Value::Number(n) => Ok(str_number(n)),
        _ => Err(SchemaError::new(loc.to_vec(), "string_type", "Input should be a valid string")),
    }
}

pub(super) fn int_key(obj: &Map<String, Value>, key: &str, loc: &[Loc], min: i64) -> Result<i64, SchemaError> {
    let loc = join(loc, key);
    let Some(value) = obj.get(key) else {
        return Err(SchemaError::new(loc, "missing", "Field required"));
    };
    let number = int_like(value, &loc)?;
    if number < min {
        return Err(SchemaError::new(
            loc,
            "greater_than_equal",
            format!("Input should be greater than or equal to {min}"),
        ));
    }
    Ok(number)
}

pub(super) fn int_like(value: &Value, loc: &[Loc]) -> Result<i64, SchemaError> {
    value.as_i64().ok_or_else(|| SchemaError::new(loc.to_vec(), "int_type", "Input should be a valid integer"))
}

pub(super) fn join(loc: &[Loc], tail: impl Into<Loc>) -> Vec<Loc> {
    let mut res = loc.to_vec();
    res.push(tail.into());
    res
}
