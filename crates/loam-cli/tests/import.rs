//! `loam import file` run as a user would: a dataset made over HTTP by `loam serve`, then files
//! imported from the data directory, read back with `loam export`. The exit status tells all
//! imported (0), some rows failed (3) and nothing imported for bad input (4).

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

/// A published dataset `argilla/texts`: a required text field, a label question, integer
/// metadata `n`.
fn make_dataset(dir: &Path) {
    let server = Server::start(dir, &[]);
    let workspaces = call(&server, "GET", "/api/v1/me/workspaces", Value::Null);
    let ws = workspaces["items"][0]["id"].as_str().unwrap().to_owned();
    let ds = call(&server, "POST", "/api/v1/datasets", json!({"name": "texts", "workspace_id": ws}));
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
    call(
        &server,
        "POST",
        &format!("/api/v1/datasets/{ds}/metadata-properties"),
        json!({"name": "n", "title": "n", "settings": {"type": "integer"}}),
    );
    call(&server, "PUT", &format!("/api/v1/datasets/{ds}/publish"), Value::Null);
    server.terminate();
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The dataset's records, through `loam export`.
fn exported(dir: &Path) -> Vec<Value> {
    let out = dir.join("back.jsonl");
    let res = loam(dir, &["export", "argilla/texts", "--shape", "records", "--out", out.to_str().unwrap()]);
    assert!(res.status.success(), "{}", stderr(&res));
    std::fs::read_to_string(&out).unwrap().lines().map(|it| serde_json::from_str(it).unwrap()).collect()
}

#[test]
fn import_file_reports_bad_rows_and_says_so_in_its_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    make_dataset(dir.path());
    let jsonl = dir.path().join("rows.jsonl");
    std::fs::write(
        &jsonl,
        "{\"text\": \"one\", \"n\": 1, \"label\": \"a\", \"id\": \"x1\"}\n{\"text\": \"two\", \"n\": \"lots\"}\n{\"text\": \"three\"}\n",
    )
    .unwrap();
    let errors = dir.path().join("errors.txt");
    let path = jsonl.to_str().unwrap();
    let res = loam(
        dir.path(),
        &["import", "file", path, "--dataset", "argilla/texts", "--errors-to", errors.to_str().unwrap()],
    );
    assert_eq!(res.status.code(), Some(3), "{} {}", stdout(&res), stderr(&res));
    let out = stdout(&res);
    assert!(out.contains("read 3 rows"), "{out}");
    assert!(out.contains("imported 2; failed 1"), "{out}");
    assert!(out.contains("line 2 (row 2)"), "{out}");
    let listed = std::fs::read_to_string(&errors).unwrap();
    assert_eq!(listed.lines().count(), 1);
    assert!(listed.starts_with("line 2"), "{listed}");

    // CSV with a TOML mapping: everything imports, exit 0.
    let csv = dir.path().join("more.csv");
    std::fs::write(&csv, "body,count,guess\n\"a, b\",7,b\nc,8,\n").unwrap();
    let mapping = dir.path().join("mapping.toml");
    std::fs::write(
        &mapping,
        "[fields]\ntext = \"body\"\n[metadata]\nn = \"count\"\n[suggestions.label]\nvalue = \"guess\"\nagent = \"rules\"\n",
    )
    .unwrap();
    let res = loam(
        dir.path(),
        &[
            "import",
            "file",
            csv.to_str().unwrap(),
            "--dataset",
            "argilla/texts",
            "--mapping",
            mapping.to_str().unwrap(),
        ],
    );
    assert_eq!(res.status.code(), Some(0), "{} {}", stdout(&res), stderr(&res));
    assert!(stdout(&res).contains("imported 2; failed 0"), "{}", stdout(&res));

    let rows = exported(dir.path());
    assert_eq!(rows.len(), 4);
    let ab = rows.iter().find(|it| it["text"] == json!("a, b")).unwrap();
    assert_eq!(
        (&ab["n"], &ab["label.suggestion"], &ab["label.suggestion.agent"]),
        (&json!(7), &json!("b"), &json!("rules"))
    );
    let one = rows.iter().find(|it| it["text"] == json!("one")).unwrap();
    assert_eq!((&one["id"], &one["label.suggestion"]), (&json!("x1"), &json!("a")));
}

#[test]
fn bad_input_imports_nothing_and_exits_4() {
    let dir = tempfile::tempdir().unwrap();
    make_dataset(dir.path());
    let jsonl = dir.path().join("rows.jsonl");
    std::fs::write(&jsonl, "{\"text\": \"one\"}\n").unwrap();
    let bad_mapping = dir.path().join("bad.json");
    std::fs::write(&bad_mapping, r#"{"fields": {"text": "body"}}"#).unwrap();
    let all_bad = dir.path().join("bad.jsonl");
    std::fs::write(&all_bad, "{\"n\": 1, \"body\": null}\n{\"n\": 2}\n").unwrap();
    let mapped = dir.path().join("mapped.json");
    std::fs::write(&mapped, r#"{"fields": {"text": "body"}}"#).unwrap();
    let not_parquet = dir.path().join("x.parquet");
    std::fs::write(&not_parquet, "{\"text\": \"one\"}\n").unwrap();
    let unknown = dir.path().join("rows.txt");
    std::fs::write(&unknown, "{\"text\": \"one\"}\n").unwrap();
    let path = jsonl.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![path, "--dataset", "argilla/texts", "--mapping", bad_mapping.to_str().unwrap()],
            "the file has no column `body`",
        ),
        (vec![all_bad.to_str().unwrap(), "--dataset", "argilla/texts"], "line 1 (row 1)"),
        (
            vec![all_bad.to_str().unwrap(), "--dataset", "argilla/texts"],
            "the row has no value for any field: `text` missing (no column of the file maps to a field)",
        ),
        (
            vec![all_bad.to_str().unwrap(), "--dataset", "argilla/texts", "--mapping", mapped.to_str().unwrap()],
            "the row has no value for any field: `text` (column `body`) missing",
        ),
        (vec![not_parquet.to_str().unwrap(), "--dataset", "argilla/texts"], "not Parquet"),
        (vec![unknown.to_str().unwrap(), "--dataset", "argilla/texts"], "--format"),
        (vec![path, "--dataset", "argilla/nope"], "Dataset `argilla/nope` not found"),
        (vec![path, "--dataset", "argilla/texts", "--format", "xml"], "unknown import format `xml`"),
    ];
    for (args, expected) in cases {
        let mut all = vec!["import", "file"];
        all.extend(args);
        let res = loam(dir.path(), &all);
        assert_eq!(res.status.code(), Some(4), "{all:?}: {} {}", stdout(&res), stderr(&res));
        let said = format!("{}{}", stdout(&res), stderr(&res));
        assert!(said.contains(expected), "{expected}: {said}");
        assert!(stderr(&res).contains("nothing imported"), "{said}");
    }
    assert!(exported(dir.path()).is_empty());
}
