//! The text a record's fields give the full-text index: which field values are searchable and
//! as what text. Pure, so the store computes it in the write that stores the record, and both
//! engines index the same words.

use serde_json::{Map, Value};

use crate::model::DatasetSchema;
use crate::settings::FieldSettings;

/// The text the index holds for one field value (`None`: the value is not searchable text).
pub fn field_text(settings: &FieldSettings, value: &Value) -> Option<String> {
    match (settings, value) {
        (FieldSettings::Text { .. }, Value::String(text)) => Some(text.clone()),
        (FieldSettings::Chat { .. }, Value::Array(messages)) => {
            let parts: Vec<&str> = messages.iter().filter_map(|m| m.get("content").and_then(Value::as_str)).collect();
            Some(parts.join("\n"))
        }
        (FieldSettings::Custom { .. }, Value::Object(_)) => Some(value.to_string()),
        _ => None,
    }
}

/// The `(field ordinal, text)` pairs of a record's fields, the ordinal being the field's position
/// in the dataset's settings (the text index keys a text by record and ordinal).
pub fn record_texts(schema: &DatasetSchema, fields: &Map<String, Value>) -> Vec<(i64, String)> {
    schema
        .fields
        .iter()
        .enumerate()
        .filter_map(|(ordinal, field)| {
            let text = field_text(&field.settings, fields.get(&field.name)?)?;
            Some((ordinal as i64, text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_and_custom_fields_are_indexed_as_text() {
        let chat = FieldSettings::Chat { use_markdown: true };
        let value = serde_json::json!([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]);
        assert_eq!(field_text(&chat, &value).as_deref(), Some("hi\nhello"));
        assert_eq!(field_text(&FieldSettings::Image, &serde_json::json!("http://x/y.png")), None);
    }
}
