//! A small reader over JSON objects that reports schema errors with their location.
//!
//! Request bodies are parsed by hand rather than with derived `Deserialize`, because the Argilla
//! wire rules are finer than serde's: unknown keys are ignored, explicit `null` is accepted only for
//! keys typed "X or null", lengths count Unicode characters, and every problem has a `loc`.

use serde_json::{Map, Value};

use crate::error::{Loc, SchemaError};

pub type Obj = Map<String, Value>;

/// Reads keys of one JSON object; `loc` is where the object sits in the request.
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    pub obj: &'a Obj,
    pub loc: &'a [Loc],
}

/// Treats `value` as an object, or says it is not one.
pub fn object<'a>(value: &'a Value, loc: &[Loc]) -> Result<&'a Obj, SchemaError> {
    value.as_object().ok_or_else(|| {
        SchemaError::new(loc.to_vec(), "model_attributes_type", "Input should be a valid dictionary or object")
    })
}

impl<'a> Reader<'a> {
    pub fn new(obj: &'a Obj, loc: &'a [Loc]) -> Self {
        Self { obj, loc }
    }

    pub fn at(&self, key: &str) -> Vec<Loc> {
        let mut loc = self.loc.to_vec();
        loc.push(Loc::Key(key.to_owned()));
        loc
    }

    /// The raw value, `None` when the key is absent (an explicit `null` is `Some(Null)`).
    pub fn raw(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key)
    }

    pub fn has(&self, key: &str) -> bool {
        self.obj.contains_key(key)
    }

    fn missing(&self, key: &str) -> SchemaError {
        SchemaError::new(self.at(key), "missing", "Field required")
    }

    /// A required, non-null string of `min..=max` characters.
    pub fn string(&self, key: &str, min: usize, max: usize) -> Result<String, SchemaError> {
        match self.obj.get(key) {
            None => Err(self.missing(key)),
            Some(value) => string_value(value, &self.at(key), min, max),
        }
    }

    /// A string of `min..=max` characters, or `None` when absent or null.
    pub fn opt_string(&self, key: &str, min: usize, max: usize) -> Result<Option<String>, SchemaError> {
        match self.obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => string_value(value, &self.at(key), min, max).map(Some),
        }
    }

    /// A boolean that may be absent (then `default`) but not null.
    pub fn bool_or(&self, key: &str, default: bool) -> Result<bool, SchemaError> {
        match self.obj.get(key) {
            None => Ok(default),
            Some(Value::Bool(it)) => Ok(*it),
            Some(_) => Err(SchemaError::new(self.at(key), "bool_type", "Input should be a valid boolean")),
        }
    }

    /// A boolean that may be absent or null (then `default`).
    pub fn opt_bool_or(&self, key: &str, default: bool) -> Result<bool, SchemaError> {
        match self.obj.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(_) => self.bool_or(key, default),
        }
    }

    /// An integer, or `None` when absent or null.
    pub fn opt_int(&self, key: &str) -> Result<Option<i64>, SchemaError> {
        match self.obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => int_value(value, &self.at(key)).map(Some),
        }
    }

    /// A required integer.
    pub fn int(&self, key: &str) -> Result<i64, SchemaError> {
        match self.obj.get(key) {
            None => Err(self.missing(key)),
            Some(value) => int_value(value, &self.at(key)),
        }
    }

    /// A number (integer or float), or `None` when absent or null.
    pub fn opt_number(&self, key: &str) -> Result<Option<f64>, SchemaError> {
        match self.obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_f64()
                .map(Some)
                .ok_or_else(|| SchemaError::new(self.at(key), "float_type", "Input should be a valid number")),
            Some(_) => Err(SchemaError::new(self.at(key), "float_type", "Input should be a valid number")),
        }
    }

    /// A required, non-null object.
    pub fn object(&self, key: &str) -> Result<&'a Obj, SchemaError> {
        match self.obj.get(key) {
            None => Err(self.missing(key)),
            Some(value) => object(value, &self.at(key)),
        }
    }

    /// A required, non-null array.
    pub fn array(&self, key: &str) -> Result<&'a Vec<Value>, SchemaError> {
        match self.obj.get(key) {
            None => Err(self.missing(key)),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(SchemaError::new(self.at(key), "list_type", "Input should be a valid list")),
        }
    }

    /// A UUID in its string form, or `None` when absent or null.
    pub fn opt_uuid(&self, key: &str) -> Result<Option<uuid::Uuid>, SchemaError> {
        match self.obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => uuid_value(value, &self.at(key)).map(Some),
        }
    }

    /// A required UUID.
    pub fn uuid(&self, key: &str) -> Result<uuid::Uuid, SchemaError> {
        match self.obj.get(key) {
            None => Err(self.missing(key)),
            Some(value) => uuid_value(value, &self.at(key)),
        }
    }

    /// Rejects explicit nulls for keys a PATCH body may omit but not clear.
    pub fn non_nullable(&self, keys: &[&str]) -> Result<(), SchemaError> {
        let nulls: Vec<&str> =
            keys.iter().copied().filter(|key| matches!(self.obj.get(*key), Some(Value::Null))).collect();
        if nulls.is_empty() {
            return Ok(());
        }
        Err(SchemaError::value(
            self.loc.to_vec(),
            format!("The following keys must have non-null values: {}", nulls.join(", ")),
        ))
    }
}

pub fn string_value(value: &Value, loc: &[Loc], min: usize, max: usize) -> Result<String, SchemaError> {
    let Value::String(text) = value else {
        return Err(SchemaError::new(loc.to_vec(), "string_type", "Input should be a valid string"));
    };
    check_len(text, loc, min, max)?;
    Ok(text.clone())
}

/// Checks a length counted in Unicode characters, as the clients count it.
pub fn check_len(text: &str, loc: &[Loc], min: usize, max: usize) -> Result<(), SchemaError> {
    let n_chars = text.chars().count();
    if n_chars < min {
        let plural = if min == 1 { "" } else { "s" };
        return Err(SchemaError::new(
            loc.to_vec(),
            "string_too_short",
            format!("String should have at least {min} character{plural}"),
        ));
    }
    if n_chars > max {
        return Err(SchemaError::new(
            loc.to_vec(),
            "string_too_long",
            format!("String should have at most {max} characters"),
        ));
    }
    Ok(())
}

pub fn int_value(value: &Value, loc: &[Loc]) -> Result<i64, SchemaError> {
    match value {
        Value::Number(n) => {
            if let Some(it) = n.as_i64() {
                return Ok(it);
            }
            // Pydantic accepts floats with no fractional part for int fields.
            if let Some(f) = n.as_f64() {
                if f.fract() == 0.0 && f.abs() < 9.0e15 {
                    #[allow(clippy::cast_possible_truncation)]
                    return Ok(f as i64);
                }
            }
            Err(SchemaError::new(
                loc.to_vec(),
                "int_from_float",
                "Input should be a valid integer, got a number with a fractional part",
            ))
        }
        _ => Err(SchemaError::new(loc.to_vec(), "int_type", "Input should be a valid integer")),
    }
}

pub fn uuid_value(value: &Value, loc: &[Loc]) -> Result<uuid::Uuid, SchemaError> {
    value
        .as_str()
        .and_then(|text| uuid::Uuid::parse_str(text).ok())
        .ok_or_else(|| SchemaError::new(loc.to_vec(), "uuid_parsing", "Input should be a valid UUID"))
}
