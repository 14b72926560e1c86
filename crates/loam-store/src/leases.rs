//! Leases of records (migration 0016, `loam_domain::lease`): which record of a dataset may be
//! leased next to an annotator, what decides it for one record, and the lease rows themselves.
//!
//! Finding the next record on PostgreSQL takes the record's row lock in the statement that finds
//! it (`for no key update … skip locked`, the lock mode of `records::lock_records`, so a lease
//! and a response write on one record wait for each other, on any replica), skipping records
//! another transaction holds: nobody waits on a record someone else is writing while others are
//! free. [`find_next`] with `Lock::Wait` takes the lock without skipping, for when every free
//! record was locked. The caller then reads the record's [`place`] again under the lock (the
//! finding statement's snapshot may predate a lease committed just before the lock was granted)
//! and decides with `Place::may_offer`. On SQLite the write transaction holds the database's
//! only write lock, so nothing is skipped and nothing changes under it.

use loam_domain::distribution::RecordStatus;
use loam_domain::lease::{Pass, Place};
use loam_domain::{DatasetId, RecordId, Timestamp, UserId};
use uuid::Uuid;

use crate::db;
use crate::{StoreError, Tx};

/// How [`find_next`] treats records other transactions hold locked (PostgreSQL only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lock {
    /// Lock the record found, skipping locked ones.
    SkipLocked,
    /// Lock the record found, waiting for it.
    Wait,
}

/// The conditions under which a record of dataset `$1` may be leased to user `$2` at `$3`
/// (microseconds) when `min_submitted` is `$4`: pending, not answered by the user, and its
/// submitted answers plus the live leases of others below `min_submitted`.
const OFFERABLE: &str = "r.dataset_id = $1 and r.status = 'pending' \
     and not exists (select 1 from responses s where s.record_id = r.id and s.user_id = $2) \
     and (select count(*) from responses s where s.record_id = r.id and s.status = 'submitted') \
       + (select count(*) from record_leases l where l.record_id = r.id and l.user_id <> $2 and l.expires_at > $3) < $4";

/// The first record of `dataset` in insertion order (within `pass`) that may be leased to
/// `user` at `now`; on PostgreSQL its row lock is taken as `lock` says. Returns its id.
pub async fn find_next(
    tx: &mut Tx,
    dataset: DatasetId,
    user: UserId,
    now: Timestamp,
    min_submitted: i64,
    pass: Pass,
    lock: Lock,
) -> Result<Option<RecordId>, StoreError> {
    let after = match pass {
        Pass::After(seq) => seq,
        Pass::FromStart => i64::MIN,
    };
    let locking = match (&*tx, lock) {
        (Tx::Postgres(_), Lock::SkipLocked) => " for no key update of r skip locked",
        (Tx::Postgres(_), Lock::Wait) => " for no key update of r",
        _ => "",
    };
    let sql = format!("select r.id from records r where {OFFERABLE} and r.seq > $5 order by r.seq limit 1{locking}");
    let id: Option<Uuid> = db::query(&sql)
        .bind(dataset.0)
        .bind(user.0)
        .bind(now.0)
        .bind(min_submitted)
        .bind(after)
        .fetch_optional(tx)
        .await?;
    Ok(id.map(RecordId))
}

/// What decides whether `record` may be leased to `user` at `now`; `None` when no such record.
/// Read it with the record's row lock held.
pub async fn place(tx: &mut Tx, record: RecordId, user: UserId, now: Timestamp) -> Result<Option<Place>, StoreError> {
    let sql = "select r.status, \
                 (select count(*) from responses s where s.record_id = r.id and s.status = 'submitted'), \
                 (select count(*) from record_leases l where l.record_id = r.id and l.user_id <> $2 and l.expires_at > $3), \
                 (select count(*) from responses s where s.record_id = r.id and s.user_id = $2) \
               from records r where r.id = $1";
    let row: Option<(String, i64, i64, i64)> =
        db::query(sql).bind(record.0).bind(user.0).bind(now.0).fetch_optional(tx).await?;
    row.map(|(status, submitted, held_by_others, answered)| {
        let status = RecordStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("record {record} has status {status:?}")))?;
        Ok(Place { status, submitted, held_by_others, answered: answered > 0 })
    })
    .transpose()
}

/// The insertion position (`seq`) of `record` when it belongs to `dataset`.
pub async fn position_of(tx: &mut Tx, dataset: DatasetId, record: RecordId) -> Result<Option<i64>, StoreError> {
    let sql = "select seq from records where id = $1 and dataset_id = $2";
    db::query(sql).bind(record.0).bind(dataset.0).fetch_optional(tx).await
}

/// Records pending for `user` (not answered by them) that others hold a live lease on at `now`.
pub async fn held_by_others(tx: &mut Tx, dataset: DatasetId, user: UserId, now: Timestamp) -> Result<i64, StoreError> {
    let sql = "select count(*) from records r where r.dataset_id = $1 and r.status = 'pending' \
               and not exists (select 1 from responses s where s.record_id = r.id and s.user_id = $2) \
               and exists (select 1 from record_leases l where l.record_id = r.id and l.user_id <> $2 and l.expires_at > $3)";
    db::query(sql).bind(dataset.0).bind(user.0).bind(now.0).fetch_one(tx).await
}

/// `user`'s live lease in `dataset` at `now` (the latest to expire, if several): record and expiry.
pub async fn live_lease_of(
    tx: &mut Tx,
    dataset: DatasetId,
    user: UserId,
    now: Timestamp,
) -> Result<Option<(RecordId, Timestamp)>, StoreError> {
    let sql = "select record_id, expires_at from record_leases where dataset_id = $1 and user_id = $2 \
               and expires_at > $3 order by expires_at desc limit 1";
    let row: Option<(Uuid, i64)> = db::query(sql).bind(dataset.0).bind(user.0).bind(now.0).fetch_optional(tx).await?;
    Ok(row.map(|(id, at)| (RecordId(id), Timestamp(at))))
}

/// Leases `record` (of `dataset`) to `user` until `expires_at`, or moves their lease's expiry
/// there. Take the record's row lock first.
pub async fn put_lease(
    tx: &mut Tx,
    dataset: DatasetId,
    record: RecordId,
    user: UserId,
    expires_at: Timestamp,
) -> Result<(), StoreError> {
    let sql = "insert into record_leases (record_id, user_id, dataset_id, expires_at) values ($1, $2, $3, $4) \
               on conflict (record_id, user_id) do update set expires_at = excluded.expires_at";
    db::query(sql).bind(record.0).bind(user.0).bind(dataset.0).bind(expires_at.0).execute(tx).await?;
    Ok(())
}

/// Releases `user`'s lease on `record`; whether there was one. Releasing never gives anyone
/// more than they may have, so it needs no row lock.
pub async fn release(tx: &mut Tx, record: RecordId, user: UserId) -> Result<bool, StoreError> {
    let sql = "delete from record_leases where record_id = $1 and user_id = $2";
    Ok(db::query(sql).bind(record.0).bind(user.0).execute(tx).await? > 0)
}

/// Releases every lease `user` holds in `dataset` but the one on `keep`: an annotator holds one
/// record of a dataset at a time.
pub async fn release_others(
    tx: &mut Tx,
    dataset: DatasetId,
    user: UserId,
    keep: Option<RecordId>,
) -> Result<(), StoreError> {
    let sql = "delete from record_leases where dataset_id = $1 and user_id = $2 and record_id <> $3";
    let keep = keep.map_or(Uuid::nil(), |it| it.0);
    db::query(sql).bind(dataset.0).bind(user.0).bind(keep).execute(tx).await?;
    Ok(())
}
