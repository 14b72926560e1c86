//! A record's `fields`: each value's shape (a string, chat messages, an object or null), then the
//! dataset's rules (required fields, no unknown field, the type of each field's value).

use serde_json::{json, Map, Value};

use super::image::image_problem;
use crate::error::{Loc, Rejection, SchemaError};
use crate::python::{repr_str, repr_str_list};
use crate::schema::{check_len, object};
use crate::settings::FieldSettings;

/// What a field check needs to know of a field.
#[derive(Clone, Copy, Debug)]
pub struct FieldRef<'a> {
    pub name: &'a str,
    pub required: bool,
    pub settings: &'a FieldSettings,
}

/// The most messages a chat field value may hold.
pub const CHAT_MAX_MESSAGES: usize = 500;
/// Length limits (in characters) of a chat message's `role` and `content`.
pub const CHAT_ROLE_CHARS: (usize, usize) = (1, 20);
pub const CHAT_CONTENT_CHARS: (usize, usize) = (1, 20_000);

/// Validates a record's `fields` value and returns the values to store (chat messages normalised
/// to `{role, content}`). The error reasons are the bare texts of model.md §7 item 1.
pub fn check_fields(fields: &Value, defs: &[FieldRef<'_>]) -> Result<Map<String, Value>, Rejection> {
    let Value::Object(map) = fields else {
        return Err(Rejection::invalid("fields cannot be empty"));
    };

    // Parse level: every value is a string, a list of chat messages, an object or null.
    let mut out = Map::new();
    for (key, value) in map {
        out.insert(key.clone(), parse_field_value(key, value)?);
    }

    if out.is_empty() {
        return Err(Rejection::invalid("fields cannot be empty"));
    }
    for def in defs {
        if def.required && out.get(def.name).is_none_or(Value::is_null) {
            return Err(Rejection::invalid(format!("missing required value for field: {}", repr_str(def.name))));
        }
    }
    let extra: Vec<&str> =
        out.keys().map(String::as_str).filter(|key| !defs.iter().any(|def| def.name == *key)).collect();
    if !extra.is_empty() {
        return Err(Rejection::invalid(format!(
            "found fields values for non configured fields: {}",
            repr_str_list(&extra)
        )));
    }

    // Per type, one type after the other (as the reference runs its per-type passes).
    let present = |def: &FieldRef<'_>| out.get(def.name).filter(|it| !it.is_null());
    for def in defs {
        if let (FieldSettings::Text { .. }, Some(value)) = (def.settings, present(def)) {
            if !value.is_string() {
                return Err(Rejection::invalid(format!("text field {} value must be a string", repr_str(def.name))));
            }
        }
    }
    for def in defs {
        if let (FieldSettings::Image, Some(value)) = (def.settings, present(def)) {
            if let Some(reason) = image_problem(def.name, value) {
                return Err(Rejection::invalid(reason));
            }
        }
    }
    for def in defs {
        if let (FieldSettings::Chat { .. }, Some(value)) = (def.settings, present(def)) {
            if !value.is_array() {
                return Err(Rejection::invalid(format!(
                    "chat field {} value must be a list of messages",
                    repr_str(def.name)
                )));
            }
        }
    }
    for def in defs {
        if let (FieldSettings::Custom { .. }, Some(value)) = (def.settings, present(def)) {
            if !value.is_object() {
                return Err(Rejection::invalid(format!(
                    "custom field {} value must be a dictionary",
                    repr_str(def.name)
                )));
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Parse level

/// One field value at parse level: strings, objects and nulls pass as they are, lists must be chat
/// messages (normalised to `{role, content}`), anything else is rejected.
fn parse_field_value(key: &str, value: &Value) -> Result<Value, SchemaError> {
    let loc = vec![Loc::from("fields"), Loc::Key(key.to_owned())];
    match value {
        Value::Null | Value::String(_) | Value::Object(_) => Ok(value.clone()),
        Value::Array(items) => {
            let mut messages = Vec::with_capacity(items.len().min(CHAT_MAX_MESSAGES));
            for (idx, item) in items.iter().enumerate() {
                let mut item_loc = loc.clone();
                item_loc.push(Loc::Index(idx));
                let obj = object(item, &item_loc)?;
                let role = chat_text(obj, "role", &item_loc, CHAT_ROLE_CHARS)?;
                let content = chat_text(obj, "content", &item_loc, CHAT_CONTENT_CHARS)?;
                messages.push(json!({"role": role, "content": content}));
            }
            if items.len() > CHAT_MAX_MESSAGES {
                return Err(SchemaError::value(
                    loc,
                    format!(
                        "Number of chat messages in field '{key}' exceeds the maximum allowed value of {CHAT_MAX_MESSAGES}"
                    ),
                ));
            }
            Ok(Value::Array(messages))
        }
        Value::Bool(_) | Value::Number(_) => Err(SchemaError::new(
            loc,
            "string_type",
            "Input should be a valid string, a list of chat messages, a dictionary or null",
        )),
    }
}

fn chat_text<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    loc: &[Loc],
    (min, max): (usize, usize),
) -> Result<&'a str, SchemaError> {
    let mut loc = loc.to_vec();
    loc.push(Loc::from(key));
    match obj.get(key) {
        None => Err(SchemaError::new(loc, "missing", "Field required")),
        Some(Value::String(text)) => {
            check_len(text, &loc, min, max)?;
            Ok(text)
        }
        Some(_) => Err(SchemaError::new(loc, "string_type", "Input should be a valid string")),
    }
}
