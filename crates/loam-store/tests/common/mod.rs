//! What the store's test files share: a store on a scratch database, a dataset in it, records
//! with one text field, and the record write and text search on them.

#![allow(clippy::unwrap_used, dead_code)]

use loam_domain::distribution::{Distribution, RecordStatus};
use loam_domain::model::{Dataset, DatasetSchema, DatasetStatus, Record, Workspace};
use loam_domain::query::TextMatch;
use loam_domain::{DatasetId, RecordId, Timestamp, WorkspaceId};
use loam_store::search::{search_records, RecordQuery};
use loam_store::testing::{self, ScratchDb};
use loam_store::{datasets, records, workspaces, Store, StoreConfig};
use serde_json::{Map, Value};

/// A store on a scratch database: SQLite, or PostgreSQL when `LOAM_TEST_POSTGRES` is set.
pub async fn open() -> (Store, ScratchDb) {
    let db = ScratchDb::new().await;
    let store = Store::open(&StoreConfig { url: db.url.clone(), max_connections: 4 }).await.unwrap();
    (store, db)
}

pub async fn dataset(store: &Store) -> DatasetId {
    let at = Timestamp(1);
    // Named by its id, so a test may make several.
    let id = WorkspaceId::new();
    let ws = Workspace { id, name: format!("ws-{}", id.0), inserted_at: at, updated_at: at };
    let ds = Dataset {
        id: DatasetId::new(),
        name: "ds".into(),
        guidelines: None,
        allow_extra_metadata: true,
        status: DatasetStatus::Ready,
        distribution: Distribution::default(),
        metadata: None,
        workspace_id: ws.id,
        last_activity_at: at,
        inserted_at: at,
        updated_at: at,
        responses_visible_for_annotators: false,
        settings_version: 0,
    };
    let mut tx = store.write().await.unwrap();
    workspaces::insert_workspace(&mut tx, &ws).await.unwrap();
    datasets::insert_dataset(&mut tx, &ds).await.unwrap();
    tx.commit().await.unwrap();
    ds.id
}

pub fn record(dataset: DatasetId, text: &str) -> Record {
    let mut fields = Map::new();
    fields.insert("text".into(), Value::String(text.into()));
    Record {
        id: RecordId::new(),
        dataset_id: dataset,
        fields,
        metadata: None,
        external_id: None,
        status: RecordStatus::Pending,
        inserted_at: Timestamp(2),
        updated_at: Timestamp(2),
    }
}

/// Settings with the one text field `text` that `record` fills, for the record write's text index.
pub fn schema(dataset: DatasetId) -> DatasetSchema {
    testing::text_schema(dataset)
}

pub async fn seqs(store: &Store) -> Vec<i64> {
    let mut tx = store.read().await.unwrap();
    testing::fetch_all(&mut tx, "select seq from records order by seq").await.unwrap()
}

pub async fn write(store: &Store, record: &Record, commit: bool) {
    let mut tx = store.write().await.unwrap();
    records::insert_records(&mut tx, &schema(record.dataset_id), std::slice::from_ref(record)).await.unwrap();
    if commit {
        tx.commit().await.unwrap();
    }
}

pub async fn find(store: &Store, dataset: DatasetId, q: &str) -> Vec<RecordId> {
    let query = RecordQuery { text: Some(TextMatch::parse(q)), ..RecordQuery::default() };
    let mut tx = store.read().await.unwrap();
    let (hits, total) = search_records(&mut tx, dataset, &query, 0, 100).await.unwrap();
    assert_eq!(total as usize, hits.len());
    hits.into_iter().map(|it| it.record_id).collect()
}
