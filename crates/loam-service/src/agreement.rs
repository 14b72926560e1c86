//! A dataset's agreement report and its most disagreed records (owners, and admins of the
//! dataset's workspace). The records are read in one read transaction, batch by batch
//! (`loam_store::annotated`, every response status: the report counts discarded ones), and each
//! batch is folded into the pure accumulator of `loam_domain::agreement` on a blocking thread, so
//! memory stays flat and the async workers stay free. The JSON shapes are rendered here too.

use std::sync::Arc;

use loam_domain::agreement::{Agreement, Figure, Metric, Report};
use loam_domain::answer::AnnotatedRecord;
use loam_domain::model::User;
use loam_domain::{DatasetId, RecordId};
use loam_store::annotated::{read_annotated, Cursor, Responses};
use loam_store::Tx;
use serde_json::{json, Value};

use crate::datasets::managed_dataset;
use crate::{Error, Result, Service};

/// Records read per batch.
const BATCH: i64 = 1000;

/// The agreement report of one dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct AgreementReport {
    pub dataset_id: DatasetId,
    pub min_submitted: i64,
    pub report: Report,
}

/// One record of the most-disagreed list.
#[derive(Clone, Debug, PartialEq)]
pub struct DisagreedRecord {
    pub record_id: RecordId,
    pub external_id: Option<String>,
    /// Submitted responses to the record.
    pub submitted: u64,
    pub disagreement: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DisagreedRecords {
    pub items: Vec<DisagreedRecord>,
    /// Records with a score (2 or more submitted answers to the question).
    pub total: u64,
}

/// Reads `dataset`'s records batch by batch, handing each batch to `fold` on a blocking thread.
async fn fold_batches<S, F>(tx: &mut Tx, dataset: DatasetId, mut state: S, fold: F) -> Result<S>
where
    S: Send + 'static,
    F: Fn(&mut S, &[AnnotatedRecord]) + Send + Sync + 'static,
{
    let fold = Arc::new(fold);
    let mut after: Option<Cursor> = None;
    loop {
        let (batch, next) = read_annotated(tx, dataset, after, BATCH, Responses::All).await?;
        let fold = fold.clone();
        state = tokio::task::spawn_blocking(move || {
            fold(&mut state, &batch);
            state
        })
        .await
        .map_err(|e| Error::Failed(format!("agreement fold: {e}")))?;
        match next {
            Some(cursor) => after = Some(cursor),
            None => return Ok(state),
        }
    }
}

impl Service {
    pub async fn agreement(&self, actor: &User, id: DatasetId) -> Result<AgreementReport> {
        let mut tx = self.store.read().await?;
        let ds = managed_dataset(&mut tx, actor, id).await?;
        let schema = self.schemas.get(&mut tx, &ds).await?;
        let agreement = fold_batches(&mut tx, id, Agreement::new(&schema), |acc, batch| acc.fold(batch)).await?;
        Ok(AgreementReport { dataset_id: id, min_submitted: ds.distribution.min_submitted, report: agreement.finish() })
    }

    /// The records of `dataset` by their disagreement on `question`, most disagreed first (ties
    /// in insertion order), `limit` from `offset`.
    pub async fn disagreed_records(
        &self,
        actor: &User,
        id: DatasetId,
        question: Option<&str>,
        limit: usize,
        offset: usize,
    ) -> Result<DisagreedRecords> {
        let mut tx = self.store.read().await?;
        let ds = managed_dataset(&mut tx, actor, id).await?;
        let schema = self.schemas.get(&mut tx, &ds).await?;
        let Some(name) = question else {
            return Err(Error::invalid(
                "The query parameter `question` is required: the name of a question of the dataset",
            ));
        };
        let Some(question) = schema.questions.iter().find(|it| it.name == name).cloned() else {
            return Err(Error::invalid(format!("Question `{name}` does not exist in dataset `{id}`")));
        };
        let mut scored = fold_batches(&mut tx, id, Vec::new(), move |scored: &mut Vec<DisagreedRecord>, batch| {
            for record in batch {
                let ballots = record.ballots(&schema);
                if let Some(disagreement) = loam_domain::agreement::record_disagreement(&question, &ballots) {
                    scored.push(DisagreedRecord {
                        record_id: record.record.id,
                        external_id: record.record.external_id.clone(),
                        submitted: ballots.len() as u64,
                        disagreement,
                    });
                }
            }
        })
        .await?;
        // A stable sort keeps insertion order among equal scores.
        scored.sort_by(|a, b| b.disagreement.total_cmp(&a.disagreement));
        let total = scored.len() as u64;
        let items = scored.into_iter().skip(offset).take(limit).collect();
        Ok(DisagreedRecords { items, total })
    }
}

fn figure(figure: &Figure) -> Value {
    json!({"value": figure.value, "reason": figure.reason})
}

fn metric(metric: &Metric) -> Value {
    json!({"name": metric.name, "variant": metric.variant, "value": metric.figure.value, "reason": metric.figure.reason})
}

/// `GET /api/v1/datasets/{id}/agreement`.
pub fn render_report(it: &AgreementReport) -> Value {
    let report = &it.report;
    let questions: Vec<Value> = report
        .questions
        .iter()
        .map(|q| {
            json!({
                "name": q.name,
                "title": q.title,
                "type": q.kind,
                "answered_records": q.answered_records,
                "metrics": q.metrics.iter().map(metric).collect::<Vec<_>>(),
                "pairs": q.pairs.iter().map(|p| json!({
                    "annotators": p.annotators,
                    "records": p.records,
                    "metrics": p.metrics.iter().map(metric).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "annotators": q.annotators.iter().map(|a| json!({
                    "username": a.username, "answered": a.answered, "agreement": figure(&a.agreement),
                })).collect::<Vec<_>>(),
                "agents": q.agents.iter().map(|a| json!({
                    "agent": a.agent, "records": a.records, "agreement": figure(&a.agreement),
                })).collect::<Vec<_>>(),
                "disagreement": q.disagreement.iter().map(|b| json!({
                    "from": b.from, "to": b.to, "records": b.records,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "dataset_id": it.dataset_id.0,
        "records": report.records,
        "min_submitted": it.min_submitted,
        "submitted_per_record": report.submitted_per_record.iter()
            .map(|(submitted, records)| json!({"submitted": submitted, "records": records}))
            .collect::<Vec<_>>(),
        "annotators": report.annotators.iter()
            .map(|a| json!({"username": a.username, "submitted": a.submitted, "discarded": a.discarded}))
            .collect::<Vec<_>>(),
        "questions": questions,
    })
}

/// `GET /api/v1/datasets/{id}/agreement/records`.
pub fn render_records(page: &DisagreedRecords) -> Value {
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|it| {
            json!({
                "record_id": it.record_id.0,
                "external_id": it.external_id,
                "submitted": it.submitted,
                "disagreement": it.disagreement,
            })
        })
        .collect();
    json!({"items": items, "total": page.total})
}
