//! Importing files (loam extension): `POST /api/v1/datasets/{id}/import` and its preview. Bad
//! rows are left out and listed with their row and line; a bad mapping, a bad file or a caller
//! who may not manage the dataset is refused before anything is written.

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use serde_json::{json, Value};

use crate::common::*;

/// A published dataset: required text field `text`, required label question `label` (a, b),
/// integer metadata `n`, a 2-dimensional vector `emb`.
async fn dataset(app: &TestApp) -> String {
    let ws = app.default_workspace().await;
    let ds = app.create_dataset(&ws, &unique("import")).await;
    app.add_field(&ds, "text", true).await;
    app.add_question(&ds, "label", true, label_settings(&["a", "b"])).await;
    app.add_metadata(&ds, "n", json!({"type": "integer"}), true).await;
    let body = json!({"name": "emb", "title": "emb", "dimensions": 2});
    app.expect("POST", &format!("/api/v1/datasets/{ds}/vectors-settings"), Some(body), 201).await;
    app.publish(&ds).await;
    ds
}

fn encoded(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn path(ds: &str, what: &str, format: &str, mapping: Option<&Value>) -> String {
    let mut path = format!("/api/v1/datasets/{ds}/{what}?format={format}");
    if let Some(mapping) = mapping {
        path.push_str(&format!("&mapping={}", encoded(&mapping.to_string())));
    }
    path
}

async fn upload(app: &TestApp, key: &str, path: &str, file: Vec<u8>) -> Reply {
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header("x-argilla-api-key", key)
        .header("content-type", "application/octet-stream")
        .body(Body::from(file))
        .unwrap();
    app.send(req).await
}

async fn import(app: &TestApp, ds: &str, format: &str, mapping: Option<&Value>, file: Vec<u8>) -> Reply {
    upload(app, &app.owner.key, &path(ds, "import", format, mapping), file).await
}

async fn stored(app: &TestApp, ds: &str) -> Vec<Value> {
    let body = app.read(&format!("/api/v1/datasets/{ds}/records?include=suggestions,vectors&limit=1000")).await;
    body["items"].as_array().unwrap().clone()
}

fn reasons(report: &Value) -> Vec<(u64, String)> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|it| {
            (it["line"].as_u64().unwrap_or(it["row"].as_u64().unwrap()), it["reason"].as_str().unwrap().to_owned())
        })
        .collect()
}

#[tokio::test]
async fn jsonl_imports_the_good_rows_and_lists_the_bad_ones() {
    let app = TestApp::new().await;
    let ds = dataset(&app).await;
    let file = [
        r#"{"text": "one", "n": 1, "emb": [0.5, 1.0], "label": "a", "score": 0.9, "id": "r1"}"#,
        r#"{"text": "two", "n": "many"}"#,
        "",
        r#"{"text": "three", "label": "z"}"#,
        "{not json",
        r#"{"n": 4}"#,
        r#"{"text": "five", "id": "r1"}"#,
        r#"{"text": "six", "emb": [1, 2, 3]}"#,
        r#"[1, 2]"#,
        r#"{"text": "nine", "id": 9}"#,
    ]
    .join("\n");
    let mapping = json!({"suggestions": {"label": {"value": "label", "score": "score", "agent": "my-model"}}});
    let (status, report) = import(&app, &ds, "jsonl", Some(&mapping), file.into_bytes()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (report["rows_read"].as_u64(), report["imported"].as_u64(), report["failed"].as_u64()),
        (Some(9), Some(2), Some(7))
    );
    let listed = reasons(&report);
    let lines: Vec<u64> = listed.iter().map(|it| it.0).collect();
    assert_eq!(lines, vec![2, 4, 5, 6, 7, 8, 9], "{report}");
    assert!(listed[0].1.contains("metadata"), "{listed:?}");
    assert!(listed[1].1.contains("suggestions"), "{listed:?}");
    assert!(listed[2].1.contains("not valid JSON"), "{listed:?}");
    assert_eq!(listed[3].1, "the row has no value for any field: `text` (column `text`) missing", "{listed:?}");
    assert!(listed[4].1.contains("external id `r1`"), "{listed:?}");
    assert!(listed[5].1.contains("vectors"), "{listed:?}");
    assert!(listed[6].1.contains("not a JSON object"), "{listed:?}");
    assert_eq!(report["mapping"]["suggestions"]["label"]["agent"], json!("my-model"));

    let records = stored(&app, &ds).await;
    assert_eq!(records.len(), 2);
    let one = records.iter().find(|it| it["external_id"] == json!("r1")).unwrap();
    assert_eq!(one["fields"], json!({"text": "one"}));
    assert_eq!(one["metadata"], json!({"n": 1}));
    assert_eq!(one["vectors"]["emb"], json!([0.5, 1.0]));
    let suggestion = &one["suggestions"][0];
    assert_eq!(
        (&suggestion["value"], &suggestion["score"], &suggestion["agent"]),
        (&json!("a"), &json!(0.9), &json!("my-model"))
    );
    assert!(records.iter().any(|it| it["external_id"] == json!("9")));

    // An external id the dataset holds already is a clash.
    let (status, again) = import(&app, &ds, "jsonl", None, b"{\"text\": \"x\", \"id\": \"r1\"}\n".to_vec()).await;
    assert_eq!(status, 200);
    assert_eq!((again["imported"].as_u64(), again["failed"].as_u64()), (Some(0), Some(1)));
    assert!(reasons(&again)[0].1.contains("exists already"));
}

#[tokio::test]
async fn csv_reads_cells_per_target_and_names_its_lines() {
    let app = TestApp::new().await;
    let ds = dataset(&app).await;
    let file = "body,count,vec,pred,who\n\
                \"hello, world\",3,\"[1,2]\",b,bot\n\
                plain,x,,,\n\
                short,1\n\
                \"multi\nline\",5,,a,\n";
    let mapping = json!({
        "fields": {"text": "body"},
        "metadata": {"n": "count"},
        "vectors": {"emb": "vec"},
        "suggestions": {"label": {"value": "pred", "agent_column": "who"}}
    });
    let (status, report) = import(&app, &ds, "csv", Some(&mapping), file.as_bytes().to_vec()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!((report["imported"].as_u64(), report["failed"].as_u64()), (Some(2), Some(2)), "{report}");
    let listed = reasons(&report);
    assert_eq!(listed.iter().map(|it| it.0).collect::<Vec<_>>(), vec![3, 4], "{report}");
    assert!(listed[1].1.contains("2 cells"), "{listed:?}");
    let records = stored(&app, &ds).await;
    let hello = records.iter().find(|it| it["fields"]["text"] == json!("hello, world")).unwrap();
    assert_eq!(hello["metadata"], json!({"n": 3}));
    assert_eq!(hello["vectors"]["emb"], json!([1.0, 2.0]));
    assert_eq!(hello["suggestions"][0]["agent"], json!("bot"));
    assert!(records.iter().any(|it| it["fields"]["text"] == json!("multi\nline")));
}

fn parquet_file() -> Vec<u8> {
    use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
    let text: ArrayRef = Arc::new(StringArray::from(vec![Some("p1"), None, Some("p3")]));
    let n: ArrayRef = Arc::new(Int64Array::from(vec![1, 2, 3]));
    let score: ArrayRef = Arc::new(Float64Array::from(vec![0.1, 0.2, 0.3]));
    let label: ArrayRef = Arc::new(StringArray::from(vec!["a", "b", "b"]));
    let batch = RecordBatch::try_from_iter(vec![
        ("text", text),
        ("n", n),
        ("label.suggestion", label),
        ("label.suggestion.score", score),
    ])
    .unwrap();
    let mut out = Vec::new();
    let mut writer = parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    out
}

#[tokio::test]
async fn parquet_imports_with_an_inferred_mapping() {
    let app = TestApp::new().await;
    let ds = dataset(&app).await;
    let (status, report) = import(&app, &ds, "parquet", None, parquet_file()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!((report["imported"].as_u64(), report["failed"].as_u64()), (Some(2), Some(1)), "{report}");
    assert_eq!(report["errors"][0]["row"], json!(2));
    assert!(report["errors"][0].get("line").is_none());
    assert_eq!(report["mapping"]["suggestions"]["label"]["score"], json!("label.suggestion.score"));
    let records = stored(&app, &ds).await;
    let p3 = records.iter().find(|it| it["fields"]["text"] == json!("p3")).unwrap();
    assert_eq!(p3["metadata"], json!({"n": 3}));
    assert_eq!((&p3["suggestions"][0]["value"], &p3["suggestions"][0]["score"]), (&json!("b"), &json!(0.3)));
}

#[tokio::test]
async fn bad_mappings_and_bad_files_are_refused_before_anything_is_written() {
    let app = TestApp::new().await;
    let ds = dataset(&app).await;
    let file = b"{\"text\": \"a\"}\n".to_vec();
    let cases: Vec<(Option<Value>, &str, Vec<u8>, &str)> = vec![
        (Some(json!({"fields": {"text": "body"}})), "jsonl", file.clone(), "the file has no column `body`"),
        (Some(json!({"fields": {"title": "text"}})), "jsonl", file.clone(), "the dataset has no field `title`"),
        (Some(json!({"suggestions": {"nope": "text"}})), "jsonl", file.clone(), "no question `nope`"),
        (None, "jsonl", b"{\"other\": 1}\n".to_vec(), "no column of the file maps"),
        (None, "jsonl", b"not json at all\n".to_vec(), "not JSONL"),
        (None, "parquet", file.clone(), "not Parquet"),
        (None, "csv", Vec::new(), "header"),
    ];
    for (mapping, format, body, expected) in cases {
        let (status, reply) = import(&app, &ds, format, mapping.as_ref(), body).await;
        assert_eq!(status, 422, "{expected}: {reply}");
        assert!(reply["detail"].as_str().unwrap_or_default().contains(expected), "{expected}: {reply}");
    }
    let (status, reply) =
        upload(&app, &app.owner.key, &format!("/api/v1/datasets/{ds}/import?format=jsonl&mapping=%7B"), file.clone())
            .await;
    assert_eq!(status, 422, "{reply}");
    assert_eq!(locs(&reply), vec![json!(["query", "mapping"])]);
    let (status, _) =
        upload(&app, &app.owner.key, &format!("/api/v1/datasets/{ds}/import?format=xml"), file.clone()).await;
    assert_eq!(status, 422);
    let (status, _) = upload(&app, &app.owner.key, &format!("/api/v1/datasets/{ds}/import"), file).await;
    assert_eq!(status, 422);
    assert!(stored(&app, &ds).await.is_empty());
}

#[tokio::test]
async fn owners_and_admins_import_annotators_may_not() {
    let app = TestApp::new().await;
    let ds = dataset(&app).await;
    let ws = app.default_workspace().await;
    let annotator = app.member(&unique("ann"), "annotator", &[&ws]).await;
    let admin = app.member(&unique("adm"), "admin", &[&ws]).await;
    let outsider = app.create_user(&unique("out"), "admin").await;
    let file = b"{\"text\": \"a\"}\n".to_vec();
    for what in ["import", "import/preview"] {
        let p = path(&ds, what, "jsonl", None);
        assert_eq!(upload(&app, &annotator.key, &p, file.clone()).await.0, 403, "{what}");
        assert_eq!(upload(&app, &outsider.key, &p, file.clone()).await.0, 403, "{what}");
        assert_eq!(upload(&app, BAD_KEY, &p, file.clone()).await.0, 401, "{what}");
    }
    let (status, report) = upload(&app, &admin.key, &path(&ds, "import", "jsonl", None), file).await;
    assert_eq!((status, report["imported"].as_u64()), (200, Some(1)), "{report}");
    let missing = path(&new_id(), "import", "jsonl", None);
    assert_eq!(upload(&app, &app.owner.key, &missing, Vec::new()).await.0, 404);
    // A draft dataset takes no records.
    let draft = app.create_dataset(&ws, &unique("draft")).await;
    app.add_field(&draft, "text", true).await;
    let (status, reply) = upload(&app, &app.owner.key, &path(&draft, "import", "jsonl", None), b"{}".to_vec()).await;
    assert_eq!(status, 422, "{reply}");
}

#[tokio::test]
async fn the_preview_maps_the_first_rows_and_writes_nothing() {
    let app = TestApp::new().await;
    let ds = dataset(&app).await;
    let file =
        (1..=30).map(|i| if i == 2 { "{\"n\": 2}".to_owned() } else { format!("{{\"text\": \"r{i}\", \"n\": {i}}}") });
    let file = file.collect::<Vec<_>>().join("\n").into_bytes();
    let p = format!("{}&rows=5", path(&ds, "import/preview", "jsonl", None));
    let (status, preview) = upload(&app, &app.owner.key, &p, file.clone()).await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["columns"], json!(["text", "n"]));
    assert_eq!(preview["mapping"]["fields"], json!({"text": "text"}));
    let rows = preview["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0]["record"]["fields"], json!({"text": "r1"}));
    assert_eq!(rows[0]["record"]["metadata"], json!({"n": 1}));
    assert_eq!(rows[1]["error"], "the row has no value for any field: `text` (column `text`) missing", "{preview}");
    // A mapping that names a missing column is told, with the columns to pick from.
    let mapping = json!({"fields": {"text": "body"}});
    let (status, preview) =
        upload(&app, &app.owner.key, &path(&ds, "import/preview", "jsonl", Some(&mapping)), file).await;
    assert_eq!(status, 200);
    assert!(preview["mapping_error"].as_str().unwrap().contains("no column `body`"));
    assert_eq!(preview["columns"], json!(["text", "n"]));
    assert!(stored(&app, &ds).await.is_empty());
    let (status, _) =
        upload(&app, &app.owner.key, &format!("{}&rows=0", path(&ds, "import/preview", "jsonl", None)), Vec::new())
            .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn a_file_over_the_import_limit_is_a_413_and_the_api_limit_does_not_apply() {
    let app = TestApp::new().await;
    let ds = dataset(&app).await;
    let router = loam_http::router(loam_http::AppState {
        service: Arc::clone(&app.service),
        http: Arc::new(loam_http::HttpConfig { body_limit: 64, import_limit: 4096, ..Default::default() }),
        limits: Default::default(),
    });
    let rows: Vec<String> = (0..40).map(|i| format!("{{\"text\": \"row {i}\"}}")).collect();
    let small = rows.join("\n").into_bytes();
    assert!(small.len() > 64 && small.len() < 4096);
    let req = |body: Vec<u8>| {
        Request::builder()
            .method("POST")
            .uri(path(&ds, "import", "jsonl", None))
            .header("x-argilla-api-key", &app.owner.key)
            .body(Body::from(body))
            .unwrap()
    };
    let (status, report) = send_to(&router, req(small)).await;
    assert_eq!((status, report["imported"].as_u64()), (200, Some(40)), "{report}");
    let (status, reply) = send_to(&router, req(vec![b' '; 5000])).await;
    assert_eq!(status, 413, "{reply}");
    assert_eq!(stored(&app, &ds).await.len(), 40);
}

#[tokio::test]
async fn imports_span_batches_and_keep_the_counts() {
    let app = TestApp::new().await;
    let ds = dataset(&app).await;
    let n = 2_345;
    let file: Vec<String> = (0..n)
        .map(|i| if i % 1000 == 999 { "{}".to_owned() } else { format!("{{\"text\": \"t{i}\", \"id\": \"e{i}\"}}") })
        .collect();
    let (status, report) = import(&app, &ds, "jsonl", None, file.join("\n").into_bytes()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!((report["imported"].as_u64(), report["failed"].as_u64()), (Some(n - 2), Some(2)));
    assert_eq!(reasons(&report).iter().map(|it| it.0).collect::<Vec<_>>(), vec![1000, 2000]);
    let progress = app.read(&format!("/api/v1/datasets/{ds}/progress")).await;
    assert_eq!(progress["total"], json!(n - 2), "{progress}");
}

/// NUL (U+0000), which the HTTP API refuses in any body, is refused in an imported row too, the
/// same on SQLite and PostgreSQL (which cannot store it): the row is listed, the others imported.
#[tokio::test]
async fn a_row_holding_the_nul_character_is_listed_and_the_others_imported() {
    let app = TestApp::new().await;
    let ds = dataset(&app).await;
    let file = [
        r#"{"text": "one"}"#,
        r#"{"text": "t\u0000wo"}"#,
        r#"{"text": "three", "id": "x\u0000"}"#,
        r#"{"text": "four"}"#,
    ]
    .join("\n");
    let (status, report) = import(&app, &ds, "jsonl", None, file.into_bytes()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!((report["imported"].as_u64(), report["failed"].as_u64()), (Some(2), Some(2)), "{report}");
    let listed = reasons(&report);
    assert_eq!(listed.iter().map(|it| it.0).collect::<Vec<_>>(), vec![2, 3], "{report}");
    assert!(listed.iter().all(|it| it.1.contains("NUL character")), "{listed:?}");
    let texts: Vec<Value> = stored(&app, &ds).await.iter().map(|it| it["fields"]["text"].clone()).collect();
    assert_eq!(texts, vec![json!("one"), json!("four")]);
}
