//! Responses of annotators, and suggestions of models, on single records. Responses are
//! validated here and written through `response_write.rs`.

use loam_domain::model::{Dataset, Record, Response, Suggestion, User};
use loam_domain::pairwise::Shown;
use loam_domain::value::{check_response, QuestionRef, ResponseStatus};
use loam_domain::Rejection;
use loam_domain::{QuestionId, RecordId, ResponseId, Role, SuggestionId};
use loam_store::{responses, settings as store_settings, suggestions, Tx};
use serde_json::Value;

use crate::datasets::{managed_dataset, readable_dataset};
use crate::records::{checked_suggestion, find_record, NewSuggestionItem};
use crate::response_write::{Flow, Locked, ResponseWrites, StatusEvents};
use crate::{now, Error, Result, Service};

/// One item of `POST /me/responses/bulk`.
#[derive(Clone, Debug)]
pub struct BulkResponseItem {
    pub record_id: RecordId,
    pub status: ResponseStatus,
    pub values: Option<Value>,
    /// Active milliseconds the caller spent on the record since their last save (time on task).
    pub active_ms: Option<i64>,
    /// The order the web UI showed each pairwise question's pair in (`loam_shown`).
    pub shown: Vec<(String, Shown)>,
}

/// What a save of a response sends: status, values, and the active time the caller spent on the
/// record since their last save (`loam_active_ms`, time on task; checked by the caller with
/// `loam_domain::time_on_task::check_active_ms`).
#[derive(Clone, Debug)]
pub struct ResponseSave {
    pub status: ResponseStatus,
    pub values: Option<Value>,
    pub active_ms: Option<i64>,
    /// `loam_shown` (pairwise preference: the order the web UI showed each pairwise question's
    /// pair in; shape checked by the caller with `loam_domain::pairwise::parse_shown`, the
    /// questions here).
    pub shown: Vec<(String, Shown)>,
}

fn value_error(err: Rejection) -> Error {
    match err {
        Rejection::Schema(it) => Error::Schema(vec![it.under(&[loam_domain::error::Loc::from("body")])]),
        Rejection::Invalid(it) => Error::Invalid(it.0),
    }
}

impl Service {
    /// Creates the caller's response to a record.
    pub async fn create_response(&self, actor: &User, record_id: RecordId, save: ResponseSave) -> Result<Response> {
        self.create_response_in(Flow::Direct, actor, record_id, save).await
    }

    /// [`Service::create_response`] from `flow` (the web UI's leased flow keeps the lease rules
    /// of `response_write.rs`).
    pub async fn create_response_in(
        &self,
        flow: Flow,
        actor: &User,
        record_id: RecordId,
        save: ResponseSave,
    ) -> Result<Response> {
        let mut tx = self.store.write().await?;
        // The row lock first, so the record read next is the one this response is checked against.
        let locked = Locked::take(&mut tx, [record_id]).await?;
        let record = find_record(&mut tx, record_id).await?;
        let ds = readable_dataset(&mut tx, actor, record.dataset_id).await?;
        if responses::find_response_of(&mut tx, record_id, actor.id).await?.is_some() {
            return Err(Error::Conflict(format!(
                "Response already exists for record with id `{record_id}` and by user with id `{}`",
                actor.id
            )));
        }
        let response = self.write_response(&mut tx, flow, locked, actor, actor, &record, &ds, None, save).await?;
        tx.commit().await?;
        Ok(response)
    }

    /// Replaces a response's status and values (its author, owners, managing admins).
    pub async fn update_response(&self, actor: &User, id: ResponseId, save: ResponseSave) -> Result<Response> {
        self.update_response_in(Flow::Direct, actor, id, save).await
    }

    /// [`Service::update_response`] from `flow`.
    pub async fn update_response_in(
        &self,
        flow: Flow,
        actor: &User,
        id: ResponseId,
        save: ResponseSave,
    ) -> Result<Response> {
        let mut tx = self.store.write().await?;
        let existing = responses::find_response(&mut tx, id).await?.ok_or_else(|| Error::not_found("Response", id))?;
        self.require_response_access(&mut tx, actor, &existing).await?;
        let locked = Locked::take(&mut tx, [existing.record_id]).await?;
        let record = find_record(&mut tx, existing.record_id).await?;
        let ds = crate::datasets::find_dataset(&mut tx, record.dataset_id).await?;
        let author = crate::users::find_user(&mut tx, existing.user_id).await?;
        let response =
            self.write_response(&mut tx, flow, locked, actor, &author, &record, &ds, Some(existing), save).await?;
        tx.commit().await?;
        Ok(response)
    }

    pub async fn delete_response(&self, actor: &User, id: ResponseId) -> Result<Response> {
        let mut tx = self.store.write().await?;
        let existing = responses::find_response(&mut tx, id).await?.ok_or_else(|| Error::not_found("Response", id))?;
        self.require_response_access(&mut tx, actor, &existing).await?;
        let locked = Locked::take(&mut tx, [existing.record_id]).await?;
        let record = find_record(&mut tx, existing.record_id).await?;
        let ds = crate::datasets::find_dataset(&mut tx, record.dataset_id).await?;
        let mut writes = ResponseWrites::new(&mut tx, &ds, locked, now()).await?;
        writes.delete(&mut tx, &record, &existing).await?;
        writes.finish(&mut tx, StatusEvents::Queue).await?;
        tx.commit().await?;
        Ok(existing)
    }

    /// Upserts the caller's responses to many records; each item succeeds or fails alone.
    pub async fn bulk_my_responses(&self, actor: &User, items: Vec<BulkResponseItem>) -> Result<Vec<Result<Response>>> {
        self.bulk_my_responses_in(Flow::Direct, actor, items).await
    }

    /// [`Service::bulk_my_responses`] from `flow`.
    pub async fn bulk_my_responses_in(
        &self,
        flow: Flow,
        actor: &User,
        items: Vec<BulkResponseItem>,
    ) -> Result<Vec<Result<Response>>> {
        let mut res = Vec::with_capacity(items.len());
        for item in items {
            let outcome = async {
                let mut tx = self.store.write().await?;
                let locked = Locked::take(&mut tx, [item.record_id]).await?;
                let record = find_record(&mut tx, item.record_id).await?;
                let ds = readable_dataset(&mut tx, actor, record.dataset_id).await?;
                let existing = responses::find_response_of(&mut tx, record.id, actor.id).await?;
                let save = ResponseSave {
                    status: item.status,
                    values: item.values,
                    active_ms: item.active_ms,
                    shown: item.shown,
                };
                let response =
                    self.write_response(&mut tx, flow, locked, actor, actor, &record, &ds, existing, save).await?;
                tx.commit().await?;
                Ok(response)
            }
            .await;
            res.push(outcome);
        }
        Ok(res)
    }

    async fn require_response_access(&self, tx: &mut Tx, actor: &User, response: &Response) -> Result<()> {
        if response.user_id == actor.id || actor.role == Role::Owner {
            return Ok(());
        }
        let record = find_record(tx, response.record_id).await?;
        managed_dataset(tx, actor, record.dataset_id).await.map(|_| ())
    }

    /// Validates `author`'s response to `record` of `ds` against the record as read after taking
    /// its row lock (`locked`), and writes it through [`ResponseWrites`], with the active time
    /// `actor` (who saves it) spent on the record.
    #[allow(clippy::too_many_arguments)]
    async fn write_response(
        &self,
        tx: &mut Tx,
        flow: Flow,
        locked: Locked,
        actor: &User,
        author: &User,
        record: &Record,
        ds: &Dataset,
        existing: Option<Response>,
        save: ResponseSave,
    ) -> Result<Response> {
        let ResponseSave { status, values, active_ms, shown } = save;
        let schema = self.schemas.get(tx, ds).await?;
        let shown = crate::pairwise::checked_shown(tx, ds.id, &schema, &shown).await?;
        let refs: Vec<QuestionRef<'_>> = schema
            .questions
            .iter()
            .map(|q| QuestionRef { name: &q.name, required: q.required, settings: &q.settings })
            .collect();
        let values = check_response(values.as_ref(), status, &refs, &record.fields).map_err(value_error)?;
        let mut writes = ResponseWrites::new(tx, ds, locked, now()).await?.in_flow(flow);
        let response = writes.put(tx, record, author, existing, status, values).await?;
        if let Some(ms) = active_ms {
            writes.spent(tx, record, actor.id, ms).await?;
        }
        for (question, order) in shown {
            writes.shown(tx, record, &response, question, order).await?;
        }
        writes.finish(tx, StatusEvents::Queue).await?;
        Ok(response)
    }

    // Suggestions ----------------------------------------------------------------------------

    pub async fn list_record_suggestions(&self, actor: &User, record_id: RecordId) -> Result<Vec<Suggestion>> {
        let mut tx = self.store.read().await?;
        let record = find_record(&mut tx, record_id).await?;
        readable_dataset(&mut tx, actor, record.dataset_id).await?;
        Ok(suggestions::list_suggestions(&mut tx, &[record_id]).await?)
    }

    /// Creates or replaces the suggestion of a record for a question; `true` when created.
    pub async fn upsert_suggestion(
        &self,
        actor: &User,
        record_id: RecordId,
        item: NewSuggestionItem,
    ) -> Result<(Suggestion, bool)> {
        let mut tx = self.store.write().await?;
        let record = find_record(&mut tx, record_id).await?;
        managed_dataset(&mut tx, actor, record.dataset_id).await?;
        let question = store_settings::find_question(&mut tx, item.question_id)
            .await?
            .filter(|it| it.dataset_id == record.dataset_id)
            .ok_or_else(|| Error::invalid(format!("Question with id `{}` not found", item.question_id)))?;
        let suggestion = checked_suggestion(&item, &question, record_id, &record.fields, now()).map_err(value_error)?;
        let res = suggestions::upsert_suggestion(&mut tx, &suggestion).await?;
        tx.commit().await?;
        Ok(res)
    }

    pub async fn delete_record_suggestions(
        &self,
        actor: &User,
        record_id: RecordId,
        ids: &[SuggestionId],
    ) -> Result<()> {
        let mut tx = self.store.write().await?;
        let record = find_record(&mut tx, record_id).await?;
        managed_dataset(&mut tx, actor, record.dataset_id).await?;
        suggestions::delete_suggestions(&mut tx, record_id, ids).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_suggestion(&self, actor: &User, id: SuggestionId) -> Result<Suggestion> {
        let mut tx = self.store.write().await?;
        let suggestion =
            suggestions::find_suggestion(&mut tx, id).await?.ok_or_else(|| Error::not_found("Suggestion", id))?;
        let record = find_record(&mut tx, suggestion.record_id).await?;
        managed_dataset(&mut tx, actor, record.dataset_id).await?;
        suggestions::delete_suggestion(&mut tx, id).await?;
        tx.commit().await?;
        Ok(suggestion)
    }

    /// Distinct suggestion agents per question of a dataset (UI filter options).
    pub async fn suggestion_agents(
        &self,
        actor: &User,
        dataset: loam_domain::DatasetId,
    ) -> Result<Vec<(QuestionId, String, Vec<String>)>> {
        let mut tx = self.store.read().await?;
        readable_dataset(&mut tx, actor, dataset).await?;
        let questions = store_settings::list_questions(&mut tx, dataset).await?;
        let agents = suggestions::list_agents(&mut tx, dataset).await?;
        Ok(questions
            .into_iter()
            .map(|q| {
                let names = agents.iter().filter(|(qid, _)| *qid == q.id.0).map(|(_, agent)| agent.clone()).collect();
                (q.id, q.name, names)
            })
            .collect())
    }
}
