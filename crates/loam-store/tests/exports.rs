//! What the exports read besides the records: the state marks of a dataset (`loam_store::exports`)
//! change with every write, and a snapshot transaction (`Store::read_snapshot`) keeps seeing the
//! state it started with while others write. The marks are read from indexes (migration 0020) and
//! must equal what a pass over the rows gives, with another dataset's rows beside them.

#![allow(clippy::unwrap_used)]

mod common;

use loam_domain::model::{Question, Response, Suggestion, User};
use loam_domain::settings::QuestionSettings;
use loam_domain::value::ResponseStatus;
use loam_domain::{DatasetId, QuestionId, RecordId, ResponseId, Role, SuggestionId, Timestamp, UserId};
use loam_store::annotated::{read_annotated, Responses};
use loam_store::exports::{state_marks, StateMarks};
use loam_store::{records, responses, settings, suggestions, users, Store};
use serde_json::json;

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

async fn question(store: &Store, dataset: DatasetId) -> QuestionId {
    let q = Question {
        id: QuestionId::new(),
        dataset_id: dataset,
        name: "label".into(),
        title: "label".into(),
        description: None,
        required: false,
        settings: QuestionSettings::LabelSelection { options: vec![], visible_options: None },
        inserted_at: Timestamp(1),
        updated_at: Timestamp(1),
    };
    let mut tx = store.write().await.unwrap();
    settings::insert_question(&mut tx, &q).await.unwrap();
    tx.commit().await.unwrap();
    q.id
}

fn suggestion(record: RecordId, question: QuestionId, at: i64) -> Suggestion {
    Suggestion {
        id: SuggestionId::new(),
        record_id: record,
        question_id: question,
        value: json!("a"),
        score: serde_json::Value::Null,
        agent: None,
        kind: None,
        inserted_at: Timestamp(at),
        updated_at: Timestamp(at),
    }
}

fn response(record: RecordId, user: UserId, at: i64) -> Response {
    Response {
        id: ResponseId::new(),
        record_id: record,
        user_id: user,
        values: Some(json!({"label": {"value": "a"}})),
        status: ResponseStatus::Submitted,
        inserted_at: Timestamp(at),
        updated_at: Timestamp(at),
    }
}

/// A dataset of `n` records, each with a suggestion and `users`' responses; its rows' timestamps
/// start at `at`. Returns the dataset, its question and its records.
async fn filled(store: &Store, users: &[UserId], n: usize, at: i64) -> (DatasetId, QuestionId, Vec<RecordId>) {
    let dataset = common::dataset(store).await;
    let question = question(store, dataset).await;
    let batch: Vec<_> = (0..n).map(|i| common::record(dataset, &format!("r{i}"))).collect();
    let mut tx = store.write().await.unwrap();
    records::insert_records(&mut tx, &common::schema(dataset), &batch).await.unwrap();
    for (i, record) in batch.iter().enumerate() {
        suggestions::upsert_suggestion(&mut tx, &suggestion(record.id, question, at + i as i64)).await.unwrap();
        for user in users {
            responses::insert_response(&mut tx, dataset, &response(record.id, *user, at + i as i64)).await.unwrap();
        }
    }
    tx.commit().await.unwrap();
    (dataset, question, batch.iter().map(|it| it.id).collect())
}

#[tokio::test]
async fn the_marks_count_the_datasets_own_rows_and_follow_suggestion_and_response_writes() {
    let (store, _db) = common::open().await;
    let mut user_ids = Vec::new();
    let mut tx = store.write().await.unwrap();
    for name in ["ann", "bob"] {
        let user = User {
            id: UserId::new(),
            first_name: name.into(),
            last_name: None,
            username: name.into(),
            role: Role::Annotator,
            inserted_at: Timestamp(1),
            updated_at: Timestamp(1),
        };
        users::insert_user(&mut tx, &user, &format!("digest-{name}"), "hash").await.unwrap();
        user_ids.push(user.id);
    }
    tx.commit().await.unwrap();
    // Another dataset's rows, later and more numerous, around this one's.
    let (other, _, _) = filled(&store, &user_ids, 4, 500).await;
    let (dataset, question, ids) = filled(&store, &user_ids, 3, 100).await;
    let (_, _, _) = filled(&store, &user_ids[..1], 5, 900).await;

    let mut tx = store.read().await.unwrap();
    let marks = state_marks(&mut tx, dataset).await.unwrap();
    let other_marks = state_marks(&mut tx, other).await.unwrap();
    drop(tx);
    let expected = |responses: i64, responses_updated: i64, suggestions: i64, suggestions_updated: i64| StateMarks {
        records: 3,
        max_seq: marks.max_seq,
        records_updated: 2,
        responses,
        responses_updated,
        suggestions,
        suggestions_updated,
        ..StateMarks::default()
    };
    assert_eq!(marks, expected(6, 102, 3, 102));
    assert_eq!((other_marks.records, other_marks.responses, other_marks.suggestions), (4, 8, 4));
    assert_eq!((other_marks.responses_updated, other_marks.suggestions_updated), (503, 503));

    // A suggestion replaced, then one more response: each moves its table's marks alone.
    let mut tx = store.write().await.unwrap();
    suggestions::upsert_suggestion(&mut tx, &suggestion(ids[0], question, 150)).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(state_marks(&mut tx, dataset).await.unwrap(), expected(6, 102, 3, 150));
    drop(tx);
    let mut tx = store.write().await.unwrap();
    let user = User {
        id: UserId::new(),
        first_name: "cat".into(),
        last_name: None,
        username: "cat".into(),
        role: Role::Annotator,
        inserted_at: Timestamp(1),
        updated_at: Timestamp(1),
    };
    users::insert_user(&mut tx, &user, "digest-cat", "hash").await.unwrap();
    responses::insert_response(&mut tx, dataset, &response(ids[2], user.id, 140)).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(state_marks(&mut tx, dataset).await.unwrap(), expected(7, 140, 3, 150));
    assert_eq!(state_marks(&mut tx, other).await.unwrap(), other_marks);
}
