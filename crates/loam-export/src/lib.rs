//! loam-export: the file formats of loam's exports. A [`TableWriter`] takes the rows of a typed
//! table (`loam_domain::table`: columns, cells) one at a time and writes them as
//! - JSONL (`jsonl.rs`): one object per line, keys in column order;
//! - CSV (`delimited.rs`): a header line, then one line per row; lists, chats and JSON as JSON text;
//! - Parquet (`columnar.rs`): arrow-rs's writer, real column types, row groups of a bounded number
//!   of rows (memory stays flat however many rows pass), snappy compression;
//! - a Hugging Face datasets folder (`hub.rs`): `data/train-00000-of-00001.parquet` and a
//!   `README.md` dataset card whose YAML header lists the features; on disk, or as one tar stream.
//!
//! Every writer is deterministic: the same columns, rows and card give the same bytes (nothing
//! here reads a clock, a random source or the environment). No async, no storage: the writers
//! write to the `std::io::Write` they are given.

mod argilla_hub;
mod cells;
mod columnar;
mod delimited;
mod encode;
mod hub;
mod jsonl;
mod nested;
pub mod records;
mod typed_json;

use std::io::{self, Write};
use std::path::Path;

use loam_domain::table::{Column, Row};

pub use argilla_hub::{ArgillaConfig, ArgillaWriter};
pub use columnar::{ParquetWriter, ROWS_PER_GROUP};
pub use delimited::CsvWriter;
pub use hub::{card_text, card_text_typed, FolderWriter, TarWriter, DATA_FILE};
pub use jsonl::JsonlWriter;
pub use records::{push_uuid, RecordsShape};
pub use typed_json::typed;

/// Writes a table row by row.
pub trait TableWriter {
    /// Writes one row: one cell per column, each fitting its column's type (else `InvalidData`).
    fn write(&mut self, row: &Row) -> io::Result<()>;
    /// Ends the file (footers, the dataset card) and flushes it; returns the rows written.
    fn finish(self: Box<Self>) -> io::Result<u64>;
}

/// An export's file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
    Parquet,
    /// A Hugging Face datasets folder (a tar archive of it when streamed).
    Hf,
    /// The folder Argilla's v2 SDK reads back (`from_disk`, `from_hub`): `.argilla/`,
    /// `records.json` and the Hugging Face folder (a tar archive of it when streamed).
    Argilla,
}

impl Format {
    pub const NAMES: &'static [&'static str] = &["jsonl", "csv", "parquet", "hf", "argilla"];

    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "jsonl" => Some(Format::Jsonl),
            "csv" => Some(Format::Csv),
            "parquet" => Some(Format::Parquet),
            "hf" => Some(Format::Hf),
            "argilla" => Some(Format::Argilla),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Hf => "hf",
            Format::Argilla => "argilla",
        }
    }

    /// The media type of the streamed file.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Jsonl => "application/x-ndjson",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Parquet => "application/vnd.apache.parquet",
            Format::Hf | Format::Argilla => "application/x-tar",
        }
    }

    /// The extension of the streamed file.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Hf | Format::Argilla => "tar",
        }
    }
}

/// What the dataset card of a Hugging Face folder says besides the features and the row count.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Card {
    /// The card's title (the dataset's name) and the folder's name inside a tar archive.
    pub title: String,
    pub folder: String,
    /// Provenance, in order: dataset, shape, strategies or mapping, build id…
    pub provenance: Vec<(String, String)>,
    /// `.argilla/` of [`Format::Argilla`] (empty for the other formats).
    pub argilla: ArgillaConfig,
}

/// A writer of `format` over `out`: the file itself, or for [`Format::Hf`] a tar archive of the
/// folder (the Parquet file is spooled to a temporary file first, as a tar entry states its size
/// before its bytes).
pub fn stream_writer<W: Write + Send + 'static>(
    format: Format,
    columns: &[Column],
    card: Card,
    out: W,
) -> io::Result<Box<dyn TableWriter + Send>> {
    Ok(match format {
        Format::Jsonl => Box::new(JsonlWriter::new(columns, out)),
        Format::Csv => Box::new(CsvWriter::new(columns, out)?),
        Format::Parquet => Box::new(ParquetWriter::new(columns, out)?),
        Format::Hf => Box::new(TarWriter::new(columns, card, out)?),
        Format::Argilla => {
            let config = card.argilla.clone();
            Box::new(ArgillaWriter::tar(columns, card, config, out)?)
        }
    })
}

/// A writer of `format` into `path`: a file, or for [`Format::Hf`] the folder itself.
pub fn path_writer(
    format: Format,
    columns: &[Column],
    card: Card,
    path: &Path,
) -> io::Result<Box<dyn TableWriter + Send>> {
    match format {
        Format::Hf => Ok(Box::new(FolderWriter::new(columns, card, path)?)),
        Format::Argilla => {
            let config = card.argilla.clone();
            Ok(Box::new(ArgillaWriter::new(columns, card, config, path)?))
        }
        _ => {
            let file = io::BufWriter::with_capacity(1 << 16, std::fs::File::create(path)?);
            stream_writer(format, columns, card, file)
        }
    }
}

/// An `InvalidData` error: a row that does not fit its columns (a bug in whoever built it).
pub(crate) fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

/// Checks a row's length against a writer's column count.
pub(crate) fn check_row_len(row: &Row, columns: usize) -> io::Result<()> {
    if row.len() != columns {
        return Err(invalid(format!("a row of {} cells for {} columns", row.len(), columns)));
    }
    Ok(())
}

/// Checks a row's length and its cells' types against `columns`.
pub(crate) fn check_row(columns: &[Column], row: &Row) -> io::Result<()> {
    if row.len() != columns.len() {
        return Err(invalid(format!("a row of {} cells for {} columns", row.len(), columns.len())));
    }
    for (cell, column) in row.iter().zip(columns) {
        if !cell.fits(column.ty) {
            return Err(invalid(format!("column `{}` ({:?}) cannot hold {cell:?}", column.name, column.ty)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
