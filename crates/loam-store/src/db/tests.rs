use serde_json::json;
use uuid::Uuid;

use super::{query, Json, Query};
use crate::testing::ScratchDb;
use crate::{Store, StoreConfig, StoreError};

async fn sqlite() -> (Store, ScratchDb) {
    let db = ScratchDb::sqlite();
    let store = Store::open(&StoreConfig { url: db.url.clone(), max_connections: 2 }).await.expect("open");
    (store, db)
}

#[tokio::test]
async fn numbered_parameters_bind_by_their_number_wherever_and_however_often_they_appear() {
    let (store, _db) = sqlite().await;
    let mut tx = store.read().await.expect("read");
    let row: (i64, String, i64) =
        query("select $2 + $2, $1, $2").bind("one").bind(20_i64).fetch_one(&mut tx).await.expect("query");
    assert_eq!(row, (40, "one".to_owned(), 20));
    // Anonymous parameters take the arguments in order.
    let row: (i64, i64) = query("select ?, ?").bind(1_i64).bind(2_i64).fetch_one(&mut tx).await.expect("query");
    assert_eq!(row, (1, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_statement_hands_the_worker_over_and_still_answers() {
    let (store, _db) = sqlite().await;
    let mut tx = store.write().await.expect("write");
    query("create table t (x integer)").execute(&mut tx).await.expect("ddl");
    let sql = "with recursive n(i) as (select 1 union all select i + 1 from n where i < 5000) \
               insert into t select i from n";
    assert_eq!(query(sql).long().execute(&mut tx).await.expect("insert"), 5000);
    // Meanwhile another task on the runtime runs (the worker's other tasks are not stuck).
    let other = tokio::spawn(async { 7 });
    let mut seen = 0;
    query("select x from t")
        .long()
        .for_each(&mut tx, |row| {
            seen += row.get::<i64>(0)?;
            Ok(())
        })
        .await
        .expect("select");
    assert_eq!(seen, 5000 * 5001 / 2);
    assert_eq!(other.await.expect("task"), 7);
}

#[tokio::test]
async fn a_parameter_without_an_argument_is_an_error_not_a_panic() {
    let (store, _db) = sqlite().await;
    let mut tx = store.read().await.expect("read");
    let err = query("select $1, $3").bind(1_i64).bind(2_i64).fetch_one::<(i64, i64)>(&mut tx).await;
    assert!(matches!(err, Err(StoreError::Corrupt(message)) if message.contains("parameter 3")));
    // The connection is still usable afterwards.
    let one: i64 = query("select 1").fetch_one(&mut tx).await.expect("query");
    assert_eq!(one, 1);
}

#[tokio::test]
async fn values_come_back_as_they_went_in() {
    let (store, _db) = sqlite().await;
    let mut tx = store.write().await.expect("write");
    query("create table t (id blob, doc text, flag integer, x real, note text)").execute(&mut tx).await.expect("ddl");
    let id = Uuid::new_v4();
    let doc = json!({"a": [1, "two", null], "b": 1.5});
    let changed = query("insert into t values ($1, $2, $3, $4, $5), ($1, null, $3, 3, null)")
        .bind(id)
        .bind(Json(doc.clone()))
        .bind(true)
        .bind(0.25_f64)
        .bind(Some("n"))
        .execute(&mut tx)
        .await
        .expect("insert");
    assert_eq!(changed, 2);
    type Row = (Uuid, Option<Json<serde_json::Value>>, bool, f64, Option<String>);
    let rows: Vec<Row> =
        query("select id, doc, flag, x, note from t order by x").fetch_all(&mut tx).await.expect("select");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0], (id, Some(Json(doc)), true, 0.25, Some("n".to_owned())));
    // A REAL column given an integer reads as a float.
    assert_eq!(rows[1], (id, None, true, 3.0, None));
    let missing: Option<i64> = Query::with_args("select 1 from t where x > $1", &[1000.0_f64.into()])
        .fetch_optional(&mut tx)
        .await
        .expect("select");
    assert_eq!(missing, None);
    // A column of another type is an error naming the column.
    let err = query("select note as n from t").fetch_all::<i64>(&mut tx).await;
    assert!(matches!(err, Err(StoreError::Corrupt(message)) if message.contains('0')));
}

/// PostgreSQL cannot store NUL in `text` (22021) nor `\u0000` in `jsonb` (22P05): both are
/// `Unstorable` (a client's bad value), not an internal failure. SQLite keeps it.
#[tokio::test]
async fn nul_that_postgresql_cannot_store_is_unstorable() {
    let db = ScratchDb::new().await;
    let store = Store::open(&StoreConfig { url: db.url.clone(), max_connections: 2 }).await.expect("open");
    let mut tx = store.read().await.expect("read");
    let text = query("select cast($1 as text)").bind("a\0b").fetch_one::<String>(&mut tx).await;
    if !db.is_postgres() {
        assert_eq!(text.expect("sqlite keeps NUL"), "a\0b");
        return;
    }
    assert!(matches!(text, Err(StoreError::Unstorable(_))), "{text:?}");
    drop(tx);
    let mut tx = store.read().await.expect("read");
    let json =
        query("select cast(cast($1 as jsonb) as text)").bind(r#"{"a": "\u0000"}"#).fetch_one::<String>(&mut tx).await;
    assert!(matches!(json, Err(StoreError::Unstorable(_))), "{json:?}");
}

/// On PostgreSQL built with lz4, records' fields and their tsvectors are compressed with it
/// (migration 0021), which costs the server less CPU than pglz on every ingest.
#[tokio::test]
async fn record_fields_are_compressed_with_lz4_where_postgresql_has_it() {
    let db = ScratchDb::new().await;
    let store = Store::open(&StoreConfig { url: db.url.clone(), max_connections: 2 }).await.expect("open");
    if !db.is_postgres() {
        return;
    }
    let mut tx = store.read().await.expect("read");
    let has_lz4: bool = query(
        "select exists (select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any (enumvals))",
    )
    .fetch_one(&mut tx)
    .await
    .expect("settings");
    for (table, column) in [("records", "fields"), ("record_texts", "tsv")] {
        let method: String = query(
            "select cast(attcompression as text) from pg_attribute \
             where attrelid = cast($1 as regclass) and attname = $2",
        )
        .bind(table)
        .bind(column)
        .fetch_one(&mut tx)
        .await
        .expect("attribute");
        assert_eq!(method, if has_lz4 { "l" } else { "" }, "{table}.{column}");
    }
}
