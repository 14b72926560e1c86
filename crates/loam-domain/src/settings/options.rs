//! The label options of choice questions (label, multi-label, ranking, span): parsing, the
//! unique-values rule, `visible_options`, `options_order`, and what an update may change.

use std::collections::BTreeSet;

use serde_json::Value;

use super::common::{count_in, Limits};
use crate::error::{Loc, Rejection, SchemaError};
use crate::python::{repr_str_list, repr_str_set};
use crate::schema::{object, Reader};

/// A choice of a label, multi-label, ranking or span question.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelOption {
    pub value: String,
    pub text: String,
    pub description: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionsOrder {
    Natural,
    Suggestion,
}

pub(super) fn label_options(r: &Reader<'_>, min: usize, max: usize) -> Result<Vec<LabelOption>, SchemaError> {
    let items = r.array("options")?;
    let loc = r.at("options");
    count_in(items.len(), min, max, &loc)?;
    let options = parse_label_options(items, &loc)?;
    check_unique_values(&options, &loc)?;
    Ok(options)
}

pub(super) fn parse_label_options(items: &[Value], loc: &[Loc]) -> Result<Vec<LabelOption>, SchemaError> {
    let mut options = Vec::with_capacity(items.len());
    for (idx, item) in items.iter().enumerate() {
        let mut item_loc = loc.to_vec();
        item_loc.push(Loc::Index(idx));
        let o = object(item, &item_loc)?;
        let r = Reader::new(o, &item_loc);
        options.push(LabelOption {
            value: r.string("value", 1, 200)?,
            text: r.string("text", 1, 500)?,
            description: r.opt_string("description", 1, 1000)?,
        });
    }
    Ok(options)
}

pub(super) fn check_unique_values(options: &[LabelOption], loc: &[Loc]) -> Result<(), SchemaError> {
    let mut seen = BTreeSet::new();
    let mut duplicates = BTreeSet::new();
    for option in options {
        if !seen.insert(option.value.as_str()) {
            duplicates.insert(option.value.as_str());
        }
    }
    if duplicates.is_empty() {
        return Ok(());
    }
    let listed: Vec<&str> = duplicates.into_iter().collect();
    Err(SchemaError::value(
        loc.to_vec(),
        format!("Option values must be unique, found duplicates: {}", repr_str_set(&listed)),
    ))
}

pub(super) fn visible_options(r: &Reader<'_>, n_options: usize) -> Result<Option<i64>, SchemaError> {
    let Some(visible) = r.opt_int("visible_options")? else {
        return Ok(None);
    };
    if visible < 3 {
        return Err(SchemaError::new(
            r.at("visible_options"),
            "greater_than_equal",
            "Input should be greater than or equal to 3",
        ));
    }
    if visible > n_options as i64 {
        return Err(SchemaError::value(
            r.loc.to_vec(),
            format!("the value for 'visible_options' must be less or equal to the number of items in 'options' ({n_options})"),
        ));
    }
    Ok(Some(visible))
}

pub(super) fn options_order(r: &Reader<'_>, default: OptionsOrder) -> Result<OptionsOrder, SchemaError> {
    match r.raw("options_order") {
        None => Ok(default),
        Some(Value::String(it)) if it == "natural" => Ok(OptionsOrder::Natural),
        Some(Value::String(it)) if it == "suggestion" => Ok(OptionsOrder::Suggestion),
        Some(_) => Err(SchemaError::new(r.at("options_order"), "enum", "Input should be 'natural' or 'suggestion'")),
    }
}

pub(super) fn updated_options(
    r: &Reader<'_>,
    current: &[LabelOption],
    limits: Limits,
) -> Result<Vec<LabelOption>, Rejection> {
    let items = match r.raw("options") {
        None | Some(Value::Null) => return Ok(current.to_vec()),
        Some(_) => r.array("options")?,
    };
    let loc = r.at("options");
    count_in(items.len(), 1, limits.label_options_max.max(limits.span_options_max), &loc)?;
    let options = parse_label_options(items, &loc)?;
    check_unique_values(&options, &loc)?;
    if options.len() != current.len() {
        return Err(Rejection::invalid(format!(
            "the number of options cannot be modified. expected {} but got {}",
            current.len(),
            options.len()
        )));
    }
    let known: BTreeSet<&str> = current.iter().map(|it| it.value.as_str()).collect();
    let unexpected: Vec<&str> = options.iter().map(|it| it.value.as_str()).filter(|it| !known.contains(it)).collect();
    if !unexpected.is_empty() {
        return Err(Rejection::invalid(format!(
            "the option values cannot be modified. found unexpected option values: {}",
            repr_str_list(&unexpected)
        )));
    }
    Ok(options)
}

pub(super) fn updated_visible(
    r: &Reader<'_>,
    current: Option<i64>,
    n_options: usize,
) -> Result<Option<i64>, Rejection> {
    if !r.has("visible_options") {
        return Ok(current);
    }
    let Some(visible) = r.opt_int("visible_options")? else {
        return Ok(None);
    };
    if visible < 3 || visible > n_options as i64 {
        return Err(Rejection::invalid(format!(
            "the value for 'visible_options' must be less or equal to the number of items in 'options' ({n_options})"
        )));
    }
    Ok(Some(visible))
}
