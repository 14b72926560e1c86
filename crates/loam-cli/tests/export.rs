//! `loam export` run as a user would: a dataset made over HTTP by `loam serve`, then exported
//! from the data directory to JSONL and to a Hugging Face folder, with the summary line; bad
//! names fail with a message that says what is wrong.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use serde_json::{json, Value};

mod common;

use common::{loam, Server, KEY};

fn call(server: &Server, method: &str, path: &str, body: Value) -> Value {
    let text = if body.is_null() { String::new() } else { body.to_string() };
    let headers = [("X-Argilla-Api-Key", KEY), ("Content-Type", "application/json")];
    let reply = server.request(method, path, &headers, &text);
    assert!(reply.status < 300, "{method} {path}: {} {}", reply.status, reply.body);
    serde_json::from_str(&reply.body).unwrap_or(Value::Null)
}

/// A dataset `argilla/reviews`: a text field, a label question, two records, the first with the
/// owner's submitted answer.
fn make_dataset(dir: &Path) -> (String, Vec<String>) {
    let server = Server::start(dir, &[]);
    let me = call(&server, "GET", "/api/v1/me", Value::Null);
    let workspaces = call(&server, "GET", "/api/v1/me/workspaces", Value::Null);
    let ws = workspaces["items"][0]["id"].as_str().unwrap().to_owned();
    let ds = call(&server, "POST", "/api/v1/datasets", json!({"name": "reviews", "workspace_id": ws}));
    let ds = ds["id"].as_str().unwrap().to_owned();
    call(
        &server,
        "POST",
        &format!("/api/v1/datasets/{ds}/fields"),
        json!({"name": "text", "title": "text", "required": true, "settings": {"type": "text"}}),
    );
    let options = json!([{"value": "a", "text": "A"}, {"value": "b", "text": "B"}]);
    call(
        &server,
        "POST",
        &format!("/api/v1/datasets/{ds}/questions"),
        json!({"name": "label", "title": "label", "required": true,
               "settings": {"type": "label_selection", "options": options}}),
    );
    call(&server, "PUT", &format!("/api/v1/datasets/{ds}/publish"), Value::Null);
    let items = json!({"items": [
        {"fields": {"text": "first"}, "external_id": "e1",
         "responses": [{"user_id": me["id"], "status": "submitted", "values": {"label": {"value": "b"}}}]},
        {"fields": {"text": "second"}, "external_id": "e2"},
    ]});
    let created = call(&server, "POST", &format!("/api/v1/datasets/{ds}/records/bulk"), items);
    let ids = created["items"].as_array().unwrap().iter().map(|it| it["id"].as_str().unwrap().to_owned()).collect();
    server.terminate();
    (ds, ids)
}

#[test]
fn export_writes_jsonl_and_a_hugging_face_folder_from_the_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let (_, ids) = make_dataset(dir.path());
    let out = dir.path().join("reviews.jsonl");
    let res = loam(dir.path(), &["export", "argilla/reviews", "--shape", "records", "--out", out.to_str().unwrap()]);
    assert!(res.status.success(), "{res:?}");
    let summary = String::from_utf8_lossy(&res.stdout).into_owned();
    assert!(summary.starts_with("wrote 2 rows (records jsonl) to "), "{summary}");
    assert!(summary.contains("read 2 records; flagged 1 below min_submitted; build id "), "{summary}");
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<Value> = text.lines().map(|it| serde_json::from_str(it).unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (&rows[0]["id"], &rows[0]["_server_id"], &rows[0]["text"], &rows[0]["label.responses"]),
        (&json!("e1"), &json!(ids[0]), &json!("first"), &json!(["b"]))
    );
    assert_eq!((&rows[0]["loam_annotators"], &rows[0]["loam_flag"]), (&json!(["owner"]), &Value::Null));
    assert_eq!((&rows[1]["id"], &rows[1]["loam_flag"]), (&json!("e2"), &json!("below_min_submitted")));
    assert!(!dir.path().join("reviews.jsonl.partial").exists());

    let folder = dir.path().join("hf");
    let res = loam(
        dir.path(),
        &[
            "export",
            "argilla/reviews",
            "--shape",
            "records",
            "--format",
            "hf",
            "--below-min-submitted",
            "skip",
            "--out",
            folder.to_str().unwrap(),
        ],
    );
    assert!(res.status.success(), "{res:?}");
    let summary = String::from_utf8_lossy(&res.stdout).into_owned();
    assert!(
        summary.contains("wrote 1 rows (records hf)") && summary.contains("skipped 1 below min_submitted"),
        "{summary}"
    );
    let card = std::fs::read_to_string(folder.join("README.md")).unwrap();
    assert!(card.contains("    num_examples: 1\n") && card.contains("| dataset | argilla/reviews |"), "{card}");
    let data = std::fs::read(folder.join("data/train-00000-of-00001.parquet")).unwrap();
    assert_eq!(&data[..4], b"PAR1");

    // The same data and options give the same bytes.
    let again = dir.path().join("again.jsonl");
    let res = loam(dir.path(), &["export", "argilla/reviews", "--shape", "records", "--out", again.to_str().unwrap()]);
    assert!(res.status.success(), "{res:?}");
    assert_eq!(std::fs::read(&again).unwrap(), text.into_bytes());
}

#[test]
fn export_reads_a_toml_mapping_for_a_training_shape() {
    let dir = tempfile::tempdir().unwrap();
    make_dataset(dir.path());
    let mapping = dir.path().join("mapping.toml");
    std::fs::write(
        &mapping,
        "prompt = \"text\"\n[completion]\nfield = \"text\"\n[filter]\nquestion = \"label\"\nlabels = [\"b\"]\n",
    )
    .unwrap();
    let out = dir.path().join("sft.jsonl");
    let res = loam(
        dir.path(),
        &[
            "export",
            "argilla/reviews",
            "--shape",
            "sft",
            "--mapping",
            mapping.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(res.status.success(), "{res:?}");
    let summary = String::from_utf8_lossy(&res.stdout).into_owned();
    // e2 has no submitted response: below min_submitted, skipped (the training shapes' default).
    assert!(
        summary.contains("wrote 1 rows (sft jsonl)") && summary.contains("skipped 1 below min_submitted"),
        "{summary}"
    );
    let row: Value = serde_json::from_str(std::fs::read_to_string(&out).unwrap().lines().next().unwrap()).unwrap();
    assert_eq!(
        (&row["prompt"], &row["completion"], &row["loam_external_id"]),
        (&json!("first"), &json!("first"), &json!("e1"))
    );
    assert_eq!(row["loam_strategy"]["label"]["kind"], json!("majority"));
}

#[test]
fn export_names_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    make_dataset(dir.path());
    let out = dir.path().join("x.jsonl");
    let out = out.to_str().unwrap();
    for (args, message) in [
        (vec!["export", "argilla/nope", "--shape", "records", "--out", out], "Dataset `argilla/nope` not found"),
        (vec!["export", "reviews", "--shape", "records", "--out", out], "<workspace>/<dataset>"),
        (vec!["export", "argilla/reviews", "--shape", "sql", "--out", out], "unknown shape `sql`"),
        (
            vec!["export", "argilla/reviews", "--shape", "records", "--format", "xls", "--out", out],
            "unknown format `xls`",
        ),
    ] {
        let res = loam(dir.path(), &args);
        assert!(!res.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&res.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    assert!(!Path::new(out).exists());
}
