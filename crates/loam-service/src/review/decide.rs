//! A record as its reviewer sees it (every response with its author, the suggestions, the
//! consolidated answer, the final answer, returns and the audit trail) and the reviewer's
//! decisions: accept one annotator's answer, accept the consolidated answer, write their own, or
//! return the record to an annotator with a comment.

use std::collections::BTreeMap;

use loam_domain::answer::{read_answers, Ballot, Final};
use loam_domain::consolidation::{consolidate, Strategy};
use loam_domain::error::Loc;
use loam_domain::model::{Dataset, DatasetSchema, Record, Response, Suggestion, User};
use loam_domain::review::{check_comment, values_of, Source};
use loam_domain::value::{check_response, QuestionRef, ResponseStatus};
use loam_domain::{RecordId, Rejection, Timestamp, UserId};
use loam_store::review::{self, FinalAnswer, Return, ReviewEvent};
use loam_store::{responses, suggestions, users, Tx};
use serde_json::Value;
use uuid::Uuid;

use crate::datasets::readable_dataset;
use crate::policy::require_reviewer;
use crate::records::{find_record, hide_metadata};
use crate::response_write::{Locked, ResponseWrites, StatusEvents};
use crate::wire::answer_json;
use crate::{now, Error, Result, Service};

/// What a reviewer decides about a record.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// The submitted answer of this annotator becomes the final answer.
    AcceptResponse { user: UserId },
    /// The consolidated answer (the strategies in force) becomes the final answer.
    AcceptConsolidated,
    /// The reviewer's own answer (`{"question": {"value": …}}`, checked as a submitted response).
    Own { values: Value },
    /// Back to this annotator, with a comment: their response becomes a draft again.
    Return { user: UserId, comment: String },
}

impl Decision {
    fn action(&self) -> &'static str {
        match self {
            Decision::AcceptResponse { .. } => "accept_response",
            Decision::AcceptConsolidated => "accept_consolidated",
            Decision::Own { .. } => "own",
            Decision::Return { .. } => "return",
        }
    }
}

/// One response of the record, with its author's username (`None` once removed).
#[derive(Clone, Debug, PartialEq)]
pub struct ReviewedResponse {
    pub response: Response,
    pub username: Option<String>,
}

/// A record as its reviewer sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordReview {
    pub record: Record,
    /// Every response, whatever its status, oldest first.
    pub responses: Vec<ReviewedResponse>,
    pub suggestions: Vec<Suggestion>,
    /// By question, in the settings' order: what the strategies in force make of the submitted answers.
    pub consolidated: Vec<(String, Final)>,
    pub final_answer: Option<FinalAnswer>,
    pub returns: Vec<Return>,
    /// The audit trail, oldest first.
    pub events: Vec<ReviewEvent>,
}

impl Service {
    /// Record `id` as its reviewer sees it.
    pub async fn record_review(&self, actor: &User, id: RecordId) -> Result<RecordReview> {
        let mut tx = self.store.read().await?;
        let record = find_record(&mut tx, id).await?;
        let ds = readable_dataset(&mut tx, actor, record.dataset_id).await?;
        require_reviewer(&mut tx, actor, ds.workspace_id).await?;
        let schema = self.schemas.get(&mut tx, &ds).await?;
        self.load_review(&mut tx, actor, &schema, record).await
    }

    /// Applies `decision` to record `id` (its reviewers) and returns the record as they now see it.
    pub async fn review_record(&self, actor: &User, id: RecordId, decision: Decision) -> Result<RecordReview> {
        let mut tx = self.store.write().await?;
        // The row lock first: a return writes a response, and statuses are recomputed under it.
        let locked = Locked::take(&mut tx, [id]).await?;
        let record = find_record(&mut tx, id).await?;
        let ds = readable_dataset(&mut tx, actor, record.dataset_id).await?;
        require_reviewer(&mut tx, actor, ds.workspace_id).await?;
        let schema = self.schemas.get(&mut tx, &ds).await?;
        let list = responses::list_responses(&mut tx, &[id], None).await?;
        let at = now();
        let action = decision.action();
        let submitted_of =
            |user: UserId| list.iter().find(|it| it.user_id == user && it.status == ResponseStatus::Submitted).cloned();
        let (source, values) = match decision {
            Decision::AcceptResponse { user } => {
                let Some(response) = submitted_of(user) else {
                    return Err(no_submitted(&mut tx, user).await?);
                };
                let values = check_final(&schema, &record, response.values.as_ref())?;
                (Source::Response(user), values)
            }
            Decision::AcceptConsolidated => {
                let finals = self.consolidated(&mut tx, &ds, &schema, &record, &list).await?;
                (Source::Consolidated, consolidated_values(&schema, &record, &finals)?)
            }
            Decision::Own { values } => (Source::Own, check_final(&schema, &record, Some(&values))?),
            Decision::Return { user, comment } => {
                let comment = check_comment(&comment)?;
                let Some(response) = submitted_of(user) else {
                    return Err(no_submitted(&mut tx, user).await?);
                };
                let author = users::find_user(&mut tx, user).await?.ok_or_else(|| Error::not_found("User", user))?;
                let mut writes = ResponseWrites::new(&mut tx, &ds, locked, at).await?;
                let values = response.values.clone();
                writes.put(&mut tx, &record, &author, Some(response), ResponseStatus::Draft, values).await?;
                writes.finish(&mut tx, StatusEvents::Queue).await?;
                let it = Return {
                    record_id: id,
                    user_id: user,
                    dataset_id: ds.id,
                    comment: comment.clone(),
                    returned_by: actor.id,
                    returned_at: at,
                    open: true,
                };
                review::upsert_return(&mut tx, &it).await?;
                review::delete_final(&mut tx, id).await?;
                event(&mut tx, actor, &record, action, Some(user), None, Some(comment), at).await?;
                let view = self.load_review(&mut tx, actor, &schema, record).await?;
                tx.commit().await?;
                return Ok(view);
            }
        };
        let it = FinalAnswer {
            record_id: id,
            dataset_id: ds.id,
            values: values.clone(),
            source: source.as_str().to_owned(),
            source_user_id: source.user(),
            decided_by: actor.id,
            decided_by_name: Some(actor.username.clone()),
            decided_at: at,
        };
        review::upsert_final(&mut tx, &it).await?;
        review::delete_returns(&mut tx, id).await?;
        event(&mut tx, actor, &record, action, source.user(), Some(values), None, at).await?;
        let view = self.load_review(&mut tx, actor, &schema, record).await?;
        tx.commit().await?;
        Ok(view)
    }

    async fn load_review(
        &self,
        tx: &mut Tx,
        actor: &User,
        schema: &DatasetSchema,
        mut record: Record,
    ) -> Result<RecordReview> {
        let id = record.id;
        let ds = crate::datasets::readable_dataset(tx, actor, record.dataset_id).await?;
        let list = responses::list_responses(tx, &[id], None).await?;
        let consolidated = self.consolidated(tx, &ds, schema, &record, &list).await?;
        let mut reviewed = Vec::with_capacity(list.len());
        for response in list {
            let username = users::find_user(tx, response.user_id).await?.map(|it| it.username);
            reviewed.push(ReviewedResponse { response, username });
        }
        hide_metadata(std::iter::once(&mut record), schema, actor);
        Ok(RecordReview {
            responses: reviewed,
            suggestions: suggestions::list_suggestions(tx, &[id]).await?,
            consolidated,
            final_answer: review::find_final(tx, id).await?,
            returns: review::record_returns(tx, id).await?,
            events: review::record_events(tx, id).await?,
            record,
        })
    }

    /// What the strategies in force make of the submitted answers among `list`, by question.
    async fn consolidated(
        &self,
        tx: &mut Tx,
        ds: &Dataset,
        schema: &DatasetSchema,
        record: &Record,
        list: &[Response],
    ) -> Result<Vec<(String, Final)>> {
        let strategies: BTreeMap<String, Strategy> = self.strategies_in_tx(tx, ds.id, schema).await?;
        let mut ballots = Vec::new();
        for it in list.iter().filter(|it| it.status == ResponseStatus::Submitted) {
            let username = users::find_user(tx, it.user_id).await?.map(|u| u.username).unwrap_or_default();
            ballots.push(Ballot { username, answers: read_answers(schema, it.values.as_ref()) });
        }
        Ok(schema
            .questions
            .iter()
            .map(|q| {
                let strategy = strategies.get(&q.name).cloned().unwrap_or_else(|| Strategy::default_for(&q.settings));
                (q.name.clone(), consolidate(q, &strategy, &ballots, record.id))
            })
            .collect())
    }
}

/// A final answer's values, checked as a submitted response to `record` is (every required
/// question answered, each value fitting its question).
fn check_final(schema: &DatasetSchema, record: &Record, values: Option<&Value>) -> Result<Value> {
    let refs: Vec<QuestionRef<'_>> = schema
        .questions
        .iter()
        .map(|q| QuestionRef { name: &q.name, required: q.required, settings: &q.settings })
        .collect();
    let checked =
        check_response(values, ResponseStatus::Submitted, &refs, &record.fields).map_err(|err| match err {
            Rejection::Schema(it) => Error::Schema(vec![it.under(&[Loc::from("body")])]),
            Rejection::Invalid(it) => Error::Invalid(it.0),
        })?;
    checked.ok_or_else(|| Error::invalid("a final answer needs at least one question answered"))
}

/// The consolidated answer as values: every question consolidated to one answer. A required
/// question without one (unresolved, a score between options, one answer per annotator) refuses
/// it, saying why; an optional one is left out.
fn consolidated_values(schema: &DatasetSchema, record: &Record, finals: &[(String, Final)]) -> Result<Value> {
    let mut answers = Vec::new();
    for (name, fin) in finals {
        let required = schema.questions.iter().any(|q| q.name == *name && q.required);
        let why = match fin {
            Final::One(answer) => {
                answers.push((name.clone(), answer_json(answer)));
                continue;
            }
            Final::Unresolved(reason) => reason.clone(),
            Final::Score(score) => format!("the strategy gives the score {score}, not an option"),
            Final::Each(_) => "the strategy keeps each annotator's answer apart".to_owned(),
        };
        if required {
            return Err(Error::invalid(format!(
                "the consolidated answer to question `{name}` is not one answer ({why}); \
                 accept an annotator's answer or write your own"
            )));
        }
    }
    check_final(schema, record, Some(&values_of(answers)))
}

/// The 422 of a decision naming a user without a submitted response to the record.
async fn no_submitted(tx: &mut Tx, user: UserId) -> Result<Error> {
    let name = users::find_user(tx, user).await?.map_or_else(|| user.to_string(), |it| it.username);
    Ok(Error::invalid(format!("`{name}` has no submitted response to this record")))
}

#[allow(clippy::too_many_arguments)]
async fn event(
    tx: &mut Tx,
    actor: &User,
    record: &Record,
    action: &str,
    source_user: Option<UserId>,
    values: Option<Value>,
    comment: Option<String>,
    at: Timestamp,
) -> Result<()> {
    let it = ReviewEvent {
        id: Uuid::now_v7(),
        record_id: record.id,
        dataset_id: record.dataset_id,
        actor_id: actor.id,
        actor_name: Some(actor.username.clone()),
        action: action.to_owned(),
        source_user_id: source_user,
        values,
        comment,
        at,
    };
    review::insert_event(tx, &it).await?;
    Ok(())
}
