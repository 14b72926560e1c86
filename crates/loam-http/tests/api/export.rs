//! `POST /api/v1/datasets/{id}/exports`: the records shape as JSONL and CSV equal rows made by
//! hand; Parquet and the Hugging Face folder read back; the same data gives the same bytes; who
//! may export; bad requests get a 422 that names the problem.

use std::io::Read;

use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::common::*;

/// A reply to an export: status, content type, content disposition and the raw bytes.
struct Download {
    status: u16,
    content_type: String,
    disposition: String,
    bytes: Vec<u8>,
}

impl Download {
    fn text(&self) -> String {
        String::from_utf8(self.bytes.clone()).unwrap()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap()
    }
}

/// Sends an export request and reads the whole body; the status (and a JSON body) is checked
/// against the OpenAPI document like every other reply.
async fn download(app: &TestApp, key: &str, dataset: &str, body: Value) -> Download {
    let path = format!("/api/v1/datasets/{dataset}/exports");
    let res = app.router.clone().oneshot(request("POST", &path, key, Some(body))).await.unwrap();
    let status = res.status().as_u16();
    let header = |name: &str| res.headers().get(name).map(|it| it.to_str().unwrap().to_owned()).unwrap_or_default();
    let content_type = header("content-type");
    let disposition = header("content-disposition");
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    let doc = loam_http::openapi_json();
    let json: Option<Value> =
        if content_type.starts_with("application/json") { Some(serde_json::from_slice(&bytes).unwrap()) } else { None };
    loam_http::check_reply(&doc, "POST", &path, status, json.as_ref()).unwrap();
    Download { status, content_type, disposition, bytes }
}

struct Ctx {
    app: TestApp,
    ws: String,
    ds: String,
    /// The two records' ids, in insertion order.
    records: Vec<String>,
    ann: TestUser,
}

/// A dataset `reviews` with a text field, a label and a rating question and an integer metadata
/// property; record `e1` has the owner's submitted response (label a, score 2), an annotator's
/// draft (label b) and a suggestion for `label`; record `e2` has nothing.
async fn setup() -> Ctx {
    let app = TestApp::new().await;
    let ws = app.create_workspace(&unique("ws")).await;
    let ds = app.create_dataset(&ws, "reviews").await;
    app.add_field(&ds, "text", true).await;
    let label = app.add_question(&ds, "label", true, label_settings(&["a", "b"])).await;
    app.add_question(
        &ds,
        "score",
        false,
        json!({"type": "rating", "options": [{"value": 1}, {"value": 2}, {"value": 3}]}),
    )
    .await;
    app.add_metadata(&ds, "n", json!({"type": "integer"}), true).await;
    app.publish(&ds).await;
    let owner = app.owner.id.clone();
    let items = app
        .log(
            &ds,
            vec![
                json!({"fields": {"text": "hello, \"world\"\nbye"}, "external_id": "e1", "metadata": {"n": 5},
                       "responses": [{"user_id": owner, "status": "submitted",
                                      "values": {"label": {"value": "a"}, "score": {"value": 2}}}],
                       "suggestions": [{"question_id": label, "value": "a", "score": 0.5, "agent": "model-x"}]}),
                json!({"fields": {"text": "plain"}, "external_id": "e2"}),
            ],
        )
        .await;
    let records: Vec<String> = items.iter().map(|it| it["id"].as_str().unwrap().to_owned()).collect();
    let ann = app.member(&unique("ann"), "annotator", &[&ws]).await;
    let path = format!("/api/v1/records/{}/responses", records[0]);
    let (status, body) =
        app.post(&ann.key, &path, json!({"values": {"label": {"value": "b"}}, "status": "draft"})).await;
    assert_eq!(status, 201, "{body}");
    Ctx { app, ws, ds, records, ann }
}

/// The rows the records shape must give for the dataset of [`setup`], with `build` as build id.
fn expected_rows(c: &Ctx, build: &str) -> Vec<Value> {
    let owner = &c.app.owner;
    vec![
        json!({
            "id": "e1", "status": "completed", "_server_id": c.records[0],
            "text": "hello, \"world\"\nbye", "n": 5,
            "label.responses": ["a", "b"], "label.responses.users": [owner.id, c.ann.id],
            "label.responses.status": ["submitted", "draft"],
            "score.responses": [2], "score.responses.users": [owner.id], "score.responses.status": ["submitted"],
            "label.suggestion": "a", "label.suggestion.score": 0.5, "label.suggestion.agent": "model-x",
            "score.suggestion": null, "score.suggestion.score": null, "score.suggestion.agent": null,
            "loam_record_id": c.records[0], "loam_external_id": "e1", "loam_annotators": [owner.username],
            "loam_build_id": build, "loam_agreement": {"label": null, "score": null}, "loam_active_ms": {},
            "loam_answer_source": null, "loam_final_answer": null, "loam_flag": null,
        }),
        json!({
            "id": "e2", "status": "pending", "_server_id": c.records[1],
            "text": "plain", "n": null,
            "label.responses": null, "label.responses.users": null, "label.responses.status": null,
            "score.responses": null, "score.responses.users": null, "score.responses.status": null,
            "label.suggestion": null, "label.suggestion.score": null, "label.suggestion.agent": null,
            "score.suggestion": null, "score.suggestion.score": null, "score.suggestion.agent": null,
            "loam_record_id": c.records[1], "loam_external_id": "e2", "loam_annotators": [],
            "loam_build_id": build, "loam_agreement": {"label": null, "score": null}, "loam_active_ms": {},
            "loam_answer_source": null, "loam_final_answer": null, "loam_flag": "below_min_submitted",
        }),
    ]
}

/// A row's cells as CSV text, the way the export writes them: strings as they are, numbers as
/// JSON prints them, lists as JSON text, null as nothing; quoted when they hold `,`, `"` or a
/// line break.
fn csv_line(row: &Value) -> String {
    let cells: Vec<String> = row
        .as_object()
        .unwrap()
        .values()
        .map(|value| {
            let text = match value {
                Value::Null => String::new(),
                Value::String(it) => it.clone(),
                other => other.to_string(),
            };
            if text.contains([',', '"', '\n']) {
                format!("\"{}\"", text.replace('"', "\"\""))
            } else {
                text
            }
        })
        .collect();
    cells.join(",")
}

#[tokio::test]
async fn the_records_shape_as_jsonl_and_csv_equals_the_rows_made_by_hand() {
    let c = setup().await;
    let jsonl = download(&c.app, &c.app.owner.key, &c.ds, json!({"shape": "records", "format": "jsonl"})).await;
    assert_eq!(jsonl.status, 200, "{}", jsonl.text());
    assert_eq!(jsonl.content_type, "application/x-ndjson");
    assert_eq!(jsonl.disposition, "attachment; filename=\"reviews-records.jsonl\"");
    let text = jsonl.text();
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let build = first["loam_build_id"].as_str().unwrap().to_owned();
    assert_eq!(build.len(), 32);
    let expected = expected_rows(&c, &build);
    // Keys in column order: compare the text, not only the values.
    let lines: String = expected.iter().map(|it| format!("{it}\n")).collect();
    assert_eq!(text, lines);

    let csv = download(&c.app, &c.app.owner.key, &c.ds, json!({"shape": "records", "format": "csv"})).await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.content_type, "text/csv; charset=utf-8");
    let header = expected[0].as_object().unwrap().keys().cloned().collect::<Vec<_>>().join(",");
    let body: String = expected.iter().map(|it| format!("{}\n", csv_line(it))).collect();
    assert_eq!(csv.text(), format!("{header}\n{body}"));
}

#[tokio::test]
async fn records_below_min_submitted_are_skipped_when_asked() {
    let c = setup().await;
    let body = json!({"shape": "records", "format": "jsonl", "below_min_submitted": "skip"});
    let reply = download(&c.app, &c.app.owner.key, &c.ds, body).await;
    assert_eq!(reply.status, 200);
    let rows: Vec<Value> = reply.text().lines().map(|it| serde_json::from_str(it).unwrap()).collect();
    assert_eq!(rows.len(), 1);
    let mut expected = expected_rows(&c, rows[0]["loam_build_id"].as_str().unwrap()).remove(0);
    expected.as_object_mut().unwrap().remove("loam_flag");
    assert_eq!(rows[0], expected);
}

#[tokio::test]
async fn the_same_data_gives_the_same_bytes_and_a_change_a_new_build_id() {
    let c = setup().await;
    let body = json!({"shape": "records", "format": "parquet"});
    let once = download(&c.app, &c.app.owner.key, &c.ds, body.clone()).await;
    let again = download(&c.app, &c.app.owner.key, &c.ds, body.clone()).await;
    assert_eq!(once.status, 200);
    assert!(once.bytes == again.bytes, "two exports of the same data differ");
    let build = |d: &Download| -> String {
        let jsonl = String::from_utf8(d.bytes.clone()).unwrap();
        serde_json::from_str::<Value>(jsonl.lines().next().unwrap()).unwrap()["loam_build_id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let as_jsonl = json!({"shape": "records", "format": "jsonl"});
    let before = build(&download(&c.app, &c.app.owner.key, &c.ds, as_jsonl.clone()).await);
    let path = format!("/api/v1/records/{}/responses", c.records[1]);
    let (status, _) =
        c.app.post(&c.ann.key, &path, json!({"values": {"label": {"value": "a"}}, "status": "submitted"})).await;
    assert_eq!(status, 201);
    let after = build(&download(&c.app, &c.app.owner.key, &c.ds, as_jsonl).await);
    assert_ne!(before, after);
    let changed = download(&c.app, &c.app.owner.key, &c.ds, body).await;
    assert!(changed.bytes != once.bytes);
}

#[tokio::test]
async fn parquet_and_the_hugging_face_folder_read_back() {
    use parquet::arrow::arrow_reader::ArrowReaderBuilder;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let c = setup().await;
    let reply = download(&c.app, &c.app.owner.key, &c.ds, json!({"shape": "records", "format": "parquet"})).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type, "application/vnd.apache.parquet");
    let reader: ArrowReaderBuilder<_> =
        ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(reply.bytes.clone())).unwrap();
    let batches: Vec<_> = reader.build().unwrap().collect::<Result<_, _>>().unwrap();
    let batch = &batches[0];
    assert_eq!(batch.num_rows(), 2);
    let names: Vec<String> = batch.schema().fields().iter().map(|it| it.name().clone()).collect();
    let jsonl = download(&c.app, &c.app.owner.key, &c.ds, json!({"shape": "records"})).await;
    let first: Value = serde_json::from_str(jsonl.text().lines().next().unwrap()).unwrap();
    assert_eq!(names, first.as_object().unwrap().keys().cloned().collect::<Vec<_>>());
    // Each row's cells, written back as JSON, are the JSONL rows (lists and numbers typed).
    let rows = arrow_json(batch);
    let expected: Vec<Value> = jsonl.text().lines().map(|it| serde_json::from_str(it).unwrap()).collect();
    assert_eq!(rows, expected);

    let tar = download(&c.app, &c.app.owner.key, &c.ds, json!({"shape": "records", "format": "hf"})).await;
    assert_eq!(tar.status, 200);
    assert_eq!(tar.content_type, "application/x-tar");
    assert_eq!(tar.disposition, "attachment; filename=\"reviews-records.tar\"");
    let mut archive = tar::Archive::new(tar.bytes.as_slice());
    let mut files = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        files.push((entry.path().unwrap().to_string_lossy().into_owned(), data));
    }
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "reviews-records/",
            "reviews-records/README.md",
            "reviews-records/data/",
            "reviews-records/data/train-00000-of-00001.parquet"
        ]
    );
    assert_eq!(files[3].1, reply.bytes);
    let card = String::from_utf8(files[1].1.clone()).unwrap();
    assert!(card.contains("  - name: \"label.responses\"\n    sequence: string\n"), "{card}");
    assert!(card.contains("  - name: \"score.responses\"\n    sequence: int64\n"), "{card}");
    assert!(card.contains("    num_examples: 2\n"), "{card}");
    assert!(card.contains(&format!("| build id | {} |", first["loam_build_id"].as_str().unwrap())), "{card}");
}

/// The rows of a record batch as JSON objects (the column types the records shape uses here).
fn arrow_json(batch: &arrow_array::RecordBatch) -> Vec<Value> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int64Type};
    use arrow_array::Array;
    use arrow_schema::DataType;

    let schema = batch.schema();
    (0..batch.num_rows())
        .map(|i| {
            let mut row = serde_json::Map::new();
            for (field, column) in schema.fields().iter().zip(batch.columns()) {
                let value = if column.is_null(i) {
                    Value::Null
                } else {
                    match field.data_type() {
                        DataType::Utf8 => {
                            let text = column.as_string::<i32>().value(i);
                            // JSON columns hold JSON text; the rest plain strings.
                            if field.name().ends_with(".responses")
                                || field.name() == "loam_agreement"
                                || field.name() == "loam_active_ms"
                            {
                                serde_json::from_str(text).unwrap()
                            } else {
                                Value::String(text.to_owned())
                            }
                        }
                        DataType::Int64 => json!(column.as_primitive::<Int64Type>().value(i)),
                        DataType::Float64 => json!(column.as_primitive::<Float64Type>().value(i)),
                        DataType::List(item) if item.data_type() == &DataType::Int64 => {
                            let items = column.as_list::<i32>().value(i);
                            Value::Array(
                                items.as_primitive::<Int64Type>().iter().map(|it| json!(it.unwrap())).collect(),
                            )
                        }
                        DataType::List(_) => {
                            let items = column.as_list::<i32>().value(i);
                            Value::Array(items.as_string::<i32>().iter().map(|it| json!(it.unwrap())).collect())
                        }
                        other => panic!("unexpected column type {other}"),
                    }
                };
                row.insert(field.name().clone(), value);
            }
            Value::Object(row)
        })
        .collect()
}

#[tokio::test]
async fn owners_and_admins_of_the_workspace_export_annotators_and_strangers_do_not() {
    let c = setup().await;
    let body = json!({"shape": "records", "format": "jsonl"});
    let admin = c.app.member(&unique("admin"), "admin", &[&c.ws]).await;
    assert_eq!(download(&c.app, &admin.key, &c.ds, body.clone()).await.status, 200);
    let stranger = c.app.create_user(&unique("stranger"), "admin").await;
    let refused = download(&c.app, &stranger.key, &c.ds, body.clone()).await;
    assert_eq!((refused.status, refused.json()), (403, forbidden()));
    let refused = download(&c.app, &c.ann.key, &c.ds, body.clone()).await;
    assert_eq!((refused.status, refused.json()), (403, forbidden()));
    let missing = download(&c.app, &c.app.owner.key, &new_id(), body.clone()).await;
    assert_eq!(missing.status, 404);
    let bad_id = download(&c.app, &c.app.owner.key, "not-a-uuid", body).await;
    assert_eq!(bad_id.status, 422);
}

#[tokio::test]
async fn bad_requests_get_a_422_that_names_the_problem() {
    let c = setup().await;
    let cases = [
        (json!({"shape": "sql"}), "unknown shape `sql`; the shapes are: records, sft, preference, rm, dpo, kto"),
        (
            json!({"shape": "records", "format": "xlsx"}),
            "unknown format `xlsx`; the formats are: jsonl, csv, parquet, hf, argilla",
        ),
        (
            json!({"shape": "sft", "format": "argilla"}),
            "format `argilla` (the folder Argilla's SDK reads) holds the `records` shape, not `sft`",
        ),
        (
            json!({"shape": "records", "below_min_submitted": "keep"}),
            "unknown below_min_submitted `keep`; the choices are: skip, flag",
        ),
        (json!({"shape": "dpo", "layout": "chat"}), "unknown layout `chat`; the layouts are: standard, conversational"),
        (json!({"shape": "records", "layout": "conversational"}), "shape `records` takes no layout"),
        (
            json!({"shape": "records", "mapping": {"prompt": "text"}}),
            "shape `records` takes no mapping: it holds every field, metadata property, response and suggestion",
        ),
    ];
    for (body, message) in cases {
        let reply = download(&c.app, &c.app.owner.key, &c.ds, body.clone()).await;
        assert_eq!((reply.status, reply.json()), (422, detail(message)), "{body}");
    }
    for body in [json!({"format": "csv"}), json!({"shape": "records", "mapping": [1]}), json!({"shape": 3})] {
        let reply = download(&c.app, &c.app.owner.key, &c.ds, body.clone()).await;
        assert_eq!(reply.status, 422, "{body}");
        assert_eq!(code(&reply.json()), "argilla.api.errors::ValidationError", "{body}");
    }
}

#[tokio::test]
async fn exports_of_several_batches_keep_every_record_in_order() {
    let app = TestApp::new().await;
    let ws = app.create_workspace(&unique("ws")).await;
    let ds = app.simple_dataset(&ws, "many").await;
    let n = loam_service::BATCH_RECORDS as usize * 2 + 345;
    for start in (0..n).step_by(500) {
        let items = (start..n.min(start + 500))
            .map(
                |i| json!({"fields": {"text": format!("record {i}, with a comma")}, "external_id": format!("x{i:05}")}),
            )
            .collect();
        app.log(&ds, items).await;
    }
    let jsonl = download(&app, &app.owner.key, &ds, json!({"shape": "records", "format": "jsonl"})).await;
    assert_eq!(jsonl.status, 200);
    let ids: Vec<String> = jsonl
        .text()
        .lines()
        .map(|it| serde_json::from_str::<Value>(it).unwrap()["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, (0..n).map(|i| format!("x{i:05}")).collect::<Vec<_>>());
    // The CSV body is larger than one chunk of the stream, and arrives whole.
    let csv = download(&app, &app.owner.key, &ds, json!({"shape": "records", "format": "csv"})).await;
    assert!(csv.bytes.len() > 64 * 1024);
    assert_eq!(csv::Reader::from_reader(csv.bytes.as_slice()).records().count(), n);
}

#[tokio::test]
async fn the_argilla_folder_streams_as_a_tar_the_sdk_reads() {
    let c = setup().await;
    let tar = download(&c.app, &c.app.owner.key, &c.ds, json!({"shape": "records", "format": "argilla"})).await;
    assert_eq!(tar.status, 200);
    assert_eq!(tar.content_type, "application/x-tar");
    assert_eq!(tar.disposition, "attachment; filename=\"reviews-records.tar\"");
    let mut archive = tar::Archive::new(tar.bytes.as_slice());
    let mut files = std::collections::BTreeMap::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        files.insert(entry.path().unwrap().to_string_lossy().into_owned(), data);
    }
    let json = |name: &str| -> Value { serde_json::from_slice(&files[&format!("reviews-records/{name}")]).unwrap() };
    assert_eq!(json(".argilla/dataset.json")["name"], "reviews");
    let settings = json(".argilla/settings.json");
    let names =
        |key: &str| -> Vec<Value> { settings[key].as_array().unwrap().iter().map(|it| it["name"].clone()).collect() };
    assert_eq!(names("fields"), [json!("text")]);
    assert_eq!(names("questions"), [json!("label"), json!("score")]);
    let records = json("records.json");
    assert_eq!(records.as_array().unwrap().len(), 2);
    let first = &records[0];
    assert_eq!((&first["id"], &first["_server_id"]), (&json!("e1"), &json!(c.records[0])));
    let statuses: Vec<&Value> =
        first["responses"]["label"].as_array().unwrap().iter().map(|it| &it["status"]).collect();
    assert_eq!(statuses.len(), 2, "{first}");
    assert!(statuses.contains(&&json!("submitted")) && statuses.contains(&&json!("draft")), "{first}");
    assert!(files.contains_key("reviews-records/data/train-00000-of-00001.parquet"));
    let card = String::from_utf8(files["reviews-records/README.md"].clone()).unwrap();
    assert!(!card.contains("loam_"), "the SDK's columns only: {card}");
}
