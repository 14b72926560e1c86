//! Parquet through arrow-rs: rows are gathered into arrow arrays of [`ROWS_PER_BATCH`] rows and
//! handed to `encode.rs` (`parquet`'s own column writers, as `ArrowWriter` uses them, on two
//! threads), which closes a row group every [`ROWS_PER_GROUP`] rows; so memory holds at most one
//! row group, however many rows pass.
//!
//! Column types: `Str` utf8, `Int` int64, `Float` double, `Bool` boolean, `StrList`
//! list<utf8>, `IntList` list<int64>, `FloatList` list<double>, `Messages`
//! list<struct<role: utf8, content: utf8>>, `Json` utf8 (JSON text), `Nested` its shape's type
//! (`nested.rs`: list<list<utf8>>, list<struct<label, start, end>>, a list of those, or
//! list<double>). Every
//! column is nullable. Snappy compression; a string column whose first values are mostly
//! distinct is written without a dictionary ([`properties`]). The footer names "loam" as its
//! writer and holds nothing that changes between runs, so the same rows give the same bytes.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Float64Builder, Int64Builder, ListBuilder, StringBuilder, StructBuilder};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use loam_domain::table::{Cell, Column, ColumnType, Row};

use crate::encode::Encoder;
use crate::nested::NestedBuilder;
use crate::typed_json::TypedBuilder;
use loam_domain::json_type::JsonType;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;

use crate::{check_row, TableWriter};

/// Rows per row group.
pub const ROWS_PER_GROUP: usize = 16_384;
/// Rows gathered into arrays before they go to the writer.
const ROWS_PER_BATCH: usize = 1024;

/// The arrow field of a column.
pub(crate) fn arrow_field(column: &Column) -> Field {
    Field::new(&column.name, arrow_type(column.ty), true)
}

/// The type a JSON column of `types` is written with, if it is one.
fn typed_of<'t>(column: &Column, types: &'t [(String, JsonType)]) -> Option<&'t JsonType> {
    if column.ty != ColumnType::Json {
        return None;
    }
    types.iter().find(|(name, ty)| *name == column.name && crate::typed_json::typed(ty)).map(|(_, ty)| ty)
}

fn message_fields() -> Fields {
    Fields::from(vec![Field::new("role", DataType::Utf8, true), Field::new("content", DataType::Utf8, true)])
}

fn string_item() -> Field {
    Field::new("item", DataType::Utf8, true)
}

pub(crate) fn item(ty: DataType) -> Field {
    Field::new("item", ty, true)
}

fn message_item() -> Field {
    Field::new("item", DataType::Struct(message_fields()), true)
}

fn arrow_type(ty: ColumnType) -> DataType {
    match ty {
        ColumnType::Str | ColumnType::Json => DataType::Utf8,
        ColumnType::Int => DataType::Int64,
        ColumnType::Float => DataType::Float64,
        ColumnType::Bool => DataType::Boolean,
        ColumnType::StrList => DataType::List(Arc::new(string_item())),
        ColumnType::Messages => DataType::List(Arc::new(message_item())),
        ColumnType::IntList => DataType::List(Arc::new(item(DataType::Int64))),
        ColumnType::FloatList => DataType::List(Arc::new(item(DataType::Float64))),
        ColumnType::Nested(shape) => crate::nested::arrow_type(shape),
    }
}

enum Builder {
    Str(StringBuilder),
    Int(Int64Builder),
    Float(Float64Builder),
    Bool(BooleanBuilder),
    StrList(ListBuilder<StringBuilder>),
    Messages(ListBuilder<StructBuilder>),
    IntList(ListBuilder<Int64Builder>),
    FloatList(ListBuilder<Float64Builder>),
    Nested(NestedBuilder),
    Typed(TypedBuilder),
}

impl Builder {
    fn new(ty: ColumnType) -> Builder {
        match ty {
            ColumnType::Str | ColumnType::Json => Builder::Str(StringBuilder::new()),
            ColumnType::Int => Builder::Int(Int64Builder::new()),
            ColumnType::Float => Builder::Float(Float64Builder::new()),
            ColumnType::Bool => Builder::Bool(BooleanBuilder::new()),
            ColumnType::StrList => Builder::StrList(ListBuilder::new(StringBuilder::new()).with_field(string_item())),
            ColumnType::Messages => {
                let fields = message_fields();
                let values = StructBuilder::from_fields(fields, 0);
                Builder::Messages(ListBuilder::new(values).with_field(message_item()))
            }
            ColumnType::IntList => {
                Builder::IntList(ListBuilder::new(Int64Builder::new()).with_field(item(DataType::Int64)))
            }
            ColumnType::FloatList => {
                Builder::FloatList(ListBuilder::new(Float64Builder::new()).with_field(item(DataType::Float64)))
            }
            ColumnType::Nested(shape) => Builder::Nested(NestedBuilder::new(shape)),
        }
    }

    /// Appends a cell that fits the column (checked before).
    fn append(&mut self, cell: &Cell) {
        match (self, cell) {
            (Builder::Str(it), Cell::Str(value)) => it.append_value(value),
            (Builder::Str(it), Cell::Json(value)) => {
                // The JSON text, printed straight into the builder's buffer (`cells::to_text`).
                let _ = write!(it, "{value}");
                it.append_value("");
            }
            (Builder::Str(it), _) => it.append_null(),
            (Builder::Int(it), Cell::Int(value)) => it.append_value(*value),
            (Builder::Int(it), _) => it.append_null(),
            (Builder::Float(it), Cell::Float(value)) => it.append_value(*value),
            (Builder::Float(it), _) => it.append_null(),
            (Builder::Bool(it), Cell::Bool(value)) => it.append_value(*value),
            (Builder::Bool(it), _) => it.append_null(),
            (Builder::StrList(it), Cell::StrList(items)) => {
                for item in items {
                    it.values().append_value(item);
                }
                it.append(true);
            }
            (Builder::StrList(it), _) => it.append(false),
            (Builder::Messages(it), Cell::Messages(messages)) => {
                let values = it.values();
                for message in messages {
                    string_field(values, 0).append_value(&message.role);
                    string_field(values, 1).append_value(&message.content);
                    values.append(true);
                }
                it.append(true);
            }
            (Builder::Messages(it), _) => it.append(false),
            (Builder::IntList(it), Cell::IntList(items)) => {
                it.values().append_slice(items);
                it.append(true);
            }
            (Builder::IntList(it), _) => it.append(false),
            (Builder::FloatList(it), Cell::FloatList(items)) => {
                it.values().append_slice(items);
                it.append(true);
            }
            (Builder::FloatList(it), _) => it.append(false),
            (Builder::Nested(it), Cell::Json(value)) => it.append(value),
            (Builder::Nested(it), _) => it.append(&serde_json::Value::Null),
            (Builder::Typed(it), Cell::Json(value)) => it.append(Some(value)),
            (Builder::Typed(it), _) => it.append(None),
        }
    }

    fn finish(&mut self) -> io::Result<ArrayRef> {
        Ok(match self {
            Builder::Str(it) => {
                let array = it.finish();
                // The next batch's text is likely as long: room for it now, rather than the
                // buffer grown (and copied) by doubling from nothing again.
                *it = StringBuilder::with_capacity(ROWS_PER_BATCH, array.value_data().len());
                Arc::new(array)
            }
            Builder::Int(it) => Arc::new(it.finish()),
            Builder::Float(it) => Arc::new(it.finish()),
            Builder::Bool(it) => Arc::new(it.finish()),
            Builder::StrList(it) => {
                let array = it.finish();
                let (items, bytes) =
                    array.values().as_string_opt::<i32>().map_or((0, 0), |it| (it.len(), it.value_data().len()));
                let values = StringBuilder::with_capacity(items, bytes);
                *it = ListBuilder::with_capacity(values, ROWS_PER_BATCH).with_field(string_item());
                Arc::new(array)
            }
            Builder::Messages(it) => Arc::new(it.finish()),
            Builder::IntList(it) => Arc::new(it.finish()),
            Builder::FloatList(it) => Arc::new(it.finish()),
            Builder::Nested(it) => it.finish(),
            Builder::Typed(it) => it.finish().map_err(io::Error::other)?,
        })
    }
}

fn string_field(values: &mut StructBuilder, index: usize) -> &mut StringBuilder {
    // The struct was built from `message_fields()`: two utf8 fields, so both are StringBuilders.
    #[allow(clippy::expect_used)]
    values.field_builder::<StringBuilder>(index).expect("a chat message's fields are strings")
}

pub struct ParquetWriter<W: Write + Send> {
    columns: Vec<Column>,
    schema: SchemaRef,
    builders: Vec<Builder>,
    pending: usize,
    rows: u64,
    /// The output until the first batch has chosen the writer's properties, then the writer.
    sink: Sink<W>,
}

enum Sink<W: Write + Send> {
    Waiting(W),
    Open(Box<Encoder<W>>),
    /// Only while the one turns into the other (a failure there leaves it so).
    Gone,
}

impl<W: Write + Send> ParquetWriter<W> {
    pub fn new(columns: &[Column], out: W) -> io::Result<Self> {
        Self::typed(columns, &[], out)
    }

    /// A writer whose JSON columns named in `types` hold their values with that type
    /// (`typed_json.rs`) rather than as JSON text.
    pub fn typed(columns: &[Column], types: &[(String, JsonType)], out: W) -> io::Result<Self> {
        let fields: Vec<Field> = columns
            .iter()
            .map(|it| match typed_of(it, types) {
                Some(ty) => Field::new(&it.name, crate::typed_json::arrow_type(ty), true),
                None => arrow_field(it),
            })
            .collect();
        let schema = Arc::new(Schema::new(fields));
        Ok(ParquetWriter {
            columns: columns.to_vec(),
            schema,
            builders: columns
                .iter()
                .map(|it| match typed_of(it, types) {
                    Some(ty) => Builder::Typed(TypedBuilder::new(&it.name, ty)),
                    None => Builder::new(it.ty),
                })
                .collect(),
            pending: 0,
            rows: 0,
            sink: Sink::Waiting(out),
        })
    }

    /// The writer, opened with properties chosen from `first` (the first batch) if not yet open.
    fn writer(&mut self, first: &RecordBatch) -> io::Result<&mut Encoder<W>> {
        if let Sink::Waiting(_) = self.sink {
            let Sink::Waiting(out) = std::mem::replace(&mut self.sink, Sink::Gone) else {
                return Err(io::Error::other("the Parquet writer was lost"));
            };
            let props = properties(&self.schema, first);
            let writer = Encoder::try_new(out, Arc::clone(&self.schema), props).map_err(parquet_error)?;
            self.sink = Sink::Open(Box::new(writer));
        }
        match &mut self.sink {
            Sink::Open(writer) => Ok(writer),
            _ => Err(io::Error::other("the Parquet writer failed before")),
        }
    }

    fn flush_batch(&mut self) -> io::Result<()> {
        if self.pending == 0 {
            return Ok(());
        }
        let arrays: Vec<ArrayRef> = self.builders.iter_mut().map(Builder::finish).collect::<io::Result<_>>()?;
        let batch =
            RecordBatch::try_new(Arc::clone(&self.schema), arrays).map_err(|err| io::Error::other(err.to_string()))?;
        self.writer(&batch)?.write(&batch).map_err(parquet_error)?;
        self.pending = 0;
        Ok(())
    }
}

/// The writer's properties: snappy, row groups of [`ROWS_PER_GROUP`] rows, "loam" as the writer,
/// and no dictionary for the string columns whose values in `first` (the first batch) are mostly
/// distinct (ids, texts): a dictionary of them costs a hash per value and then overflows, to
/// save nothing. A column of few distinct values (statuses, labels, a build id) keeps its
/// dictionary. The choice depends on the rows alone, so the same rows still give the same bytes.
fn properties(schema: &Schema, first: &RecordBatch) -> WriterProperties {
    let mut props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_size(ROWS_PER_GROUP)
        .set_created_by("loam".to_owned());
    for (field, array) in schema.fields().iter().zip(first.columns()) {
        if let Some(strings) = array.as_string_opt::<i32>() {
            if mostly_distinct(strings) {
                props = props.set_column_dictionary_enabled(ColumnPath::from(field.name().as_str()), false);
            }
        }
    }
    props.build()
}

/// Whether more than half of the non-null values are distinct.
fn mostly_distinct(strings: &StringArray) -> bool {
    let values: Vec<&str> = strings.iter().flatten().collect();
    let distinct: HashSet<&str> = values.iter().copied().collect();
    !values.is_empty() && distinct.len() * 2 > values.len()
}

impl<W: Write + Send> TableWriter for ParquetWriter<W> {
    fn write(&mut self, row: &Row) -> io::Result<()> {
        check_row(&self.columns, row)?;
        for (builder, cell) in self.builders.iter_mut().zip(row) {
            builder.append(cell);
        }
        self.pending += 1;
        self.rows += 1;
        if self.pending >= ROWS_PER_BATCH {
            self.flush_batch()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<u64> {
        self.flush_batch()?;
        let rows = self.rows;
        if let Sink::Waiting(_) = self.sink {
            // No row: the file of the columns alone.
            let empty = RecordBatch::new_empty(Arc::clone(&self.schema));
            self.writer(&empty)?;
        }
        let Sink::Open(writer) = self.sink else {
            return Err(io::Error::other("the Parquet writer failed before"));
        };
        let mut out = writer.into_inner().map_err(parquet_error)?;
        out.flush()?;
        Ok(rows)
    }
}

fn parquet_error(err: parquet::errors::ParquetError) -> io::Error {
    match err {
        parquet::errors::ParquetError::External(inner) => match inner.downcast::<io::Error>() {
            Ok(io) => *io,
            Err(other) => io::Error::other(other.to_string()),
        },
        other => io::Error::other(other.to_string()),
    }
}
