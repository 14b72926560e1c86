//! Metadata-property settings (terms, integer, float) and the rules a record's metadata value
//! must follow, with the reference's messages.

use serde_json::{json, Value};

use super::common::{count_in, type_tag};
use crate::error::Loc;
use crate::error::SchemaError;
use crate::python::str_of;
use crate::schema::{object, Reader};

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
