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
    /// JSON values of a known nested shape (cells are [`Cell::Json`]): written as JSON where the
    /// format holds JSON (JSONL; CSV as JSON text), with the shape's own nested type in Parquet
    /// (what the Argilla SDK's `to_datasets()` gives those columns).
    Nested(Nested),
}

/// The shapes of [`ColumnType::Nested`]. A value that does not have its shape (a part of
/// another type) is null where it stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nested {
    /// A list of lists of strings: multi-label and ranking answers, one list per response.
    StrLists,
    /// A list of spans, each `{label, start, end}`: a span suggestion.
    Spans,
    /// A list of span lists: span answers, one list per response.
    SpanLists,
    /// A list of numbers: the score of a suggestion whose value is a list.
    Floats,
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
                | (Cell::Json(_), ColumnType::Json | ColumnType::Nested(_))
                | (Cell::IntList(_), ColumnType::IntList)
                | (Cell::FloatList(_), ColumnType::FloatList)
        )
    }
}

/// A row: one cell per column, in the columns' order.
pub type Row = Vec<Cell>;

/// Writes a row's cells in order over a row that may hold an earlier row's, reusing the memory
/// of its strings and lists (an export recycles the rows its writer is done with): after the
/// last cell the row is cut to the cells written (when this is dropped).
pub struct Refill<'r> {
    row: &'r mut Row,
    at: usize,
}

impl<'r> Refill<'r> {
    pub fn new(row: &'r mut Row) -> Self {
        Refill { row, at: 0 }
    }

    /// The next cell, as the earlier row left it.
    fn next(&mut self) -> &mut Cell {
        if self.at == self.row.len() {
            self.row.push(Cell::Null);
        }
        let at = self.at;
        self.at += 1;
        &mut self.row[at]
    }

    /// The next cell is `cell`.
    pub fn push(&mut self, cell: Cell) {
        *self.next() = cell;
    }

    pub fn null(&mut self) {
        self.push(Cell::Null);
    }

    /// The next cell is `Str(text)`.
    pub fn str(&mut self, text: &str) {
        let cell = self.next();
        match cell {
            Cell::Str(it) => {
                it.clear();
                it.push_str(text);
            }
            other => *other = Cell::Str(text.to_owned()),
        }
    }

    /// The next cell is `StrList` of `items`.
    pub fn str_list<S: AsRef<str>>(&mut self, items: impl IntoIterator<Item = S>) {
        self.str_list_by(items, |item, out| out.push_str(item.as_ref()));
    }

    /// The next cell is `StrList` of what `write` writes of each of `items` (into an empty string).
    pub fn str_list_by<T>(&mut self, items: impl IntoIterator<Item = T>, write: impl Fn(&T, &mut String)) {
        let cell = self.next();
        if !matches!(cell, Cell::StrList(_)) {
            *cell = Cell::StrList(Vec::new());
        }
        if let Cell::StrList(list) = cell {
            let mut n = 0;
            for item in items {
                match list.get_mut(n) {
                    Some(it) => {
                        it.clear();
                        write(&item, it);
                    }
                    None => {
                        let mut it = String::new();
                        write(&item, &mut it);
                        list.push(it);
                    }
                }
                n += 1;
            }
            list.truncate(n);
        }
    }

    /// The next cell is `IntList` of `items`.
    pub fn int_list(&mut self, items: impl IntoIterator<Item = i64>) {
        let cell = self.next();
        if !matches!(cell, Cell::IntList(_)) {
            *cell = Cell::IntList(Vec::new());
        }
        if let Cell::IntList(list) = cell {
            list.clear();
            list.extend(items);
        }
    }

    /// The next cell is `FloatList(items)`.
    pub fn float_list(&mut self, items: &[f64]) {
        let cell = self.next();
        if !matches!(cell, Cell::FloatList(_)) {
            *cell = Cell::FloatList(Vec::new());
        }
        if let Cell::FloatList(list) = cell {
            list.clear();
            list.extend_from_slice(items);
        }
    }

    /// The next cell is `Json` of an object of `names` with `values` (numbers; null when `None`
    /// or not finite), reusing the earlier object when it had the same names in order.
    pub fn json_numbers<'s>(
        &mut self,
        names: impl ExactSizeIterator<Item = &'s str> + Clone,
        values: impl Iterator<Item = Option<f64>>,
    ) {
        let number = |it: Option<f64>| it.and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number);
        let cell = self.next();
        if let Cell::Json(Value::Object(map)) = cell {
            if map.len() == names.len() && map.keys().zip(names.clone()).all(|(key, name)| key == name) {
                for (slot, value) in map.values_mut().zip(values) {
                    *slot = number(value);
                }
                return;
            }
        }
        let mut map = serde_json::Map::with_capacity(names.len());
        for (name, value) in names.zip(values) {
            map.insert(name.to_owned(), number(value));
        }
        *cell = Cell::Json(Value::Object(map));
    }
}

impl Drop for Refill<'_> {
    fn drop(&mut self) {
        self.row.truncate(self.at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refilled_row_holds_the_new_cells_only() {
        let mut row = vec![
            Cell::Str("old".into()),
            Cell::StrList(vec!["a".into(), "b".into(), "c".into()]),
            Cell::Json(serde_json::json!({"q": 1.0, "r": null})),
            Cell::Int(4),
            Cell::Null,
        ];
        {
            let mut out = Refill::new(&mut row);
            out.str("new");
            out.str_list(["x", "y"]);
            out.json_numbers(["q", "r"].into_iter(), [None, Some(0.5)].into_iter());
            out.int_list([1, 2]);
        }
        assert_eq!(
            row,
            vec![
                Cell::Str("new".into()),
                Cell::StrList(vec!["x".into(), "y".into()]),
                Cell::Json(serde_json::json!({"q": null, "r": 0.5})),
                Cell::IntList(vec![1, 2]),
            ]
        );
        {
            let mut out = Refill::new(&mut row);
            out.json_numbers(["other"].into_iter(), [Some(f64::NAN)].into_iter());
            out.str_list_by([7, 8, 9], |n, s| s.push_str(&n.to_string()));
            out.float_list(&[0.25]);
            out.push(Cell::Bool(true));
            out.null();
        }
        assert_eq!(
            row,
            vec![
                Cell::Json(serde_json::json!({"other": null})),
                Cell::StrList(vec!["7".into(), "8".into(), "9".into()]),
                Cell::FloatList(vec![0.25]),
                Cell::Bool(true),
                Cell::Null,
            ]
        );
    }

    #[test]
    fn cells_fit_their_own_type_and_null_fits_all() {
        assert!(Cell::Int(1).fits(ColumnType::Int));
        assert!(!Cell::Int(1).fits(ColumnType::Float));
        assert!(Cell::Null.fits(ColumnType::Messages));
        assert!(Cell::Json(Value::Null).fits(ColumnType::Json));
    }
}
