//! Storage tests: migrations kept in step, and the text index changing with the rows in the same
//! transaction (a committed write is searchable at once, a rolled-back one never, a deleted record
//! leaves the index).

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use common::{dataset, find, open, record, schema, seqs, write};
use loam_domain::distribution::RecordStatus;
use loam_domain::{DatasetId, RecordId, Timestamp};
use loam_store::records::Texts;
use loam_store::testing;
use loam_store::text_index::{index_size, merge_index_step};
use loam_store::{datasets, records, workspaces, Store, Tx};
use serde_json::Value;

fn migration_names(engine: &str) -> BTreeSet<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(engine);
    std::fs::read_dir(dir).unwrap().map(|it| it.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

#[test]
fn migrations_are_kept_in_step_for_both_engines() {
    let sqlite = migration_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migration_names("postgres"));
}

#[tokio::test]
async fn committed_writes_are_searchable_at_once_and_rolled_back_ones_never() {
    let (store, _dir) = open().await;
    let ds = dataset(&store).await;
    let kept = record(ds, "SQL injection in the login form");
    write(&store, &kept, true).await;
    let dropped = record(ds, "another SQL injection, never committed");
    write(&store, &dropped, false).await;
    assert_eq!(find(&store, ds, "injection").await, vec![kept.id]);
    assert_eq!(find(&store, ds, "\"sql injection\"").await, vec![kept.id]);
    assert!(find(&store, ds, "committed").await.is_empty());
}

#[tokio::test]
async fn deleting_a_record_removes_it_from_results() {
    let (store, _dir) = open().await;
    let ds = dataset(&store).await;
    let a = record(ds, "café crème");
    let b = record(ds, "cafe au lait");
    write(&store, &a, true).await;
    write(&store, &b, true).await;
    let mut both = find(&store, ds, "cafe").await;
    both.sort();
    let mut expected = vec![a.id, b.id];
    expected.sort();
    assert_eq!(both, expected, "accents fold for matching");
    let mut tx = store.write().await.unwrap();
    records::delete_records(&mut tx, ds, &[a.id]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(find(&store, ds, "cafe").await, vec![b.id]);
}

#[tokio::test]
async fn deleting_a_dataset_clears_its_index() {
    let (store, _dir) = open().await;
    let ds = dataset(&store).await;
    write(&store, &record(ds, "emoji 🎉 party"), true).await;
    write(&store, &record(ds, "日本語のテキスト"), true).await;
    assert_eq!(find(&store, ds, "party").await.len(), 1);
    let mut tx = store.read().await.unwrap();
    assert_eq!(index_size(&mut tx).await.unwrap(), 2);
    drop(tx);
    let mut tx = store.write().await.unwrap();
    datasets::delete_dataset(&mut tx, ds).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(index_size(&mut tx).await.unwrap(), 0);
}

/// Pages of the text index (its `_data` shadow table): fewer once small segments are merged.
async fn index_pages(store: &Store) -> i64 {
    let mut tx = store.read().await.unwrap();
    assert!(matches!(tx, Tx::Sqlite(_)), "a SQLite store");
    testing::fetch_all(&mut tx, "select count(*) from record_fts_data").await.unwrap()[0]
}

#[tokio::test]
async fn background_merge_steps_compact_the_index_and_change_no_result() {
    let (store, db) = open().await;
    let ds = dataset(&store).await;
    if db.is_postgres() {
        // GIN maintains itself (autovacuum flushes its pending list): there is no step to take.
        write(&store, &record(ds, "a word"), true).await;
        let mut tx = store.write().await.unwrap();
        assert!(!merge_index_step(&mut tx, 200).await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(find(&store, ds, "word").await.len(), 1);
        return;
    }
    // One transaction per record: one small segment each, which requests no longer merge.
    let mut ids = Vec::new();
    for n in 0..40 {
        let it = record(ds, &format!("shared words and a unique token{n}"));
        write(&store, &it, true).await;
        ids.push(it.id);
    }
    let mut tx = store.write().await.unwrap();
    records::delete_records(&mut tx, ds, &[ids[7]]).await.unwrap();
    tx.commit().await.unwrap();
    ids.remove(7);
    let twelve = ids[11];
    ids.sort();

    let before = index_pages(&store).await;
    let mut steps = 0;
    loop {
        let mut tx = store.write().await.unwrap();
        let merged = merge_index_step(&mut tx, 200).await.unwrap();
        tx.commit().await.unwrap();
        if !merged {
            break;
        }
        steps += 1;
        assert!(steps < 100, "merging never finishes");
    }
    assert!(steps > 0, "40 segments were left to merge");
    assert!(index_pages(&store).await < before, "merging shrinks the index");

    let mut all = find(&store, ds, "shared").await;
    all.sort();
    assert_eq!(all, ids);
    assert_eq!(find(&store, ds, "token12").await, vec![twelve]);
    assert!(find(&store, ds, "token7").await.is_empty(), "a deleted record stays gone");
    let mut tx = store.write().await.unwrap();
    assert!(!merge_index_step(&mut tx, 200).await.unwrap(), "nothing is left to merge");
}

#[tokio::test]
async fn a_checkpoint_copies_committed_pages_into_the_database_file() {
    let (store, db) = open().await;
    let ds = dataset(&store).await;
    let Some(path) = db.url.strip_prefix("sqlite://").map(std::path::PathBuf::from) else {
        // PostgreSQL has no WAL of ours to checkpoint: the call does nothing and fails nothing.
        store.checkpoint().await.unwrap();
        return;
    };
    store.checkpoint().await.unwrap();
    let file_len = || std::fs::metadata(&path).unwrap().len();
    let before = file_len();
    for n in 0..50 {
        write(&store, &record(ds, &format!("{n} {}", "many words to take pages ".repeat(40))), true).await;
    }
    // Committed, but in the WAL only (its autocheckpoint size is far off).
    assert_eq!(file_len(), before, "the commits alone leave the database file as it was");
    store.checkpoint().await.unwrap();
    assert!(file_len() > before, "the checkpoint wrote the new pages into the file");
    assert_eq!(find(&store, ds, "words").await.len(), 50);
}

/// Every row of the metadata index: (record seq, key, position, number, text), in order.
async fn metadata_index(store: &Store) -> Vec<(i64, String, i32, Option<f64>, Option<String>)> {
    let sql = "select record_seq, name, pos, num, term from record_metadata order by record_seq, name, pos";
    let mut tx = store.read().await.unwrap();
    testing::fetch_all(&mut tx, sql).await.unwrap()
}

/// Runs the `INSERT` statements of migration 0007 (its backfill of records written before it).
async fn backfill_metadata_index(store: &Store, postgres: bool) {
    let engine = if postgres { "postgres" } else { "sqlite" };
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(engine)
        .join("0007_record_metadata.sql");
    let text = std::fs::read_to_string(path).unwrap();
    let code: String = text.lines().filter(|it| !it.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n");
    let mut tx = store.write().await.unwrap();
    for statement in code.split(';').map(str::trim).filter(|it| it.starts_with("INSERT")) {
        testing::execute(&mut tx, statement).await.unwrap();
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_metadata_index_follows_every_write_and_the_backfill_agrees() {
    let (store, db) = open().await;
    let ds = dataset(&store).await;
    let with = |text: &str, metadata: Value| {
        let mut it = record(ds, text);
        it.metadata = metadata.as_object().cloned();
        it
    };
    let mut first = with(
        "first",
        serde_json::json!({"a": 1, "b": "x", "c": [1, "y", true, null], "d": true, "e": {"k": 1}, "f": 2.5, "g": [], "h": null}),
    );
    let second = with("second", serde_json::json!({"a": -3, "b": "z"}));
    let third = record(ds, "third");
    let mut tx = store.write().await.unwrap();
    records::insert_records(&mut tx, &schema(ds), &[first.clone(), second.clone(), third]).await.unwrap();
    tx.commit().await.unwrap();
    let seqs = seqs(&store).await;
    let (s1, s2) = (seqs[0], seqs[1]);
    let row = |seq: i64, name: &str, pos: i32, num: Option<f64>, term: Option<&str>| {
        (seq, name.to_owned(), pos, num, term.map(str::to_owned))
    };
    // Strings and numbers are indexed, as values or list elements; other kinds are not.
    assert_eq!(
        metadata_index(&store).await,
        vec![
            row(s1, "a", -1, Some(1.0), None),
            row(s1, "b", -1, None, Some("x")),
            row(s1, "c", 0, Some(1.0), None),
            row(s1, "c", 1, None, Some("y")),
            row(s1, "f", -1, Some(2.5), None),
            row(s2, "a", -1, Some(-3.0), None),
            row(s2, "b", -1, None, Some("z")),
        ]
    );
    // The migration's backfill builds the same rows from the records alone.
    let written = metadata_index(&store).await;
    let mut tx = store.write().await.unwrap();
    testing::execute(&mut tx, "delete from record_metadata").await.unwrap();
    tx.commit().await.unwrap();
    backfill_metadata_index(&store, db.is_postgres()).await;
    assert_eq!(metadata_index(&store).await, written);
    // An update replaces the record's rows; a rolled-back insert leaves none.
    first.metadata = serde_json::json!({"a": 5}).as_object().cloned();
    let mut tx = store.write().await.unwrap();
    records::update_record(&mut tx, &schema(ds), &first, Texts::Keep).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.write().await.unwrap();
    records::insert_records(&mut tx, &schema(ds), &[with("ghost", serde_json::json!({"a": 7}))]).await.unwrap();
    drop(tx); // rolled back
    assert_eq!(
        metadata_index(&store).await,
        vec![row(s1, "a", -1, Some(5.0), None), row(s2, "a", -1, Some(-3.0), None), row(s2, "b", -1, None, Some("z"))]
    );
    let count = |store: &Store| {
        let store = store.clone();
        async move { records::count_records(&mut store.read().await.unwrap(), ds).await.unwrap() }
    };
    assert_eq!(count(&store).await, 3, "the rolled-back insert is not counted");
    // Deleting a record, then its dataset, removes their rows.
    let mut tx = store.write().await.unwrap();
    records::delete_records(&mut tx, ds, &[second.id]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(count(&store).await, 2);
    // Migration 0008's backfill counts the same.
    let mut tx = store.write().await.unwrap();
    let reset = "update datasets set records_count = 0";
    let backfill =
        "UPDATE datasets SET records_count = (SELECT count(*) FROM records WHERE records.dataset_id = datasets.id)";
    let migration = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite/0008_records_count.sql"),
    )
    .unwrap();
    assert!(migration.contains(backfill));
    for sql in [reset, backfill] {
        testing::execute(&mut tx, sql).await.unwrap();
    }
    tx.commit().await.unwrap();
    assert_eq!(count(&store).await, 2);
    assert_eq!(metadata_index(&store).await, vec![row(s1, "a", -1, Some(5.0), None)]);
    let mut tx = store.write().await.unwrap();
    datasets::delete_dataset(&mut tx, ds).await.unwrap();
    tx.commit().await.unwrap();
    assert!(metadata_index(&store).await.is_empty());
}

#[tokio::test]
async fn completed_counts_follow_status_changes_deletes_rollbacks_and_the_backfill() {
    let (store, _db) = open().await;
    let ds = dataset(&store).await;
    let counts = || async { datasets::record_counts(&mut store.read().await.unwrap(), ds).await.unwrap() };
    let mut done = record(ds, "logged completed");
    done.status = RecordStatus::Completed;
    let (a, b) = (record(ds, "a"), record(ds, "b"));
    let mut tx = store.write().await.unwrap();
    records::insert_records(&mut tx, &schema(ds), &[a.clone(), b.clone(), done.clone()]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(counts().await, (3, 1));
    let set = |id: RecordId, status: RecordStatus, commit: bool| {
        let store = store.clone();
        async move {
            let mut tx = store.write().await.unwrap();
            records::set_status(&mut tx, id, status).await.unwrap();
            if commit {
                tx.commit().await.unwrap();
            }
        }
    };
    set(a.id, RecordStatus::Completed, true).await;
    set(a.id, RecordStatus::Completed, true).await;
    assert_eq!(counts().await, (3, 2), "completing a completed record counts once");
    set(done.id, RecordStatus::Pending, true).await;
    assert_eq!(counts().await, (3, 1));
    set(b.id, RecordStatus::Completed, false).await;
    assert_eq!(counts().await, (3, 1), "a rolled-back completion is not counted");
    let mut tx = store.write().await.unwrap();
    records::delete_records(&mut tx, ds, &[a.id]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(counts().await, (2, 0), "deleting a completed record uncounts it");
    set(b.id, RecordStatus::Completed, true).await;
    // Migration 0009's backfill counts the same.
    let backfill = "UPDATE datasets SET completed_count = (SELECT count(*) FROM records WHERE records.dataset_id = datasets.id AND records.status = 'completed')";
    let migration = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite/0009_completed_count.sql"),
    )
    .unwrap();
    assert!(migration.contains(backfill));
    let mut tx = store.write().await.unwrap();
    for sql in ["update datasets set completed_count = 0", backfill] {
        testing::execute(&mut tx, sql).await.unwrap();
    }
    tx.commit().await.unwrap();
    assert_eq!(counts().await, (2, 1));
}

async fn settings_version(store: &Store, ds: DatasetId) -> i64 {
    let mut tx = store.read().await.unwrap();
    datasets::find_dataset(&mut tx, ds).await.unwrap().unwrap().settings_version
}

/// Runs `change` in a write transaction, committed or rolled back, and returns the dataset's
/// settings version after it.
async fn after<F>(store: &Store, ds: DatasetId, commit: bool, change: F) -> i64
where
    F: for<'a> FnOnce(&'a mut Tx) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'a>>,
{
    let mut tx = store.write().await.unwrap();
    change(&mut tx).await;
    if commit {
        tx.commit().await.unwrap();
    } else {
        drop(tx);
    }
    settings_version(store, ds).await
}

#[tokio::test]
async fn every_settings_change_raises_the_datasets_settings_version_and_nothing_else_does() {
    use loam_domain::model::{Field, MetadataProperty, Question, VectorSettings};
    use loam_domain::settings::{FieldSettings, MetadataSettings, QuestionSettings};
    use loam_domain::{FieldId, MetadataPropertyId, QuestionId, VectorSettingsId};
    use loam_store::settings as s;

    let (store, _db) = open().await;
    let ds = dataset(&store).await;
    let at = Timestamp(2);
    let mut field = Field {
        id: FieldId::new(),
        dataset_id: ds,
        name: "text".into(),
        title: "Text".into(),
        description: None,
        required: true,
        settings: FieldSettings::Text { use_markdown: false },
        inserted_at: at,
        updated_at: at,
    };
    let mut question = Question {
        id: QuestionId::new(),
        dataset_id: ds,
        name: "score".into(),
        title: "Score".into(),
        description: None,
        required: true,
        settings: QuestionSettings::Rating { options: vec![1, 2, 3] },
        inserted_at: at,
        updated_at: at,
    };
    let mut property = MetadataProperty {
        id: MetadataPropertyId::new(),
        dataset_id: ds,
        name: "source".into(),
        title: "Source".into(),
        settings: MetadataSettings::Terms { values: None },
        visible_for_annotators: true,
        inserted_at: at,
        updated_at: at,
    };
    let mut vectors = VectorSettings {
        id: VectorSettingsId::new(),
        dataset_id: ds,
        name: "emb".into(),
        title: "Emb".into(),
        dimensions: 3,
        inserted_at: at,
        updated_at: at,
    };
    assert_eq!(settings_version(&store, ds).await, 0);

    // A rolled-back change leaves the version as it was.
    let f = field.clone();
    assert_eq!(after(&store, ds, false, |tx| Box::pin(async move { s::insert_field(tx, &f).await.unwrap() })).await, 0);

    // Each change raises the version by one.
    let expected = std::cell::Cell::new(0);
    let check = |version: i64| {
        expected.set(expected.get() + 1);
        assert_eq!(version, expected.get());
    };
    let f = field.clone();
    check(after(&store, ds, true, |tx| Box::pin(async move { s::insert_field(tx, &f).await.unwrap() })).await);
    field.title = "Prompt".into();
    let f = field.clone();
    check(after(&store, ds, true, |tx| Box::pin(async move { s::update_field(tx, &f).await.unwrap() })).await);
    let q = question.clone();
    check(after(&store, ds, true, |tx| Box::pin(async move { s::insert_question(tx, &q).await.unwrap() })).await);
    question.settings = QuestionSettings::Rating { options: vec![1, 2, 3, 4] };
    let q = question.clone();
    check(after(&store, ds, true, |tx| Box::pin(async move { s::update_question(tx, &q).await.unwrap() })).await);
    let p = property.clone();
    check(
        after(&store, ds, true, |tx| Box::pin(async move { s::insert_metadata_property(tx, &p).await.unwrap() })).await,
    );
    property.visible_for_annotators = false;
    let p = property.clone();
    check(
        after(&store, ds, true, |tx| Box::pin(async move { s::update_metadata_property(tx, &p).await.unwrap() })).await,
    );
    let v = vectors.clone();
    check(
        after(&store, ds, true, |tx| Box::pin(async move { s::insert_vector_settings(tx, &v).await.unwrap() })).await,
    );
    vectors.title = "Embedding".into();
    let v = vectors.clone();
    check(
        after(&store, ds, true, |tx| Box::pin(async move { s::update_vector_settings(tx, &v).await.unwrap() })).await,
    );

    // Writing records, their status and vectors is not a settings change.
    let rec = record(ds, "hello");
    write(&store, &rec, true).await;
    let id = rec.id;
    assert_eq!(
        after(&store, ds, true, |tx| Box::pin(async move {
            records::set_status(tx, id, RecordStatus::Completed).await.unwrap()
        }))
        .await,
        expected.get()
    );

    let (f, q, p, v) = (field.id, question.id, property.id, vectors.id);
    check(after(&store, ds, true, |tx| Box::pin(async move { s::delete_field(tx, f).await.unwrap() })).await);
    check(after(&store, ds, true, |tx| Box::pin(async move { s::delete_question(tx, q).await.unwrap() })).await);
    check(
        after(&store, ds, true, |tx| Box::pin(async move { s::delete_metadata_property(tx, p).await.unwrap() })).await,
    );
    check(after(&store, ds, true, |tx| Box::pin(async move { s::delete_vector_settings(tx, v).await.unwrap() })).await);
    // Deleting what is already gone changes nothing.
    assert_eq!(
        after(&store, ds, true, |tx| Box::pin(async move { s::delete_field(tx, f).await.unwrap() })).await,
        expected.get()
    );
}

#[tokio::test]
async fn a_dataset_is_found_with_whether_the_user_is_a_member_of_its_workspace() {
    use loam_domain::model::User;
    use loam_domain::{Role, UserId};
    use loam_store::users;

    let (store, _db) = open().await;
    let ds = dataset(&store).await;
    let at = Timestamp(3);
    let user = |name: &str| User {
        id: UserId::new(),
        username: name.into(),
        first_name: name.into(),
        last_name: None,
        role: Role::Annotator,
        inserted_at: at,
        updated_at: at,
    };
    let (member, stranger) = (user("member"), user("stranger"));
    let mut tx = store.write().await.unwrap();
    users::insert_user(&mut tx, &member, "digest-member", "").await.unwrap();
    users::insert_user(&mut tx, &stranger, "digest-stranger", "").await.unwrap();
    let ws = datasets::find_dataset(&mut tx, ds).await.unwrap().unwrap().workspace_id;
    workspaces::add_member(&mut tx, ws, member.id, at).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    let (found, is_member) = datasets::find_dataset_for(&mut tx, ds, member.id).await.unwrap().unwrap();
    assert_eq!((found.id, is_member), (ds, true));
    let (found, is_member) = datasets::find_dataset_for(&mut tx, ds, stranger.id).await.unwrap().unwrap();
    assert_eq!((found.id, is_member), (ds, false));
    assert!(datasets::find_dataset_for(&mut tx, DatasetId::new(), member.id).await.unwrap().is_none());
}
