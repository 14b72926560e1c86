//! `loam import folder` run as a user would, on folders argilla 2.8's SDK wrote (`fixtures/
//! argilla-2.8/`, made by `make.py` there against the reference server: a to_disk folder and the
//! Hub layout of the same 5 records, with every field kind, metadata, vectors, suggestions and
//! responses of a user loam does not have). The imported records are read back with `loam export`.
//! A second run changes nothing; bad folders fail with a message and leave no dataset; loam's own
//! `argilla` export imports back.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{json, Value};

mod common;

use common::{loam, Server};

const SOURCE_USER: &str = "d7e85b2f-5b3f-4c60-9feb-8461137cf70b";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/argilla-2.8").join(name)
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// A data dir with its owner and workspace `argilla`.
fn data_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    Server::start(dir.path(), &[]).terminate();
    dir
}

fn import(dir: &Path, folder: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["import", "folder", folder.to_str().unwrap(), "--workspace", "argilla"];
    args.extend_from_slice(extra);
    loam(dir, &args)
}

/// The dataset's records as `loam export` writes them (JSONL, the `records` shape), by `id`.
fn exported(dir: &Path, dataset: &str) -> Vec<Value> {
    let out = dir.join(format!("{dataset}.jsonl"));
    let res =
        loam(dir, &["export", &format!("argilla/{dataset}"), "--shape", "records", "--out", out.to_str().unwrap()]);
    assert!(res.status.success(), "{}", text(&res));
    let mut rows: Vec<Value> =
        std::fs::read_to_string(&out).unwrap().lines().map(|it| serde_json::from_str(it).unwrap()).collect();
    rows.sort_by_key(|it| it["id"].as_str().unwrap_or_default().to_owned());
    rows
}

#[test]
fn the_sdks_to_disk_folder_imports() {
    let dir = data_dir();
    let res = import(dir.path(), &fixture("disk"), &["--name", "copy"]);
    let out = text(&res);
    assert!(res.status.success(), "{out}");
    assert!(
        out.contains("created dataset argilla/copy from a to_disk folder (records.json): 5 records read, 5 imported"),
        "{out}"
    );
    assert!(out.contains(&format!("left out 5 responses of user {SOURCE_USER}: no such user in loam")), "{out}");
    let rows = exported(dir.path(), "copy");
    assert_eq!(rows.len(), 5);
    let first = &rows[0];
    assert_eq!(
        (&first["id"], &first["text"], &first["genre"], &first["n"]),
        (&json!("r0"), &json!("hello Ann 0"), &json!("a"), &json!(0))
    );
    assert!(first["img"].as_str().unwrap().starts_with("data:image/png;base64,"));
    assert_eq!(first["chat"], json!([{"role": "user", "content": "hi"}]));
    assert_eq!(
        (&first["label.suggestion"], &first["label.suggestion.score"], &first["label.suggestion.agent"]),
        (&json!("b"), &json!(0.9), &json!("m"))
    );
    assert_eq!(first["multi.suggestion"], json!(["x", "y"]));
}

#[test]
fn the_hub_layout_imports_with_vectors_and_class_labels() {
    let dir = data_dir();
    let res = import(dir.path(), &fixture("hub"), &[]);
    let out = text(&res);
    assert!(res.status.success(), "{out}");
    assert!(
        out.contains("created dataset argilla/d3 from a Hub folder (Parquet): 5 records read, 5 imported"),
        "{out}"
    );
    let rows = exported(dir.path(), "d3");
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[2]["emb"], json!([0.1, 0.2, 2.0]));
    assert_eq!(rows[2]["label.suggestion"], json!("b"), "the ClassLabel's name, not its index");
    assert!(rows[2]["img"].as_str().unwrap().starts_with("data:image/png;base64,"), "{}", rows[2]["img"]);
    assert_eq!(rows[2]["extra"], Value::Null, "extra metadata is not a column of the records shape");
}

#[test]
fn a_second_run_changes_nothing_and_into_existing_adds_only_whats_missing() {
    let dir = data_dir();
    assert!(import(dir.path(), &fixture("disk"), &[]).status.success());
    let before = exported(dir.path(), "d3");
    let res = import(dir.path(), &fixture("disk"), &[]);
    assert!(!res.status.success());
    assert!(text(&res).contains("dataset `argilla/d3` already exists; nothing was changed"), "{}", text(&res));
    let res = import(dir.path(), &fixture("hub"), &["--into-existing"]);
    assert!(res.status.success(), "{}", text(&res));
    assert!(text(&res).contains("5 records read, 0 imported, 5 already present"), "{}", text(&res));
    let after = exported(dir.path(), "d3");
    let ids = |rows: &[Value]| rows.iter().map(|it| it["_server_id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&before), ids(&after));
}

#[test]
fn bad_folders_fail_and_leave_no_dataset() {
    let dir = data_dir();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let res = import(dir.path(), &empty, &[]);
    assert!(!res.status.success());
    assert!(text(&res).contains("has no .argilla/settings.json"), "{}", text(&res));

    let corrupt = dir.path().join("corrupt");
    std::fs::create_dir_all(corrupt.join(".argilla")).unwrap();
    for name in [".argilla/settings.json", ".argilla/dataset.json"] {
        std::fs::copy(fixture("disk").join(name), corrupt.join(name)).unwrap();
    }
    let records = std::fs::read_to_string(fixture("disk").join("records.json")).unwrap();
    std::fs::write(corrupt.join("records.json"), &records[..records.len() / 2]).unwrap();
    let res = import(dir.path(), &corrupt, &["--name", "corrupt"]);
    assert!(!res.status.success());
    let out = text(&res);
    assert!(
        out.contains("records.json is not a JSON array of records") && out.contains("the dataset was not created"),
        "{out}"
    );
    let res = loam(dir.path(), &["export", "argilla/corrupt", "--shape", "records", "--out", "/dev/null"]);
    assert!(text(&res).contains("Dataset `argilla/corrupt` not found"), "{}", text(&res));

    let folder = fixture("disk");
    let res = loam(dir.path(), &["import", "folder", folder.to_str().unwrap(), "--workspace", "nowhere"]);
    assert!(!res.status.success());
    assert!(text(&res).contains("no workspace `nowhere` in loam"), "{}", text(&res));
}

#[test]
fn loams_argilla_export_imports_back() {
    let dir = data_dir();
    assert!(import(dir.path(), &fixture("hub"), &[]).status.success());
    let out = dir.path().join("argilla-folder");
    let res = loam(
        dir.path(),
        &["export", "argilla/d3", "--shape", "records", "--format", "argilla", "--out", out.to_str().unwrap()],
    );
    assert!(res.status.success(), "{}", text(&res));
    let res = import(dir.path(), &out, &["--name", "again"]);
    assert!(res.status.success(), "{}", text(&res));
    assert!(text(&res).contains("5 records read, 5 imported"), "{}", text(&res));
    let strip = |rows: Vec<Value>| -> Vec<Value> {
        rows.into_iter()
            .map(|mut it| {
                let obj = it.as_object_mut().unwrap();
                obj.retain(|k, _| !k.starts_with("loam_") && k != "_server_id" && k != "status");
                it
            })
            .collect()
    };
    assert_eq!(strip(exported(dir.path(), "again")), strip(exported(dir.path(), "d3")));
}
