//! Question settings by type: parsed at creation under the deployment's limits, rendered to the
//! wire shape, and updated (same type; options may be reordered or retitled, not changed).

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::common::{count_in, type_tag, Limits};
use super::options::{
    label_options, options_order, updated_options, updated_visible, visible_options, LabelOption, OptionsOrder,
};
use crate::error::{Invalid, Loc, Rejection, SchemaError};
use crate::schema::{object, Reader};

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
        Rejection::nested(self.updated(value, loc, limits))
    }

    fn updated(&self, value: &Value, loc: &[Loc], limits: Limits) -> Result<Self, Rejection> {
        let obj = object(value, loc)?;
        let r = Reader::new(obj, loc);
        let new_type = type_tag(&r, QUESTION_TYPES)?;
        if new_type != self.type_name() {
            return Err(Rejection::invalid(format!(
                "question type cannot be changed. expected '{}' but got '{}'",
                self.type_name(),
                new_type
            )));
        }
        let res = match self {
            QuestionSettings::Text { use_markdown } => {
                QuestionSettings::Text { use_markdown: r.bool_or("use_markdown", *use_markdown)? }
            }
            // Options of rating and ranking questions cannot change.
            QuestionSettings::Rating { .. } | QuestionSettings::Ranking { .. } => self.clone(),
            QuestionSettings::LabelSelection { options, visible_options: old_visible } => {
                let options = updated_options(&r, options, limits)?;
                let visible_options = updated_visible(&r, *old_visible, options.len())?;
                QuestionSettings::LabelSelection { options, visible_options }
            }
            QuestionSettings::MultiLabelSelection {
                options,
                visible_options: old_visible,
                options_order: old_order,
            } => {
                let options = updated_options(&r, options, limits)?;
                let visible_options = updated_visible(&r, *old_visible, options.len())?;
                r.non_nullable(&["options_order"])?;
                let options_order = options_order(&r, *old_order)?;
                QuestionSettings::MultiLabelSelection { options, visible_options, options_order }
            }
            QuestionSettings::Span { field, options, visible_options: old_visible, allow_overlapping: old_overlap } => {
                let options = updated_options(&r, options, limits)?;
                let visible_options = updated_visible(&r, *old_visible, options.len())?;
                let allow_overlapping = r.bool_or("allow_overlapping", *old_overlap)?;
                if *old_overlap && !allow_overlapping {
                    return Err(Rejection::invalid(
                        "'allow_overlapping' can't be disabled because responses may become inconsistent",
                    ));
                }
                QuestionSettings::Span { field: field.clone(), options, visible_options, allow_overlapping }
            }
        };
        Ok(res)
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
