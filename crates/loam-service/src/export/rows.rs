//! The rows of an export's batches: the `records` shape's straight from the batch's text
//! (`RecordsShape::fill`, the provenance cells written in place over recycled rows) or from decoded
//! records, the training shapes' from decoded records and their finals; and the pool of rows the
//! writer is done with.

use loam_domain::answer::{AnnotatedRecord, Ballot};
use loam_domain::model::Vector;
use loam_domain::stored::StoredRecord;
use loam_domain::table::{Cell, Refill, Row};
use loam_domain::value::ResponseStatus;
use loam_domain::RecordId;
use loam_export::RecordsShape;
use loam_store::review::FinalAnswer;
use loam_store::StoreError;
use serde_json::Value;

use super::plan::Plan;
use super::{
    BelowMin, ExportStats, ReadBatch, RowMaker, BATCH_RECORDS, BELOW_MIN_SUBMITTED, SOURCE_CONSOLIDATED, SOURCE_FINAL,
};
use crate::{Error, Result};

impl RowMaker {
    /// The rows of `batch` (decoded here), counting what they hold (and leave out) in `stats`.
    pub(super) fn rows(&self, batch: ReadBatch, stats: &mut ExportStats) -> Result<Vec<Row>> {
        self.rows_over(batch, stats, &mut RowPool::default())
    }

    /// [`RowMaker::rows`], written over rows taken from `pool` where the shape allows it.
    pub(super) fn rows_over(&self, batch: ReadBatch, stats: &mut ExportStats, pool: &mut RowPool) -> Result<Vec<Row>> {
        self.make(batch, stats, pool, Source::Text)
    }

    /// The rows of `batch`, the `records` shape's made from what `source` says.
    pub(super) fn make(
        &self,
        batch: ReadBatch,
        stats: &mut ExportStats,
        pool: &mut RowPool,
        source: Source,
    ) -> Result<Vec<Row>> {
        if let (Plan::Records(shape), Source::Text) = (&self.plan, source) {
            return self.records_rows(shape, batch, stats, pool);
        }
        let records = batch.raw.decode()?;
        let mut rows = Vec::with_capacity(records.len());
        for it in &records {
            let ballots = it.ballots(&self.schema);
            let below = (ballots.len() as i64) < self.dataset.distribution.min_submitted;
            if below && self.request.below_min == BelowMin::Skip {
                stats.skipped_below_min += 1;
                continue;
            }
            if below {
                stats.flagged_below_min += 1;
            }
            let final_answer = batch.finals.get(&it.record.id);
            let made = match self.plan.rows(&self.schema, it, &ballots, &batch.vectors, final_answer) {
                Ok(made) => made,
                Err(reason) => {
                    stats.count_no_row(reason, 1);
                    continue;
                }
            };
            for (annotator, mut row) in made {
                let times = batch.times.get(&it.record.id).map_or(&[][..], Vec::as_slice);
                let extra = self.preference.as_ref().map(|p| {
                    let shown = batch.shown.get(&it.record.id).map_or(&[][..], Vec::as_slice);
                    let verdicts = batch.verdicts.get(&it.record.id).map_or(&[][..], Vec::as_slice);
                    p.cells(it, &ballots, annotator.as_deref(), &row, shown, verdicts, final_answer)
                });
                row.extend(self.provenance(it, &ballots, annotator, times, below, final_answer));
                row.extend(extra.into_iter().flatten());
                rows.push(row);
                stats.rows += 1;
            }
        }
        Ok(rows)
    }

    /// The `records` shape's rows, read from the batch's text without decoding it into
    /// `AnnotatedRecord`s (`RecordsShape::fill`): the same cells as [`Plan::rows`] and
    /// [`RowMaker::provenance`] give.
    fn records_rows(
        &self,
        shape: &RecordsShape,
        batch: ReadBatch,
        stats: &mut ExportStats,
        pool: &mut RowPool,
    ) -> Result<Vec<Row>> {
        let stored = batch.raw.stored()?;
        let mut vectors: std::collections::HashMap<RecordId, Vec<Vector>> = std::collections::HashMap::new();
        for vector in batch.vectors {
            vectors.entry(vector.record_id).or_default().push(vector);
        }
        let mut rows = pool.batch(stored.len());
        for it in stored.iter() {
            let answers = it.answers().map_err(corrupt)?;
            let ballots = it.ballots(&self.schema, &answers);
            let below = (ballots.len() as i64) < self.dataset.distribution.min_submitted;
            if below && self.request.below_min == BelowMin::Skip {
                stats.skipped_below_min += 1;
                continue;
            }
            if below {
                stats.flagged_below_min += 1;
            }
            let mut row = pool.row();
            {
                let mut out = Refill::new(&mut row);
                let vectors = vectors.get(&it.id).map_or(&[][..], Vec::as_slice);
                shape.fill(&it, &answers, vectors, &mut out).map_err(corrupt)?;
                let times = batch.times.get(&it.id).map_or(&[][..], Vec::as_slice);
                self.stored_provenance(&it, &ballots, below, times, batch.finals.get(&it.id), &mut out);
            }
            rows.push(row);
            stats.rows += 1;
        }
        Ok(rows)
    }

    /// [`RowMaker::provenance`] of a stored record (the `records` shape: no strategy, every
    /// annotator's time on task, the final answer where a reviewer decided one).
    fn stored_provenance(
        &self,
        it: &StoredRecord<'_>,
        ballots: &[Ballot],
        below: bool,
        times: &[(String, i64)],
        final_answer: Option<&FinalAnswer>,
        out: &mut Refill<'_>,
    ) {
        out.str(it.id.0.hyphenated().encode_lower(&mut uuid::Uuid::encode_buffer()));
        match it.external_id {
            Some(id) => out.str(id),
            None => out.null(),
        }
        out.str_list(it.responses.iter().filter(|r| r.status == ResponseStatus::Submitted).map(|r| r.username));
        out.str(&self.build_id);
        out.json_numbers(
            self.deciding.iter().map(|it| it.question().name.as_str()),
            self.deciding.iter().map(|it| it.of(ballots)),
        );
        out.push(Cell::Json(Value::Object(
            times.iter().map(|(username, ms)| (username.clone(), Value::from(*ms))).collect(),
        )));
        if let Plan::Training(plan) = &self.plan {
            out.push(Cell::Json(plan.strategies.clone()));
        }
        match final_answer {
            Some(it) => {
                out.str(SOURCE_FINAL);
                out.push(Cell::Json(it.values.clone()));
            }
            None => {
                out.null();
                out.null();
            }
        }
        if self.request.below_min == BelowMin::Flag {
            if below {
                out.str(BELOW_MIN_SUBMITTED);
            } else {
                out.null();
            }
        }
    }

    fn provenance(
        &self,
        it: &AnnotatedRecord,
        ballots: &[Ballot],
        annotator: Option<String>,
        times: &[(String, i64)],
        below: bool,
        final_answer: Option<&FinalAnswer>,
    ) -> Vec<Cell> {
        // Time on task of the row's annotator, or of every annotator of the record with measured time.
        let active: serde_json::Map<String, Value> = times
            .iter()
            .filter(|(username, _)| annotator.as_ref().is_none_or(|one| one == username))
            .map(|(username, ms)| (username.clone(), Value::from(*ms)))
            .collect();
        let annotators = match annotator {
            Some(one) => vec![one],
            None => it
                .responses
                .iter()
                .filter(|r| r.response.status == ResponseStatus::Submitted)
                .map(|r| r.username.clone())
                .collect(),
        };
        let mut cells = vec![
            Cell::Str(it.record.id.to_string()),
            it.record.external_id.clone().map_or(Cell::Null, Cell::Str),
            Cell::StrList(annotators),
            Cell::Str(self.build_id.clone()),
            Cell::Json(self.disagreement(ballots)),
            Cell::Json(Value::Object(active)),
        ];
        if let Plan::Training(plan) = &self.plan {
            cells.push(Cell::Json(plan.strategies.clone()));
        }
        cells.push(match (final_answer, &self.plan) {
            (Some(_), _) => Cell::Str(SOURCE_FINAL.to_owned()),
            (None, Plan::Training(_)) => Cell::Str(SOURCE_CONSOLIDATED.to_owned()),
            (None, Plan::Records(_)) => Cell::Null,
        });
        if let Plan::Records(_) = &self.plan {
            cells.push(final_answer.map_or(Cell::Null, |it| Cell::Json(it.values.clone())));
        }
        if self.request.below_min == BelowMin::Flag {
            cells.push(if below { Cell::Str(BELOW_MIN_SUBMITTED.to_owned()) } else { Cell::Null });
        }
        cells
    }

    /// `{question: disagreement or null}` of the deciding questions.
    fn disagreement(&self, ballots: &[Ballot]) -> Value {
        let mut res = serde_json::Map::new();
        for it in &self.deciding {
            let value = it.of(ballots).and_then(serde_json::Number::from_f64);
            res.insert(it.question().name.clone(), value.map_or(Value::Null, Value::Number));
        }
        Value::Object(res)
    }
}

/// What the `records` shape's rows are made from (the training shapes' always from decoded
/// records).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    /// The batch's text (`RecordsShape::fill`).
    Text,
    /// Decoded records (`RecordsShape::row`).
    Decoded,
}

/// Stored JSON that does not parse.
fn corrupt(err: serde_json::Error) -> Error {
    Error::from(StoreError::Corrupt(format!("stored JSON: {err}")))
}

/// Rows the writer is done with, kept to be written over (their strings' memory reused) instead
/// of freed and allocated again; at most [`RowPool::ROWS`] of them, so memory stays flat.
#[derive(Default)]
pub(super) struct RowPool {
    rows: Vec<Row>,
    batches: Vec<Vec<Row>>,
}

impl RowPool {
    const ROWS: usize = 4 * BATCH_RECORDS as usize;

    /// Keeps the rows of a written batch (those past the limit are freed).
    pub fn give(&mut self, mut spent: Vec<Row>) {
        let room = Self::ROWS.saturating_sub(self.rows.len());
        if spent.len() > room {
            spent.truncate(room);
        }
        self.rows.append(&mut spent);
        if self.batches.len() < 4 {
            self.batches.push(spent);
        }
    }

    /// A row to write over (empty when none is kept).
    fn row(&mut self) -> Row {
        self.rows.pop().unwrap_or_default()
    }

    /// An empty list for `n` rows.
    fn batch(&mut self, n: usize) -> Vec<Row> {
        let mut it = self.batches.pop().unwrap_or_default();
        it.reserve(n);
        it
    }
}
