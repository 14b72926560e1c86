//! The record write (`records::RecordWrites`) keeps everything derived from a record in its
//! transaction: inserting or updating through it leaves the text index finding the new text and
//! not the old, the metadata index answering filters on the new values, the dataset's record
//! count right and the vectors stored; a rolled-back update changes none of them.

#![allow(clippy::unwrap_used)]

mod common;

use common::{dataset, find, open, record, schema};
use loam_domain::model::{Record, VectorSettings};
use loam_domain::{DatasetId, RecordId, Timestamp, VectorSettingsId};
use loam_store::records::{self, RecordWrites, Texts};
use loam_store::search::{search_records, Condition, RecordQuery, Target};
use loam_store::{settings, Store};
use serde_json::{json, Value};

/// The records whose metadata `lang` is `value`, sorted.
async fn with_lang(store: &Store, dataset: DatasetId, value: &str) -> Vec<RecordId> {
    let condition = Condition::Terms(Target::Metadata("lang".into(), false), vec![Value::from(value)]);
    let query = RecordQuery { conditions: vec![condition], ..RecordQuery::default() };
    let mut tx = store.read().await.unwrap();
    let (hits, total) = search_records(&mut tx, dataset, &query, 0, 100).await.unwrap();
    assert_eq!(total as usize, hits.len());
    let mut ids: Vec<RecordId> = hits.into_iter().map(|it| it.record_id).collect();
    ids.sort();
    ids
}

fn with(dataset: DatasetId, text: &str, lang: &str) -> Record {
    let mut it = record(dataset, text);
    it.metadata = json!({ "lang": lang }).as_object().cloned();
    it
}

async fn count(store: &Store, dataset: DatasetId) -> i64 {
    records::count_records(&mut store.read().await.unwrap(), dataset).await.unwrap()
}

#[tokio::test]
async fn the_record_write_keeps_text_index_metadata_index_counts_and_vectors() {
    let (store, _db) = open().await;
    let ds = dataset(&store).await;
    let mut schema = schema(ds);
    let emb = VectorSettings {
        id: VectorSettingsId::new(),
        dataset_id: ds,
        name: "emb".into(),
        title: "Emb".into(),
        dimensions: 2,
        inserted_at: Timestamp(1),
        updated_at: Timestamp(1),
    };
    let mut tx = store.write().await.unwrap();
    settings::insert_vector_settings(&mut tx, &emb).await.unwrap();
    tx.commit().await.unwrap();
    schema.vector_settings.push(emb.clone());

    // Inserted: the rows, their texts, their metadata, their count and their vectors.
    let (mut a, b) = (with(ds, "old words", "en"), with(ds, "other words", "fr"));
    let mut writes = RecordWrites::default();
    writes.insert(a.clone());
    writes.insert(b.clone());
    writes.vectors(a.id, [(emb.id, vec![1.0, 0.5])]);
    let mut tx = store.write().await.unwrap();
    writes.write(&mut tx, &schema).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(count(&store, ds).await, 2);
    assert_eq!(find(&store, ds, "old").await, vec![a.id]);
    assert_eq!(with_lang(&store, ds, "en").await, vec![a.id]);
    let vectors = records::list_vectors(&mut store.read().await.unwrap(), &[a.id]).await.unwrap();
    assert_eq!(vectors.iter().map(|it| it.value.clone()).collect::<Vec<_>>(), vec![vec![1.0, 0.5]]);

    // A rolled-back update leaves everything as it was.
    let mut changed = a.clone();
    changed.fields.insert("text".into(), Value::from("ghost words"));
    changed.metadata = json!({"lang": "de"}).as_object().cloned();
    let mut tx = store.write().await.unwrap();
    records::update_record(&mut tx, &schema, &changed, Texts::Rewrite).await.unwrap();
    drop(tx);
    assert!(find(&store, ds, "ghost").await.is_empty());
    assert_eq!(find(&store, ds, "old").await, vec![a.id]);
    assert!(with_lang(&store, ds, "de").await.is_empty());

    // Updated: the new text is found and the old one is not; filters see the new metadata; the
    // count and the other record's texts stay; the vector is replaced.
    a.fields.insert("text".into(), Value::from("new words"));
    a.metadata = json!({"lang": "fr"}).as_object().cloned();
    let mut writes = RecordWrites::default();
    writes.update(a.clone(), Texts::Rewrite);
    writes.vectors(a.id, [(emb.id, vec![0.0, 1.0])]);
    let mut tx = store.write().await.unwrap();
    writes.write(&mut tx, &schema).await.unwrap();
    tx.commit().await.unwrap();
    assert!(find(&store, ds, "old").await.is_empty(), "the old text left the index");
    assert_eq!(find(&store, ds, "new").await, vec![a.id]);
    assert_eq!(find(&store, ds, "other").await, vec![b.id]);
    assert!(with_lang(&store, ds, "en").await.is_empty(), "the old metadata left the index");
    let mut both = vec![a.id, b.id];
    both.sort();
    assert_eq!(with_lang(&store, ds, "fr").await, both);
    assert_eq!(count(&store, ds).await, 2, "an update is not counted");
    let vectors = records::list_vectors(&mut store.read().await.unwrap(), &[a.id]).await.unwrap();
    assert_eq!(vectors.iter().map(|it| it.value.clone()).collect::<Vec<_>>(), vec![vec![0.0, 1.0]]);

    // A metadata-only update keeps the texts.
    a.metadata = json!({"lang": "en"}).as_object().cloned();
    let mut tx = store.write().await.unwrap();
    records::update_record(&mut tx, &schema, &a, Texts::Keep).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(find(&store, ds, "new").await, vec![a.id]);
    assert_eq!(with_lang(&store, ds, "en").await, vec![a.id]);
}

#[tokio::test]
async fn copying_rebuilds_a_datasets_text_index_from_its_rows() {
    let (store, db) = open().await;
    let ds = dataset(&store).await;
    let schema = schema(ds);
    let kept: Vec<Record> = (0..3).map(|n| record(ds, &format!("word{n} shared"))).collect();
    let mut tx = store.write().await.unwrap();
    records::insert_records(&mut tx, &schema, &kept).await.unwrap();
    let clear = if db.is_postgres() { "delete from record_texts" } else { "delete from record_fts" };
    loam_store::testing::execute(&mut tx, clear).await.unwrap();
    tx.commit().await.unwrap();
    assert!(find(&store, ds, "shared").await.is_empty());
    let mut tx = store.write().await.unwrap();
    records::index_dataset_texts(&mut tx, ds, &schema).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(find(&store, ds, "word1").await, vec![kept[1].id]);
    assert_eq!(find(&store, ds, "shared").await.len(), 3);
}
