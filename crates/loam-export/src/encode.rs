//! A Parquet file's columns encoded on two threads. `ArrowWriter` encodes and compresses (snappy)
//! its columns one after another on the thread that writes; here each record batch's columns are
//! shared out between that thread and a second one, and so is the close of each row group (the
//! last pages' compression). The column writers, the record batches and the order in which the
//! closed column chunks are appended are those of `ArrowWriter::write` and `ArrowWriter::flush`,
//! so the file's bytes are the same whichever thread encoded which column.
//!
//! Columns are shared out by the bytes their arrays hold (largest first, each to the thread with
//! less so far): the three text fields of a record are most of the work.

use std::io::Write;

use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{Field, SchemaRef};
use parquet::arrow::arrow_writer::{compute_leaves, ArrowColumnChunk, ArrowColumnWriter, ArrowRowGroupWriterFactory};
use parquet::arrow::ArrowWriter;
use parquet::errors::{ParquetError, Result};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;

/// A Parquet file being written: row groups of at most `max_rows` rows, each column chunk encoded
/// on one of two threads.
pub(crate) struct Encoder<W: Write + Send> {
    file: SerializedFileWriter<W>,
    factory: ArrowRowGroupWriterFactory,
    schema: SchemaRef,
    max_rows: usize,
    /// The row group being filled: one writer per leaf column, and its rows so far.
    group: Option<(Vec<ArrowColumnWriter>, usize)>,
    groups: usize,
}

impl<W: Write + Send> Encoder<W> {
    pub fn try_new(out: W, schema: SchemaRef, props: WriterProperties) -> Result<Self> {
        let max_rows = props.max_row_group_size();
        // `ArrowWriter` makes the Parquet schema and the footer's key-value metadata (the arrow
        // schema) exactly as it would for itself.
        let (file, factory) =
            ArrowWriter::try_new(out, SchemaRef::clone(&schema), Some(props))?.into_serialized_writer()?;
        Ok(Encoder { file, factory, schema, max_rows, group: None, groups: 0 })
    }

    /// Encodes `batch`, closing a row group each `max_rows` rows (`ArrowWriter::write`).
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let buffered = self.group.as_ref().map_or(0, |it| it.1);
        if buffered + batch.num_rows() > self.max_rows {
            let head = self.max_rows - buffered;
            self.write(&batch.slice(0, head))?;
            return self.write(&batch.slice(head, batch.num_rows() - head));
        }
        if self.group.is_none() {
            let writers = self.factory.create_column_writers(self.groups)?;
            self.group = Some((writers, 0));
        }
        let Some((writers, rows)) = self.group.as_mut() else {
            return Err(ParquetError::General("no row group".to_owned()));
        };
        *rows += batch.num_rows();
        encode(&self.schema, batch.columns(), writers)?;
        if *rows >= self.max_rows {
            self.flush()?;
        }
        Ok(())
    }

    /// Closes the row group being filled, if any, and appends its column chunks in column order.
    fn flush(&mut self) -> Result<()> {
        let Some((writers, _)) = self.group.take() else {
            return Ok(());
        };
        let chunks = close(writers)?;
        let mut group = self.file.next_row_group()?;
        for chunk in chunks {
            chunk.append_to_row_group(&mut group)?;
        }
        group.close()?;
        self.groups += 1;
        Ok(())
    }

    /// Closes the last row group, writes the footer and gives the output back.
    pub fn into_inner(mut self) -> Result<W> {
        self.flush()?;
        self.file.into_inner()
    }
}

/// A column's leaf writers (a column of a nested type has several, in order) with its array.
struct Job<'a> {
    field: &'a Field,
    array: &'a ArrayRef,
    writers: &'a mut [ArrowColumnWriter],
}

/// Writes each column of a batch into its leaf writers, the columns shared out between this
/// thread and a scoped second one.
fn encode(schema: &SchemaRef, arrays: &[ArrayRef], writers: &mut [ArrowColumnWriter]) -> Result<()> {
    let mut jobs = Vec::with_capacity(arrays.len());
    let mut rest = writers;
    for (field, array) in schema.fields().iter().zip(arrays) {
        let leaves = leaf_count(field.data_type());
        if leaves > rest.len() {
            return Err(ParquetError::General("fewer column writers than leaves".to_owned()));
        }
        let (mine, tail) = rest.split_at_mut(leaves);
        rest = tail;
        jobs.push(Job { field: field.as_ref(), array, writers: mine });
    }
    let (here, there) = share_out(jobs, |job| job.array.get_array_memory_size());
    run_on_two(here, there, |jobs| {
        for job in jobs {
            let mut writers = job.writers.iter_mut();
            for leaf in compute_leaves(job.field, job.array)? {
                let writer =
                    writers.next().ok_or_else(|| ParquetError::General("a leaf without a writer".to_owned()))?;
                writer.write(&leaf)?;
            }
        }
        Ok(())
    })
    .map(|_| ())
}

/// Closes every leaf writer (their last pages compressed on two threads); the chunks in order.
fn close(writers: Vec<ArrowColumnWriter>) -> Result<Vec<ArrowColumnChunk>> {
    let indexed: Vec<(usize, ArrowColumnWriter)> = writers.into_iter().enumerate().collect();
    let (here, there) = share_out(indexed, |(_, writer)| writer.memory_size());
    let mut chunks: Vec<(usize, ArrowColumnChunk)> = Vec::new();
    let closed = run_on_two(here, there, |writers| {
        writers.into_iter().map(|(index, writer)| Ok((index, writer.close()?))).collect::<Result<Vec<_>>>()
    })?;
    for part in closed {
        chunks.extend(part);
    }
    chunks.sort_by_key(|(index, _)| *index);
    Ok(chunks.into_iter().map(|(_, chunk)| chunk).collect())
}

/// Splits `items` in two by `weight`: heaviest first, each to the lighter side so far.
fn share_out<T>(items: Vec<T>, weight: impl Fn(&T) -> usize) -> (Vec<T>, Vec<T>) {
    let mut weighed: Vec<(usize, T)> = items.into_iter().map(|it| (weight(&it), it)).collect();
    weighed.sort_by_key(|it| std::cmp::Reverse(it.0));
    let (mut here, mut there) = (Vec::new(), Vec::new());
    let (mut here_weight, mut there_weight) = (0usize, 0usize);
    for (w, item) in weighed {
        if here_weight <= there_weight {
            here_weight += w;
            here.push(item);
        } else {
            there_weight += w;
            there.push(item);
        }
    }
    (here, there)
}

/// Runs `work` over `there` on a scoped thread and over `here` on this one; both results, or the
/// first error.
fn run_on_two<T: Send, R: Send>(
    here: Vec<T>,
    there: Vec<T>,
    work: impl Fn(Vec<T>) -> Result<R> + Sync,
) -> Result<[R; 2]> {
    if there.is_empty() {
        let empty = work(there)?;
        return Ok([work(here)?, empty]);
    }
    std::thread::scope(|scope| {
        let other = scope.spawn(|| work(there));
        let mine = work(here);
        let theirs =
            other.join().map_err(|_| ParquetError::General("a Parquet encoding thread panicked".to_owned()))?;
        Ok([mine?, theirs?])
    })
}

/// The Parquet leaf columns of an arrow type (`get_column_writers` makes one writer per leaf).
fn leaf_count(ty: &arrow_schema::DataType) -> usize {
    use arrow_schema::DataType;
    match ty {
        DataType::List(item) | DataType::LargeList(item) | DataType::FixedSizeList(item, _) => {
            leaf_count(item.data_type())
        }
        DataType::Struct(fields) => fields.iter().map(|it| leaf_count(it.data_type())).sum(),
        DataType::Map(entries, _) => leaf_count(entries.data_type()),
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::builder::{ListBuilder, StringBuilder};
    use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray, StructArray};
    use arrow_schema::{DataType, Field, Schema};
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;

    use super::Encoder;

    fn batch(schema: &Arc<Schema>, start: usize, rows: usize) -> RecordBatch {
        let texts: Vec<String> = (start..start + rows).map(|i| format!("text {i} ").repeat(i % 7 + 1)).collect();
        let mut list = ListBuilder::new(StringBuilder::new());
        for i in start..start + rows {
            for j in 0..i % 3 {
                list.values().append_value(format!("u{j}"));
            }
            list.append(i % 5 != 0);
        }
        let labels: ArrayRef =
            Arc::new(StringArray::from_iter((start..start + rows).map(|i| Some(format!("l{}", i % 2)))));
        let starts: ArrayRef = Arc::new(Int64Array::from_iter((start..start + rows).map(|i| Some(i as i64))));
        let spans = StructArray::from(vec![
            (Arc::new(Field::new("label", DataType::Utf8, true)), labels),
            (Arc::new(Field::new("start", DataType::Int64, true)), starts),
        ]);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from_iter_values(texts)),
            Arc::new(list.finish()),
            Arc::new(Int64Array::from_iter((start..start + rows).map(|i| (i % 4 != 0).then_some(i as i64)))),
            Arc::new(spans),
        ];
        RecordBatch::try_new(Arc::clone(schema), columns).unwrap()
    }

    #[test]
    fn two_threads_write_the_bytes_that_arrow_writer_writes() {
        let list = DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
        let spans = DataType::Struct(
            vec![Field::new("label", DataType::Utf8, true), Field::new("start", DataType::Int64, true)].into(),
        );
        let schema = Arc::new(Schema::new(vec![
            Field::new("text", DataType::Utf8, true),
            Field::new("users", list, true),
            Field::new("n", DataType::Int64, true),
            Field::new("spans", spans, true),
        ]));
        // Row groups of 50 rows, batches of 30: groups close inside batches too.
        let props = || {
            WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_max_row_group_size(50)
                .set_data_page_row_count_limit(16)
                .set_created_by("loam".to_owned())
                .build()
        };
        let batches: Vec<RecordBatch> = (0..7).map(|i| batch(&schema, i * 30, 30)).collect();
        let mut reference = ArrowWriter::try_new(Vec::new(), Arc::clone(&schema), Some(props())).unwrap();
        let mut encoder = Encoder::try_new(Vec::new(), Arc::clone(&schema), props()).unwrap();
        for it in &batches {
            reference.write(it).unwrap();
            encoder.write(it).unwrap();
        }
        let expected = reference.into_inner().unwrap();
        let bytes = encoder.into_inner().unwrap();
        assert!(expected.len() > 1000);
        assert!(bytes == expected, "{} bytes, expected {}", bytes.len(), expected.len());
    }
}
