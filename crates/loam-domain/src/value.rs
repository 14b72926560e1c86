//! Response and suggestion values, validated against their question (model.md §8).
//!
//! A value goes through two stages, as in the reference server:
//!
//! 1. its JSON shape is matched against the accepted shapes (§8.3): a string, an integer, a list
//!    of strings, a list of ranking items or a list of span items. No match is a [`SchemaError`].
//! 2. the rules of the question's type apply (§8.4). A violation is an [`Invalid`] carrying the
//!    exact client-facing message (Python-style renderings included).
//!
//! The same per-type code serves responses (which have a status) and suggestions (which do not).
//! Values come back normalised for storage: span items keep `label/start/end` and a numeric
//! `score` (the legacy SDK's per-span score; other extra keys are dropped), ranking items become
//! `{"value", "rank"}`, numbers inside lists become strings.

use std::collections::BTreeSet;

use serde_json::{json, Map, Number, Value};

use crate::error::{Loc, Rejection, SchemaError};
use crate::python::{is_space, repr_str, repr_str_list, str_number};
use crate::schema::{check_len, object};
use crate::settings::{LabelOption, QuestionSettings};

/// The old name of [`Rejection`], kept only until loam-service's callers use the new one.
pub use crate::error::Rejection as ValueError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseStatus {
    Draft,
    Submitted,
    Discarded,
}

impl ResponseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseStatus::Draft => "draft",
            ResponseStatus::Submitted => "submitted",
            ResponseStatus::Discarded => "discarded",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "draft" => Some(ResponseStatus::Draft),
            "submitted" => Some(ResponseStatus::Submitted),
            "discarded" => Some(ResponseStatus::Discarded),
            _ => None,
        }
    }
}

/// What a value check needs to know of a question.
#[derive(Clone, Copy, Debug)]
pub struct QuestionRef<'a> {
    pub name: &'a str,
    pub required: bool,
    pub settings: &'a QuestionSettings,
}

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

/// The most items a span value may hold.
pub const SPAN_VALUE_MAX_ITEMS: usize = 10_000;
/// Length limits (in characters) of the question names used as keys of response `values`.
pub const VALUES_KEY_MIN_CHARS: usize = 1;
pub const VALUES_KEY_MAX_CHARS: usize = 200;
/// Length limits (in characters) of a suggestion's `agent`.
pub const AGENT_MIN_CHARS: usize = 1;
pub const AGENT_MAX_CHARS: usize = 200;
/// The pattern a suggestion's `agent` must match (checked by hand, see [`agent_matches`]).
pub const AGENT_PATTERN: &str = r"^[a-zA-Z0-9-_:\.\/\s]*[a-zA-Z0-9][a-zA-Z0-9-_:\.\/\s]*$";

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

// ---------------------------------------------------------------------------------------------
// Parse level (§8.3)

#[derive(Clone, Debug, PartialEq)]
struct RankItem {
    value: String,
    rank: Option<i64>,
}

#[derive(Clone, Debug, PartialEq)]
struct SpanItem {
    label: String,
    start: i64,
    end: i64,
    /// The per-span score the legacy SDK's `SpanValueSchema` carries, kept when it is a number.
    score: Option<Number>,
}

/// A value in one of the accepted shapes. An empty list is `Spans(vec![])`, as in the reference
/// (the span alternative is tried first and accepts it).
#[derive(Clone, Debug, PartialEq)]
enum Parsed {
    Str(String),
    /// A JSON integer (never a float).
    Int(Number),
    Strings(Vec<String>),
    Ranking(Vec<RankItem>),
    Spans(Vec<SpanItem>),
}

impl Parsed {
    fn list_len(&self) -> Option<usize> {
        match self {
            Parsed::Str(_) | Parsed::Int(_) => None,
            Parsed::Strings(items) => Some(items.len()),
            Parsed::Ranking(items) => Some(items.len()),
            Parsed::Spans(items) => Some(items.len()),
        }
    }

    fn is_list(&self) -> bool {
        self.list_len().is_some()
    }

    /// Python's `type(value)` as the reference prints it.
    fn py_class(&self) -> &'static str {
        match self {
            Parsed::Str(_) => "<class 'str'>",
            Parsed::Int(_) => "<class 'int'>",
            _ => "<class 'list'>",
        }
    }

    /// Python's `repr(value)` of the parsed value (list items are pydantic models there).
    fn py_repr(&self) -> String {
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
    fn to_json(&self) -> Value {
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
fn parse_value(value: &Value, loc: &[Loc]) -> Result<Parsed, SchemaError> {
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

fn parse_list(items: &[Value], loc: &[Loc]) -> Result<Parsed, SchemaError> {
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

fn parse_spans(items: &[Value], loc: &[Loc]) -> Result<Vec<SpanItem>, SchemaError> {
    if items.len() > SPAN_VALUE_MAX_ITEMS {
        return Err(SchemaError::new(
            loc.to_vec(),
            "too_long",
            format!("List should have at most {SPAN_VALUE_MAX_ITEMS} items after validation, not {}", items.len()),
        ));
    }
    items.iter().enumerate().map(|(idx, item)| parse_span_item(item, &join(loc, idx))).collect()
}

fn parse_span_item(item: &Value, loc: &[Loc]) -> Result<SpanItem, SchemaError> {
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

fn parse_rankings(items: &[Value], loc: &[Loc]) -> Result<Vec<RankItem>, SchemaError> {
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

fn parse_strings(items: &[Value], loc: &[Loc]) -> Result<Vec<String>, SchemaError> {
    items.iter().enumerate().map(|(idx, item)| str_like(item, &join(loc, idx))).collect()
}

fn str_key(obj: &Map<String, Value>, key: &str, loc: &[Loc]) -> Result<String, SchemaError> {
    let loc = join(loc, key);
    match obj.get(key) {
        None => Err(SchemaError::new(loc, "missing", "Field required")),
        Some(value) => str_like(value, &loc),
    }
}

/// A string slot inside a list: strings stay, numbers become their Python `str` (the reference
/// coerces them), anything else is rejected.
fn str_like(value: &Value, loc: &[Loc]) -> Result<String, SchemaError> {
    match value {
        Value::String(text) => Ok(text.clone()),
        Value::Number(n) => Ok(str_number(n)),
        _ => Err(SchemaError::new(loc.to_vec(), "string_type", "Input should be a valid string")),
    }
}

fn int_key(obj: &Map<String, Value>, key: &str, loc: &[Loc], min: i64) -> Result<i64, SchemaError> {
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

fn int_like(value: &Value, loc: &[Loc]) -> Result<i64, SchemaError> {
    value.as_i64().ok_or_else(|| SchemaError::new(loc.to_vec(), "int_type", "Input should be a valid integer"))
}

fn join(loc: &[Loc], tail: impl Into<Loc>) -> Vec<Loc> {
    let mut res = loc.to_vec();
    res.push(tail.into());
    res
}

// ---------------------------------------------------------------------------------------------
// Per question type (§8.4)

/// Checks a parsed value against its question; `raw` is the JSON it came from (a list of the
/// wrong item shape is re-read as the shape the question needs), `loc` where it sits. `status`
/// is `None` for suggestions.
fn check_value(
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

fn raw_items(raw: &Value) -> &[Value] {
    raw.as_array().map_or(&[], Vec::as_slice)
}

fn option_list(options: &[LabelOption]) -> String {
    let values: Vec<&str> = options.iter().map(|it| it.value.as_str()).collect();
    repr_str_list(&values)
}

fn check_multi_label(
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

fn check_ranking(
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

fn check_span(
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
fn first_overlap(items: &[SpanItem]) -> Option<(usize, usize)> {
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

// ---------------------------------------------------------------------------------------------
// Suggestion attributes (§8.6)

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

#[cfg(test)]
mod tests {
    use std::fmt;

    use super::*;
    use crate::python::repr_float as py_float;

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
    fn check(
        settings: &QuestionSettings,
        status: ResponseStatus,
        value: Value,
        text: &str,
    ) -> Result<Value, Rejection> {
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

    #[test]
    fn accepted_values_are_normalised() {
        let cases: Vec<(QuestionSettings, ResponseStatus, Value, Value)> = vec![
            (text_q(), SUB, json!("free text"), json!("free text")),
            (text_q(), SUB, json!(""), json!("")),
            (label_q(), SUB, json!("a"), json!("a")),
            (rating_q(), SUB, json!(2), json!(2)),
            (multi_q(), SUB, json!(["a", "c"]), json!(["a", "c"])),
            (
                ranking_q(),
                SUB,
                json!([{"value": "x", "rank": 1, "extra": 1}, {"value": "y", "rank": 2}, {"value": "z", "rank": 2}]),
                json!([{"value": "x", "rank": 1}, {"value": "y", "rank": 2}, {"value": "z", "rank": 2}]),
            ),
            (ranking_q(), DRAFT, json!([{"value": "x"}]), json!([{"value": "x", "rank": null}])),
            (ranking_q(), DRAFT, json!([]), json!([])),
            (
                span_q(false),
                SUB,
                json!([{"label": "PER", "start": 0, "end": 5, "score": 0.3, "x": 1}, {"label": "ORG", "start": 5, "end": 11, "score": "hi"}]),
                json!([{"label": "PER", "start": 0, "end": 5, "score": 0.3}, {"label": "ORG", "start": 5, "end": 11}]),
            ),
            (span_q(false), SUB, json!([]), json!([])),
            (
                span_q(true),
                SUB,
                json!([{"label": "PER", "start": 0, "end": 5}, {"label": "ORG", "start": 2, "end": 7}]),
                json!([{"label": "PER", "start": 0, "end": 5}, {"label": "ORG", "start": 2, "end": 7}]),
            ),
        ];
        for (settings, status, value, expected) in cases {
            let got = check(&settings, status, value.clone(), "Hello world");
            assert_eq!(got, Ok(expected), "{value}");
        }
    }

    #[test]
    fn numbers_inside_lists_become_python_strings() {
        let settings = QuestionSettings::MultiLabelSelection {
            options: opts(&["1", "2.5", "1e+16", "0.0001", "1e-05", "3.0", "100"]),
            visible_options: None,
            options_order: crate::settings::OptionsOrder::Natural,
        };
        let got = check(&settings, SUB, json!([1, 2.5, 1e16, 0.0001, 0.00001, 3.0, 100]), "");
        assert_eq!(got, Ok(json!(["1", "2.5", "1e+16", "0.0001", "1e-05", "3.0", "100"])));
        let ranking = QuestionSettings::Ranking { options: opts(&["1", "2"]) };
        let got = check(&ranking, SUB, json!([{"value": 1, "rank": 1}, {"value": 2, "rank": 2}]), "");
        assert_eq!(got, Ok(json!([{"value": "1", "rank": 1}, {"value": "2", "rank": 2}])));
    }

    #[test]
    fn shape_errors_are_schema_errors_with_a_location() {
        let q = |value: &str| Loc::Key(value.to_owned());
        let cases: Vec<(QuestionSettings, Value, Vec<Loc>, &str)> = vec![
            (rating_q(), json!(3.0), vec![q("values"), q("q"), q("value")], "value_error"),
            (rating_q(), json!(2.5), vec![q("values"), q("q"), q("value")], "value_error"),
            (text_q(), json!(true), vec![q("values"), q("q"), q("value")], "value_error"),
            (text_q(), json!({"a": 1}), vec![q("values"), q("q"), q("value")], "value_error"),
            (text_q(), json!(null), vec![q("values"), q("q"), q("value")], "value_error"),
            (multi_q(), json!(["a", true]), vec![q("values"), q("q"), q("value"), Loc::Index(1)], "string_type"),
            (multi_q(), json!(["a", null]), vec![q("values"), q("q"), q("value"), Loc::Index(1)], "string_type"),
            (multi_q(), json!([["a"]]), vec![q("values"), q("q"), q("value"), Loc::Index(0)], "string_type"),
            (
                span_q(false),
                json!([{"label": "PER", "start": -1, "end": 2}]),
                vec![q("values"), q("q"), q("value"), Loc::Index(0), q("start")],
                "greater_than_equal",
            ),
            (
                span_q(false),
                json!([{"label": "PER", "start": 0, "end": 0}]),
                vec![q("values"), q("q"), q("value"), Loc::Index(0), q("end")],
                "greater_than_equal",
            ),
            (
                span_q(false),
                json!([{"label": "PER", "start": 3, "end": 3}]),
                vec![q("values"), q("q"), q("value"), Loc::Index(0)],
                "value_error",
            ),
            (
                span_q(false),
                json!([{"label": "PER", "start": 0.5, "end": 3}]),
                vec![q("values"), q("q"), q("value"), Loc::Index(0), q("start")],
                "int_type",
            ),
            (
                span_q(false),
                json!([{"label": "PER", "end": 3}]),
                vec![q("values"), q("q"), q("value"), Loc::Index(0), q("start")],
                "missing",
            ),
            (
                ranking_q(),
                json!([{"value": "x", "rank": "1"}]),
                vec![q("values"), q("q"), q("value"), Loc::Index(0), q("rank")],
                "int_type",
            ),
            (
                ranking_q(),
                json!([{"rank": 1}]),
                vec![q("values"), q("q"), q("value"), Loc::Index(0), q("value")],
                "missing",
            ),
            // Right shape for another question type, wrong for this one: re-read as needed.
            (
                ranking_q(),
                json!(["x", "y"]),
                vec![q("values"), q("q"), q("value"), Loc::Index(0)],
                "model_attributes_type",
            ),
            (
                span_q(false),
                json!([{"value": "x", "rank": 1}]),
                vec![q("values"), q("q"), q("value"), Loc::Index(0), q("label")],
                "missing",
            ),
            (
                multi_q(),
                json!([{"value": "x", "rank": 1}]),
                vec![q("values"), q("q"), q("value"), Loc::Index(0)],
                "string_type",
            ),
        ];
        for (settings, value, loc, kind) in cases {
            let err = schema_err(check(&settings, SUB, value.clone(), "Hello world"));
            assert_eq!((err.loc, err.kind), (loc, kind), "{value}");
        }
        let err = schema_err(check(&span_q(false), SUB, json!([{"label": "PER", "start": 3, "end": 3}]), "x"));
        assert_eq!(err.msg, "Value error, span question response value 'end' must have a value greater than 'start'");
    }

    #[test]
    fn too_many_spans_is_a_schema_error() {
        let text = "a".repeat(20_001);
        let spans: Vec<Value> =
            (0..=SPAN_VALUE_MAX_ITEMS).map(|idx| json!({"label": "PER", "start": idx, "end": idx + 1})).collect();
        let err = schema_err(check(&span_q(false), SUB, Value::Array(spans.clone()), &text));
        assert_eq!(err.kind, "too_long");
        assert_eq!(err.msg, "List should have at most 10000 items after validation, not 10001");
        let ok = check(&span_q(false), SUB, Value::Array(spans[..SPAN_VALUE_MAX_ITEMS].to_vec()), &text);
        assert_eq!(ok.map(|it| it.as_array().map(Vec::len)), Ok(Some(SPAN_VALUE_MAX_ITEMS)));
    }

    #[test]
    fn per_type_rules_have_the_reference_messages() {
        let cases: Vec<(QuestionSettings, ResponseStatus, Value, &str)> = vec![
            (text_q(), SUB, json!(1), "text question expects a text value, found <class 'int'>"),
            (text_q(), SUB, json!(["a"]), "text question expects a text value, found <class 'list'>"),
            (
                label_q(),
                SUB,
                json!("c"),
                "'c' is not a valid label for label selection question.\nValid labels are: ['a', 'b']",
            ),
            (
                label_q(),
                SUB,
                json!(3),
                "3 is not a valid label for label selection question.\nValid labels are: ['a', 'b']",
            ),
            (
                label_q(),
                SUB,
                json!(["a"]),
                "['a'] is not a valid label for label selection question.\nValid labels are: ['a', 'b']",
            ),
            (
                label_q(),
                SUB,
                json!([{"value": "a"}]),
                "[RankingQuestionResponseValueItem(value='a', rank=None)] is not a valid label for label selection question.\nValid labels are: ['a', 'b']",
            ),
            (
                label_q(),
                SUB,
                json!([{"label": "a", "start": 0, "end": 1}]),
                "[SpanQuestionResponseValueItem(label='a', start=0, end=1)] is not a valid label for label selection question.\nValid labels are: ['a', 'b']",
            ),
            (
                multi_q(),
                SUB,
                json!("a"),
                "multi label selection questions expects a list of values, found <class 'str'>",
            ),
            (multi_q(), SUB, json!(1), "multi label selection questions expects a list of values, found <class 'int'>"),
            (multi_q(), SUB, json!([]), "multi label selection questions expects a list of values, found empty list"),
            (
                multi_q(),
                SUB,
                json!(["a", "a"]),
                "multi label selection questions expect a list of unique values, but duplicates were found",
            ),
            (
                multi_q(),
                SUB,
                json!(["y", "a", "x"]),
                "['x', 'y'] are not valid labels for multi label selection question.\nValid labels are: ['a', 'b', 'c']",
            ),
            (
                rating_q(),
                SUB,
                json!(4),
                "4 is not a valid rating for rating question.\nValid ratings are: [1, 2, 3]",
            ),
            (
                rating_q(),
                SUB,
                json!("3"),
                "'3' is not a valid rating for rating question.\nValid ratings are: [1, 2, 3]",
            ),
            (
                rating_q(),
                SUB,
                json!(18446744073709551615_u64),
                "18446744073709551615 is not a valid rating for rating question.\nValid ratings are: [1, 2, 3]",
            ),
            (ranking_q(), SUB, json!("x"), "ranking question expects a list of values, found <class 'str'>"),
            (ranking_q(), DRAFT, json!(1), "ranking question expects a list of values, found <class 'int'>"),
            (
                ranking_q(),
                SUB,
                json!([{"value": "x", "rank": 1}]),
                "ranking question expects a list containing 3 values, found a list of 1 values",
            ),
            (
                ranking_q(),
                SUB,
                json!([]),
                "ranking question expects a list containing 3 values, found a list of 0 values",
            ),
            (
                ranking_q(),
                SUB,
                json!([{"value": "x", "rank": 1}, {"value": "y", "rank": 4}, {"value": "z", "rank": 0}]),
                "[0, 4] are not valid ranks for ranking question.\nValid ranks are: [1, 2, 3]",
            ),
            (
                ranking_q(),
                SUB,
                json!([{"value": "x"}, {"value": "y"}, {"value": "z"}]),
                "[None] are not valid ranks for ranking question.\nValid ranks are: [1, 2, 3]",
            ),
            (
                ranking_q(),
                SUB,
                json!([{"value": "x", "rank": 9}, {"value": "y"}, {"value": "z", "rank": 1}]),
                "[None, 9] are not valid ranks for ranking question.\nValid ranks are: [1, 2, 3]",
            ),
            (
                ranking_q(),
                SUB,
                json!([{"value": "x", "rank": 1}, {"value": "w", "rank": 2}, {"value": "v", "rank": 3}]),
                "['v', 'w'] are not valid values for ranking question.\nValid values are: ['x', 'y', 'z']",
            ),
            (
                ranking_q(),
                DRAFT,
                json!([{"value": "q"}]),
                "['q'] are not valid values for ranking question.\nValid values are: ['x', 'y', 'z']",
            ),
            (
                ranking_q(),
                SUB,
                json!([{"value": "x", "rank": 1}, {"value": "x", "rank": 2}, {"value": "y", "rank": 3}]),
                "ranking question expects a list of unique values, but duplicates were found",
            ),
            (
                ranking_q(),
                DRAFT,
                json!([{"value": "x"}, {"value": "x"}]),
                "ranking question expects a list of unique values, but duplicates were found",
            ),
            (span_q(false), SUB, json!("PER"), "span question expects a list of values, found <class 'str'>"),
            (span_q(false), SUB, json!(3), "span question expects a list of values, found <class 'int'>"),
            (
                span_q(false),
                SUB,
                json!([{"label": "PER", "start": 11, "end": 12}]),
                "span question response value `start` must have a value lower than record field `text` length that is `11`",
            ),
            (
                span_q(false),
                SUB,
                json!([{"label": "PER", "start": 0, "end": 12}]),
                "span question response value `end` must have a value lower or equal than record field `text` length that is `11`",
            ),
            (
                span_q(false),
                SUB,
                json!([{"label": "LOC", "start": 0, "end": 2}]),
                "undefined label 'LOC' for span question.\nValid labels are: ['PER', 'ORG']",
            ),
            (
                span_q(false),
                SUB,
                json!([{"label": "PER", "start": 0, "end": 5}, {"label": "ORG", "start": 4, "end": 6}]),
                "overlapping values found between spans at index idx=0 and idx=1",
            ),
            (
                span_q(false),
                SUB,
                json!([
                    {"label": "PER", "start": 0, "end": 1},
                    {"label": "PER", "start": 8, "end": 10},
                    {"label": "PER", "start": 2, "end": 4},
                    {"label": "ORG", "start": 3, "end": 5},
                    {"label": "ORG", "start": 9, "end": 11}
                ]),
                "overlapping values found between spans at index idx=1 and idx=4",
            ),
            (
                span_q(false),
                SUB,
                json!([{"label": "PER", "start": 1, "end": 3}, {"label": "PER", "start": 1, "end": 3}]),
                "overlapping values found between spans at index idx=0 and idx=1",
            ),
        ];
        for (settings, status, value, expected) in cases {
            assert_eq!(invalid_msg(check(&settings, status, value.clone(), "Hello world")), expected, "{value}");
        }
    }

    #[test]
    fn span_lengths_count_code_points() {
        // (field text, its length in code points)
        for (text, len) in [("😀😀", 2_i64), ("日本語", 3), ("e\u{301}", 2), ("café", 4), ("a", 1)] {
            let ok = check(&span_q(false), SUB, json!([{"label": "PER", "start": len - 1, "end": len}]), text);
            assert!(ok.is_ok(), "{text}: {ok:?}");
            let err =
                invalid_msg(check(&span_q(false), SUB, json!([{"label": "PER", "start": 0, "end": len + 1}]), text));
            assert_eq!(
                err,
                format!("span question response value `end` must have a value lower or equal than record field `text` length that is `{len}`")
            );
            let err =
                invalid_msg(check(&span_q(false), SUB, json!([{"label": "PER", "start": len, "end": len + 1}]), text));
            assert_eq!(
                err,
                format!("span question response value `start` must have a value lower than record field `text` length that is `{len}`")
            );
        }
        // An empty field has no valid span.
        let err = invalid_msg(check(&span_q(false), SUB, json!([{"label": "PER", "start": 0, "end": 1}]), ""));
        assert!(err.contains("`start` must have a value lower than record field `text` length that is `0`"), "{err}");
    }

    #[test]
    fn span_needs_a_text_field_on_the_record() {
        let settings = QuestionSettings::Span {
            field: "chat".to_owned(),
            options: opts(&["PER"]),
            visible_options: None,
            allow_overlapping: false,
        };
        let missing = QuestionSettings::Span {
            field: "nope".to_owned(),
            options: opts(&["PER"]),
            visible_options: None,
            allow_overlapping: false,
        };
        assert_eq!(
            invalid_msg(check(&settings, SUB, json!([]), "x")),
            "span question requires record to have field `chat`"
        );
        assert_eq!(
            invalid_msg(check(&missing, DRAFT, json!([{"label": "PER", "start": 0, "end": 1}]), "x")),
            "span question requires record to have field `nope`"
        );
    }

    #[test]
    fn overlap_search_matches_the_nested_loops() {
        // Brute force over small random-ish layouts.
        let mut seed: u64 = 7;
        let mut next = |max: i64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            i64::try_from((seed >> 33) % u64::try_from(max).unwrap_or(1)).unwrap_or(0)
        };
        for _ in 0..500 {
            let n = usize::try_from(next(6)).unwrap_or(0) + 1;
            let items: Vec<SpanItem> = (0..n)
                .map(|_| {
                    let start = next(20);
                    SpanItem { label: "a".to_owned(), start, end: start + 1 + next(5), score: None }
                })
                .collect();
            let mut expected = None;
            'outer: for i in 0..n {
                for j in 0..n {
                    if i != j && items[i].start < items[j].end && items[i].end > items[j].start {
                        expected = Some((i, j));
                        break 'outer;
                    }
                }
            }
            assert_eq!(first_overlap(&items), expected, "{items:?}");
        }
    }

    #[test]
    fn response_level_rules_in_order() {
        let (text, label, rating) = (text_q(), label_q(), rating_q());
        let questions = [
            QuestionRef { name: "comment", required: false, settings: &text },
            QuestionRef { name: "label", required: true, settings: &label },
            QuestionRef { name: "rating", required: true, settings: &rating },
        ];
        let run = |values: Option<Value>, status| check_response(values.as_ref(), status, &questions, &fields("x"));
        let cases: Vec<(Option<Value>, ResponseStatus, &str)> = vec![
            (None, SUB, "missing response values for submitted response"),
            (Some(json!(null)), SUB, "missing response values for submitted response"),
            (Some(json!({})), SUB, "missing response values for submitted response"),
            (
                Some(json!({"comment": {"value": "x"}})),
                SUB,
                "missing response value for required question with name='label'",
            ),
            (
                Some(json!({"label": {"value": "a"}, "comment": {"value": "x"}})),
                SUB,
                "missing response value for required question with name='rating'",
            ),
            // Required questions come before unknown keys.
            (
                Some(json!({"nope": {"value": "x"}, "label": {"value": "a"}})),
                SUB,
                "missing response value for required question with name='rating'",
            ),
            (
                Some(json!({"label": {"value": "a"}, "rating": {"value": 1}, "nope": {"value": "x"}})),
                SUB,
                "found response value for non configured question with name='nope'",
            ),
            (
                Some(json!({"it's": {"value": "x"}})),
                DRAFT,
                "found response value for non configured question with name=\"it's\"",
            ),
            // Unknown keys come before value rules.
            (
                Some(json!({"rating": {"value": 9}, "nope": {"value": "x"}})),
                DRAFT,
                "found response value for non configured question with name='nope'",
            ),
            // Values are checked in question order, not key order.
            (
                Some(json!({"rating": {"value": 9}, "label": {"value": "z"}})),
                ResponseStatus::Discarded,
                "'z' is not a valid label for label selection question.\nValid labels are: ['a', 'b']",
            ),
        ];
        for (values, status, expected) in cases {
            assert_eq!(invalid_msg(run(values.clone(), status)), expected, "{values:?}");
        }

        // Drafts and discarded responses may be partial, null or empty.
        assert_eq!(run(None, DRAFT), Ok(None));
        assert_eq!(run(Some(json!(null)), ResponseStatus::Discarded), Ok(None));
        assert_eq!(run(Some(json!({})), DRAFT), Ok(Some(json!({}))));
        assert_eq!(
            run(Some(json!({"rating": {"value": 2, "extra": true}})), DRAFT),
            Ok(Some(json!({"rating": {"value": 2}})))
        );
        // A full submitted response keeps its key order.
        let full = json!({"rating": {"value": 3}, "comment": {"value": ""}, "label": {"value": "b"}});
        let got = run(Some(full.clone()), SUB);
        assert_eq!(got, Ok(Some(full.clone())));
        let keys: Vec<String> = got
            .ok()
            .flatten()
            .and_then(|it| it.as_object().cloned())
            .map(|it| it.keys().cloned().collect())
            .unwrap_or_default();
        assert_eq!(keys, ["rating", "comment", "label"]);
    }

    #[test]
    fn response_parse_level_errors() {
        let text = text_q();
        let questions = [QuestionRef { name: "q", required: false, settings: &text }];
        let run = |values: Value| schema_err(check_response(Some(&values), SUB, &questions, &fields("x")));
        let long = "k".repeat(201);
        let cases: Vec<(Value, Vec<Loc>, &str)> = vec![
            (json!([]), vec![Loc::from("values")], "dict_type"),
            (json!("x"), vec![Loc::from("values")], "dict_type"),
            (json!({"": {"value": "x"}}), vec![Loc::from("values"), Loc::from("")], "string_too_short"),
            (
                json!({long.clone(): {"value": "x"}}),
                vec![Loc::from("values"), Loc::from(long.as_str())],
                "string_too_long",
            ),
            (json!({"q": "x"}), vec![Loc::from("values"), Loc::from("q")], "model_attributes_type"),
            (json!({"q": null}), vec![Loc::from("values"), Loc::from("q")], "model_attributes_type"),
            (json!({"q": {"val": "x"}}), vec![Loc::from("values"), Loc::from("q"), Loc::from("value")], "missing"),
            // Parse errors come before the response-level rules (even for unknown keys).
            (
                json!({"nope": {"value": 1.5}}),
                vec![Loc::from("values"), Loc::from("nope"), Loc::from("value")],
                "value_error",
            ),
        ];
        for (values, loc, kind) in cases {
            let err = run(values.clone());
            assert_eq!((err.loc, err.kind), (loc, kind), "{values}");
        }
        let ok_200 = "k".repeat(200);
        let err = invalid_msg(check_response(Some(&json!({ok_200: {"value": "x"}})), DRAFT, &questions, &fields("x")));
        assert!(err.starts_with("found response value for non configured question"), "{err}");
    }

    #[test]
    fn suggestion_values_follow_the_question_without_status() {
        let none = Value::Null;
        // A partial ranking without ranks is fine for a suggestion.
        let got = check_sugg(&ranking_q(), json!([{"value": "y"}]), none.clone(), none.clone(), none.clone());
        assert_eq!(
            got,
            Ok(CheckedSuggestion {
                value: json!([{"value": "y", "rank": null}]),
                score: Value::Null,
                agent: None,
                kind: None
            })
        );
        let got = check_sugg(&multi_q(), json!(["a", "b"]), json!([0.5, 1]), json!("gpt-4o: v1.2/x y"), json!("model"));
        assert_eq!(
            got,
            Ok(CheckedSuggestion {
                value: json!(["a", "b"]),
                score: json!([0.5, 1]),
                agent: Some("gpt-4o: v1.2/x y".to_owned()),
                kind: Some("model".to_owned()),
            })
        );
        let got = check_sugg(&rating_q(), json!(1), json!(0), none.clone(), json!("human"));
        assert_eq!(got.map(|it| (it.value, it.score, it.kind)), Ok((json!(1), json!(0), Some("human".to_owned()))));
        let spans = json!([{"label": "PER", "start": 0, "end": 5, "x": 1}]);
        let got = check_sugg(&span_q(false), spans, json!([1.0]), none.clone(), none.clone());
        assert_eq!(got.map(|it| it.value), Ok(json!([{"label": "PER", "start": 0, "end": 5}])));

        // The value rules are the response rules, as bare reasons.
        let cases: Vec<(QuestionSettings, Value, Value, &str)> = vec![
            (
                label_q(),
                json!("z"),
                none.clone(),
                "'z' is not a valid label for label selection question.\nValid labels are: ['a', 'b']",
            ),
            (
                ranking_q(),
                json!([{"value": "nope"}]),
                none.clone(),
                "['nope'] are not valid values for ranking question.\nValid values are: ['x', 'y', 'z']",
            ),
            (
                label_q(),
                json!("a"),
                json!([0.5]),
                "a list of score values is not allowed for a suggestion with a single value",
            ),
            (
                multi_q(),
                json!(["a"]),
                json!(0.5),
                "a single score value is not allowed for a suggestion with a multiple items value",
            ),
            (multi_q(), json!(["a", "b"]), json!([0.5]), "number of items on value and score attributes doesn't match"),
            (span_q(false), json!([]), json!([0.5]), "number of items on value and score attributes doesn't match"),
        ];
        for (settings, value, score, expected) in cases {
            let got = check_sugg(&settings, value.clone(), score, none.clone(), none.clone());
            assert_eq!(invalid_msg(got), expected, "{value}");
        }
    }

    #[test]
    fn suggestion_attribute_schema_errors() {
        let none = Value::Null;
        // (value, score, agent, type, expected loc, kind, message)
        type Case<'a> = (Value, Value, Value, Value, Vec<Loc>, &'a str, Option<&'a str>);
        let cases: Vec<Case<'_>> = vec![
            (
                json!("a"),
                json!(1.5),
                none.clone(),
                none.clone(),
                vec![Loc::from("score")],
                "value_error",
                Some("Value error, score must be between 0 and 1"),
            ),
            (
                json!("a"),
                json!(-0.1),
                none.clone(),
                none.clone(),
                vec![Loc::from("score")],
                "value_error",
                Some("Value error, score must be between 0 and 1"),
            ),
            (
                json!(["a"]),
                json!([0.2, 2]),
                none.clone(),
                none.clone(),
                vec![Loc::from("score")],
                "value_error",
                Some("Value error, score must be between 0 and 1"),
            ),
            (json!(["a"]), json!([]), none.clone(), none.clone(), vec![Loc::from("score")], "too_short", None),
            (
                json!(["a"]),
                json!(["0.5"]),
                none.clone(),
                none.clone(),
                vec![Loc::from("score"), Loc::Index(0)],
                "float_type",
                None,
            ),
            (json!("a"), json!(true), none.clone(), none.clone(), vec![Loc::from("score")], "float_type", None),
            (json!("a"), none.clone(), json!(""), none.clone(), vec![Loc::from("agent")], "string_too_short", None),
            (
                json!("a"),
                none.clone(),
                json!("a".repeat(201)),
                none.clone(),
                vec![Loc::from("agent")],
                "string_too_long",
                None,
            ),
            (
                json!("a"),
                none.clone(),
                json!("---"),
                none.clone(),
                vec![Loc::from("agent")],
                "string_pattern_mismatch",
                None,
            ),
            (
                json!("a"),
                none.clone(),
                json!("bad!agent"),
                none.clone(),
                vec![Loc::from("agent")],
                "string_pattern_mismatch",
                None,
            ),
            (
                json!("a"),
                none.clone(),
                json!("ágent"),
                none.clone(),
                vec![Loc::from("agent")],
                "string_pattern_mismatch",
                None,
            ),
            (json!("a"), none.clone(), json!(5), none.clone(), vec![Loc::from("agent")], "string_type", None),
            (json!("a"), none.clone(), none.clone(), json!("robot"), vec![Loc::from("type")], "enum", None),
            (json!("a"), none.clone(), none.clone(), json!(1), vec![Loc::from("type")], "enum", None),
            (json!(1.5), none.clone(), none.clone(), none.clone(), vec![Loc::from("value")], "value_error", None),
            (json!(null), none.clone(), none.clone(), none.clone(), vec![Loc::from("value")], "value_error", None),
            // Type is checked before the value, the value before agent and score.
            (json!(1.5), json!(7), json!("!"), json!("robot"), vec![Loc::from("type")], "enum", None),
            (json!(1.5), json!(7), json!("!"), none.clone(), vec![Loc::from("value")], "value_error", None),
            (json!("a"), json!(7), json!("!"), none.clone(), vec![Loc::from("agent")], "string_pattern_mismatch", None),
        ];
        for (value, score, agent, kind, loc, err_kind, msg) in cases {
            let err = schema_err(check_sugg(&label_q(), value.clone(), score.clone(), agent.clone(), kind.clone()));
            assert_eq!((&err.loc, err.kind), (&loc, err_kind), "{value} {score} {agent} {kind}");
            if let Some(msg) = msg {
                assert_eq!(err.msg, msg);
            }
        }
        // Schema errors win over rule violations.
        let err = schema_err(check_sugg(&label_q(), json!("nope"), json!(3), none.clone(), none.clone()));
        assert_eq!(err.loc, vec![Loc::from("score")]);
        // Absent attributes are fine.
        let got = check_suggestion(
            &json!("a"),
            None,
            None,
            None,
            QuestionRef { name: "q", required: false, settings: &label_q() },
            &Map::new(),
        );
        assert_eq!(got.map(|it| it.score), Ok(Value::Null));
    }

    #[test]
    fn agent_pattern() {
        for (agent, ok) in [
            ("a", true),
            ("gpt-4", true),
            ("org/model:v1.0", true),
            (" x ", true),
            ("a\tb\nc", true),
            ("a\u{3000}b", true),
            ("a\u{1f}b", true),
            ("_-:./", false),
            ("   ", false),
            ("a@b", false),
            ("naïve", false),
            ("1", true),
        ] {
            assert_eq!(agent_matches(agent), ok, "{agent:?}");
        }
    }

    #[test]
    fn odd_json_never_panics() {
        // Request bodies are parsed with serde_json (nesting limit 128), so 300 levels is plenty.
        let mut deep = json!("x");
        for _ in 0..300 {
            deep = json!([deep]);
        }
        let mut deep_obj = json!(1);
        for _ in 0..300 {
            let inner = deep_obj.clone();
            deep_obj = json!({"value": inner, "label": deep_obj});
            if deep_obj.to_string().len() > 100_000 {
                break;
            }
        }
        let odd = vec![
            deep,
            deep_obj,
            json!(1e308),
            json!(-1e308),
            json!(5e-324),
            json!(u64::MAX),
            json!(i64::MIN),
            json!([u64::MAX, i64::MIN, 1e308, -5e-324]),
            json!([{"label": "PER", "start": i64::MAX, "end": i64::MAX}]),
            json!([{"label": "PER", "start": i64::MAX - 1, "end": i64::MAX}]),
            json!([{"label": "PER", "start": 0, "end": u64::MAX}]),
            json!([{"value": "x", "rank": i64::MIN}, {"value": "y", "rank": i64::MAX}, {"value": "z", "rank": u64::MAX}]),
            json!([{"value": "x", "rank": i64::MIN}, {"value": "y", "rank": i64::MAX}, {"value": "z", "rank": 0}]),
            json!(""),
            json!([""]),
            json!([{}]),
            json!({}),
            json!([[]]),
            json!([null]),
            json!("\u{0}\u{ffff}😀"),
        ];
        let settings = [text_q(), label_q(), multi_q(), rating_q(), ranking_q(), span_q(false), span_q(true)];
        for value in &odd {
            for settings in &settings {
                for status in [SUB, DRAFT, ResponseStatus::Discarded] {
                    let _ = check(settings, status, value.clone(), "");
                    let _ = check(settings, status, value.clone(), "Hello 😀");
                }
                let _ = check_sugg(settings, value.clone(), value.clone(), value.clone(), value.clone());
            }
        }
        let _ = py_float(f64::MIN_POSITIVE);
        let _ = py_float(f64::NAN);
        let _ = py_float(f64::INFINITY);
    }

    #[test]
    fn dropped_ranks_come_back_only_for_the_same_values_in_the_same_order() {
        let stored = json!({"order": {"value": [{"value": "z", "rank": 1}, {"value": "x", "rank": 2}, {"value": "y", "rank": 2}]},
                            "label": {"value": "a"}});
        let ranking = ["order"];
        let mut same = json!({"order": {"value": [{"value": "z"}, {"value": "x"}, {"value": "y", "rank": null}]}, "label": {"value": "b"}});
        restore_dropped_ranks(&mut same, &stored, &ranking);
        assert_eq!(same["order"], stored["order"]);
        assert_eq!(same["label"], json!({"value": "b"}), "other questions untouched");
        for sent in [
            json!({"order": {"value": [{"value": "x"}, {"value": "z"}, {"value": "y"}]}}),
            json!({"order": {"value": [{"value": "z"}, {"value": "x"}]}}),
            json!({"order": {"value": [{"value": "z", "rank": 3}, {"value": "x"}, {"value": "y"}]}}),
            json!({"order": {"value": "z"}}),
            json!({"other": {"value": [{"value": "z"}]}}),
        ] {
            let mut got = sent.clone();
            restore_dropped_ranks(&mut got, &stored, &ranking);
            assert_eq!(got, sent);
        }
        let mut nothing_stored = json!({"order": {"value": [{"value": "z"}]}});
        restore_dropped_ranks(&mut nothing_stored, &json!({}), &ranking);
        assert_eq!(nothing_stored, json!({"order": {"value": [{"value": "z"}]}}));
    }
}
