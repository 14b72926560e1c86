//! A dataset's review queue: its records in insertion order, read a batch at a time with their
//! submitted answers, kept when `loam_domain::review::select` says so (and they have no final
//! answer and no open return). Memory holds the selected records' ids and scores, not the batches.

use std::collections::HashSet;

use loam_domain::model::User;
use loam_domain::review::{disagreements, select, Reason};
use loam_domain::settings::QuestionSettings;
use loam_domain::{DatasetId, RecordId};
use loam_store::annotated::{read_annotated_with, Contents, Responses};
use loam_store::review;

use super::rule_of;
use crate::datasets::readable_dataset;
use crate::policy::require_reviewer;
use crate::{Result, Service};

/// Records read per batch.
const BATCH: i64 = 500;

/// One record of the queue.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueItem {
    pub record_id: RecordId,
    pub external_id: Option<String>,
    pub submitted: usize,
    pub reason: Reason,
    /// Each question's disagreement among the submitted answers (`None` with fewer than two).
    pub disagreement: Vec<(String, Option<f64>)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct QueuePage {
    pub items: Vec<QueueItem>,
    pub total: usize,
}

impl Service {
    /// `limit` records of `dataset`'s review queue from `offset` (its reviewers).
    pub async fn review_queue(&self, actor: &User, dataset: DatasetId, offset: i64, limit: i64) -> Result<QueuePage> {
        let mut tx = self.store.read().await?;
        let ds = readable_dataset(&mut tx, actor, dataset).await?;
        require_reviewer(&mut tx, actor, ds.workspace_id).await?;
        let schema = self.schemas.get(&mut tx, &ds).await?;
        let rule = rule_of(&mut tx, dataset).await?;
        let decided: HashSet<RecordId> = review::final_record_ids(&mut tx, dataset).await?.into_iter().collect();
        let returns = review::dataset_returns(&mut tx, dataset, None).await?;
        let waiting: HashSet<RecordId> = returns.iter().filter(|it| it.open).map(|it| it.record_id).collect();
        let resubmitted: HashSet<RecordId> =
            returns.iter().filter(|it| !it.open && !waiting.contains(&it.record_id)).map(|it| it.record_id).collect();
        // Span questions measure their field's text; nothing else needs fields.
        let spans = schema.questions.iter().any(|q| matches!(q.settings, QuestionSettings::Span { .. }));
        let contents = Contents { responses: Responses::Submitted, fields: spans, metadata: false };
        let mut items = Vec::new();
        let mut cursor = None;
        loop {
            let (batch, next) = read_annotated_with(&mut tx, dataset, cursor, BATCH, contents).await?;
            for it in batch {
                let id = it.record.id;
                if decided.contains(&id) || waiting.contains(&id) {
                    continue;
                }
                let ballots = it.ballots(&schema);
                if ballots.is_empty() {
                    continue;
                }
                let scores = disagreements(&schema, &ballots);
                let min = ds.distribution.min_submitted;
                if let Some(reason) = select(&rule, id, &scores, ballots.len(), min, resubmitted.contains(&id)) {
                    items.push(QueueItem {
                        record_id: id,
                        external_id: it.record.external_id.clone(),
                        submitted: ballots.len(),
                        reason,
                        disagreement: scores,
                    });
                }
            }
            cursor = next;
            if cursor.is_none() {
                break;
            }
        }
        let total = items.len();
        let start = usize::try_from(offset.max(0)).unwrap_or(usize::MAX).min(total);
        let end = start.saturating_add(usize::try_from(limit.max(1)).unwrap_or(1)).min(total);
        Ok(QueuePage { items: items.drain(start..end).collect(), total })
    }
}
