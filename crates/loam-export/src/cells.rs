//! Cells as JSON values (JSONL, and the JSON text of nested cells in CSV) and as CSV text.

use loam_domain::table::{Cell, Message};
use serde_json::{json, Map, Value};

/// A cell as a JSON value: lists as arrays, a chat as `[{"role", "content"}]`, a float that is
/// not finite as `null` (JSON has no NaN).
pub(crate) fn to_json(cell: &Cell) -> Value {
    match cell {
        Cell::Null => Value::Null,
        Cell::Str(it) => Value::String(it.clone()),
        Cell::Int(it) => json!(it),
        Cell::Float(it) => serde_json::Number::from_f64(*it).map_or(Value::Null, Value::Number),
        Cell::Bool(it) => Value::Bool(*it),
        Cell::StrList(items) => Value::Array(items.iter().cloned().map(Value::String).collect()),
        Cell::Messages(messages) => Value::Array(messages.iter().map(message_json).collect()),
        Cell::Json(it) => it.clone(),
        Cell::IntList(items) => Value::Array(items.iter().map(|it| json!(it)).collect()),
        Cell::FloatList(items) => Value::Array(items.iter().map(|it| to_json(&Cell::Float(*it))).collect()),
    }
}

fn message_json(message: &Message) -> Value {
    let mut it = Map::new();
    it.insert("role".into(), Value::String(message.role.clone()));
    it.insert("content".into(), Value::String(message.content.clone()));
    Value::Object(it)
}

/// A cell as the text of a CSV field: empty for null, numbers and booleans as Rust prints them,
/// strings as they are, lists, chats and JSON as JSON text.
pub(crate) fn to_text(cell: &Cell) -> String {
    match cell {
        Cell::Null => String::new(),
        Cell::Str(it) => it.clone(),
        Cell::Int(it) => it.to_string(),
        Cell::Float(it) => float_text(*it),
        Cell::Bool(it) => it.to_string(),
        Cell::StrList(_) | Cell::Messages(_) | Cell::IntList(_) | Cell::FloatList(_) => to_json(cell).to_string(),
        // A JSON string is written as JSON too (quoted), so that the column reads back as JSON.
        Cell::Json(it) => it.to_string(),
    }
}

/// A float as JSON prints it (`0.5`, `1.0`, `1e+100`), so CSV and JSONL agree; non-finite ones
/// as `NaN`, `inf`, `-inf`, what Python's `float()` reads.
fn float_text(value: f64) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value.is_infinite() {
        if value > 0.0 { "inf" } else { "-inf" }.into()
    } else {
        to_json(&Cell::Float(value)).to_string()
    }
}
