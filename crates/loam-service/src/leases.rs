//! Leases of the web UI's Pending queue (issue 20; the rules in `loam_domain::lease`, the SQL in
//! `loam_store::leases`): the next record leased to the caller, a lease renewed, a lease released.
//!
//! Taking a lease runs in one write transaction that holds the record's row lock (the lock every
//! response write takes, see `response_write.rs`), so on PostgreSQL a lease and a submit on one
//! record serialize across replicas, and the record's place is read again under that lock before
//! the lease is written. A transaction whose record turned out taken meanwhile is rolled back
//! and the search starts again (each attempt holds one record lock only, so lease takers never
//! lock records out of id order). The caller holds at most one lease per dataset: taking one
//! releases their others. Who may: the members of the dataset's workspace, and owners (the
//! `/me` search's rule).

use loam_domain::lease::{passes, LeaseTerm, Place};
use loam_domain::model::User;
use loam_domain::{DatasetId, RecordId, Timestamp};
use loam_store::leases::{self, Lock};
use loam_store::{records, Tx};

use crate::datasets::readable_dataset;
use crate::records::{find_record, hide_metadata, hydrate_ids, Include, RecordView};
use crate::search::schema_seen_by;
use crate::{now, Error, Result, Service};

/// Attempts at finding a record before giving up with a 409 (each lost to another annotator
/// taking the last place of the record found meanwhile).
const ATTEMPTS: usize = 32;

/// A lease held by the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lease {
    pub record_id: RecordId,
    pub expires_at: Timestamp,
    /// The term it was taken or renewed for, in seconds.
    pub secs: i64,
}

/// What the next-record call answers: the record leased (with the caller's response, if a draft
/// was kept, and the suggestions), or none, with how many records pending for the caller others
/// hold now (they come back if not finished).
#[derive(Clone, Debug)]
pub struct NextRecord {
    pub leased: Option<(RecordView, Lease)>,
    pub held_by_others: i64,
}

impl Service {
    /// The term leases are taken for (`loam serve --lease-secs`).
    pub fn lease_term(&self) -> LeaseTerm {
        self.cfg.lease_term
    }

    /// Leases the caller the next record of `dataset`'s Pending queue: their live lease in it
    /// (renewed) when it still holds, else the first record in insertion order that may be offered
    /// to them (after `after`, a record they skip, then from the start). Releases the caller's
    /// other leases in the dataset.
    pub async fn next_record(&self, actor: &User, dataset: DatasetId, after: Option<RecordId>) -> Result<NextRecord> {
        for _ in 0..ATTEMPTS {
            if let Some(next) = self.try_next_record(actor, dataset, after).await? {
                return Ok(next);
            }
        }
        Err(Error::Conflict("Too many annotators are taking records of this dataset at once; ask again".into()))
    }

    /// One attempt: `None` when the record found was taken before its lock was granted.
    async fn try_next_record(
        &self,
        actor: &User,
        dataset: DatasetId,
        after: Option<RecordId>,
    ) -> Result<Option<NextRecord>> {
        let mut tx = self.store.write().await?;
        let ds = readable_dataset(&mut tx, actor, dataset).await?;
        let at = now();
        let after_seq = match after {
            Some(id) => {
                Some(leases::position_of(&mut tx, dataset, id).await?.ok_or_else(|| Error::not_found("Record", id))?)
            }
            None => None,
        };
        // Asked again without a skip (a reload): the caller's live lease, if its place still holds.
        let mut found = None;
        if after.is_none() {
            if let Some((id, _)) = leases::live_lease_of(&mut tx, dataset, actor.id, at).await? {
                records::lock_records(&mut tx, &[id]).await?;
                if !offerable(&mut tx, actor, id, at, ds.distribution).await? {
                    // Its place went (answered elsewhere, completed): let it go and search again,
                    // so that no attempt holds two record locks.
                    leases::release(&mut tx, id, actor.id).await?;
                    tx.commit().await?;
                    return Ok(None);
                }
                found = Some(id);
            }
        }
        if found.is_none() {
            found = self.find_and_lock(&mut tx, actor, dataset, at, ds.distribution.min_submitted, after_seq).await?;
            if let Some(id) = found {
                // The search's snapshot may predate a lease committed before the lock was granted.
                if matches!(tx, Tx::Postgres(_)) && !offerable(&mut tx, actor, id, at, ds.distribution).await? {
                    return Ok(None);
                }
            }
        }
        let Some(id) = found else {
            leases::release_others(&mut tx, dataset, actor.id, None).await?;
            let held_by_others = leases::held_by_others(&mut tx, dataset, actor.id, at).await?;
            tx.commit().await?;
            return Ok(Some(NextRecord { leased: None, held_by_others }));
        };
        let lease = self.put(&mut tx, dataset, id, actor, at).await?;
        leases::release_others(&mut tx, dataset, actor.id, Some(id)).await?;
        let cached = self.schemas.get(&mut tx, &ds).await?;
        let schema = schema_seen_by(&cached, actor);
        let include = Include { responses: true, suggestions: true, ..Include::default() };
        let mut views = hydrate_ids(&mut tx, dataset, &[id], &include, Some(actor.id), &schema).await?;
        hide_metadata(views.iter_mut().map(|it| &mut it.record), &schema, actor);
        let view = views.pop().ok_or_else(|| Error::not_found("Record", id))?;
        tx.commit().await?;
        Ok(Some(NextRecord { leased: Some((view, lease)), held_by_others: 0 }))
    }

    /// The first record that may be offered, its row lock taken: past a skip then from the start,
    /// skipping records others hold locked, then (only if every candidate was locked) waiting.
    async fn find_and_lock(
        &self,
        tx: &mut Tx,
        actor: &User,
        dataset: DatasetId,
        at: Timestamp,
        min_submitted: i64,
        after_seq: Option<i64>,
    ) -> Result<Option<RecordId>> {
        for lock in [Lock::SkipLocked, Lock::Wait] {
            for pass in passes(after_seq) {
                if let Some(id) = leases::find_next(tx, dataset, actor.id, at, min_submitted, pass, lock).await? {
                    return Ok(Some(id));
                }
            }
            if !matches!(tx, Tx::Postgres(_)) {
                break;
            }
        }
        Ok(None)
    }

    async fn put(&self, tx: &mut Tx, dataset: DatasetId, id: RecordId, actor: &User, at: Timestamp) -> Result<Lease> {
        let term = self.cfg.lease_term;
        let expires_at = term.expires_at(at);
        leases::put_lease(tx, dataset, id, actor.id, expires_at).await?;
        Ok(Lease { record_id: id, expires_at, secs: term.secs })
    }

    /// Takes or renews the caller's lease on `record` while its place is open to them (the web UI
    /// leases the record it shows, whatever queue order brought it there), releasing their other
    /// leases in the dataset. 409 when the record is not theirs to annotate: answered, completed,
    /// or its places taken by others.
    pub async fn renew_lease(&self, actor: &User, record: RecordId) -> Result<Lease> {
        let mut tx = self.store.write().await?;
        records::lock_records(&mut tx, &[record]).await?;
        let found = find_record(&mut tx, record).await?;
        let ds = readable_dataset(&mut tx, actor, found.dataset_id).await?;
        let at = now();
        let place =
            leases::place(&mut tx, record, actor.id, at).await?.ok_or_else(|| Error::not_found("Record", record))?;
        if !place.may_offer(ds.distribution) {
            return Err(Error::Conflict(lost_reason(place)));
        }
        let lease = self.put(&mut tx, ds.id, record, actor, at).await?;
        leases::release_others(&mut tx, ds.id, actor.id, Some(record)).await?;
        tx.commit().await?;
        Ok(lease)
    }

    /// Releases the caller's lease on `record` (nothing when they hold none); whether one was held.
    pub async fn release_lease(&self, actor: &User, record: RecordId) -> Result<bool> {
        let mut tx = self.store.write().await?;
        let found = find_record(&mut tx, record).await?;
        readable_dataset(&mut tx, actor, found.dataset_id).await?;
        let released = leases::release(&mut tx, record, actor.id).await?;
        tx.commit().await?;
        Ok(released)
    }
}

/// Whether `id`'s place (read now, under its row lock) may be offered to `actor`.
async fn offerable(
    tx: &mut Tx,
    actor: &User,
    id: RecordId,
    at: Timestamp,
    distribution: loam_domain::distribution::Distribution,
) -> Result<bool> {
    Ok(leases::place(tx, id, actor.id, at).await?.is_some_and(|place| place.may_offer(distribution)))
}

/// Why a lease cannot be renewed, for the 409.
fn lost_reason(place: Place) -> String {
    if place.answered {
        "You already answered this record; it is no longer leased to you".into()
    } else if place.status == loam_domain::distribution::RecordStatus::Completed {
        "This record has all the submitted answers it needs; it is no longer leased to you".into()
    } else {
        "Others are annotating this record now, as many as it still needs; it comes back if they do not finish".into()
    }
}
