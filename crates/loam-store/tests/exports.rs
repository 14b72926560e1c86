//! What the exports read besides the records: the state marks of a dataset (`loam_store::exports`)
//! change with every write, and a snapshot transaction (`Store::read_snapshot`) keeps seeing the
//! state it started with while others write.

#![allow(clippy::unwrap_used)]

mod common;

use loam_store::annotated::{read_annotated, Responses};
use loam_store::exports::state_marks;
use loam_store::records;

#[tokio::test]
async fn a_snapshot_keeps_its_state_while_others_write_and_the_marks_follow_writes() {
    let (store, _db) = common::open().await;
    let dataset = common::dataset(&store).await;
    let schema = common::schema(dataset);
    let mut tx = store.write().await.unwrap();
    records::insert_records(&mut tx, &schema, &[common::record(dataset, "a"), common::record(dataset, "b")])
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut snapshot = store.read_snapshot().await.unwrap();
    let before = state_marks(&mut snapshot, dataset).await.unwrap();
    assert_eq!(before.records, 2);

    let mut tx = store.write().await.unwrap();
    records::insert_records(&mut tx, &schema, &[common::record(dataset, "c")]).await.unwrap();
    tx.commit().await.unwrap();

    // The snapshot sees neither the new record nor new marks, in any later statement.
    let (batch, _) = read_annotated(&mut snapshot, dataset, None, 10, Responses::All).await.unwrap();
    assert_eq!(batch.len(), 2);
    assert_eq!(state_marks(&mut snapshot, dataset).await.unwrap(), before);
    drop(snapshot);

    let mut fresh = store.read().await.unwrap();
    let after = state_marks(&mut fresh, dataset).await.unwrap();
    assert_eq!(after.records, 3);
    assert!(after.max_seq > before.max_seq);
    assert_ne!(after, before);
}
