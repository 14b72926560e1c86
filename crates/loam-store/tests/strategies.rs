//! Consolidation strategies stored with a dataset (`loam_store::strategies`): upsert, list,
//! delete, and the rows going with their question.

#![allow(clippy::unwrap_used)]

mod common;

use loam_domain::model::Question;
use loam_domain::settings::QuestionSettings;
use loam_domain::{DatasetId, QuestionId, Timestamp};
use loam_store::strategies::{delete_strategy, list_strategies, upsert_strategy};
use loam_store::{settings, Store};
use serde_json::json;

async fn question(store: &Store, dataset: DatasetId, name: &str) -> QuestionId {
    let q = Question {
        id: QuestionId::new(),
        dataset_id: dataset,
        name: name.into(),
        title: name.into(),
        description: None,
        required: false,
        settings: QuestionSettings::Rating { options: vec![1, 2, 3] },
        inserted_at: Timestamp(1),
        updated_at: Timestamp(1),
    };
    let mut tx = store.write().await.unwrap();
    settings::insert_question(&mut tx, &q).await.unwrap();
    tx.commit().await.unwrap();
    q.id
}

#[tokio::test]
async fn strategies_are_upserted_listed_deleted_and_go_with_their_question() {
    let (store, _db) = common::open().await;
    let dataset = common::dataset(&store).await;
    let (a, b) = (question(&store, dataset, "a").await, question(&store, dataset, "b").await);

    let mut tx = store.write().await.unwrap();
    upsert_strategy(&mut tx, dataset, a, &json!({"kind": "mean", "rounding": "none"}), Timestamp(5)).await.unwrap();
    upsert_strategy(&mut tx, dataset, b, &json!({"kind": "min"}), Timestamp(5)).await.unwrap();
    upsert_strategy(
        &mut tx,
        dataset,
        a,
        &json!({"kind": "majority", "tie_break": "random", "seed": 9007199254740991_u64}),
        Timestamp(6),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    let mut listed = list_strategies(&mut tx, dataset).await.unwrap();
    listed.sort_by_key(|it| it.0);
    let mut expected = vec![
        (a, json!({"kind": "majority", "tie_break": "random", "seed": 9007199254740991_u64})),
        (b, json!({"kind": "min"})),
    ];
    expected.sort_by_key(|it| it.0);
    assert_eq!(listed, expected, "the upsert replaced a's");
    drop(tx);

    // A rolled-back delete changes nothing; a committed one forgets the row.
    let mut tx = store.write().await.unwrap();
    assert!(delete_strategy(&mut tx, b).await.unwrap());
    drop(tx);
    let mut tx = store.write().await.unwrap();
    assert_eq!(list_strategies(&mut tx, dataset).await.unwrap().len(), 2);
    assert!(delete_strategy(&mut tx, b).await.unwrap());
    assert!(!delete_strategy(&mut tx, b).await.unwrap(), "nothing left to delete");
    // Deleting the question deletes its strategy (on delete cascade).
    settings::delete_question(&mut tx, a).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(list_strategies(&mut tx, dataset).await.unwrap(), vec![]);
}
