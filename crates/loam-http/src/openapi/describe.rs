//! Reply schemas described from sample values: small JSON Schema constructors, a sample's
//! schema, several samples merged (a key null in one is nullable, absent in one is optional), and
//! hand-set parts for keys named by data.

use serde_json::{json, Map, Value};

/// Small constructors of JSON Schema values (OpenAPI 3.1 is JSON Schema 2020-12).
pub mod schema {
    use serde_json::{json, Map, Value};

    pub fn any() -> Value {
        json!({})
    }
    pub fn string() -> Value {
        json!({"type": "string"})
    }
    /// A string of `min..=max` characters.
    pub fn text(min: usize, max: usize) -> Value {
        json!({"type": "string", "minLength": min, "maxLength": max})
    }
    pub fn uuid() -> Value {
        json!({"type": "string", "format": "uuid"})
    }
    pub fn integer() -> Value {
        json!({"type": "integer"})
    }
    pub fn number() -> Value {
        json!({"type": "number"})
    }
    pub fn boolean() -> Value {
        json!({"type": "boolean"})
    }
    pub fn one_of_text(values: &[&str]) -> Value {
        json!({"type": "string", "enum": values})
    }
    pub fn array(items: Value) -> Value {
        json!({"type": "array", "items": items})
    }
    /// An array of `min..=max` items.
    pub fn array_of(items: Value, min: usize, max: usize) -> Value {
        json!({"type": "array", "items": items, "minItems": min, "maxItems": max})
    }
    /// An object whose keys are data (field names, question names…), each value `values`.
    pub fn map(values: Value) -> Value {
        json!({"type": "object", "additionalProperties": values})
    }
    /// `schema` or null.
    pub fn nullable(schema: Value) -> Value {
        match schema.get("type") {
            Some(Value::String(kind)) => {
                let mut res = schema.clone();
                res["type"] = json!([kind, "null"]);
                res
            }
            Some(Value::Array(kinds)) if !kinds.contains(&json!("null")) => {
                let mut res = schema.clone();
                let mut kinds = kinds.clone();
                kinds.push(json!("null"));
                res["type"] = Value::Array(kinds);
                res
            }
            Some(_) => schema,
            None if schema.as_object().is_some_and(Map::is_empty) => schema,
            None => json!({"anyOf": [schema, {"type": "null"}]}),
        }
    }
    /// Any of `schemas`.
    pub fn any_of(schemas: Vec<Value>) -> Value {
        json!({"anyOf": schemas})
    }
    /// An object with these keys (`required` among them); other keys are allowed (and ignored
    /// by the server).
    pub fn object(properties: &[(&str, Value)], required: &[&str]) -> Value {
        let props: Map<String, Value> = properties.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
        json!({"type": "object", "properties": props, "required": required})
    }
}

/// A JSON Schema describing `sample` (types of its keys, recursively; every key required).
pub fn describe(sample: &Value) -> Value {
    match sample {
        Value::Null => json!({"type": "null"}),
        Value::Bool(_) => json!({"type": "boolean"}),
        Value::Number(n) if n.is_f64() => json!({"type": "number"}),
        Value::Number(_) => json!({"type": "integer"}),
        Value::String(_) => json!({"type": "string"}),
        Value::Array(items) => match items.split_first() {
            Some((first, rest)) => {
                let items = rest.iter().fold(describe(first), |acc, it| merge(&acc, &describe(it)));
                json!({"type": "array", "items": items})
            }
            None => json!({"type": "array"}),
        },
        Value::Object(map) => {
            let properties: Map<String, Value> = map.iter().map(|(k, v)| (k.clone(), describe(v))).collect();
            let required: Vec<&String> = map.keys().collect();
            json!({"type": "object", "properties": properties, "required": required})
        }
    }
}

/// A JSON Schema describing every one of `samples`: an object's key is required only if every
/// sample has it, a key null in one sample is nullable, differing types are listed.
pub fn describe_all(samples: &[Value]) -> Value {
    let mut it = samples.iter();
    let Some(first) = it.next() else {
        return schema::any();
    };
    it.fold(describe(first), |acc, sample| merge(&acc, &describe(sample)))
}

pub(super) fn types_of(schema: &Value) -> Vec<String> {
    match schema.get("type") {
        Some(Value::String(kind)) => vec![kind.clone()],
        Some(Value::Array(kinds)) => kinds.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// The union of two described schemas (both from [`describe`] or this function).
fn merge(a: &Value, b: &Value) -> Value {
    if a.as_object().is_some_and(Map::is_empty) || b.as_object().is_some_and(Map::is_empty) {
        return schema::any();
    }
    let mut kinds: Vec<String> = types_of(a);
    for kind in types_of(b) {
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    // JSON Schema's "number" includes integers.
    if kinds.iter().any(|k| k == "number") {
        kinds.retain(|k| k != "integer");
    }
    let mut res = Map::new();
    res.insert(
        "type".into(),
        if kinds.len() == 1 { json!(kinds[0]) } else { Value::Array(kinds.iter().map(|k| json!(k)).collect()) },
    );
    if kinds.iter().any(|k| k == "object") {
        let empty = Map::new();
        let props_a = a.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        let props_b = b.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        let mut props = props_a.clone();
        for (key, schema) in props_b {
            let merged = match props_a.get(key) {
                Some(other) => merge(other, schema),
                None => schema.clone(),
            };
            props.insert(key.clone(), merged);
        }
        let required_in = |schema: &Value, key: &str| {
            // A side that is not an object (null, say) puts no key requirement.
            !types_of(schema).contains(&"object".to_owned())
                || schema.get("required").and_then(Value::as_array).is_some_and(|r| r.contains(&json!(key)))
        };
        let required: Vec<&String> = props.keys().filter(|k| required_in(a, k) && required_in(b, k)).collect();
        res.insert("required".into(), json!(required));
        res.insert("properties".into(), Value::Object(props));
    }
    if kinds.iter().any(|k| k == "array") {
        let items = match (a.get("items"), b.get("items")) {
            (Some(x), Some(y)) => Some(merge(x, y)),
            (Some(x), None) | (None, Some(x)) => Some(x.clone()),
            (None, None) => None,
        };
        if let Some(items) = items {
            res.insert("items".into(), items);
        }
    }
    Value::Object(res)
}

/// Replaces the schema at `path` inside `schema`: each step is a property name, or `[]` for the
/// items of an array. For keys whose names come from data (a record's `fields`) or whose values
/// take any shape (a suggestion's `value`), where samples cannot speak for every case.
pub fn set_at(schema: &mut Value, path: &[&str], replacement: Value) {
    let mut at = schema;
    for step in path {
        at = if *step == "[]" { &mut at["items"] } else { &mut at["properties"][*step] };
    }
    *at = replacement;
}
