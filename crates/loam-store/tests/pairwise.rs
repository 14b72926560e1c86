//! Pairwise preference rows (`loam_store::pairwise`, migration 0019): pairings upserted, listed and
//! deleted, going with their question and losing a deleted strength question; the shown order per
//! (response, question), read back with the answers and going with the response; judges'
//! verdicts upserted by (record, question, agent, order).

#![allow(clippy::unwrap_used)]

mod common;

use loam_domain::model::{Question, Response, User};
use loam_domain::settings::QuestionSettings;
use loam_domain::value::ResponseStatus;
use loam_domain::{DatasetId, QuestionId, ResponseId, Role, Timestamp, UserId};
use loam_store::pairwise::{
    delete_pairwise, list_judgements, list_pairwise, list_shown_answers, set_shown, upsert_judgement, upsert_pairwise,
    Judgement, PairwiseRow,
};
use loam_store::{records, responses, settings, users, Store};
use serde_json::json;

async fn question(store: &Store, dataset: DatasetId, name: &str) -> QuestionId {
    let q = Question {
        id: QuestionId::new(),
        dataset_id: dataset,
        name: name.into(),
        title: name.into(),
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

fn row(question: QuestionId, strength: Option<QuestionId>) -> PairwiseRow {
    PairwiseRow {
        question_id: question,
        a_field: "g0".into(),
        b_field: "g1".into(),
        outcomes: json!({"a": "A", "b": "B", "tie": "tie", "both_bad": null}),
        strength_question_id: strength,
        ratings: Some(json!({"a": "r0", "b": "r1"})),
    }
}

#[tokio::test]
async fn pairings_are_upserted_listed_deleted_and_go_with_their_questions() {
    let (store, _db) = common::open().await;
    let dataset = common::dataset(&store).await;
    let (pref, strength, other) = (
        question(&store, dataset, "pref").await,
        question(&store, dataset, "pref-strength").await,
        question(&store, dataset, "other").await,
    );
    let mut tx = store.write().await.unwrap();
    upsert_pairwise(&mut tx, dataset, &row(pref, None), Timestamp(2)).await.unwrap();
    upsert_pairwise(&mut tx, dataset, &row(pref, Some(strength)), Timestamp(3)).await.unwrap();
    let mut plain = row(other, None);
    plain.ratings = None;
    upsert_pairwise(&mut tx, dataset, &plain, Timestamp(3)).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    let mut listed = list_pairwise(&mut tx, dataset).await.unwrap();
    listed.sort_by_key(|it| it.question_id);
    let mut expected = vec![row(pref, Some(strength)), plain.clone()];
    expected.sort_by_key(|it| it.question_id);
    assert_eq!(listed, expected, "the upsert replaced pref's pairing");
    drop(tx);

    // Deleting the strength question leaves the pairing without one; deleting the question (or
    // unmarking it) removes the pairing.
    let mut tx = store.write().await.unwrap();
    settings::delete_question(&mut tx, strength).await.unwrap();
    settings::delete_question(&mut tx, other).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.write().await.unwrap();
    assert_eq!(list_pairwise(&mut tx, dataset).await.unwrap(), vec![row(pref, None)]);
    assert!(delete_pairwise(&mut tx, pref).await.unwrap());
    assert!(!delete_pairwise(&mut tx, pref).await.unwrap());
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(list_pairwise(&mut tx, dataset).await.unwrap(), vec![]);
}

#[tokio::test]
async fn the_shown_order_is_kept_per_response_and_goes_with_it() {
    let (store, _db) = common::open().await;
    let dataset = common::dataset(&store).await;
    let pref = question(&store, dataset, "pref").await;
    let batch: Vec<_> = (0..2).map(|i| common::record(dataset, &format!("r{i}"))).collect();
    let mut tx = store.write().await.unwrap();
    records::insert_records(&mut tx, &common::schema(dataset), &batch).await.unwrap();
    let user = User {
        id: UserId::new(),
        first_name: "ann".into(),
        last_name: None,
        username: "ann".into(),
        role: Role::Annotator,
        inserted_at: Timestamp(1),
        updated_at: Timestamp(1),
    };
    users::insert_user(&mut tx, &user, "digest-ann", "hash").await.unwrap();
    let mut ids = Vec::new();
    for (i, record) in batch.iter().enumerate() {
        let response = Response {
            id: ResponseId::new(),
            record_id: record.id,
            user_id: user.id,
            values: Some(json!({"pref": {"value": if i == 0 { "A" } else { "B" }}})),
            status: ResponseStatus::Submitted,
            inserted_at: Timestamp(10),
            updated_at: Timestamp(10),
        };
        responses::insert_response(&mut tx, dataset, &response).await.unwrap();
        ids.push(response.id);
    }
    set_shown(&mut tx, dataset, ids[0], pref, "ab", Timestamp(11)).await.unwrap();
    set_shown(&mut tx, dataset, ids[0], pref, "ba", Timestamp(12)).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    let answers = list_shown_answers(&mut tx, dataset, pref).await.unwrap();
    let seen: Vec<_> = answers.iter().map(|it| (it.record_id, it.username.as_str(), it.shown.as_deref())).collect();
    assert_eq!(seen, [(batch[0].id, "ann", Some("ba")), (batch[1].id, "ann", None)]);
    assert_eq!(answers[0].values, Some(json!({"pref": {"value": "A"}})));
    assert_eq!(answers[1].status, "submitted");
    drop(tx);

    let mut tx = store.write().await.unwrap();
    responses::delete_response(&mut tx, ids[0]).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    let rows: Vec<i64> = loam_store::testing::fetch_all(&mut tx, "select count(*) from response_shown").await.unwrap();
    assert_eq!(rows, [0], "the shown order went with its response");
}

#[tokio::test]
async fn judgements_are_upserted_by_record_question_agent_and_order() {
    let (store, _db) = common::open().await;
    let dataset = common::dataset(&store).await;
    let pref = question(&store, dataset, "pref").await;
    let record = common::record(dataset, "r");
    let mut tx = store.write().await.unwrap();
    records::insert_records(&mut tx, &common::schema(dataset), std::slice::from_ref(&record)).await.unwrap();
    let verdict = |shown: &str, value: &str, score: Option<f64>| Judgement {
        record_id: record.id,
        question_id: pref,
        agent: "gpt".into(),
        shown: shown.into(),
        value: value.into(),
        score,
    };
    upsert_judgement(&mut tx, dataset, &verdict("ab", "A", Some(0.9)), Timestamp(2)).await.unwrap();
    upsert_judgement(&mut tx, dataset, &verdict("ba", "A", None), Timestamp(2)).await.unwrap();
    upsert_judgement(&mut tx, dataset, &verdict("ab", "B", Some(0.25)), Timestamp(3)).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(
        list_judgements(&mut tx, dataset).await.unwrap(),
        vec![verdict("ab", "B", Some(0.25)), verdict("ba", "A", None)]
    );
    drop(tx);
    let mut tx = store.write().await.unwrap();
    settings::delete_question(&mut tx, pref).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(list_judgements(&mut tx, dataset).await.unwrap(), vec![]);
}
