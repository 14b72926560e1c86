//! The one way responses are written, and record statuses recomputed: every path that changes a
//! response (single create, update and delete, the caller's bulk responses, the bulk record
//! create and upsert with responses, the legacy paths) goes through [`ResponseWrites`], and
//! redistribution and user removal recompute through [`recompute`].
//!
//! The rule it keeps: a record's status is recomputed from its submitted responses in the
//! transaction that changes them, after taking the record's row lock ([`Locked`], taken in
//! record-id order so two transactions cannot deadlock on PostgreSQL), so concurrent annotators
//! never leave it wrong; the dataset's last activity and `completed_count` change in the same
//! statement, and the response and status events are queued in the same transaction.
//!
//! Writes of the web UI's leased flow ([`Flow::Leased`], `loam_domain::lease`) keep one more
//! rule, under the same lock: a submit that would give a record more submitted answers than its
//! `min_submitted` is refused (409), and a submit or discard releases the author's lease on the
//! record in the same transaction. [`Flow::Direct`] (the SDKs) writes as before.

use std::collections::{BTreeMap, BTreeSet};

use loam_domain::distribution::RecordStatus;
use loam_domain::model::{Dataset, Record, Response, User};
use loam_domain::value::ResponseStatus;
use loam_domain::UserId;
use loam_domain::{RecordId, ResponseId, Timestamp};
use loam_store::{datasets, leases, pairwise, records, responses, time_on_task, Tx};
use serde_json::Value;

use crate::outbox::Outbox;
use crate::wire::event::Event;
use crate::{Error, Result};

/// The row locks of some records, held by the transaction that took them. Statuses are only
/// recomputed, and responses only written, on records whose lock is held.
pub(crate) struct Locked {
    ids: BTreeSet<RecordId>,
    /// Whether taking the locks may have waited for another writer (PostgreSQL), so that what
    /// was read of the records before may be stale.
    waited: bool,
}

impl Locked {
    /// Takes the row locks of `ids` in record-id order (a no-op on SQLite, whose write
    /// transaction already holds the database's only write lock). Take them before anything else
    /// the transaction locks (the dataset's row, other records), so every transaction locks in
    /// the same order: records by id, then the dataset.
    pub(crate) async fn take(tx: &mut Tx, ids: impl IntoIterator<Item = RecordId>) -> Result<Self> {
        let ids: BTreeSet<RecordId> = ids.into_iter().collect();
        let ordered: Vec<RecordId> = ids.iter().copied().collect();
        let waited = records::lock_records(tx, &ordered).await?;
        Ok(Self { ids, waited })
    }

    /// Adds records this transaction inserts: no other transaction sees them before it commits,
    /// so there is no lock to take.
    pub(crate) fn with_new(mut self, ids: impl IntoIterator<Item = RecordId>) -> Self {
        self.ids.extend(ids);
        self
    }

    /// Whether records read before [`Locked::take`] must be read again: another transaction may
    /// have changed them before the locks were granted (never on SQLite).
    pub(crate) fn may_be_stale(&self) -> bool {
        self.waited
    }

    fn holds(&self, id: RecordId) -> Result<()> {
        if self.ids.contains(&id) {
            Ok(())
        } else {
            Err(Error::Failed(format!("a response write on record {id} without its row lock")))
        }
    }
}

/// Whether [`ResponseWrites::finish`] reports status changes (`record.updated`, and
/// `record.completed` when a record just became complete), or the caller reports the records
/// itself (the bulk record paths, whose `record.created` / `record.updated` events carry the
/// new status, as the reference server's do).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StatusEvents {
    Queue,
    ByCaller,
}

/// Where a response write comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Flow {
    /// A client writing responses directly (the SDKs, scripts): no lease rules.
    #[default]
    Direct,
    /// The web UI's leased flow (it says so with the `X-Loam-Lease` header): a submit never
    /// takes a record past `min_submitted`, and a submit or discard releases the author's lease.
    Leased,
}

/// Response writes on locked records of one dataset, in one transaction: each write queues its
/// response event at once; [`ResponseWrites::finish`] recomputes the statuses of the records
/// written to, sets the dataset's activity, and queues the status events.
pub(crate) struct ResponseWrites<'a> {
    ds: &'a Dataset,
    locked: Locked,
    at: Timestamp,
    /// The records whose responses changed, as they were before (for the status events).
    changed: BTreeMap<RecordId, Record>,
    outbox: Outbox,
    flow: Flow,
}

impl<'a> ResponseWrites<'a> {
    /// Writes at `at` (responses' `inserted_at` / `updated_at`, the dataset's last activity).
    pub(crate) async fn new(tx: &mut Tx, ds: &'a Dataset, locked: Locked, at: Timestamp) -> Result<Self> {
        let outbox = Outbox::open(tx).await?;
        Ok(Self { ds, locked, at, changed: BTreeMap::new(), outbox, flow: Flow::Direct })
    }

    /// These writes come from `flow`.
    pub(crate) fn in_flow(mut self, flow: Flow) -> Self {
        self.flow = flow;
        self
    }

    /// Writes `author`'s response to `record` (its values already validated): an update of
    /// `existing`, their stored response to it, or a new one. Queues `response.created` or
    /// `response.updated`.
    pub(crate) async fn put(
        &mut self,
        tx: &mut Tx,
        record: &Record,
        author: &User,
        existing: Option<Response>,
        status: ResponseStatus,
        values: Option<Value>,
    ) -> Result<Response> {
        self.put_kept(tx, record, author, existing, status, values, None).await
    }

    /// [`ResponseWrites::put`], where a new response takes `kept`'s id and timestamps when given
    /// (an import keeping those of the server it reads).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn put_kept(
        &mut self,
        tx: &mut Tx,
        record: &Record,
        author: &User,
        existing: Option<Response>,
        status: ResponseStatus,
        values: Option<Value>,
        kept: Option<crate::settings::Kept<ResponseId>>,
    ) -> Result<Response> {
        self.locked.holds(record.id)?;
        if self.flow == Flow::Leased {
            self.keep_lease_rules(tx, record, author, existing.as_ref(), status).await?;
        }
        let at = self.at;
        let (response, event) = match existing {
            Some(mut response) => {
                response.status = status;
                response.values = values;
                response.updated_at = at;
                responses::update_response(tx, &response).await?;
                (response, Event::ResponseUpdated)
            }
            None => {
                let kept =
                    kept.unwrap_or(crate::settings::Kept { id: ResponseId::new(), inserted_at: at, updated_at: at });
                let response = Response {
                    id: kept.id,
                    record_id: record.id,
                    user_id: author.id,
                    values,
                    status,
                    inserted_at: kept.inserted_at,
                    updated_at: kept.updated_at,
                };
                responses::insert_response(tx, self.ds.id, &response).await?;
                datasets::add_dataset_user(tx, self.ds.id, author.id, at).await?;
                (response, Event::ResponseCreated)
            }
        };
        self.outbox.response(tx, event, self.ds, record, &response, author).await?;
        self.changed.entry(record.id).or_insert_with(|| record.clone());
        Ok(response)
    }

    /// The leased flow's rules, checked under the record's lock before `author`'s write: refuse a
    /// submit that would overfill the record; release the author's lease on a submit or discard.
    async fn keep_lease_rules(
        &self,
        tx: &mut Tx,
        record: &Record,
        author: &User,
        existing: Option<&Response>,
        status: ResponseStatus,
    ) -> Result<()> {
        let was_submitted = existing.is_some_and(|it| it.status == ResponseStatus::Submitted);
        if status == ResponseStatus::Submitted && !was_submitted {
            let submitted = responses::count_submitted(tx, record.id).await?;
            if loam_domain::lease::overfills(self.ds.distribution, submitted, was_submitted, status) {
                return Err(Error::Conflict(format!(
                    "Record with id `{}` already has the {} submitted responses it needs \
                     (others answered it meanwhile); your answer was not submitted",
                    record.id, self.ds.distribution.min_submitted
                )));
            }
        }
        if status != ResponseStatus::Draft {
            leases::release(tx, record.id, author.id).await?;
        }
        Ok(())
    }

    /// Adds `ms` of active time that `worker` spent on `record` before this save (time on task,
    /// `loam_domain::time_on_task`: measured by the web UI, already checked) to their total on
    /// it. Kept by (record, user) apart from the response row, so the SDKs' response shape never
    /// carries it, and undoing a response keeps the time spent.
    pub(crate) async fn spent(&mut self, tx: &mut Tx, record: &Record, worker: UserId, ms: i64) -> Result<()> {
        self.locked.holds(record.id)?;
        time_on_task::add_active_time(tx, self.ds.id, record.id, worker, ms, self.at).await?;
        Ok(())
    }

    /// Records that `response` (to `record`) was saved with the pair of pairwise `question`
    /// shown in order `shown` (the web UI's `loam_shown`, already checked). Kept per (response,
    /// question) apart from the response row, so the SDKs' response shape never carries it.
    pub(crate) async fn shown(
        &mut self,
        tx: &mut Tx,
        record: &Record,
        response: &Response,
        question: loam_domain::QuestionId,
        shown: loam_domain::pairwise::Shown,
    ) -> Result<()> {
        self.locked.holds(record.id)?;
        pairwise::set_shown(tx, self.ds.id, response.id, question, shown.as_str(), self.at).await?;
        Ok(())
    }

    /// Deletes `response` of `record`, queueing `response.deleted` (rendered before the row goes).
    pub(crate) async fn delete(&mut self, tx: &mut Tx, record: &Record, response: &Response) -> Result<()> {
        self.locked.holds(record.id)?;
        if self.outbox.wants(Event::ResponseDeleted) {
            let author = loam_store::users::find_user(tx, response.user_id)
                .await?
                .ok_or_else(|| Error::not_found("User", response.user_id))?;
            self.outbox.response(tx, Event::ResponseDeleted, self.ds, record, response, &author).await?;
        }
        responses::delete_response(tx, response.id).await?;
        self.changed.entry(record.id).or_insert_with(|| record.clone());
        Ok(())
    }

    /// Recomputes the status of every record written to and sets the dataset's last activity
    /// (nothing when nothing was written), then queues the status events as `events` says.
    /// Returns the outbox, for the caller's further events in the same transaction.
    pub(crate) async fn finish(mut self, tx: &mut Tx, events: StatusEvents) -> Result<Outbox> {
        if self.changed.is_empty() {
            return Ok(self.outbox);
        }
        let ids: Vec<RecordId> = self.changed.keys().copied().collect();
        let statuses = recompute(tx, self.ds, &self.locked, &ids, Some(self.at)).await?;
        if events == StatusEvents::Queue {
            for (id, status) in statuses {
                if let Some(before) = self.changed.get(&id) {
                    self.outbox.status_changed(tx, self.ds, before, status).await?;
                }
            }
        }
        Ok(self.outbox)
    }
}

/// Recomputes the status of records of `ds` (whose row locks `locked` holds) from their
/// submitted responses and the dataset's distribution, and sets the dataset's last activity to
/// `activity` when given, in the statement that keeps its `completed_count`. Returns each
/// record's status.
pub(crate) async fn recompute(
    tx: &mut Tx,
    ds: &Dataset,
    locked: &Locked,
    ids: &[RecordId],
    activity: Option<Timestamp>,
) -> Result<Vec<(RecordId, RecordStatus)>> {
    let mut statuses = Vec::with_capacity(ids.len());
    for id in ids {
        locked.holds(*id)?;
        let n_submitted = responses::count_submitted(tx, *id).await?;
        statuses.push((*id, ds.distribution.status_for(n_submitted)));
    }
    records::set_statuses(tx, ds.id, &statuses, activity).await?;
    Ok(statuses)
}
