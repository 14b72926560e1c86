//! The Hub layout's Parquet files, read record batch by record batch (arrow-rs's reader, the one
//! loam-export writes with) and turned into rows as JSON objects: text, numbers, booleans, lists
//! and structs as JSON; binary (an `Image` feature's bytes) as a data URI. `ClassLabel` names
//! come from the file's `huggingface` metadata, as `datasets` wrote it.

use std::fs::File;
use std::path::PathBuf;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use base64::Engine;
use loam_domain::argilla_folder::{class_labels, hub_record, normalize, FolderSettings, HubColumns};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::{Map, Number, Value};
use tokio::sync::mpsc;

use super::source::{label, Item, Message};

/// Rows per record batch read.
const BATCH_ROWS: usize = 1024;

/// Reads `files` into `tx`; `skipped` receives the columns no setting names (once per file).
pub fn read_hub(
    files: Vec<PathBuf>,
    settings: FolderSettings,
    tx: mpsc::Sender<Message>,
    skipped: mpsc::UnboundedSender<String>,
) {
    let mut n = 0u64;
    for path in files {
        if let Err(message) = read_file(&path, &settings, &tx, &skipped, &mut n) {
            let _ = tx.blocking_send(Err(format!("{}: {message}", path.display())));
            return;
        }
    }
}

fn read_file(
    path: &std::path::Path,
    settings: &FolderSettings,
    tx: &mpsc::Sender<Message>,
    skipped: &mpsc::UnboundedSender<String>,
    n: &mut u64,
) -> Result<(), String> {
    let file = File::open(path).map_err(|e| format!("cannot read it: {e}"))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| format!("not a Parquet file: {e}"))?;
    let huggingface = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|it| it.key == "huggingface"))
        .and_then(|it| it.value.as_deref())
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
        .unwrap_or(Value::Null);
    let names: Vec<String> = builder.schema().fields().iter().map(|it| it.name().clone()).collect();
    let columns = HubColumns::new(settings, &names, class_labels(&huggingface));
    for column in columns.skipped() {
        let _ = skipped.send(column.to_owned());
    }
    let reader = builder.with_batch_size(BATCH_ROWS).build().map_err(|e| format!("not a Parquet file: {e}"))?;
    for batch in reader {
        let batch = batch.map_err(|e| format!("cannot read a record batch: {e}"))?;
        for row in rows(&batch)? {
            *n += 1;
            let record = hub_record(&row, &columns, settings).map(|mut it| {
                normalize(&mut it, settings);
                it
            });
            let item = Item { label: label(*n, record.as_ref().ok()), record };
            if tx.blocking_send(Ok(item)).is_err() {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// The batch's rows as objects of their columns.
fn rows(batch: &RecordBatch) -> Result<Vec<Map<String, Value>>, String> {
    let schema = batch.schema();
    let mut out: Vec<Map<String, Value>> = (0..batch.num_rows()).map(|_| Map::new()).collect();
    for (field, column) in schema.fields().iter().zip(batch.columns()) {
        for (idx, row) in out.iter_mut().enumerate() {
            let value = cell(column.as_ref(), idx).map_err(|e| format!("column `{}`: {e}", field.name()))?;
            row.insert(field.name().clone(), value);
        }
    }
    Ok(out)
}

fn float(value: f64) -> Value {
    Number::from_f64(value).map_or(Value::Null, Value::Number)
}

/// The value at `idx` of `array` as JSON.
pub(crate) fn cell(array: &dyn Array, idx: usize) -> Result<Value, String> {
    if array.is_null(idx) {
        return Ok(Value::Null);
    }
    Ok(match array.data_type() {
        DataType::Null => Value::Null,
        DataType::Boolean => Value::Bool(array.as_boolean().value(idx)),
        DataType::Int8 => Value::from(array.as_primitive::<Int8Type>().value(idx)),
        DataType::Int16 => Value::from(array.as_primitive::<Int16Type>().value(idx)),
        DataType::Int32 => Value::from(array.as_primitive::<Int32Type>().value(idx)),
        DataType::Int64 => Value::from(array.as_primitive::<Int64Type>().value(idx)),
        DataType::UInt8 => Value::from(array.as_primitive::<UInt8Type>().value(idx)),
        DataType::UInt16 => Value::from(array.as_primitive::<UInt16Type>().value(idx)),
        DataType::UInt32 => Value::from(array.as_primitive::<UInt32Type>().value(idx)),
        DataType::UInt64 => Value::from(array.as_primitive::<UInt64Type>().value(idx)),
        DataType::Float32 => float(f64::from(array.as_primitive::<Float32Type>().value(idx))),
        DataType::Float64 => float(array.as_primitive::<Float64Type>().value(idx)),
        DataType::Utf8 => Value::from(array.as_string::<i32>().value(idx)),
        DataType::LargeUtf8 => Value::from(array.as_string::<i64>().value(idx)),
        DataType::Utf8View => Value::from(array.as_string_view().value(idx)),
        DataType::Binary => data_uri(array.as_binary::<i32>().value(idx)),
        DataType::LargeBinary => data_uri(array.as_binary::<i64>().value(idx)),
        DataType::List(_) => list(array.as_list::<i32>().value(idx).as_ref())?,
        DataType::LargeList(_) => list(array.as_list::<i64>().value(idx).as_ref())?,
        DataType::FixedSizeList(_, _) => list(array.as_fixed_size_list().value(idx).as_ref())?,
        DataType::Struct(fields) => {
            let array = array.as_struct();
            let mut map = Map::new();
            for (field, column) in fields.iter().zip(array.columns()) {
                map.insert(field.name().clone(), cell(column.as_ref(), idx)?);
            }
            Value::Object(map)
        }
        other => return Err(format!("type {other} is not one a v2 SDK Hub folder holds")),
    })
}

fn list(values: &dyn Array) -> Result<Value, String> {
    (0..values.len()).map(|idx| cell(values, idx)).collect::<Result<Vec<_>, _>>().map(Value::Array)
}

/// Bytes as a data URI, its media type read from the first bytes (images: PNG, JPEG, GIF, WebP).
fn data_uri(bytes: &[u8]) -> Value {
    let mime = if bytes.starts_with(b"\x89PNG") {
        "image/png"
    } else if bytes.starts_with(b"\xFF\xD8") {
        "image/jpeg"
    } else if bytes.starts_with(b"GIF8") {
        "image/gif"
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        "image/webp"
    } else {
        "application/octet-stream"
    };
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    Value::String(format!("data:{mime};base64,{encoded}"))
}
