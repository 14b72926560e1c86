//! Checking a reply against the document: the subset of JSON Schema the document uses, enough for
//! the API tests to hold every reply they get to what the document declares.

use serde_json::Value;

use super::describe::types_of;

/// Checks a reply against `doc`: the status must be declared for the operation `method` `path`
/// (a concrete path, matched against the templates) and a JSON body must match its schema.
/// `Ok(false)` when no operation matches (an unknown route: the JSON 404 is not an operation's).
/// The validator covers the subset of JSON Schema the document uses.
pub fn check_reply(doc: &Value, method: &str, path: &str, status: u16, body: Option<&Value>) -> Result<bool, String> {
    let method = method.to_ascii_lowercase();
    let Some(paths) = doc["paths"].as_object() else { return Err("the document has no paths".into()) };
    let Some(op) = paths.iter().find(|(template, item)| item.get(&method).is_some() && path_matches(template, path))
    else {
        return Ok(false);
    };
    let (template, item) = op;
    let responses = &item[&method]["responses"];
    let Some(reply) = responses.get(status.to_string()) else {
        return Err(format!("{method} {template}: status {status} is not declared (body: {body:?})"));
    };
    let schema = &reply["content"]["application/json"]["schema"];
    match (body, schema.is_null()) {
        (Some(body), false) => {
            let mut errors = Vec::new();
            validate(doc, schema, body, "$", &mut errors);
            if errors.is_empty() {
                Ok(true)
            } else {
                Err(format!("{method} {template} {status}: the reply does not match its schema: {}", errors.join("; ")))
            }
        }
        (Some(body), true) => Err(format!("{method} {template} {status}: a body is sent but none declared: {body}")),
        (None, _) => Ok(true),
    }
}

fn path_matches(template: &str, path: &str) -> bool {
    let a: Vec<&str> = template.split('/').collect();
    let b: Vec<&str> = path.split('/').collect();
    a.len() == b.len() && a.iter().zip(&b).all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
}

fn type_ok(kind: &str, value: &Value) -> bool {
    match kind {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => false,
    }
}

pub(crate) fn validate(doc: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/components/schemas/");
        return validate(doc, &doc["components"]["schemas"][name], value, at, errors);
    }
    if let Some(options) = schema.get("anyOf").and_then(Value::as_array) {
        let fits = options.iter().any(|option| {
            let mut inner = Vec::new();
            validate(doc, option, value, at, &mut inner);
            inner.is_empty()
        });
        if !fits {
            errors.push(format!("{at}: matches none of anyOf: {value}"));
        }
        return;
    }
    let kinds = types_of(schema);
    if !kinds.is_empty() && !kinds.iter().any(|k| type_ok(k, value)) {
        errors.push(format!("{at}: {value} is not of type {}", kinds.join(" or ")));
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            errors.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    if let Some(expected) = schema.get("const") {
        if expected != value {
            errors.push(format!("{at}: {value} is not {expected}"));
        }
    }
    if let Value::Object(map) = value {
        for key in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            if let Some(key) = key.as_str() {
                if !map.contains_key(key) {
                    errors.push(format!("{at}: required key `{key}` is missing"));
                }
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (key, item) in map {
            match props.and_then(|p| p.get(key)) {
                Some(sub) => validate(doc, sub, item, &format!("{at}.{key}"), errors),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => errors.push(format!("{at}: key `{key}` is not allowed")),
                    Some(sub) if sub.is_object() => validate(doc, sub, item, &format!("{at}.{key}"), errors),
                    _ => {}
                },
            }
        }
    }
    if let (Value::Array(items), Some(sub)) = (value, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            validate(doc, sub, item, &format!("{at}[{i}]"), errors);
        }
    }
}
