//! CSV (RFC 4180, through the `csv` crate): a header of column names, then one line per row.
//! Fields are quoted when they must be (a comma, a quote, a line break); lists, chats and JSON
//! cells are written as JSON text.

use std::io::{self, Write};

use loam_domain::table::{Column, Row};

use crate::{cells, check_row, TableWriter};

pub struct CsvWriter<W: Write> {
    columns: Vec<Column>,
    out: csv::Writer<W>,
    rows: u64,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(columns: &[Column], out: W) -> io::Result<Self> {
        let mut out = csv::WriterBuilder::new().has_headers(false).from_writer(out);
        out.write_record(columns.iter().map(|it| it.name.as_str())).map_err(csv_error)?;
        Ok(CsvWriter { columns: columns.to_vec(), out, rows: 0 })
    }
}

impl<W: Write> TableWriter for CsvWriter<W> {
    fn write(&mut self, row: &Row) -> io::Result<()> {
        check_row(&self.columns, row)?;
        self.out.write_record(row.iter().map(cells::to_text)).map_err(csv_error)?;
        self.rows += 1;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<u64> {
        self.out.flush()?;
        Ok(self.rows)
    }
}

fn csv_error(err: csv::Error) -> io::Error {
    match err.into_kind() {
        csv::ErrorKind::Io(err) => err,
        other => io::Error::other(format!("{other:?}")),
    }
}
