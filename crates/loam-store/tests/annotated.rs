//! The batched read of records with their responses and suggestions (`loam_store::annotated`).

#![allow(clippy::unwrap_used)]

mod common;

use loam_domain::model::{Response, User};
use loam_domain::value::ResponseStatus;
use loam_domain::{ResponseId, Role, Timestamp, UserId};
use loam_store::annotated::{read_annotated, read_annotated_with, Contents, Responses};
use loam_store::{records, responses, users};
use serde_json::json;

#[tokio::test]
async fn batches_follow_insertion_order_and_carry_named_responses() {
    let (store, _db) = common::open().await;
    let dataset = common::dataset(&store).await;
    let batch: Vec<_> = (0..5).map(|i| common::record(dataset, &format!("r{i}"))).collect();
    let mut tx = store.write().await.unwrap();
    records::insert_records(&mut tx, &common::schema(dataset), &batch).await.unwrap();
    let mut people = Vec::new();
    for name in ["ann", "bob"] {
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
        users::insert_user(&mut tx, &user, &format!("digest-{name}"), "hash").await.unwrap();
        people.push(user.id);
    }
    for (i, (user, status)) in
        [(people[0], ResponseStatus::Submitted), (people[1], ResponseStatus::Draft)].iter().enumerate()
    {
        let response = Response {
            id: ResponseId::new(),
            record_id: batch[1].id,
            user_id: *user,
            values: Some(json!({"q": {"value": i}})),
            status: *status,
            inserted_at: Timestamp(10 + i as i64),
            updated_at: Timestamp(10 + i as i64),
        };
        responses::insert_response(&mut tx, dataset, &response).await.unwrap();
    }
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    let (first, next) = read_annotated(&mut tx, dataset, None, 3, Responses::All).await.unwrap();
    let ids: Vec<_> = first.iter().map(|it| it.record.id).collect();
    assert_eq!(ids, batch[..3].iter().map(|it| it.id).collect::<Vec<_>>());
    let named: Vec<_> = first[1].responses.iter().map(|it| (it.username.as_str(), it.response.status)).collect();
    assert_eq!(named, [("ann", ResponseStatus::Submitted), ("bob", ResponseStatus::Draft)]);
    assert!(first[0].responses.is_empty() && first[0].suggestions.is_empty());

    let (rest, end) = read_annotated(&mut tx, dataset, next, 3, Responses::All).await.unwrap();
    assert_eq!(rest.iter().map(|it| it.record.id).collect::<Vec<_>>(), [batch[3].id, batch[4].id]);
    assert_eq!(end, None, "a short batch is the last");

    let (submitted, _) = read_annotated(&mut tx, dataset, None, 10, Responses::Submitted).await.unwrap();
    assert_eq!(submitted.len(), 5);
    assert_eq!(submitted[1].responses.len(), 1);
    assert_eq!(submitted[1].responses[0].username, "ann");
}

#[tokio::test]
async fn a_lighter_read_leaves_fields_and_metadata_out_and_keeps_to_its_dataset() {
    let (store, _db) = common::open().await;
    let (dataset, other) = (common::dataset(&store).await, common::dataset(&store).await);
    let mut tx = store.write().await.unwrap();
    // The two datasets' records alternate, so their `seq` ranges interleave.
    let (mut mine, mut theirs) = (Vec::new(), Vec::new());
    for i in 0..4 {
        let mut record = common::record(dataset, &format!("mine {i}"));
        record.metadata = Some(serde_json::from_value(json!({"n": i})).unwrap());
        records::insert_records(&mut tx, &common::schema(dataset), std::slice::from_ref(&record)).await.unwrap();
        mine.push(record);
        let record = common::record(other, &format!("theirs {i}"));
        records::insert_records(&mut tx, &common::schema(other), std::slice::from_ref(&record)).await.unwrap();
        theirs.push(record);
    }
    let at = Timestamp(1);
    let user = User {
        id: UserId::new(),
        first_name: "ann".into(),
        last_name: None,
        username: "ann".into(),
        role: Role::Annotator,
        inserted_at: at,
        updated_at: at,
    };
    users::insert_user(&mut tx, &user, "digest-ann", "hash").await.unwrap();
    for (ds, record) in [(dataset, &mine[1]), (other, &theirs[1]), (dataset, &mine[2])] {
        let response = Response {
            id: ResponseId::new(),
            record_id: record.id,
            user_id: user.id,
            values: Some(json!({"q": {"value": 1}})),
            status: ResponseStatus::Submitted,
            inserted_at: at,
            updated_at: at,
        };
        responses::insert_response(&mut tx, ds, &response).await.unwrap();
    }
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    let lean = Contents { responses: Responses::All, fields: false, metadata: false };
    let (light, next) = read_annotated_with(&mut tx, dataset, None, 3, lean).await.unwrap();
    let (full, _) = read_annotated(&mut tx, dataset, None, 3, Responses::All).await.unwrap();
    assert_eq!(light.iter().map(|it| it.record.id).collect::<Vec<_>>(), [mine[0].id, mine[1].id, mine[2].id]);
    assert!(light.iter().all(|it| it.record.fields.is_empty() && it.record.metadata.is_none()));
    assert_eq!(full[1].record.fields, mine[1].fields);
    assert_eq!(full[1].record.metadata, mine[1].metadata);
    for (light, full) in light.iter().zip(&full) {
        assert_eq!(light.responses, full.responses);
        assert_eq!(light.record.external_id, full.record.external_id);
    }
    let counts: Vec<usize> = full.iter().map(|it| it.responses.len()).collect();
    assert_eq!(counts, [0, 1, 1], "the other dataset's response stays out");

    let fields_only = Contents { responses: Responses::Submitted, fields: true, metadata: false };
    let (rest, end) = read_annotated_with(&mut tx, dataset, next, 3, fields_only).await.unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(
        (rest[0].record.id, &rest[0].record.fields, &rest[0].record.metadata),
        (mine[3].id, &mine[3].fields, &None)
    );
    assert_eq!(end, None);
}
