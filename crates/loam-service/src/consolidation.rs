//! Consolidation: the strategy of each question of a dataset (stored ones, else the type's
//! default), setting them, and a preview of the finals they give, page by page. Owners and the
//! admins of the dataset's workspace only. The rules themselves are `loam_domain::consolidation`.
//!
//! Strategies are read per request (one small indexed read); nothing caches them, so they need no
//! version of their own. A stored strategy that no longer fits its question (a `by_rating` whose
//! rating question was deleted) counts as absent: the question has its default until set again.

use std::collections::BTreeMap;

use loam_domain::answer::Final;
use loam_domain::consolidation::{consolidate, Strategy};
use loam_domain::model::{DatasetSchema, User};
use loam_domain::{DatasetId, RecordId};
use loam_store::annotated::{read_annotated, Responses};
use loam_store::{records, strategies, Tx};
use rand::RngCore;
use serde_json::Value;

use crate::datasets::managed_dataset;
use crate::{now, Error, Result, Service};

/// One question's strategy in force.
#[derive(Clone, Debug, PartialEq)]
pub struct QuestionStrategy {
    pub name: String,
    /// The question's type (`label_selection`, …).
    pub type_name: &'static str,
    pub strategy: Strategy,
    /// Whether it is the type's default (nothing usable is stored).
    pub default: bool,
}

/// The finals of one record.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordFinals {
    pub record_id: RecordId,
    pub external_id: Option<String>,
    /// How many submitted responses the record has.
    pub submitted: usize,
    /// Whether it has at least the dataset's `min_submitted` submitted responses.
    pub complete: bool,
    /// By question, in the settings' order.
    pub finals: Vec<(String, Final)>,
}

/// A page of the preview and the dataset's number of records.
#[derive(Clone, Debug, PartialEq)]
pub struct FinalsPage {
    pub items: Vec<RecordFinals>,
    pub total: i64,
}

/// Records read per batch while skipping to a preview's offset.
const SKIP_BATCH: i64 = 500;

impl Service {
    pub async fn consolidation_strategies(&self, actor: &User, dataset: DatasetId) -> Result<Vec<QuestionStrategy>> {
        let mut tx = self.store.read().await?;
        let ds = managed_dataset(&mut tx, actor, dataset).await?;
        let schema = self.schemas.get(&mut tx, &ds).await?;
        in_force(&mut tx, dataset, &schema).await
    }

    /// Sets the strategies of the named questions (`None` resets one to its default); the others
    /// keep theirs. All or nothing: an unknown question or a strategy that does not fit refuses the
    /// whole change. A random tie break without a seed gets one here, stored with it.
    pub async fn set_consolidation_strategies(
        &self,
        actor: &User,
        dataset: DatasetId,
        changes: Vec<(String, Option<Value>)>,
    ) -> Result<Vec<QuestionStrategy>> {
        let mut tx = self.store.write().await?;
        let ds = managed_dataset(&mut tx, actor, dataset).await?;
        let schema = self.schemas.get(&mut tx, &ds).await?;
        let mut parsed = Vec::with_capacity(changes.len());
        for (name, value) in &changes {
            let Some(question) = schema.questions.iter().find(|it| it.name == *name) else {
                let known: Vec<String> = schema.questions.iter().map(|it| format!("'{}'", it.name)).collect();
                return Err(Error::invalid(format!(
                    "question '{name}' does not exist in this dataset (its questions: {})",
                    if known.is_empty() { "none".to_owned() } else { known.join(", ") }
                )));
            };
            let strategy = match value {
                None | Some(Value::Null) => None,
                Some(value) => {
                    let fresh_seed = rand::thread_rng().next_u64();
                    Some(Strategy::parse(&schema, question, value, fresh_seed).map_err(|it| Error::invalid(it.0))?)
                }
            };
            parsed.push((question.id, strategy));
        }
        let at = now();
        for (question, strategy) in parsed {
            match strategy {
                Some(strategy) => {
                    strategies::upsert_strategy(&mut tx, dataset, question, &strategy.to_json(), at).await?
                }
                None => {
                    strategies::delete_strategy(&mut tx, question).await?;
                }
            }
        }
        let res = in_force(&mut tx, dataset, &schema).await?;
        tx.commit().await?;
        Ok(res)
    }

    /// The finals of `limit` records from `offset` (insertion order) under the strategies in force.
    pub async fn consolidation_preview(
        &self,
        actor: &User,
        dataset: DatasetId,
        offset: i64,
        limit: i64,
    ) -> Result<FinalsPage> {
        let mut tx = self.store.read().await?;
        let ds = managed_dataset(&mut tx, actor, dataset).await?;
        let schema = self.schemas.get(&mut tx, &ds).await?;
        let in_use = self.strategies_in_tx(&mut tx, dataset, &schema).await?;
        let total = records::count_records(&mut tx, dataset).await?;
        // Skip to the offset a batch at a time (the store reads after a cursor, not at an offset).
        let mut cursor = None;
        let mut skip = offset.max(0);
        while skip > 0 {
            let (batch, next) =
                read_annotated(&mut tx, dataset, cursor, skip.min(SKIP_BATCH), Responses::Submitted).await?;
            skip -= batch.len() as i64;
            cursor = next;
            if cursor.is_none() {
                return Ok(FinalsPage { items: Vec::new(), total });
            }
        }
        let (batch, _) = read_annotated(&mut tx, dataset, cursor, limit.max(1), Responses::Submitted).await?;
        let items = batch
            .into_iter()
            .map(|annotated| {
                let ballots = annotated.ballots(&schema);
                let finals = schema
                    .questions
                    .iter()
                    .filter_map(|q| {
                        let strategy = in_use.get(&q.name)?;
                        Some((q.name.clone(), consolidate(q, strategy, &ballots, annotated.record.id)))
                    })
                    .collect();
                RecordFinals {
                    record_id: annotated.record.id,
                    external_id: annotated.record.external_id.clone(),
                    submitted: ballots.len(),
                    complete: ballots.len() as i64 >= ds.distribution.min_submitted,
                    finals,
                }
            })
            .collect();
        Ok(FinalsPage { items, total })
    }

    /// The strategy in force for every question of `dataset` (settings `schema`), by question
    /// name: the stored one, else the type's default. For the exports, inside their transaction.
    pub(crate) async fn strategies_in_tx(
        &self,
        tx: &mut Tx,
        dataset: DatasetId,
        schema: &DatasetSchema,
    ) -> Result<BTreeMap<String, Strategy>> {
        let list = in_force(tx, dataset, schema).await?;
        Ok(list.into_iter().map(|it| (it.name, it.strategy)).collect())
    }
}

pub(crate) async fn in_force(tx: &mut Tx, dataset: DatasetId, schema: &DatasetSchema) -> Result<Vec<QuestionStrategy>> {
    let stored: BTreeMap<_, _> = strategies::list_strategies(tx, dataset).await?.into_iter().collect();
    Ok(schema
        .questions
        .iter()
        .map(|q| {
            // A stored strategy carries its seed, so the fresh one is never used here.
            let kept = stored.get(&q.id).and_then(|value| Strategy::parse(schema, q, value, 0).ok());
            QuestionStrategy {
                name: q.name.clone(),
                type_name: q.settings.type_name(),
                default: kept.is_none(),
                strategy: kept.unwrap_or_else(|| Strategy::default_for(&q.settings)),
            }
        })
        .collect())
}
