//! JSONL: one JSON object per row and line, keys in column order.
//!
//! Each line is written straight from the cells into one reused buffer (the keys escaped once),
//! with the bytes a `serde_json::Value` object of the same cells would print: compact, floats
//! that are not finite as `null`. Columns with a repeated name (no export has them) go through
//! such an object, which keeps a repeated key once, where it first stood, with its last value.

use std::io::{self, Write};

use loam_domain::table::{Cell, Column, Row};
use serde_json::{Map, Value};

use crate::{cells, check_row, TableWriter};

/// Appends `value` as compact JSON (writing to a `Vec` cannot fail, nor can these values).
macro_rules! write_json {
    ($line:expr, $value:expr) => {{
        let _ = serde_json::to_writer(&mut *$line, $value);
    }};
}

pub struct JsonlWriter<W: Write> {
    columns: Vec<Column>,
    /// Each column's key as JSON text followed by `:`; `None` when some name repeats.
    keys: Option<Vec<Vec<u8>>>,
    line: Vec<u8>,
    out: W,
    rows: u64,
}

impl<W: Write> JsonlWriter<W> {
    pub fn new(columns: &[Column], out: W) -> Self {
        let mut names: Vec<&str> = columns.iter().map(|it| it.name.as_str()).collect();
        names.sort_unstable();
        let unique = names.windows(2).all(|pair| pair[0] != pair[1]);
        let keys = unique.then(|| {
            columns
                .iter()
                .map(|it| {
                    let mut key = Vec::with_capacity(it.name.len() + 3);
                    write_json!(&mut key, it.name.as_str());
                    key.push(b':');
                    key
                })
                .collect()
        });
        JsonlWriter { columns: columns.to_vec(), keys, line: Vec::new(), out, rows: 0 }
    }
}

/// Appends a cell as `cells::to_json` would print it.
fn write_cell(line: &mut Vec<u8>, cell: &Cell) {
    match cell {
        Cell::Null => line.extend_from_slice(b"null"),
        Cell::Str(it) => write_json!(line, it.as_str()),
        Cell::Int(it) => write_json!(line, it),
        // serde_json prints a float that is not finite as null, as `to_json` makes it.
        Cell::Float(it) => write_json!(line, it),
        Cell::Bool(it) => write_json!(line, it),
        Cell::StrList(items) => write_json!(line, items),
        Cell::Messages(messages) => {
            line.push(b'[');
            for (n, message) in messages.iter().enumerate() {
                if n > 0 {
                    line.push(b',');
                }
                line.extend_from_slice(b"{\"role\":");
                write_json!(line, message.role.as_str());
                line.extend_from_slice(b",\"content\":");
                write_json!(line, message.content.as_str());
                line.push(b'}');
            }
            line.push(b']');
        }
        Cell::Json(it) => write_json!(line, it),
        Cell::IntList(items) => write_json!(line, items),
        Cell::FloatList(items) => write_json!(line, items),
    }
}

impl<W: Write> TableWriter for JsonlWriter<W> {
    fn write(&mut self, row: &Row) -> io::Result<()> {
        check_row(&self.columns, row)?;
        self.line.clear();
        match &self.keys {
            Some(keys) => {
                self.line.push(b'{');
                for (n, (key, cell)) in keys.iter().zip(row).enumerate() {
                    if n > 0 {
                        self.line.push(b',');
                    }
                    self.line.extend_from_slice(key);
                    write_cell(&mut self.line, cell);
                }
                self.line.push(b'}');
            }
            None => {
                let mut object = Map::with_capacity(row.len());
                for (column, cell) in self.columns.iter().zip(row) {
                    object.insert(column.name.clone(), cells::to_json(cell));
                }
                write_json!(&mut self.line, &Value::Object(object));
            }
        }
        self.line.push(b'\n');
        self.out.write_all(&self.line)?;
        self.rows += 1;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<u64> {
        self.out.flush()?;
        Ok(self.rows)
    }
}

#[cfg(test)]
mod tests {
    use loam_domain::table::{ColumnType, Message};
    use serde_json::json;

    use super::*;

    /// What the writer wrote before it wrote lines straight from the cells: a `Value` object.
    fn by_value(columns: &[Column], row: &Row) -> String {
        let mut object = Map::new();
        for (column, cell) in columns.iter().zip(row) {
            object.insert(column.name.clone(), cells::to_json(cell));
        }
        format!("{}\n", Value::Object(object))
    }

    fn written(columns: &[Column], rows: &[Row]) -> String {
        let mut out = Vec::new();
        let mut writer = JsonlWriter::new(columns, &mut out);
        for row in rows {
            writer.write(row).unwrap();
        }
        drop(writer);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn lines_are_what_a_value_object_prints() {
        let columns = vec![
            Column::new("s \"quoted\"\n", ColumnType::Str),
            Column::new("i", ColumnType::Int),
            Column::new("f", ColumnType::Float),
            Column::new("b", ColumnType::Bool),
            Column::new("l", ColumnType::StrList),
            Column::new("m", ColumnType::Messages),
            Column::new("j", ColumnType::Json),
            Column::new("il", ColumnType::IntList),
            Column::new("fl", ColumnType::FloatList),
        ];
        let rows = vec![
            vec![
                Cell::Str("tab\t é \u{1}".into()),
                Cell::Int(-7),
                Cell::Float(0.1),
                Cell::Bool(true),
                Cell::StrList(vec!["a\"".into(), String::new()]),
                Cell::Messages(vec![Message { role: "user".into(), content: "hi\n".into() }]),
                Cell::Json(json!({"z": 1, "a": [null, 2.5]})),
                Cell::IntList(vec![1, i64::MIN]),
                Cell::FloatList(vec![1.0, f64::NAN, 1e300, f64::NEG_INFINITY]),
            ],
            vec![
                Cell::Null,
                Cell::Null,
                Cell::Float(f64::INFINITY),
                Cell::Null,
                Cell::StrList(vec![]),
                Cell::Messages(vec![]),
                Cell::Json(json!("text")),
                Cell::IntList(vec![]),
                Cell::Null,
            ],
        ];
        let expected: String = rows.iter().map(|row| by_value(&columns, row)).collect();
        assert_eq!(written(&columns, &rows), expected);
    }

    #[test]
    fn a_repeated_column_name_is_kept_once_as_before() {
        let columns = vec![Column::new("a", ColumnType::Int), Column::new("a", ColumnType::Int)];
        let rows = vec![vec![Cell::Int(1), Cell::Int(2)]];
        assert_eq!(written(&columns, &rows), "{\"a\":2}\n");
    }
}
