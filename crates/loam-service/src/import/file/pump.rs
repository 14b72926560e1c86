//! The import's two sides: a blocking thread that reads and maps rows into batches, and the
//! caller's task that writes them, joined by a bounded channel (so at most a few batches are in
//! memory).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use loam_domain::import_file::Mapping;
use loam_domain::model::{DatasetSchema, User};
use loam_domain::DatasetId;
use tokio::sync::mpsc;

use super::read::{Item, Place, Rows};
use super::{new_record, ImportObserver, ImportProgress, ImportReport, RowError, BATCH_ROWS, LISTED_ERRORS};
use crate::{NewRecord, Result, Service};

/// Batches read ahead of the writer.
const BATCHES_IN_FLIGHT: usize = 2;

pub(super) enum Failure {
    Row(RowError),
    Fatal(String),
}

/// The next row of `source` as a record payload, or why it is none.
pub(super) fn next_mapped(
    source: &mut dyn Rows,
    mapping: &Mapping,
    schema: &DatasetSchema,
) -> Option<Result<(Place, NewRecord), Failure>> {
    let textual = source.textual();
    Some(match source.next_item()? {
        Item::Row(place, row) => match mapping.map_row(&row, textual).and_then(|it| new_record(schema, it)) {
            Ok(record) => Ok((place, record)),
            Err(reason) => Err(Failure::Row(RowError { row: place.row, line: place.line, reason })),
        },
        Item::Bad(place, reason) => Err(Failure::Row(RowError { row: place.row, line: place.line, reason })),
        Item::Fatal(reason) => Err(Failure::Fatal(reason)),
    })
}

/// What the reader sends: a batch of payloads with the rows that failed before validation, or
/// the reason the file cannot be read on.
enum Chunk {
    Batch { items: Vec<(u64, NewRecord)>, lines: Vec<(u64, Option<u64>)>, failed: Vec<RowError>, rows_read: u64 },
    Fatal(String),
}

fn read_all(mut source: Box<dyn Rows>, mapping: Mapping, schema: Arc<DatasetSchema>, out: mpsc::Sender<Chunk>) {
    loop {
        let mut items = Vec::with_capacity(BATCH_ROWS);
        let mut lines = Vec::with_capacity(BATCH_ROWS);
        let mut failed = Vec::new();
        let mut rows_read = 0;
        let mut fatal = None;
        let mut end = false;
        while items.len() < BATCH_ROWS {
            match next_mapped(source.as_mut(), &mapping, &schema) {
                None => {
                    end = true;
                    break;
                }
                Some(Ok((place, record))) => {
                    rows_read += 1;
                    lines.push((place.row, place.line));
                    items.push((place.row, record));
                }
                Some(Err(Failure::Row(err))) => {
                    rows_read += 1;
                    failed.push(err);
                }
                Some(Err(Failure::Fatal(reason))) => {
                    fatal = Some(reason);
                    break;
                }
            }
        }
        if rows_read > 0 && out.blocking_send(Chunk::Batch { items, lines, failed, rows_read }).is_err() {
            return;
        }
        if let Some(reason) = fatal {
            let _ = out.blocking_send(Chunk::Fatal(reason));
            return;
        }
        if end {
            return;
        }
    }
}

fn note(report: &mut ImportReport, observer: &mut dyn ImportObserver, err: RowError) {
    observer.row_error(&err);
    report.failed += 1;
    if report.errors.len() < LISTED_ERRORS {
        report.errors.push(err);
    } else {
        report.errors_not_listed += 1;
    }
}

/// Reads `source` to its end (or a fatal error), writing batch after batch.
pub(super) async fn run(
    service: &Service,
    actor: Option<&User>,
    dataset: DatasetId,
    source: Box<dyn Rows>,
    mapping: Mapping,
    schema: Arc<DatasetSchema>,
    observer: &mut dyn ImportObserver,
) -> Result<ImportReport> {
    let mut report = ImportReport { mapping: mapping.to_json(), ..ImportReport::default() };
    let position = source.position();
    let (sender, mut receiver) = mpsc::channel(BATCHES_IN_FLIGHT);
    let reader = tokio::task::spawn_blocking(move || read_all(source, mapping, schema, sender));
    while let Some(chunk) = receiver.recv().await {
        let (items, lines, failed, rows_read) = match chunk {
            Chunk::Batch { items, lines, failed, rows_read } => (items, lines, failed, rows_read),
            Chunk::Fatal(reason) => {
                report.stopped = Some(reason);
                break;
            }
        };
        report.rows_read += rows_read;
        let mut errors = failed;
        match service.create_records_each(actor, dataset, items).await {
            Ok(outcome) => {
                report.imported += outcome.written as u64;
                errors.extend(outcome.refused.into_iter().map(|(row, reason)| {
                    let line = lines.binary_search_by_key(&row, |it| it.0).ok().and_then(|at| lines[at].1);
                    RowError { row, line, reason }
                }));
            }
            Err(err) => {
                let first = lines.first().map_or(0, |it| it.0);
                report.stopped = Some(format!("stopped at the batch from row {first}, which was not written: {err}"));
                break;
            }
        }
        errors.sort_by_key(|it| it.row);
        for err in errors {
            note(&mut report, observer, err);
        }
        observer.progress(&ImportProgress {
            rows_read: report.rows_read,
            imported: report.imported,
            failed: report.failed,
            done: position.done.load(Ordering::Relaxed),
            total: position.total,
        });
    }
    drop(receiver);
    // The reader ends on its own once the channel is closed; a panic there is a failure here.
    reader.await.map_err(|e| crate::Error::Failed(format!("the file reader stopped: {e}")))?;
    Ok(report)
}
