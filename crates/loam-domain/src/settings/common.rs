//! What the settings of every kind share: the limits a deployment may tune, the `type` tag that
//! picks a settings kind, list length checks, names, and the one-level merge of an update.

use serde_json::{Map, Value};

use crate::error::{Loc, SchemaError};
use crate::schema::{string_value, Reader};

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

pub(super) fn type_tag<'a>(r: &Reader<'_>, allowed: &[&'a str]) -> Result<&'a str, SchemaError> {
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

pub(super) fn count_in(n: usize, min: usize, max: usize, loc: &[Loc]) -> Result<(), SchemaError> {
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

/// Parses a name (1..200 characters) at `loc`.
pub fn name(value: &Value, loc: &[Loc]) -> Result<String, SchemaError> {
    string_value(value, loc, 1, 200)
}
