//! Leases of records (`loam_store::leases`, migration 0016) on the engine the environment selects:
//! which record may be leased next (capacity, expiry, answered records, a skip), a record's place,
//! releases; and on PostgreSQL, that the search skips a record another transaction holds locked.

#![allow(clippy::unwrap_used)]

mod common;

use loam_domain::distribution::RecordStatus;
use loam_domain::lease::{Pass, Place};
use loam_domain::model::{Response, User};
use loam_domain::value::ResponseStatus;
use loam_domain::{DatasetId, RecordId, ResponseId, Role, Timestamp, UserId};
use loam_store::leases::{self, Lock};
use loam_store::{records, responses, users, Store};

const NOW: Timestamp = Timestamp(1_000_000_000);

async fn user(store: &Store, name: &str) -> UserId {
    let at = Timestamp(1);
    let user = User {
        id: UserId::new(),
        first_name: name.into(),
        last_name: None,
        username: name.into(),
        role: Role::Annotator,
        inserted_at: at,
        updated_at: at,
    };
    let mut tx = store.write().await.unwrap();
    users::insert_user(&mut tx, &user, &format!("digest-{name}"), "hash").await.unwrap();
    tx.commit().await.unwrap();
    user.id
}

async fn setup(n: usize) -> (Store, loam_store::testing::ScratchDb, DatasetId, Vec<RecordId>) {
    let (store, db) = common::open().await;
    let dataset = common::dataset(&store).await;
    let recs: Vec<_> = (0..n).map(|i| common::record(dataset, &format!("r{i}"))).collect();
    let mut tx = store.write().await.unwrap();
    records::insert_records(&mut tx, &common::schema(dataset), &recs).await.unwrap();
    tx.commit().await.unwrap();
    (store, db, dataset, recs.iter().map(|r| r.id).collect())
}

async fn next(store: &Store, ds: DatasetId, user: UserId, min: i64, pass: Pass) -> Option<RecordId> {
    let mut tx = store.write().await.unwrap();
    let found = leases::find_next(&mut tx, ds, user, NOW, min, pass, Lock::SkipLocked).await.unwrap();
    // Ended here, not dropped: a dropped PostgreSQL transaction is rolled back by a task sqlx
    // spawns, so its row lock could still be held when the next search (skip locked) runs.
    tx.commit().await.unwrap();
    found
}

async fn lease(store: &Store, ds: DatasetId, record: RecordId, user: UserId, expires_at: Timestamp) {
    let mut tx = store.write().await.unwrap();
    leases::put_lease(&mut tx, ds, record, user, expires_at).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_next_record_respects_capacity_expiry_answers_and_skips() {
    let (store, _db, ds, ids) = setup(3).await;
    let (a, b) = (user(&store, "a").await, user(&store, "b").await);
    let later = Timestamp(NOW.0 + 5_000_000);
    assert_eq!(next(&store, ds, a, 1, Pass::FromStart).await, Some(ids[0]));
    lease(&store, ds, ids[0], a, later).await;
    // Full for b with min 1; a's own lease does not count against a.
    assert_eq!(next(&store, ds, b, 1, Pass::FromStart).await, Some(ids[1]));
    assert_eq!(next(&store, ds, a, 1, Pass::FromStart).await, Some(ids[0]));
    // Two places: b may join.
    assert_eq!(next(&store, ds, b, 2, Pass::FromStart).await, Some(ids[0]));
    let mut tx = store.write().await.unwrap();
    let place = leases::place(&mut tx, ids[0], b, NOW).await.unwrap().unwrap();
    assert_eq!(place, Place { status: RecordStatus::Pending, submitted: 0, held_by_others: 1, answered: false });
    assert_eq!(leases::held_by_others(&mut tx, ds, b, NOW).await.unwrap(), 1);
    assert_eq!(leases::held_by_others(&mut tx, ds, a, NOW).await.unwrap(), 0);
    assert_eq!(leases::live_lease_of(&mut tx, ds, a, NOW).await.unwrap(), Some((ids[0], later)));
    // Past its expiry a lease holds nothing (no sweeper ran).
    assert_eq!(leases::live_lease_of(&mut tx, ds, a, later).await.unwrap(), None);
    assert_eq!(leases::find_next(&mut tx, ds, b, later, 1, Pass::FromStart, Lock::Wait).await.unwrap(), Some(ids[0]));
    // A skip looks past the record, in insertion order.
    let seq1 = leases::position_of(&mut tx, ds, ids[1]).await.unwrap().unwrap();
    assert_eq!(leases::find_next(&mut tx, ds, b, NOW, 1, Pass::After(seq1), Lock::Wait).await.unwrap(), Some(ids[2]));
    assert_eq!(leases::position_of(&mut tx, DatasetId::new(), ids[1]).await.unwrap(), None);
    tx.commit().await.unwrap();

    // An answer of any status takes the record out of the caller's offers; submitted answers fill places.
    let mut tx = store.write().await.unwrap();
    for (who, record, status) in [(b, ids[1], ResponseStatus::Draft), (a, ids[2], ResponseStatus::Submitted)] {
        let response = Response {
            id: ResponseId::new(),
            record_id: record,
            user_id: who,
            values: None,
            status,
            inserted_at: NOW,
            updated_at: NOW,
        };
        responses::insert_response(&mut tx, ds, &response).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut tx = store.write().await.unwrap();
    assert!(leases::place(&mut tx, ids[1], b, NOW).await.unwrap().unwrap().answered);
    assert_eq!(leases::place(&mut tx, ids[2], b, NOW).await.unwrap().unwrap().submitted, 1);
    assert_eq!(leases::find_next(&mut tx, ds, b, NOW, 1, Pass::FromStart, Lock::Wait).await.unwrap(), None);
    // With two places, r0 (a's lease) and r2 (a's submitted answer) each have one left.
    assert_eq!(leases::find_next(&mut tx, ds, b, NOW, 2, Pass::FromStart, Lock::Wait).await.unwrap(), Some(ids[0]));
    let seq1 = leases::position_of(&mut tx, ds, ids[1]).await.unwrap().unwrap();
    assert_eq!(leases::find_next(&mut tx, ds, b, NOW, 2, Pass::After(seq1), Lock::Wait).await.unwrap(), Some(ids[2]));
    assert_eq!(leases::place(&mut tx, RecordId::new(), b, NOW).await.unwrap(), None);
    tx.commit().await.unwrap();

    // Releases: one record, or all of a user's in the dataset but one.
    lease(&store, ds, ids[2], a, later).await;
    let mut tx = store.write().await.unwrap();
    leases::release_others(&mut tx, ds, a, Some(ids[2])).await.unwrap();
    assert_eq!(leases::live_lease_of(&mut tx, ds, a, NOW).await.unwrap(), Some((ids[2], later)));
    assert!(leases::release(&mut tx, ids[2], a).await.unwrap());
    assert!(!leases::release(&mut tx, ids[2], a).await.unwrap());
    assert_eq!(leases::live_lease_of(&mut tx, ds, a, NOW).await.unwrap(), None);
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn postgres_skips_a_record_another_transaction_holds() {
    let (store, db, ds, ids) = setup(2).await;
    if !db.is_postgres() {
        // SQLite has one writer: no other transaction can hold a record while this one searches.
        return;
    }
    let a = user(&store, "a").await;
    let mut holder = store.write().await.unwrap();
    records::lock_records(&mut holder, &[ids[0]]).await.unwrap();
    let mut tx = store.write().await.unwrap();
    assert_eq!(
        leases::find_next(&mut tx, ds, a, NOW, 1, Pass::FromStart, Lock::SkipLocked).await.unwrap(),
        Some(ids[1])
    );
    tx.commit().await.unwrap();
    holder.commit().await.unwrap();
    let mut tx = store.write().await.unwrap();
    assert_eq!(
        leases::find_next(&mut tx, ds, a, NOW, 1, Pass::FromStart, Lock::SkipLocked).await.unwrap(),
        Some(ids[0])
    );
}
