//! JSONL: one JSON object per row and line, keys in column order.

use std::io::{self, Write};

use loam_domain::table::{Column, Row};
use serde_json::{Map, Value};

use crate::{cells, check_row, TableWriter};

pub struct JsonlWriter<W: Write> {
    columns: Vec<Column>,
    out: W,
    rows: u64,
}

impl<W: Write> JsonlWriter<W> {
    pub fn new(columns: &[Column], out: W) -> Self {
        JsonlWriter { columns: columns.to_vec(), out, rows: 0 }
    }
}

impl<W: Write> TableWriter for JsonlWriter<W> {
    fn write(&mut self, row: &Row) -> io::Result<()> {
        check_row(&self.columns, row)?;
        let mut object = Map::with_capacity(row.len());
        for (column, cell) in self.columns.iter().zip(row) {
            object.insert(column.name.clone(), cells::to_json(cell));
        }
        serde_json::to_writer(&mut self.out, &Value::Object(object))?;
        self.out.write_all(b"\n")?;
        self.rows += 1;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<u64> {
        self.out.flush()?;
        Ok(self.rows)
    }
}
