//! The rules of each question type (model.md §8.4) for a value of an accepted shape: text,
//! label selection, multi-label selection, rating, ranking and span, with the reference's messages.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::common::ResponseStatus;
use super::parse::{parse_rankings, parse_spans, parse_strings, Parsed, RankItem, SpanItem};
use crate::error::{Loc, Rejection};
use crate::python::repr_str_list;
use crate::settings::{LabelOption, QuestionSettings};

/// Checks a parsed value against its question; `raw` is the JSON it came from (a list of the
/// wrong item shape is re-read as the shape the question needs), `loc` where it sits. `status`
/// is `None` for suggestions.
pub(super) fn check_value(
    raw: &Value,
    parsed: &Parsed,
    settings: &QuestionSettings,
    status: Option<ResponseStatus>,
    record_fields: &Map<String, Value>,
    loc: &[Loc],
) -> Result<Parsed, Rejection> {
    match settings {
        QuestionSettings::Text { .. } => match parsed {
            Parsed::Str(_) => Ok(parsed.clone()),
            other => Err(Rejection::invalid(format!("text question expects a text value, found {}", other.py_class()))),
        },
        QuestionSettings::LabelSelection { options, .. } => {
            if let Parsed::Str(text) = parsed {
                if options.iter().any(|it| it.value == *text) {
                    return Ok(parsed.clone());
                }
            }
            Err(Rejection::invalid(format!(
                "{} is not a valid label for label selection question.\nValid labels are: {}",
                parsed.py_repr(),
                option_list(options)
            )))
        }
        QuestionSettings::MultiLabelSelection { options, .. } => {
            check_multi_label(raw, parsed, options, loc).map(Parsed::Strings)
        }
        QuestionSettings::Rating { options } => {
            if let Parsed::Int(n) = parsed {
                if n.as_i64().is_some_and(|it| options.contains(&it)) {
                    return Ok(parsed.clone());
                }
            }
            let shown: Vec<String> = options.iter().map(i64::to_string).collect();
            Err(Rejection::invalid(format!(
                "{} is not a valid rating for rating question.\nValid ratings are: [{}]",
                parsed.py_repr(),
                shown.join(", ")
            )))
        }
        QuestionSettings::Ranking { options } => check_ranking(raw, parsed, options, status, loc).map(Parsed::Ranking),
        QuestionSettings::Span { field, options, allow_overlapping, .. } => {
            check_span(raw, parsed, field, options, *allow_overlapping, record_fields, loc).map(Parsed::Spans)
        }
    }
}

pub(super) fn raw_items(raw: &Value) -> &[Value] {
    raw.as_array().map_or(&[], Vec::as_slice)
}

pub(super) fn option_list(options: &[LabelOption]) -> String {
    let values: Vec<&str> = options.iter().map(|it| it.value.as_str()).collect();
    repr_str_list(&values)
}

pub(super) fn check_multi_label(
    raw: &Value,
    parsed: &Parsed,
    options: &[LabelOption],
    loc: &[Loc],
) -> Result<Vec<String>, Rejection> {
    if !parsed.is_list() {
        return Err(Rejection::invalid(format!(
            "multi label selection questions expects a list of values, found {}",
            parsed.py_class()
        )));
    }
    let values = match parsed {
        Parsed::Strings(items) => items.clone(),
        _ => parse_strings(raw_items(raw), loc)?,
    };
    if values.is_empty() {
        return Err(Rejection::invalid("multi label selection questions expects a list of values, found empty list"));
    }
    let distinct: BTreeSet<&str> = values.iter().map(String::as_str).collect();
    if distinct.len() != values.len() {
        return Err(Rejection::invalid(
            "multi label selection questions expect a list of unique values, but duplicates were found",
        ));
    }
    let unknown: Vec<&str> =
        distinct.iter().copied().filter(|value| !options.iter().any(|it| it.value == *value)).collect();
    if !unknown.is_empty() {
        return Err(Rejection::invalid(format!(
            "{} are not valid labels for multi label selection question.\nValid labels are: {}",
            repr_str_list(&unknown),
            option_list(options)
        )));
    }
    Ok(values)
}

pub(super) fn check_ranking(
    raw: &Value,
    parsed: &Parsed,
    options: &[LabelOption],
    status: Option<ResponseStatus>,
    loc: &[Loc],
) -> Result<Vec<RankItem>, Rejection> {
    if !parsed.is_list() {
        return Err(Rejection::invalid(format!(
            "ranking question expects a list of values, found {}",
            parsed.py_class()
        )));
    }
    let items = match parsed {
        Parsed::Ranking(items) => items.clone(),
        _ => parse_rankings(raw_items(raw), loc)?,
    };
    let n_options = options.len();
    if status == Some(ResponseStatus::Submitted) {
        if items.len() != n_options {
            return Err(Rejection::invalid(format!(
                "ranking question expects a list containing {n_options} values, found a list of {} values",
                items.len()
            )));
        }
        let max_rank = i64::try_from(n_options).unwrap_or(i64::MAX);
        // `None` sorts first, then the ranks in ascending order.
        let bad: BTreeSet<Option<i64>> = items
            .iter()
            .map(|it| it.rank)
            .filter(|rank| !rank.is_some_and(|it| (1..=max_rank).contains(&it)))
            .collect();
        if !bad.is_empty() {
            let shown: Vec<String> =
                bad.iter().map(|rank| rank.map_or_else(|| "None".to_owned(), |it| it.to_string())).collect();
            let valid: Vec<String> = (1..=max_rank).map(|it| it.to_string()).collect();
            return Err(Rejection::invalid(format!(
                "[{}] are not valid ranks for ranking question.\nValid ranks are: [{}]",
                shown.join(", "),
                valid.join(", ")
            )));
        }
    }
    let unknown: BTreeSet<&str> =
        items.iter().map(|it| it.value.as_str()).filter(|value| !options.iter().any(|it| it.value == *value)).collect();
    if !unknown.is_empty() {
        let unknown: Vec<&str> = unknown.into_iter().collect();
        return Err(Rejection::invalid(format!(
            "{} are not valid values for ranking question.\nValid values are: {}",
            repr_str_list(&unknown),
            option_list(options)
        )));
    }
    let distinct: BTreeSet<&str> = items.iter().map(|it| it.value.as_str()).collect();
    if distinct.len() != items.len() {
        return Err(Rejection::invalid("ranking question expects a list of unique values, but duplicates were found"));
    }
    Ok(items)
}

pub(super) fn check_span(
    raw: &Value,
    parsed: &Parsed,
    field: &str,
    options: &[LabelOption],
    allow_overlapping: bool,
    record_fields: &Map<String, Value>,
    loc: &[Loc],
) -> Result<Vec<SpanItem>, Rejection> {
    if !parsed.is_list() {
        return Err(Rejection::invalid(format!("span question expects a list of values, found {}", parsed.py_class())));
    }
    let items = match parsed {
        Parsed::Spans(items) => items.clone(),
        _ => parse_spans(raw_items(raw), loc)?,
    };
    let Some(text) = record_fields.get(field).and_then(Value::as_str) else {
        return Err(Rejection::invalid(format!("span question requires record to have field `{field}`")));
    };
    // Lengths count Unicode code points, like Python's `len(str)`.
    let field_len = i64::try_from(text.chars().count()).unwrap_or(i64::MAX);
    for item in &items {
        if item.start > field_len - 1 {
            return Err(Rejection::invalid(format!(
                "span question response value `start` must have a value lower than record field `{field}` length that is `{field_len}`"
            )));
        }
        if item.end > field_len {
            return Err(Rejection::invalid(format!(
                "span question response value `end` must have a value lower or equal than record field `{field}` length that is `{field_len}`"
            )));
        }
    }
    for item in &items {
        if !options.iter().any(|it| it.value == item.label) {
            return Err(Rejection::invalid(format!(
                "undefined label '{}' for span question.\nValid labels are: {}",
                item.label,
                option_list(options)
            )));
        }
    }
    if !allow_overlapping {
        if let Some((i, j)) = first_overlap(&items) {
            return Err(Rejection::invalid(format!(
                "overlapping values found between spans at index idx={i} and idx={j}"
            )));
        }
    }
    Ok(items)
}

/// The first pair `(i, j)`, `i != j`, of overlapping spans in the order of the reference's nested
/// loops (smallest `i`, then smallest `j`), found in O(n log n) rather than O(n²).
pub(super) fn first_overlap(items: &[SpanItem]) -> Option<(usize, usize)> {
    let overlaps = |a: &SpanItem, b: &SpanItem| a.start < b.end && a.end > b.start;
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&idx| (items[idx].start, items[idx].end));
    // Spans are never empty (end > start), so with spans sorted by start a span overlaps an
    // earlier one iff the largest earlier end is past its start, and a later one iff the next
    // start is before its end.
    let mut has_partner = vec![false; items.len()];
    let mut max_end: Option<i64> = None;
    for (pos, &idx) in order.iter().enumerate() {
        let item = &items[idx];
        let after_earlier = max_end.is_some_and(|end| end > item.start);
        let before_next = order.get(pos + 1).is_some_and(|&next| items[next].start < item.end);
        has_partner[idx] = after_earlier || before_next;
        max_end = Some(max_end.map_or(item.end, |end| end.max(item.end)));
    }
    let i = has_partner.iter().position(|it| *it)?;
    let j = (0..items.len()).find(|&j| j != i && overlaps(&items[i], &items[j]))?;
    Some((i, j))
}
