//! Judges of pairwise questions and the judge audit (issue 22, loam extensions; owners and the
//! admins of the dataset's workspace).
//!
//! Verdicts (`POST …/pairwise/judgements`) are LLM judges' canonical picks on a record's pair
//! shown in one order, stored all or nothing. The audit (`GET …/agreement/judges`) reads the
//! records in one read transaction, batch by batch like `agreement.rs` (each batch's shown orders
//! and verdicts read by id), consolidates each question's submitted answers with the strategy in
//! force (`consolidation.rs`) and folds every record into `loam_domain::agreement::judges` on a
//! blocking thread. On a pairwise question an ordinary suggestion counts as a verdict shown `ab`,
//! and suggestions on the pairing's rating questions imply one (higher rating wins, equal is a
//! tie), unless the same agent gave a verdict in that order.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use loam_domain::agreement::judges::{QuestionAudit, QuestionJudges, RecordView, Verdict};
use loam_domain::answer::{read_suggestion, AnnotatedRecord, Answer, Final};
use loam_domain::consolidation::{consolidate, Strategy};
use loam_domain::model::{DatasetSchema, User};
use loam_domain::pairwise::{rating_verdict, Pairing, Shown};
use loam_domain::value::ResponseStatus;
use loam_domain::{DatasetId, QuestionId, RecordId, ResponseId};
use loam_store::annotated::{read_annotated_with, Contents, Cursor, Responses};
use loam_store::pairwise::{self as store, Judgement};
use loam_store::records;

use crate::datasets::managed_dataset;
use crate::pairwise::pairings;
use crate::{now, Error, Result, Service};

/// Records read per batch.
const BATCH: i64 = 1000;
/// Verdicts per request.
pub const MAX_JUDGEMENTS: usize = 1000;

/// One verdict of `POST …/pairwise/judgements`.
#[derive(Clone, Debug, PartialEq)]
pub struct NewJudgement {
    pub record_id: RecordId,
    /// The pairwise question's name.
    pub question: String,
    pub agent: String,
    pub shown: Shown,
    /// A canonical outcome label of the question.
    pub value: String,
    pub score: Option<f64>,
}

impl Service {
    /// Stores judges' verdicts (upserted by record, question, agent and order), all or nothing:
    /// a record not of the dataset, a question that is not pairwise or a value that is not one of
    /// its outcome labels refuses the whole request, naming the item. Returns how many were stored.
    pub async fn put_judgements(&self, actor: &User, dataset: DatasetId, items: Vec<NewJudgement>) -> Result<usize> {
        let mut tx = self.store.write().await?;
        let ds = managed_dataset(&mut tx, actor, dataset).await?;
        let schema = self.schemas.get(&mut tx, &ds).await?;
        let all = pairings(&mut tx, dataset, &schema).await?;
        let mut ids: Vec<RecordId> = items.iter().map(|it| it.record_id).collect();
        ids.sort();
        ids.dedup();
        let found: Vec<RecordId> =
            records::find_records(&mut tx, dataset, &ids).await?.iter().map(|it| it.id).collect();
        let at = now();
        for (i, item) in items.iter().enumerate() {
            let Some(pairing) = all.iter().find(|it| it.question == item.question) else {
                return Err(Error::invalid(format!(
                    "items[{i}]: '{}' is not a pairwise question of dataset with id `{dataset}`",
                    item.question
                )));
            };
            if pairing.outcomes.outcome(&item.value).is_none() {
                return Err(Error::invalid(format!(
                    "items[{i}]: '{}' is not an outcome label of question '{}' (its outcomes: {})",
                    item.value,
                    pairing.question,
                    outcome_labels(pairing).join(", ")
                )));
            }
            if !found.contains(&item.record_id) {
                return Err(Error::invalid(format!(
                    "items[{i}]: record with id `{}` is not a record of dataset with id `{dataset}`",
                    item.record_id
                )));
            }
            let row = Judgement {
                record_id: item.record_id,
                question_id: pairing.question_id,
                agent: item.agent.clone(),
                shown: item.shown.as_str().to_owned(),
                value: item.value.clone(),
                score: item.score,
            };
            store::upsert_judgement(&mut tx, dataset, &row, at).await?;
        }
        tx.commit().await?;
        Ok(items.len())
    }

    /// The judge audit of `dataset`: per question with agent answers and human submitted
    /// answers, each agent's agreement with the consolidated answer, and on pairwise questions
    /// the first-shown and flip rates of judges and the annotators' first-shown rate.
    pub async fn judge_audit(&self, actor: &User, dataset: DatasetId) -> Result<Vec<QuestionJudges>> {
        let mut tx = self.store.read().await?;
        let ds = managed_dataset(&mut tx, actor, dataset).await?;
        let schema = self.schemas.get(&mut tx, &ds).await?;
        let pairs = pairings(&mut tx, dataset, &schema).await?;
        let strategies: BTreeMap<String, Strategy> = crate::consolidation::in_force(&mut tx, dataset, &schema)
            .await?
            .into_iter()
            .map(|it| (it.name, it.strategy))
            .collect();
        let plan = Arc::new(Plan { schema: (*schema).clone(), pairs, strategies });
        let mut audits: Vec<QuestionAudit> = plan
            .schema
            .questions
            .iter()
            .map(|q| {
                let pairwise = plan.pairs.iter().any(|p| p.question_id == q.id);
                QuestionAudit::new(&q.name, q.settings.type_name(), pairwise)
            })
            .collect();
        let contents = Contents { responses: Responses::All, fields: false, metadata: false };
        let mut after: Option<Cursor> = None;
        loop {
            let (batch, next) = read_annotated_with(&mut tx, dataset, after, BATCH, contents).await?;
            let response_ids: Vec<ResponseId> =
                batch.iter().flat_map(|r| r.responses.iter().map(|it| it.response.id)).collect();
            let record_ids: Vec<RecordId> = batch.iter().map(|r| r.record.id).collect();
            let shown: HashMap<(ResponseId, QuestionId), Shown> = store::list_shown_of(&mut tx, &response_ids)
                .await?
                .into_iter()
                .filter_map(|(r, q, s)| Some(((r, q), Shown::parse(&s)?)))
                .collect();
            let verdicts = store::list_judgements_of(&mut tx, &record_ids).await?;
            let plan = plan.clone();
            audits = tokio::task::spawn_blocking(move || {
                let mut by_record: HashMap<RecordId, Vec<Judgement>> = HashMap::new();
                for it in verdicts {
                    by_record.entry(it.record_id).or_default().push(it);
                }
                for record in &batch {
                    plan.fold(&mut audits, record, &shown, by_record.get(&record.record.id).map_or(&[], Vec::as_slice));
                }
                audits
            })
            .await
            .map_err(|e| Error::Failed(format!("judge audit fold: {e}")))?;
            match next {
                Some(cursor) => after = Some(cursor),
                None => break,
            }
        }
        Ok(audits.into_iter().filter(QuestionAudit::reported).map(QuestionAudit::finish).collect())
    }
}

fn outcome_labels(pairing: &Pairing) -> Vec<String> {
    let o = &pairing.outcomes;
    [Some(&o.a), Some(&o.b), o.tie.as_ref(), o.both_bad.as_ref()]
        .into_iter()
        .flatten()
        .map(|it| format!("'{it}'"))
        .collect()
}

/// What the fold needs of the dataset.
struct Plan {
    schema: DatasetSchema,
    pairs: Vec<Pairing>,
    strategies: BTreeMap<String, Strategy>,
}

const UNNAMED: &str = "(no agent)";

impl Plan {
    fn fold(
        &self,
        audits: &mut [QuestionAudit],
        record: &AnnotatedRecord,
        shown: &HashMap<(ResponseId, QuestionId), Shown>,
        judged: &[Judgement],
    ) {
        let ballots = record.ballots(&self.schema);
        for (question, audit) in self.schema.questions.iter().zip(audits.iter_mut()) {
            let answered = ballots.iter().any(|it| it.answers.contains_key(&question.name));
            let strategy = self
                .strategies
                .get(&question.name)
                .cloned()
                .unwrap_or_else(|| Strategy::default_for(&question.settings));
            let final_answer: Option<Final> =
                answered.then(|| consolidate(question, &strategy, &ballots, record.record.id));
            let suggestions: Vec<(String, Answer)> = record
                .suggestions
                .iter()
                .filter(|it| it.question_id == question.id)
                .filter_map(|it| {
                    let answer = read_suggestion(question, it)?;
                    Some((it.agent.clone().unwrap_or_else(|| UNNAMED.to_owned()), answer))
                })
                .collect();
            let mut view = RecordView { final_answer: final_answer.as_ref(), ..RecordView::default() };
            match self.pairs.iter().find(|it| it.question_id == question.id) {
                None => view.suggestions = suggestions,
                Some(pairing) => {
                    view.verdicts = self.verdicts(pairing, record, suggestions, judged);
                    view.annotators = record
                        .responses
                        .iter()
                        .filter(|it| it.response.status == ResponseStatus::Submitted)
                        .filter_map(|it| {
                            let order = shown.get(&(it.response.id, question.id))?;
                            let label = it.response.values.as_ref()?.get(&question.name)?.get("value")?.as_str()?;
                            Some((*order, pairing.outcomes.outcome(label)?))
                        })
                        .collect();
                }
            }
            audit.add(&view);
        }
    }

    /// A pairwise question's verdicts on `record`, one per (agent, order): explicit judgements,
    /// else the agent's suggestion on the question (shown `ab`), else the pick its ratings imply.
    fn verdicts(
        &self,
        pairing: &Pairing,
        record: &AnnotatedRecord,
        suggestions: Vec<(String, Answer)>,
        judged: &[Judgement],
    ) -> Vec<Verdict> {
        let mut res: BTreeMap<(String, Shown), Verdict> = BTreeMap::new();
        let mut put = |agent: String, shown: Shown, label: &str, replace: bool| {
            let Some(outcome) = pairing.outcomes.outcome(label) else { return };
            let key = (agent.clone(), shown);
            if replace || !res.contains_key(&key) {
                res.insert(key, Verdict { agent, shown, outcome, label: label.to_owned() });
            }
        };
        for it in judged.iter().filter(|it| it.question_id == pairing.question_id) {
            if let Some(shown) = Shown::parse(&it.shown) {
                put(it.agent.clone(), shown, &it.value, true);
            }
        }
        for (agent, answer) in suggestions {
            if let Answer::Label(label) = answer {
                put(agent, Shown::Ab, &label, false);
            }
        }
        if let Some(ratings) = &pairing.ratings {
            let rating = |name: &str| -> BTreeMap<String, f64> {
                let Some(q) = self.schema.questions.iter().find(|it| it.name == name) else { return BTreeMap::new() };
                record
                    .suggestions
                    .iter()
                    .filter(|it| it.question_id == q.id)
                    .filter_map(|it| match read_suggestion(q, it)? {
                        Answer::Rating(v) => Some((it.agent.clone().unwrap_or_else(|| UNNAMED.to_owned()), v as f64)),
                        _ => None,
                    })
                    .collect()
            };
            let (a, b) = (rating(&ratings.a), rating(&ratings.b));
            for (agent, ra) in a {
                let Some(rb) = b.get(&agent) else { continue };
                if let Some(label) = pairing.outcomes.label(rating_verdict(ra, *rb)) {
                    put(agent, Shown::Ab, label, false);
                }
            }
        }
        res.into_values().collect()
    }
}
