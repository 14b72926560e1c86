//! Dataset settings: field, question and metadata-property settings by type, parsed from request
//! JSON, rendered to the wire shape, and updated under the rules of `spec/model.md` §5–6.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use crate::error::{Invalid, Loc, SchemaError};
use crate::python::{repr_str_list, repr_str_set, str_of};
use crate::schema::{object, string_value, Reader};

/// Limits that a deployment may tune (the reference reads them from its environment).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub label_options_max: usize,
    pub span_options_max: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { label_options_max: 500, span_options_max: 500 }
    }
}

// ---------------------------------------------------------------------------------------------
// Fields

#[derive(Clone, Debug, PartialEq)]
pub enum FieldSettings {
    Text { use_markdown: bool },
    Image,
    Chat { use_markdown: bool },
    Custom { template: String, advanced_mode: bool },
}

impl FieldSettings {
    pub fn type_name(&self) -> &'static str {
        match self {
            FieldSettings::Text { .. } => "text",
            FieldSettings::Image => "image",
            FieldSettings::Chat { .. } => "chat",
            FieldSettings::Custom { .. } => "custom",
        }
    }

    /// Parses create-time settings; `loc` is where the settings object sits.
    pub fn parse(value: &Value, loc: &[Loc]) -> Result<Self, SchemaError> {
        let obj = object(value, loc)?;
        let r = Reader::new(obj, loc);
        match type_tag(&r, &["text", "image", "chat", "custom"])? {
            "text" => Ok(FieldSettings::Text { use_markdown: r.bool_or("use_markdown", false)? }),
            "image" => Ok(FieldSettings::Image),
            "chat" => Ok(FieldSettings::Chat { use_markdown: r.bool_or("use_markdown", true)? }),
            _ => Ok(FieldSettings::Custom {
                template: r.string("template", 1, usize::MAX)?,
                advanced_mode: r.bool_or("advanced_mode", false)?,
            }),
        }
    }

    /// Applies a PATCH: the type must stay; the sent keys replace the stored ones.
    pub fn update(&self, value: &Value, loc: &[Loc]) -> Result<Result<Self, Invalid>, SchemaError> {
        let obj = object(value, loc)?;
        let r = Reader::new(obj, loc);
        let new_type = type_tag(&r, &["text", "image", "chat", "custom"])?;
        if new_type != self.type_name() {
            return Ok(Err(Invalid(format!(
                "Field type cannot be changed. Expected '{}' but got '{}'",
                self.type_name(),
                new_type
            ))));
        }
        let merged = merge(&self.to_json(), value);
        Self::parse(&merged, loc).map(Ok)
    }

    pub fn to_json(&self) -> Value {
        match self {
            FieldSettings::Text { use_markdown } => {
                json!({"type": "text", "use_markdown": use_markdown})
            }
            FieldSettings::Image => json!({"type": "image"}),
            FieldSettings::Chat { use_markdown } => {
                json!({"type": "chat", "use_markdown": use_markdown})
            }
            FieldSettings::Custom { template, advanced_mode } => {
                json!({"type": "custom", "template": template, "advanced_mode": advanced_mode})
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Questions

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

#[derive(Clone, Debug, PartialEq)]
pub enum QuestionSettings {
    Text { use_markdown: bool },
    Rating { options: Vec<i64> },
    LabelSelection { options: Vec<LabelOption>, visible_options: Option<i64> },
    MultiLabelSelection { options: Vec<LabelOption>, visible_options: Option<i64>, options_order: OptionsOrder },
    Ranking { options: Vec<LabelOption> },
    Span { field: String, options: Vec<LabelOption>, visible_options: Option<i64>, allow_overlapping: bool },
}

const QUESTION_TYPES: &[&str] = &["text", "rating", "label_selection", "multi_label_selection", "ranking", "span"];

impl QuestionSettings {
    pub fn type_name(&self) -> &'static str {
        match self {
            QuestionSettings::Text { .. } => "text",
            QuestionSettings::Rating { .. } => "rating",
            QuestionSettings::LabelSelection { .. } => "label_selection",
            QuestionSettings::MultiLabelSelection { .. } => "multi_label_selection",
            QuestionSettings::Ranking { .. } => "ranking",
            QuestionSettings::Span { .. } => "span",
        }
    }

    /// The option values of choice questions (empty for text and rating).
    pub fn option_values(&self) -> Vec<&str> {
        match self.label_options() {
            Some(options) => options.iter().map(|it| it.value.as_str()).collect(),
            None => Vec::new(),
        }
    }

    pub fn label_options(&self) -> Option<&[LabelOption]> {
        match self {
            QuestionSettings::LabelSelection { options, .. }
            | QuestionSettings::MultiLabelSelection { options, .. }
            | QuestionSettings::Ranking { options }
            | QuestionSettings::Span { options, .. } => Some(options),
            QuestionSettings::Text { .. } | QuestionSettings::Rating { .. } => None,
        }
    }

    /// Parses create-time settings and checks their limits.
    pub fn parse(value: &Value, loc: &[Loc], limits: Limits) -> Result<Self, SchemaError> {
        let obj = object(value, loc)?;
        let r = Reader::new(obj, loc);
        let settings = match type_tag(&r, QUESTION_TYPES)? {
            "text" => QuestionSettings::Text { use_markdown: r.bool_or("use_markdown", false)? },
            "rating" => {
                let items = r.array("options")?;
                let loc = r.at("options");
                count_in(items.len(), 2, 11, &loc)?;
                let mut options = Vec::with_capacity(items.len());
                for (idx, item) in items.iter().enumerate() {
                    let mut item_loc = loc.clone();
                    item_loc.push(Loc::Index(idx));
                    let o = object(item, &item_loc)?;
                    let value = Reader::new(o, &item_loc).int("value")?;
                    if !(0..=10).contains(&value) {
                        let mut value_loc = item_loc.clone();
                        value_loc.push(Loc::from("value"));
                        return Err(SchemaError::new(
                            value_loc,
                            "value_error",
                            "Input should be greater than or equal to 0 and less than or equal to 10",
                        ));
                    }
                    options.push(value);
                }
                let distinct: BTreeSet<i64> = options.iter().copied().collect();
                if distinct.len() != options.len() {
                    return Err(SchemaError::value(loc, "Option values must be unique"));
                }
                QuestionSettings::Rating { options }
            }
            "label_selection" => {
                let options = label_options(&r, 2, limits.label_options_max)?;
                let visible_options = visible_options(&r, options.len())?;
                QuestionSettings::LabelSelection { options, visible_options }
            }
            "multi_label_selection" => {
                let options = label_options(&r, 2, limits.label_options_max)?;
                let visible_options = visible_options(&r, options.len())?;
                let options_order = options_order(&r, OptionsOrder::Natural)?;
                QuestionSettings::MultiLabelSelection { options, visible_options, options_order }
            }
            "ranking" => QuestionSettings::Ranking { options: label_options(&r, 2, 50)? },
            _ => {
                let field = r.string("field", 1, 200)?;
                let options = label_options(&r, 1, limits.span_options_max)?;
                let visible_options = visible_options(&r, options.len())?;
                let allow_overlapping = r.bool_or("allow_overlapping", false)?;
                QuestionSettings::Span { field, options, visible_options, allow_overlapping }
            }
        };
        Ok(settings)
    }

    /// Applies a PATCH under the update rules (model.md §5.3). The outer error is a schema
    /// problem of the body, the inner one a rule the update breaks.
    pub fn update(&self, value: &Value, loc: &[Loc], limits: Limits) -> Result<Result<Self, Invalid>, SchemaError> {
        let obj = object(value, loc)?;
        let r = Reader::new(obj, loc);
        let new_type = type_tag(&r, QUESTION_TYPES)?;
        if new_type != self.type_name() {
            return Ok(Err(Invalid(format!(
                "question type cannot be changed. expected '{}' but got '{}'",
                self.type_name(),
                new_type
            ))));
        }
        let res = match self {
            QuestionSettings::Text { use_markdown } => {
                QuestionSettings::Text { use_markdown: r.bool_or("use_markdown", *use_markdown)? }
            }
            // Options of rating and ranking questions cannot change.
            QuestionSettings::Rating { .. } | QuestionSettings::Ranking { .. } => self.clone(),
            QuestionSettings::LabelSelection { options, visible_options: old_visible } => {
                let options = match updated_options(&r, options, limits)? {
                    Ok(it) => it,
                    Err(invalid) => return Ok(Err(invalid)),
                };
                let visible_options = match updated_visible(&r, *old_visible, options.len())? {
                    Ok(it) => it,
                    Err(invalid) => return Ok(Err(invalid)),
                };
                QuestionSettings::LabelSelection { options, visible_options }
            }
            QuestionSettings::MultiLabelSelection {
                options,
                visible_options: old_visible,
                options_order: old_order,
            } => {
                let options = match updated_options(&r, options, limits)? {
                    Ok(it) => it,
                    Err(invalid) => return Ok(Err(invalid)),
                };
                let visible_options = match updated_visible(&r, *old_visible, options.len())? {
                    Ok(it) => it,
                    Err(invalid) => return Ok(Err(invalid)),
                };
                r.non_nullable(&["options_order"])?;
                let options_order = options_order(&r, *old_order)?;
                QuestionSettings::MultiLabelSelection { options, visible_options, options_order }
            }
            QuestionSettings::Span { field, options, visible_options: old_visible, allow_overlapping: old_overlap } => {
                let options = match updated_options(&r, options, limits)? {
                    Ok(it) => it,
                    Err(invalid) => return Ok(Err(invalid)),
                };
                let visible_options = match updated_visible(&r, *old_visible, options.len())? {
                    Ok(it) => it,
                    Err(invalid) => return Ok(Err(invalid)),
                };
                let allow_overlapping = r.bool_or("allow_overlapping", *old_overlap)?;
                if *old_overlap && !allow_overlapping {
                    return Ok(Err(Invalid::new(
                        "'allow_overlapping' can't be disabled because responses may become inconsistent",
                    )));
                }
                QuestionSettings::Span { field: field.clone(), options, visible_options, allow_overlapping }
            }
        };
        Ok(Ok(res))
    }

    pub fn to_json(&self) -> Value {
        fn options_json(options: &[LabelOption]) -> Value {
            Value::Array(
                options
                    .iter()
                    .map(|it| json!({"value": it.value, "text": it.text, "description": it.description}))
                    .collect(),
            )
        }
        match self {
            QuestionSettings::Text { use_markdown } => {
                json!({"type": "text", "use_markdown": use_markdown})
            }
            QuestionSettings::Rating { options } => {
                let options: Vec<Value> = options.iter().map(|it| json!({"value": it})).collect();
                json!({"type": "rating", "options": options})
            }
            QuestionSettings::LabelSelection { options, visible_options } => json!({
                "type": "label_selection",
                "options": options_json(options),
                "visible_options": visible_options,
            }),
            QuestionSettings::MultiLabelSelection { options, visible_options, options_order } => json!({
                "type": "multi_label_selection",
                "options": options_json(options),
                "visible_options": visible_options,
                "options_order": match options_order {
                    OptionsOrder::Natural => "natural",
                    OptionsOrder::Suggestion => "suggestion",
                },
            }),
            QuestionSettings::Ranking { options } => {
                json!({"type": "ranking", "options": options_json(options)})
            }
            QuestionSettings::Span { field, options, visible_options, allow_overlapping } => json!({
                "type": "span",
                "field": field,
                "options": options_json(options),
                "visible_options": visible_options,
                "allow_overlapping": allow_overlapping,
                "allow_character_annotation": true,
            }),
        }
    }
}

fn type_tag<'a>(r: &Reader<'_>, allowed: &[&'a str]) -> Result<&'a str, SchemaError> {
    let tag = match r.raw("type") {
        None => {
            return Err(SchemaError::new(
                r.loc.to_vec(),
                "union_tag_not_found",
                "Unable to extract tag using discriminator 'type'",
            ))
        }
        Some(value) => value.as_str().unwrap_or_default(),
    };
    allowed.iter().copied().find(|it| *it == tag).ok_or_else(|| {
        let expected: Vec<String> = allowed.iter().map(|it| format!("'{it}'")).collect();
        SchemaError::new(
            r.at("type"),
            "union_tag_invalid",
            format!(
                "Input tag '{tag}' found using 'type' does not match any of the expected tags: {}",
                expected.join(", ")
            ),
        )
    })
}

fn count_in(n: usize, min: usize, max: usize, loc: &[Loc]) -> Result<(), SchemaError> {
    if n < min {
        return Err(SchemaError::new(
            loc.to_vec(),
            "too_short",
            format!(
                "List should have at least {min} item{} after validation, not {n}",
                if min == 1 { "" } else { "s" }
            ),
        ));
    }
    if n > max {
        return Err(SchemaError::new(
            loc.to_vec(),
            "too_long",
            format!("List should have at most {max} items after validation, not {n}"),
        ));
    }
    Ok(())
}

fn label_options(r: &Reader<'_>, min: usize, max: usize) -> Result<Vec<LabelOption>, SchemaError> {
    let items = r.array("options")?;
    let loc = r.at("options");
    count_in(items.len(), min, max, &loc)?;
    let options = parse_label_options(items, &loc)?;
    check_unique_values(&options, &loc)?;
    Ok(options)
}

fn parse_label_options(items: &[Value], loc: &[Loc]) -> Result<Vec<LabelOption>, SchemaError> {
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

fn check_unique_values(options: &[LabelOption], loc: &[Loc]) -> Result<(), SchemaError> {
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

fn visible_options(r: &Reader<'_>, n_options: usize) -> Result<Option<i64>, SchemaError> {
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

fn options_order(r: &Reader<'_>, default: OptionsOrder) -> Result<OptionsOrder, SchemaError> {
    match r.raw("options_order") {
        None => Ok(default),
        Some(Value::String(it)) if it == "natural" => Ok(OptionsOrder::Natural),
        Some(Value::String(it)) if it == "suggestion" => Ok(OptionsOrder::Suggestion),
        Some(_) => Err(SchemaError::new(r.at("options_order"), "enum", "Input should be 'natural' or 'suggestion'")),
    }
}

fn updated_options(
    r: &Reader<'_>,
    current: &[LabelOption],
    limits: Limits,
) -> Result<Result<Vec<LabelOption>, Invalid>, SchemaError> {
    let items = match r.raw("options") {
        None | Some(Value::Null) => return Ok(Ok(current.to_vec())),
        Some(_) => r.array("options")?,
    };
    let loc = r.at("options");
    count_in(items.len(), 1, limits.label_options_max.max(limits.span_options_max), &loc)?;
    let options = parse_label_options(items, &loc)?;
    check_unique_values(&options, &loc)?;
    if options.len() != current.len() {
        return Ok(Err(Invalid(format!(
            "the number of options cannot be modified. expected {} but got {}",
            current.len(),
            options.len()
        ))));
    }
    let known: BTreeSet<&str> = current.iter().map(|it| it.value.as_str()).collect();
    let unexpected: Vec<&str> = options.iter().map(|it| it.value.as_str()).filter(|it| !known.contains(it)).collect();
    if !unexpected.is_empty() {
        return Ok(Err(Invalid(format!(
            "the option values cannot be modified. found unexpected option values: {}",
            repr_str_list(&unexpected)
        ))));
    }
    Ok(Ok(options))
}

fn updated_visible(
    r: &Reader<'_>,
    current: Option<i64>,
    n_options: usize,
) -> Result<Result<Option<i64>, Invalid>, SchemaError> {
    if !r.has("visible_options") {
        return Ok(Ok(current));
    }
    let Some(visible) = r.opt_int("visible_options")? else {
        return Ok(Ok(None));
    };
    if visible < 3 || visible > n_options as i64 {
        return Ok(Err(Invalid(format!(
            "the value for 'visible_options' must be less or equal to the number of items in 'options' ({n_options})"
        ))));
    }
    Ok(Ok(Some(visible)))
}

// ---------------------------------------------------------------------------------------------
// Metadata properties

#[derive(Clone, Debug, PartialEq)]
pub enum MetadataSettings {
    Terms { values: Option<Vec<Value>> },
    Integer { min: Option<i64>, max: Option<i64> },
    Float { min: Option<f64>, max: Option<f64> },
}

impl MetadataSettings {
    pub fn type_name(&self) -> &'static str {
        match self {
            MetadataSettings::Terms { .. } => "terms",
            MetadataSettings::Integer { .. } => "integer",
            MetadataSettings::Float { .. } => "float",
        }
    }

    pub fn parse(value: &Value, loc: &[Loc]) -> Result<Self, SchemaError> {
        let obj = object(value, loc)?;
        let r = Reader::new(obj, loc);
        match type_tag(&r, &["terms", "integer", "float"])? {
            "terms" => {
                let values = match r.raw("values") {
                    None | Some(Value::Null) => None,
                    Some(_) => {
                        let items = r.array("values")?;
                        count_in(items.len(), 1, 250, &r.at("values"))?;
                        Some(items.clone())
                    }
                };
                Ok(MetadataSettings::Terms { values })
            }
            "integer" => {
                let (min, max) = (r.opt_int("min")?, r.opt_int("max")?);
                if let (Some(lo), Some(hi)) = (min, max) {
                    if lo >= hi {
                        return Err(SchemaError::value(r.loc.to_vec(), "'min' value must be lower than 'max' value"));
                    }
                }
                Ok(MetadataSettings::Integer { min, max })
            }
            _ => {
                let (min, max) = (r.opt_number("min")?, r.opt_number("max")?);
                if let (Some(lo), Some(hi)) = (min, max) {
                    if lo >= hi {
                        return Err(SchemaError::value(r.loc.to_vec(), "'min' value must be lower than 'max' value"));
                    }
                }
                Ok(MetadataSettings::Float { min, max })
            }
        }
    }

    pub fn to_json(&self) -> Value {
        match self {
            MetadataSettings::Terms { values } => json!({"type": "terms", "values": values}),
            MetadataSettings::Integer { min, max } => {
                json!({"type": "integer", "min": min, "max": max})
            }
            MetadataSettings::Float { min, max } => {
                json!({"type": "float", "min": min, "max": max})
            }
        }
    }

    /// Checks one non-null metadata value against this property; the reason is the tail of the
    /// client-facing message.
    pub fn check_value(&self, value: &Value) -> Result<(), String> {
        match self {
            MetadataSettings::Terms { values: None } => Ok(()),
            MetadataSettings::Terms { values: Some(allowed) } => {
                let check_one = |it: &Value| {
                    if allowed.contains(it) {
                        Ok(())
                    } else {
                        Err(format!("{} is not an allowed term.", quoted(it)))
                    }
                };
                match value {
                    Value::Array(items) => items.iter().try_for_each(check_one),
                    other => check_one(other),
                }
            }
            MetadataSettings::Integer { min, max } => {
                let number = match value {
                    Value::Bool(it) => i64::from(*it),
                    Value::Number(n) if n.is_i64() || n.is_u64() => match n.as_i64() {
                        Some(it) => it,
                        None => {
                            return Err(format!(
                                "{} is greater than the maximum value of '{}'.",
                                quoted(value),
                                i64::MAX
                            ))
                        }
                    },
                    _ => return Err(format!("{} is not an integer.", quoted(value))),
                };
                check_bounds(number as f64, value, min.map(|it| it as f64), max.map(|it| it as f64), *min, *max)
            }
            MetadataSettings::Float { min, max } => {
                let number = match value {
                    Value::Number(n) if n.is_f64() => n.as_f64().unwrap_or(f64::NAN),
                    _ => return Err(format!("{} is not a float.", quoted(value))),
                };
                check_bounds(number, value, *min, *max, *min, *max)
            }
        }
    }
}

/// `'{value}'` in the reference's messages: Python's `str` of the value between single quotes.
fn quoted(value: &Value) -> String {
    format!("'{}'", str_of(value))
}

fn check_bounds<B: std::fmt::Display>(
    number: f64,
    value: &Value,
    min: Option<f64>,
    max: Option<f64>,
    min_shown: Option<B>,
    max_shown: Option<B>,
) -> Result<(), String> {
    if let (Some(lo), Some(shown)) = (min, min_shown) {
        if number < lo {
            return Err(format!("{} is less than the minimum value of '{shown}'.", quoted(value)));
        }
    }
    if let (Some(hi), Some(shown)) = (max, max_shown) {
        if number > hi {
            return Err(format!("{} is greater than the maximum value of '{shown}'.", quoted(value)));
        }
    }
    Ok(())
}

/// Merges `patch` into `base` one level deep (sent keys overwrite, others are kept).
pub fn merge(base: &Value, patch: &Value) -> Value {
    match (base, patch) {
        (Value::Object(base), Value::Object(patch)) => {
            let mut res: Map<String, Value> = base.clone();
            for (key, value) in patch {
                res.insert(key.clone(), value.clone());
            }
            Value::Object(res)
        }
        (_, patch) => patch.clone(),
    }
}

/// The longest field description, in characters (as for question descriptions).
pub const FIELD_DESCRIPTION_MAX_CHARS: usize = 1000;

/// A field's `description` (a loam extension: the reference server has none): a string of at most
/// [`FIELD_DESCRIPTION_MAX_CHARS`] characters, or null. Absent and null are `None`; so is empty or
/// blank text, which the v2 SDK may send and the reference server would ignore (refusing it would
/// break scripts that work there).
pub fn field_description(r: &Reader<'_>, key: &str) -> Result<Option<String>, SchemaError> {
    match r.raw(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => {
            let text = string_value(value, &r.at(key), 0, FIELD_DESCRIPTION_MAX_CHARS)?;
            Ok(if text.trim().is_empty() { None } else { Some(text) })
        }
    }
}

/// Parses a name (1..200 characters) at `loc`.
pub fn name(value: &Value, loc: &[Loc]) -> Result<String, SchemaError> {
    string_value(value, loc, 1, 200)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_description_is_optional_text_of_at_most_1000_characters() {
        let loc = [Loc::from("body")];
        let long = "é".repeat(FIELD_DESCRIPTION_MAX_CHARS);
        let cases: [(Value, Result<Option<&str>, &str>); 8] = [
            (json!({}), Ok(None)),
            (json!({"description": null}), Ok(None)),
            (json!({"description": ""}), Ok(None)),
            (json!({"description": "  \n"}), Ok(None)),
            (json!({"description": "What the model was asked"}), Ok(Some("What the model was asked"))),
            (json!({"description": long}), Ok(Some(long.as_str()))),
            (json!({"description": format!("{long}x")}), Err("string_too_long")),
            (json!({"description": 3}), Err("string_type")),
        ];
        for (body, expected) in cases {
            let obj = body.as_object().unwrap();
            let res = field_description(&Reader::new(obj, &loc), "description");
            match expected {
                Ok(want) => assert_eq!(res.unwrap().as_deref(), want, "{body}"),
                Err(kind) => {
                    let err = res.unwrap_err();
                    assert_eq!(err.kind, kind, "{body}");
                    assert_eq!(err.loc, vec![Loc::from("body"), Loc::from("description")], "{body}");
                }
            }
        }
    }

    fn q(value: Value) -> Result<QuestionSettings, SchemaError> {
        QuestionSettings::parse(&value, &[Loc::from("settings")], Limits::default())
    }

    #[test]
    fn question_settings_round_trip_with_all_keys() {
        let label = q(
            json!({"type": "label_selection", "options": [{"value": "a", "text": "A"}, {"value": "b", "text": "B"}]}),
        )
        .unwrap();
        assert_eq!(
            label.to_json(),
            json!({"type": "label_selection", "options": [
                {"value": "a", "text": "A", "description": null},
                {"value": "b", "text": "B", "description": null}], "visible_options": null})
        );
        let span = q(json!({"type": "span", "field": "text", "options": [{"value": "a", "text": "A"}]})).unwrap();
        assert_eq!(span.to_json()["allow_character_annotation"], json!(true));
        assert_eq!(span.to_json()["allow_overlapping"], json!(false));
    }

    #[test]
    fn question_settings_reject_bad_shapes() {
        for (bad, kind) in [
            (json!({"type": "rating", "options": [{"value": 1}]}), "too_short"),
            (json!({"type": "rating", "options": [{"value": 1}, {"value": 11}]}), "value_error"),
            (json!({"type": "rating", "options": [{"value": 1}, {"value": 1}]}), "value_error"),
            (
                json!({"type": "label_selection", "options": [{"value": "a", "text": "A"}, {"value": "a", "text": "B"}]}),
                "value_error",
            ),
            (json!({"type": "label_selection", "options": [{"value": "a"}, {"value": "b", "text": "B"}]}), "missing"),
            (
                json!({"type": "label_selection", "options": [{"value": "a", "text": "A"}, {"value": "b", "text": "B"}], "visible_options": 3}),
                "value_error",
            ),
            (json!({"type": "text", "use_markdown": null}), "bool_type"),
            (json!({"type": "nope"}), "union_tag_invalid"),
            (json!({"options": []}), "union_tag_not_found"),
        ] {
            let err = q(bad.clone()).expect_err(&bad.to_string());
            assert_eq!(err.kind, kind, "{bad}: {err}");
        }
    }

    #[test]
    fn label_update_keeps_values_and_checks_visible_options() {
        let label = q(json!({"type": "label_selection", "options": [
            {"value": "a", "text": "A"}, {"value": "b", "text": "B"}, {"value": "c", "text": "C"}]}))
        .unwrap();
        let loc = [Loc::from("settings")];
        let reordered = json!({"type": "label_selection", "options": [
            {"value": "c", "text": "Cee"}, {"value": "a", "text": "A"}, {"value": "b", "text": "B"}], "visible_options": 3});
        let res = label.update(&reordered, &loc, Limits::default()).unwrap().unwrap();
        assert_eq!(res.option_values(), ["c", "a", "b"]);
        let renamed = json!({"type": "label_selection", "options": [
            {"value": "x", "text": "A"}, {"value": "a", "text": "A"}, {"value": "b", "text": "B"}]});
        assert!(label.update(&renamed, &loc, Limits::default()).unwrap().unwrap_err().0.contains("['x']"));
        let fewer =
            json!({"type": "label_selection", "options": [{"value": "a", "text": "A"}, {"value": "b", "text": "B"}]});
        assert!(label.update(&fewer, &loc, Limits::default()).unwrap().is_err());
        let retyped = json!({"type": "text"});
        assert!(label.update(&retyped, &loc, Limits::default()).unwrap().unwrap_err().0.contains("cannot be changed"));
    }

    #[test]
    fn metadata_values_follow_type_rules() {
        let int = MetadataSettings::Integer { min: Some(0), max: Some(10) };
        assert!(int.check_value(&json!(5)).is_ok());
        assert!(int.check_value(&json!(true)).is_ok());
        assert_eq!(int.check_value(&json!(5.5)).unwrap_err(), "'5.5' is not an integer.");
        assert_eq!(int.check_value(&json!(11)).unwrap_err(), "'11' is greater than the maximum value of '10'.");
        let float = MetadataSettings::Float { min: None, max: None };
        assert!(float.check_value(&json!(5.0)).is_ok());
        assert_eq!(float.check_value(&json!(5)).unwrap_err(), "'5' is not a float.");
        let terms = MetadataSettings::Terms { values: Some(vec![json!("a"), json!("b")]) };
        assert!(terms.check_value(&json!(["a", "b"])).is_ok());
        assert_eq!(terms.check_value(&json!("c")).unwrap_err(), "'c' is not an allowed term.");
    }

    #[test]
    fn messages_show_values_as_the_reference_renders_them() {
        // Each case would read differently under the naive quoting these messages used before.
        let loc = [Loc::from("settings")];
        let label = q(json!({"type": "label_selection", "options": [
            {"value": "a", "text": "A"}, {"value": "b", "text": "B"}]}))
        .unwrap();
        let renamed = json!({"type": "label_selection", "options": [
            {"value": "a", "text": "A"}, {"value": "don't\u{7}é", "text": "B"}]});
        assert_eq!(
            label.update(&renamed, &loc, Limits::default()).unwrap().unwrap_err().0,
            "the option values cannot be modified. found unexpected option values: [\"don't\\x07é\"]"
        );
        let duplicated = json!({"type": "label_selection", "options": [
            {"value": "it's", "text": "A"}, {"value": "it's", "text": "B"}, {"value": "a\\b", "text": "C"}, {"value": "a\\b", "text": "D"}]});
        assert_eq!(
            q(duplicated).unwrap_err().msg,
            "Value error, Option values must be unique, found duplicates: {'a\\\\b', \"it's\"}"
        );
        let terms = MetadataSettings::Terms { values: Some(vec![json!("a")]) };
        assert_eq!(terms.check_value(&json!(true)).unwrap_err(), "'True' is not an allowed term.");
        assert_eq!(terms.check_value(&json!([["a"]])).unwrap_err(), "'['a']' is not an allowed term.");
        let int = MetadataSettings::Integer { min: Some(2), max: None };
        assert_eq!(int.check_value(&json!(false)).unwrap_err(), "'False' is less than the minimum value of '2'.");
        let float = MetadataSettings::Float { min: None, max: Some(10.5) };
        assert_eq!(
            float.check_value(&json!(1e16)).unwrap_err(),
            "'1e+16' is greater than the maximum value of '10.5'."
        );
        assert_eq!(float.check_value(&json!({"k": null})).unwrap_err(), "'{'k': None}' is not a float.");
    }

    #[test]
    fn field_update_cannot_change_type() {
        let text = FieldSettings::Text { use_markdown: false };
        let loc = [Loc::from("settings")];
        let res = text.update(&json!({"type": "text", "use_markdown": true}), &loc).unwrap().unwrap();
        assert_eq!(res, FieldSettings::Text { use_markdown: true });
        assert!(text.update(&json!({"type": "image"}), &loc).unwrap().is_err());
    }
}
