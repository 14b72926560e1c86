//! Field settings (text, image, chat, custom) and a field's `description`.

use serde_json::{json, Value};

use super::common::{merge, type_tag};
use crate::error::{Invalid, Loc, Rejection, SchemaError};
use crate::schema::{object, string_value, Reader};

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
        Rejection::nested(self.updated(value, loc))
    }

    fn updated(&self, value: &Value, loc: &[Loc]) -> Result<Self, Rejection> {
        let obj = object(value, loc)?;
        let r = Reader::new(obj, loc);
        let new_type = type_tag(&r, &["text", "image", "chat", "custom"])?;
        if new_type != self.type_name() {
            return Err(Rejection::invalid(format!(
                "Field type cannot be changed. Expected '{}' but got '{}'",
                self.type_name(),
                new_type
            )));
        }
        let merged = merge(&self.to_json(), value);
        Ok(Self::parse(&merged, loc)?)
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
