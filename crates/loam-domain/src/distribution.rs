//! Task distribution: when is a record completed?
//!
//! The only strategy is `overlap`: a record is completed once it has at least `min_submitted`
//! submitted responses. Drafts and discards never count.

use serde_json::{json, Value};

use crate::error::{Loc, SchemaError};
use crate::schema::{object, Reader};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Distribution {
    pub min_submitted: i64,
}

impl Default for Distribution {
    fn default() -> Self {
        Self { min_submitted: 1 }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordStatus {
    Pending,
    Completed,
}

impl RecordStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordStatus::Pending => "pending",
            RecordStatus::Completed => "completed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(RecordStatus::Pending),
            "completed" => Some(RecordStatus::Completed),
            _ => None,
        }
    }
}

impl Distribution {
    /// The status of a record with `n_submitted` submitted responses.
    pub fn status_for(self, n_submitted: i64) -> RecordStatus {
        if n_submitted >= self.min_submitted {
            RecordStatus::Completed
        } else {
            RecordStatus::Pending
        }
    }

    pub fn parse(value: &Value, loc: &[Loc]) -> Result<Self, SchemaError> {
        let obj = object(value, loc)?;
        let r = Reader::new(obj, loc);
        match r.raw("strategy") {
            Some(Value::String(it)) if it == "overlap" => {}
            None => return Err(SchemaError::new(r.at("strategy"), "missing", "Field required")),
            Some(_) => return Err(SchemaError::new(r.at("strategy"), "literal_error", "Input should be 'overlap'")),
        }
        let min_submitted = match r.raw("min_submitted") {
            None => 1,
            Some(_) => r.int("min_submitted")?,
        };
        if min_submitted < 1 {
            return Err(SchemaError::new(
                r.at("min_submitted"),
                "greater_than_equal",
                "Input should be greater than or equal to 1",
            ));
        }
        Ok(Self { min_submitted })
    }

    pub fn to_json(self) -> Value {
        json!({"strategy": "overlap", "min_submitted": self.min_submitted})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_at_min_submitted() {
        let d = Distribution { min_submitted: 2 };
        assert_eq!(d.status_for(0), RecordStatus::Pending);
        assert_eq!(d.status_for(1), RecordStatus::Pending);
        assert_eq!(d.status_for(2), RecordStatus::Completed);
        assert_eq!(d.status_for(3), RecordStatus::Completed);
    }

    #[test]
    fn parses_wire_shape() {
        assert_eq!(
            Distribution::parse(&json!({"strategy": "overlap", "min_submitted": 3}), &[]).unwrap().min_submitted,
            3
        );
        assert!(Distribution::parse(&json!({"strategy": "overlap", "min_submitted": 0}), &[]).is_err());
        assert!(Distribution::parse(&json!({"strategy": "random"}), &[]).is_err());
        assert!(Distribution::parse(&json!(null), &[]).is_err());
    }
}
