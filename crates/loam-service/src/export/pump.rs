//! An export written while it is read, in three stages that each take a thread: this task reads
//! batch after batch from the snapshot (SQLite's statements run on the calling thread, the rows'
//! text copied as it is; `loam_store::annotated::RawBatch`); a blocking thread decodes each batch
//! and makes its rows (JSON parsed, answers typed, disagreement, cells); another hands them to
//! the file's writer (Parquet's column encoding and compression above all). On two cores the
//! three overlap instead of taking turns on one. Between the stages sit channels of
//! [`BATCHES_IN_FLIGHT`] batches, so memory stays flat: a stage that falls behind slows the ones
//! before it down.
//!
//! The writer sees the rows in the order they were read, exactly as a loop that reads and writes
//! in turn would hand them over, so the file's bytes are the same.

use std::io;
use std::sync::{mpsc as sync_mpsc, Arc};

use loam_domain::table::Row;
use loam_export::TableWriter;
use tokio::sync::mpsc;

use super::{Export, ExportStats, ReadBatch, RowPool};
use crate::Error;

/// Batches waiting between two stages.
pub const BATCHES_IN_FLIGHT: usize = 2;

/// A writer that writes through a `Box`, on any thread.
pub type BoxedWriter = Box<dyn TableWriter + Send>;

/// Why [`Export::write_all`] stopped.
#[derive(Debug)]
pub enum PumpError {
    /// Reading the export failed.
    Read(Error),
    /// The writer failed (its output refused the bytes, or a row did not fit its columns).
    Write(io::Error),
}

impl Export {
    /// Reads every batch, makes its rows and hands them to `writer`, the three overlapped (see
    /// the module doc); `progress` sees the stats after each batch is read (`records_read`; the
    /// row counts are complete when this returns). Returns the writer, not yet finished, once
    /// every row went through it.
    pub async fn write_all(
        &mut self,
        mut writer: BoxedWriter,
        mut progress: impl FnMut(&ExportStats),
    ) -> Result<BoxedWriter, PumpError> {
        let (read_tx, mut read_rx) = mpsc::channel::<ReadBatch>(BATCHES_IN_FLIGHT);
        let (rows_tx, rows_rx) = sync_mpsc::sync_channel::<Vec<Row>>(BATCHES_IN_FLIGHT);
        // Written rows go back to the thread that made them, to be written over (`RowPool`: the
        // `records` shape reuses their strings) or freed there: the allocator keeps freed memory
        // per thread, and memory freed by another thread costs it a lock and a consolidation
        // pass (a third of this stage's time before). Unbounded, so neither thread can wait on
        // the other in a circle; it holds at most the batches in flight.
        let (spent_tx, spent_rx) = sync_mpsc::channel::<Vec<Row>>();
        let maker = Arc::clone(&self.maker);
        let made = tokio::task::spawn_blocking(move || -> Result<ExportStats, Error> {
            let mut stats = ExportStats::default();
            let mut pool = RowPool::default();
            while let Some(batch) = read_rx.blocking_recv() {
                while let Ok(spent) = spent_rx.try_recv() {
                    pool.give(spent);
                }
                let rows = maker.rows_over(batch, &mut stats, &mut pool)?;
                if rows_tx.send(rows).is_err() {
                    break; // the writer stopped, and says why
                }
            }
            Ok(stats)
        });
        let written = tokio::task::spawn_blocking(move || -> io::Result<BoxedWriter> {
            while let Ok(rows) = rows_rx.recv() {
                for row in &rows {
                    writer.write(row)?;
                }
                // Freed here instead when the row maker has finished.
                let _ = spent_tx.send(rows);
            }
            Ok(writer)
        });
        let read = async {
            while let Some(batch) = self.read_batch().await? {
                progress(&self.stats);
                if read_tx.send(batch).await.is_err() {
                    break; // a later stage stopped, and says why
                }
            }
            Ok::<(), Error>(())
        }
        .await;
        drop(read_tx);
        let joined = |err: tokio::task::JoinError| PumpError::Write(io::Error::other(err.to_string()));
        let made = made.await.map_err(joined)?;
        let written = written.await.map_err(joined)?;
        // A failed read (or decoding) is the first cause even when the writer, cut short, failed
        // too.
        read.map_err(PumpError::Read)?;
        self.stats.absorb_rows(made.map_err(PumpError::Read)?);
        written.map_err(PumpError::Write)
    }
}
