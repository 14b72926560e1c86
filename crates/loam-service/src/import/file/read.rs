//! Readers of the three formats, row by row, never holding the file: JSONL line by line, CSV
//! through the `csv` crate, Parquet through arrow's reader in record batches of
//! [`PARQUET_BATCH_ROWS`] rows, decoded a page at a time (each batch's cells turned into JSON
//! straight from the arrays, or through `arrow-json` for the types that way does not know). A row is a JSON object, column → cell. A bad row (a line that is
//! not a JSON object, a CSV record with the wrong number of cells) is a [`Item::Bad`] and
//! reading goes on; a file that cannot be read on (I/O, a corrupt Parquet page) is
//! [`Item::Fatal`].

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::DataType;
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
    /// Every column's type is one [`direct`] knows: cells are read straight from the arrays.
    direct: bool,
    rows: VecDeque<Map<String, Value>>,
    row: u64,
    done: Arc<AtomicU64>,
    total: u64,
    failed: bool,
}

/// Whether a cell of type `ty` can be turned into JSON straight from its array (the reader of
/// the Hub layout's Parquet files, `folder/hub.rs`): text, numbers, booleans, and lists and
/// structs of them. Others (dates, decimals, binary, maps…) go through `arrow-json`.
fn direct(ty: &DataType) -> bool {
    match ty {
        DataType::Null
        | DataType::Boolean
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Float32
        | DataType::Float64
        | DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View => true,
        DataType::List(item) | DataType::LargeList(item) | DataType::FixedSizeList(item, _) => direct(item.data_type()),
        DataType::Struct(fields) => fields.iter().all(|it| direct(it.data_type())),
        _ => false,
    }
}

impl Parquet {
    fn open(file: File, done: Arc<AtomicU64>) -> Result<Self, String> {
        let builder =
            ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| format!("the file is not Parquet: {e}"))?;
        let total = u64::try_from(builder.metadata().file_metadata().num_rows()).unwrap_or(0);
        let columns = builder.schema().fields().iter().map(|it| it.name().clone()).collect();
        let direct = builder.schema().fields().iter().all(|it| direct(it.data_type()));
        let reader = builder
            .with_batch_size(PARQUET_BATCH_ROWS)
            .build()
            .map_err(|e| format!("cannot read the Parquet file: {e}"))?;
        Ok(Parquet { reader, columns, direct, rows: VecDeque::new(), row: 0, done, total, failed: false })
    }

    /// The next record batch as JSON rows.
    fn fill(&mut self) -> Result<bool, String> {
        let Some(batch) = self.reader.next() else { return Ok(false) };
        let batch = batch.map_err(|e| format!("cannot read the Parquet file after row {}: {e}", self.row))?;
        if self.direct { self.fill_direct(&batch) } else { self.fill_through_json(&batch) }
            .map_err(|e| format!("cannot read the Parquet file after row {}: {e}", self.row))?;
        Ok(true)
    }

    /// Column by column into the batch's rows; a null cell is left out, as `arrow-json` does.
    fn fill_direct(&mut self, batch: &RecordBatch) -> Result<(), String> {
        let first = self.rows.len();
        self.rows.extend((0..batch.num_rows()).map(|_| Map::with_capacity(self.columns.len())));
        for (name, column) in self.columns.iter().zip(batch.columns()) {
            for (idx, row) in self.rows.range_mut(first..).enumerate() {
                match crate::import::folder::hub::cell(column.as_ref(), idx) {
                    Ok(Value::Null) => {}
                    Ok(value) => _ = row.insert(name.clone(), value),
                    Err(e) => return Err(format!("column `{name}`: {e}")),
                }
            }
        }
        Ok(())
    }

    fn fill_through_json(&mut self, batch: &RecordBatch) -> Result<(), String> {
        let mut writer = arrow_json::LineDelimitedWriter::new(Vec::with_capacity(batch.num_rows() * 64));
        writer.write(batch).map_err(|e| e.to_string())?;
        writer.finish().map_err(|e| e.to_string())?;
        let bytes = writer.into_inner();
        for line in bytes.split(|it| *it == b'\n').filter(|it| !it.is_empty()) {
            match serde_json::from_slice::<Value>(line) {
                Ok(Value::Object(map)) => self.rows.push_back(map),
                _ => return Err("a row is not a record".to_owned()),
            }
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::builder::{ListBuilder, StringBuilder};
    use arrow_array::{ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray, StructArray};
    use arrow_schema::{DataType, Field};
    use parquet::arrow::ArrowWriter;
    use serde_json::{json, Map, Value};

    use super::{open, Item, Rows};
    use crate::ImportFormat;

    fn parquet_file(dir: &std::path::Path, with_date: bool) -> std::path::PathBuf {
        let mut tags = ListBuilder::new(StringBuilder::new());
        tags.values().append_value("x");
        tags.values().append_value("y");
        tags.append(true);
        tags.append(false);
        tags.append(true);
        let span = StructArray::from(vec![
            (
                Arc::new(Field::new("label", DataType::Utf8, true)),
                Arc::new(StringArray::from(vec!["A", "B", "C"])) as ArrayRef,
            ),
            (
                Arc::new(Field::new("start", DataType::Int64, true)),
                Arc::new(Int64Array::from(vec![0, 1, 2])) as ArrayRef,
            ),
        ]);
        let mut columns: Vec<(&str, ArrayRef)> = vec![
            ("text", Arc::new(StringArray::from(vec![Some("one \"quoted\""), None, Some("three")]))),
            ("n", Arc::new(Int64Array::from(vec![Some(1), Some(2), None]))),
            ("f", Arc::new(Float64Array::from(vec![0.5, 1.0, -2.25]))),
            ("tags", Arc::new(tags.finish())),
            ("span", Arc::new(span)),
        ];
        if with_date {
            columns.push(("day", Arc::new(Date32Array::from(vec![0, 1, 19000]))));
        }
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let path = dir.join(if with_date { "dated.parquet" } else { "plain.parquet" });
        let mut writer = ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), batch.schema(), None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        path
    }

    fn rows(source: &mut dyn Rows) -> Vec<Map<String, Value>> {
        let mut out = Vec::new();
        while let Some(item) = source.next_item() {
            match item {
                Item::Row(_, row) => out.push(row),
                Item::Bad(_, reason) | Item::Fatal(reason) => panic!("{reason}"),
            }
        }
        out
    }

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn parquet_rows_read_straight_from_the_arrays_match_arrow_json() {
        let dir = tempfile::tempdir().unwrap();
        let plain = parquet_file(dir.path(), false);
        let mut direct = open(&plain, ImportFormat::Parquet).unwrap();
        assert_eq!(direct.columns(), ["text", "n", "f", "tags", "span"]);
        let got = rows(direct.as_mut());
        assert_eq!(
            got,
            vec![
                object(json!({"text": "one \"quoted\"", "n": 1, "f": 0.5, "tags": ["x", "y"],
                              "span": {"label": "A", "start": 0}})),
                object(json!({"n": 2, "f": 1.0, "span": {"label": "B", "start": 1}})),
                object(json!({"text": "three", "f": -2.25, "tags": [], "span": {"label": "C", "start": 2}})),
            ]
        );
        // A date column sends the file through arrow-json; the other cells read the same.
        let dated = parquet_file(dir.path(), true);
        let mut through_json = open(&dated, ImportFormat::Parquet).unwrap();
        let mut again = rows(through_json.as_mut());
        assert_eq!(again[2]["day"], json!("2022-01-08"));
        for row in &mut again {
            row.remove("day");
        }
        assert_eq!(again, got);
        assert_eq!(through_json.position().done.load(std::sync::atomic::Ordering::Relaxed), 3);
    }
}
