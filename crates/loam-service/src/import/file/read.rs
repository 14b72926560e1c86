//! Readers of the three formats, row by row, never holding the file: JSONL line by line, CSV
//! through the `csv` crate, Parquet through arrow's reader in record batches (each turned into
//! JSON rows by `arrow-json`). A row is a JSON object, column → cell. A bad row (a line that is
//! not a JSON object, a CSV record with the wrong number of cells) is a [`Item::Bad`] and
//! reading goes on; a file that cannot be read on (I/O, a corrupt Parquet page) is
//! [`Item::Fatal`].

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use serde_json::{Map, Value};

use super::ImportFormat;

/// Rows of Parquet decoded at a time.
const PARQUET_BATCH_ROWS: usize = 1024;
/// JSONL lines read ahead to learn the columns (rows may leave keys out).
const JSONL_PEEK_LINES: usize = 100;

/// Where a row is in its file: its place among the rows (1-based) and, for text formats, the
/// line it starts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    pub row: u64,
    pub line: Option<u64>,
}

pub enum Item {
    Row(Place, Map<String, Value>),
    Bad(Place, String),
    Fatal(String),
}

/// How far the reader is: units done of a total (bytes of a text file, rows of Parquet).
#[derive(Clone, Debug)]
pub struct Position {
    pub done: Arc<AtomicU64>,
    pub total: u64,
}

pub trait Rows: Send {
    /// The columns the file has (JSONL: the keys of its first lines).
    fn columns(&self) -> &[String];
    /// Whether cells are text to be read per target (CSV).
    fn textual(&self) -> bool;
    fn position(&self) -> Position;
    fn next_item(&mut self) -> Option<Item>;
}

/// Counts the bytes read through it.
struct Counting<R> {
    inner: R,
    done: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.done.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens `path` as `format`: the header (CSV), the first lines (JSONL) or the footer (Parquet)
/// are read here, so a file that is not of its format is refused before anything is written.
pub fn open(path: &Path, format: ImportFormat) -> Result<Box<dyn Rows>, String> {
    let file = File::open(path).map_err(|e| format!("cannot open the file: {e}"))?;
    let total = file.metadata().map(|it| it.len()).unwrap_or(0);
    let done = Arc::new(AtomicU64::new(0));
    match format {
        ImportFormat::Jsonl => {
            let reader = BufReader::with_capacity(1 << 16, Counting { inner: file, done: done.clone() });
            Ok(Box::new(Jsonl::open(reader, Position { done, total })?))
        }
        ImportFormat::Csv => {
            let counting = Counting { inner: file, done: done.clone() };
            Ok(Box::new(Csv::open(counting, Position { done, total })?))
        }
        ImportFormat::Parquet => Ok(Box::new(Parquet::open(file, done)?)),
    }
}

struct Jsonl<R> {
    reader: R,
    columns: Vec<String>,
    peeked: VecDeque<Item>,
    line: u64,
    row: u64,
    buf: Vec<u8>,
    position: Position,
}

impl<R: BufRead + Send> Jsonl<R> {
    fn open(reader: R, position: Position) -> Result<Self, String> {
        let mut it =
            Jsonl { reader, columns: Vec::new(), peeked: VecDeque::new(), line: 0, row: 0, buf: Vec::new(), position };
        let mut rows = 0;
        let mut first_bad = None;
        while it.peeked.len() < JSONL_PEEK_LINES {
            let Some(item) = it.read_item() else { break };
            match &item {
                Item::Row(_, map) => {
                    rows += 1;
                    for key in map.keys() {
                        if !it.columns.contains(key) {
                            it.columns.push(key.clone());
                        }
                    }
                }
                Item::Bad(place, reason) if first_bad.is_none() => {
                    first_bad = Some(format!("line {}: {reason}", place.line.unwrap_or(place.row)))
                }
                Item::Bad(..) => {}
                Item::Fatal(reason) => return Err(reason.clone()),
            }
            it.peeked.push_back(item);
        }
        if rows == 0 {
            if let Some(bad) = first_bad {
                return Err(format!("the file is not JSONL (one JSON object a line): {bad}"));
            }
        }
        Ok(it)
    }

    fn read_item(&mut self) -> Option<Item> {
        loop {
            self.buf.clear();
            match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some(Item::Fatal(format!("cannot read the file: {e}"))),
            }
            self.line += 1;
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            self.row += 1;
            let place = Place { row: self.row, line: Some(self.line) };
            // serde_json checks the UTF-8 and the JSON alike.
            return Some(match serde_json::from_slice::<Value>(&self.buf) {
                Ok(Value::Object(map)) => Item::Row(place, map),
                Ok(_) => Item::Bad(place, "the line is not a JSON object".to_owned()),
                Err(e) => Item::Bad(place, format!("the line is not valid JSON: {e}")),
            });
        }
    }
}

impl<R: BufRead + Send> Rows for Jsonl<R> {
    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn textual(&self) -> bool {
        false
    }

    fn position(&self) -> Position {
        self.position.clone()
    }

    fn next_item(&mut self) -> Option<Item> {
        self.peeked.pop_front().or_else(|| self.read_item())
    }
}

struct Csv<R> {
    reader: csv::Reader<R>,
    columns: Vec<String>,
    record: csv::StringRecord,
    row: u64,
    position: Position,
}

impl<R: Read + Send> Csv<R> {
    fn open(inner: R, position: Position) -> Result<Self, String> {
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(inner);
        let headers = reader.headers().map_err(|e| format!("the file is not CSV with a header row: {e}"))?;
        let columns: Vec<String> = headers.iter().map(str::to_owned).collect();
        if columns.iter().all(String::is_empty) {
            return Err("the CSV file has no header row (its first line names the columns)".to_owned());
        }
        Ok(Csv { reader, columns, record: csv::StringRecord::new(), row: 0, position })
    }
}

impl<R: Read + Send> Rows for Csv<R> {
    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn textual(&self) -> bool {
        true
    }

    fn position(&self) -> Position {
        self.position.clone()
    }

    fn next_item(&mut self) -> Option<Item> {
        let line = self.reader.position().line();
        let res = self.reader.read_record(&mut self.record);
        match res {
            Ok(false) => None,
            Ok(true) => {
                self.row += 1;
                let line = self.record.position().map_or(line, |it| it.line());
                let map = self.columns.iter().cloned().zip(self.record.iter().map(|it| Value::String(it.to_owned())));
                Some(Item::Row(Place { row: self.row, line: Some(line) }, map.collect()))
            }
            Err(e) => {
                let line = e.position().map_or(line, |it| it.line());
                match e.kind() {
                    csv::ErrorKind::Io(io) => Some(Item::Fatal(format!("cannot read the file: {io}"))),
                    csv::ErrorKind::UnequalLengths { len, expected_len, .. } => {
                        self.row += 1;
                        Some(Item::Bad(
                            Place { row: self.row, line: Some(line) },
                            format!("the row has {len} cells, the header names {expected_len} columns"),
                        ))
                    }
                    csv::ErrorKind::Utf8 { .. } => {
                        self.row += 1;
                        Some(Item::Bad(
                            Place { row: self.row, line: Some(line) },
                            "the row is not UTF-8 text".to_owned(),
                        ))
                    }
                    _ => Some(Item::Fatal(format!("cannot read the CSV file at line {line}: {e}"))),
                }
            }
        }
    }
}

struct Parquet {
    reader: ParquetRecordBatchReader,
    columns: Vec<String>,
    rows: VecDeque<Map<String, Value>>,
    row: u64,
    done: Arc<AtomicU64>,
    total: u64,
    failed: bool,
}

impl Parquet {
    fn open(file: File, done: Arc<AtomicU64>) -> Result<Self, String> {
        let builder =
            ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| format!("the file is not Parquet: {e}"))?;
        let total = u64::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
        let columns = builder.schema().fields().iter().map(|it| it.name().clone()).collect();
        let reader = builder
            .with_batch_size(PARQUET_BATCH_ROWS)
            .build()
            .map_err(|e| format!("cannot read the Parquet file: {e}"))?;
        Ok(Parquet { reader, columns, rows: VecDeque::new(), row: 0, done, total, failed: false })
    }

    /// The next record batch as JSON rows.
    fn fill(&mut self) -> Result<bool, String> {
        let Some(batch) = self.reader.next() else { return Ok(false) };
        let batch = batch.map_err(|e| format!("cannot read the Parquet file after row {}: {e}", self.row))?;
        let mut writer = arrow_json::LineDelimitedWriter::new(Vec::with_capacity(batch.num_rows() * 64));
        writer.write(&batch).map_err(|e| format!("cannot read the Parquet file after row {}: {e}", self.row))?;
        writer.finish().map_err(|e| format!("cannot read the Parquet file after row {}: {e}", self.row))?;
        let bytes = writer.into_inner();
        for line in bytes.split(|it| *it == b'\n').filter(|it| !it.is_empty()) {
            match serde_json::from_slice::<Value>(line) {
                Ok(Value::Object(map)) => self.rows.push_back(map),
                _ => return Err(format!("cannot read the Parquet file after row {}: a row is not a record", self.row)),
            }
        }
        Ok(true)
    }
}

impl Rows for Parquet {
    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn textual(&self) -> bool {
        false
    }

    fn position(&self) -> Position {
        Position { done: self.done.clone(), total: self.total }
    }

    fn next_item(&mut self) -> Option<Item> {
        if self.failed {
            return None;
        }
        while self.rows.is_empty() {
            match self.fill() {
                Ok(true) => {}
                Ok(false) => return None,
                Err(reason) => {
                    self.failed = true;
                    return Some(Item::Fatal(reason));
                }
            }
        }
        let map = self.rows.pop_front()?;
        self.row += 1;
        self.done.store(self.row, Ordering::Relaxed);
        Some(Item::Row(Place { row: self.row, line: None }, map))
    }
}
