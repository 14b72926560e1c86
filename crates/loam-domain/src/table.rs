//! A typed table: what a training export produces, row by row, and what every file format
//! (JSONL, CSV, Parquet, a Hugging Face datasets folder) writes. Every column may hold nulls.

use serde_json::Value;

/// The type of a column's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    Str,
    Int,
    Float,
    Bool,
    /// A list of strings (multi-label answers, annotators).
    StrList,
    /// A chat: a list of `{role, content}` messages (TRL's conversational layout).
    Messages,
    /// Any JSON value; written as JSON text where the format has no nested values of its own.
    Json,
    /// A list of integers (the rating answers of a record).
    IntList,
    /// A list of floats (a vector).
    FloatList,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub ty: ColumnType,
}

impl Column {
    pub fn new(name: impl Into<String>, ty: ColumnType) -> Self {
        Column { name: name.into(), ty }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub role: String,
    pub content: String,
}

/// One value of a row; its variant matches its column's type, or is `Null`.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null,
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    StrList(Vec<String>),
    Messages(Vec<Message>),
    Json(Value),
    IntList(Vec<i64>),
    FloatList(Vec<f64>),
}

impl Cell {
    /// Whether the cell may sit in a column of type `ty`.
    pub fn fits(&self, ty: ColumnType) -> bool {
        matches!(
            (self, ty),
            (Cell::Null, _)
                | (Cell::Str(_), ColumnType::Str)
                | (Cell::Int(_), ColumnType::Int)
                | (Cell::Float(_), ColumnType::Float)
                | (Cell::Bool(_), ColumnType::Bool)
                | (Cell::StrList(_), ColumnType::StrList)
                | (Cell::Messages(_), ColumnType::Messages)
                | (Cell::Json(_), ColumnType::Json)
                | (Cell::IntList(_), ColumnType::IntList)
                | (Cell::FloatList(_), ColumnType::FloatList)
        )
    }
}

/// A row: one cell per column, in the columns' order.
pub type Row = Vec<Cell>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_fit_their_own_type_and_null_fits_all() {
        assert!(Cell::Int(1).fits(ColumnType::Int));
        assert!(!Cell::Int(1).fits(ColumnType::Float));
        assert!(Cell::Null.fits(ColumnType::Messages));
        assert!(Cell::Json(Value::Null).fits(ColumnType::Json));
    }
}
