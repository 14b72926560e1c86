//! Bad input: each is answered with a 4xx and a clear message, and the stored data is proven
//! unchanged by reading it again. Here malformed bodies, wrong types and sizes over their limits;
//! names and ids that refer to nothing usable are in `bad_references.rs`.

use serde_json::{json, Value};

use crate::common::*;

pub(crate) struct Ctx {
    pub app: TestApp,
    pub(crate) ws: String,
    pub ds: String,
    pub(crate) label: String,
    pub record: String,
}

/// Workspace `argilla` with a published dataset `ds` (field `text`, question `label`,
/// metadata `n`, vectors `emb`) holding one record.
pub(crate) async fn setup() -> Ctx {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.create_dataset(&ws, "ds").await;
    app.add_field(&ds, "text", true).await;
    let label = app.add_question(&ds, "label", true, label_settings(&["a", "b"])).await;
    app.add_metadata(&ds, "n", json!({"type": "integer"}), true).await;
    app.expect(
        "POST",
        &format!("/api/v1/datasets/{ds}/vectors-settings"),
        Some(json!({"name": "emb", "title": "E", "dimensions": 2})),
        201,
    )
    .await;
    app.publish(&ds).await;
    let record = app.record(&ds, "original").await;
    Ctx { app, ws, ds, label, record }
}

impl Ctx {
    /// Everything stored, as the owner reads it.
    pub(crate) async fn state(&self) -> Vec<Value> {
        let ds = &self.ds;
        let mut out = Vec::new();
        for path in [
            "/api/v1/users".to_owned(),
            "/api/v1/me/workspaces".to_owned(),
            "/api/v1/me/datasets".to_owned(),
            format!("/api/v1/workspaces/{}/users", self.ws),
            format!("/api/v1/datasets/{ds}/fields"),
            format!("/api/v1/datasets/{ds}/questions"),
            format!("/api/v1/me/datasets/{ds}/metadata-properties"),
            format!("/api/v1/datasets/{ds}/vectors-settings"),
            format!("/api/v1/datasets/{ds}/records?include=responses,suggestions,vectors&limit=1000"),
            "/api/v1/webhooks".to_owned(),
        ] {
            out.push(self.app.read(&path).await);
        }
        out
    }
}

#[tokio::test]
async fn malformed_json_is_a_coded_422_and_stores_nothing() {
    let c = setup().await;
    let before = c.state().await;
    let key = c.app.owner.key.clone();
    let ds = &c.ds;
    let record = &c.record;
    for (method, path) in [
        ("POST", "/api/v1/users".to_owned()),
        ("POST", "/api/v1/workspaces".to_owned()),
        ("POST", "/api/v1/datasets".to_owned()),
        ("PATCH", format!("/api/v1/datasets/{ds}")),
        ("POST", format!("/api/v1/datasets/{ds}/fields")),
        ("POST", format!("/api/v1/datasets/{ds}/questions")),
        ("POST", format!("/api/v1/datasets/{ds}/records/bulk")),
        ("PUT", format!("/api/v1/datasets/{ds}/records/bulk")),
        ("POST", format!("/api/v1/datasets/{ds}/records")),
        ("PATCH", format!("/api/v1/records/{record}")),
        ("POST", format!("/api/v1/records/{record}/responses")),
        ("POST", "/api/v1/webhooks".to_owned()),
    ] {
        for body in [r#"{"name": "x","#, "{'name': 'x'}", "not json", r#"{"items": [}"#, ""] {
            let (status, res) = c.app.raw(method, &path, Some(&key), body).await;
            assert_eq!(status, 422, "{method} {path} {body:?}: {res}");
            assert_eq!(code(&res), "argilla.api.errors::ValidationError", "{method} {path}");
            assert_eq!(locs(&res), vec![json!(["body"])], "{method} {path} {body:?}");
            let kind = &res["detail"]["params"]["errors"][0]["type"];
            let expected = if body.is_empty() { "missing" } else { "json_invalid" };
            assert_eq!(kind, expected, "{method} {path} {body:?}");
        }
        // JSON that is not an object.
        for body in ["[]", "42", "\"text\"", "null"] {
            let (status, res) = c.app.raw(method, &path, Some(&key), body).await;
            assert_eq!(status, 422, "{method} {path} {body}: {res}");
            assert_eq!(code(&res), "argilla.api.errors::ValidationError");
        }
    }
    assert_eq!(c.state().await, before);
}

#[tokio::test]
async fn wrong_types_and_missing_keys_are_coded_422_at_their_location() {
    let c = setup().await;
    let before = c.state().await;
    let ds = &c.ds;
    let ws = &c.ws;
    let cases: Vec<(&str, String, Value, Value)> = vec![
        (
            "POST",
            "/api/v1/users".into(),
            json!({"username": ["a"], "first_name": "A", "password": PASSWORD}),
            json!(["body", "username"]),
        ),
        (
            "POST",
            "/api/v1/users".into(),
            json!({"username": "a", "first_name": "A", "password": 12345678}),
            json!(["body", "password"]),
        ),
        ("POST", "/api/v1/workspaces".into(), json!({"name": {"x": 1}}), json!(["body", "name"])),
        ("POST", "/api/v1/workspaces".into(), json!({"name": "x", "id": "not-a-uuid"}), json!(["body", "id"])),
        (
            "POST",
            "/api/v1/datasets".into(),
            json!({"name": "x", "workspace_id": ws, "allow_extra_metadata": "yes"}),
            json!(["body", "allow_extra_metadata"]),
        ),
        (
            "POST",
            "/api/v1/datasets".into(),
            json!({"name": "x", "workspace_id": ws, "metadata": [1]}),
            json!(["body", "metadata"]),
        ),
        ("POST", "/api/v1/datasets".into(), json!({"name": "x", "workspace_id": 5}), json!(["body", "workspace_id"])),
        (
            "POST",
            format!("/api/v1/datasets/{ds}/fields"),
            json!({"name": "f", "title": "T", "required": "no", "settings": {"type": "text"}}),
            json!(["body", "required"]),
        ),
        (
            "POST",
            format!("/api/v1/datasets/{ds}/metadata-properties"),
            json!({"name": "m", "title": "T", "settings": {"type": "integer", "min": "1"}}),
            json!(["body", "settings", "min"]),
        ),
        (
            "POST",
            format!("/api/v1/datasets/{ds}/vectors-settings"),
            json!({"name": "v", "title": "T", "dimensions": 1.5}),
            json!(["body", "dimensions"]),
        ),
        (
            "POST",
            format!("/api/v1/datasets/{ds}/records/bulk"),
            json!({"items": {"fields": {"text": "x"}}}),
            json!(["body", "items"]),
        ),
        (
            "POST",
            format!("/api/v1/datasets/{ds}/records/bulk"),
            json!({"items": [{"fields": {"text": "x"}, "external_id": ["e"]}]}),
            json!(["body", "items", 0, "external_id"]),
        ),
        (
            "POST",
            format!("/api/v1/datasets/{ds}/records/bulk"),
            json!({"items": [{"fields": {"text": "x"}, "vectors": [1, 2]}]}),
            json!(["body", "items", 0, "vectors"]),
        ),
        (
            "POST",
            format!("/api/v1/datasets/{ds}/records/bulk"),
            json!({"items": [{"fields": {"text": "x"}, "suggestions": [{"value": "a"}]}]}),
            json!(["body", "items", 0, "suggestions", 0, "question_id"]),
        ),
        (
            "POST",
            format!("/api/v1/datasets/{ds}/records/bulk"),
            json!({"items": [{"fields": {"text": "x"}, "responses": [{"status": "draft"}]}]}),
            json!(["body", "items", 0, "responses", 0, "user_id"]),
        ),
        ("POST", format!("/api/v1/records/{}/responses", c.record), json!({"status": 1}), json!(["body", "status"])),
        (
            "POST",
            "/api/v1/webhooks".into(),
            json!({"url": "ftp://x", "events": ["dataset.created"]}),
            json!(["body", "url"]),
        ),
        ("POST", "/api/v1/webhooks".into(), json!({"url": "https://x.org", "events": []}), json!(["body", "events"])),
        (
            "POST",
            "/api/v1/webhooks".into(),
            json!({"url": "https://x.org", "events": ["dataset.exploded"]}),
            json!(["body", "events"]),
        ),
    ];
    for (method, path, body, loc) in cases {
        let (status, res) = c.app.call(method, &path, &c.app.owner.key, Some(body.clone())).await;
        assert_eq!(status, 422, "{method} {path} {body}: {res}");
        assert_eq!(code(&res), "argilla.api.errors::ValidationError", "{body}");
        let found = locs(&res);
        assert!(found.contains(&loc), "{body}: expected loc {loc} in {found:?}");
        for error in res["detail"]["params"]["errors"].as_array().unwrap() {
            assert!(!error["msg"].as_str().unwrap().is_empty(), "a message: {error}");
        }
    }
    assert_eq!(c.state().await, before);
}

#[tokio::test]
async fn names_and_titles_over_their_limits() {
    let c = setup().await;
    let before = c.state().await;
    let ds = &c.ds;
    let long_name = "n".repeat(201);
    let long_title = "t".repeat(501);
    let cases: Vec<(String, Value, &str)> = vec![
        ("/api/v1/datasets".into(), json!({"name": long_name, "workspace_id": c.ws}), "name"),
        (
            format!("/api/v1/datasets/{ds}/fields"),
            json!({"name": long_name, "title": "T", "settings": {"type": "text"}}),
            "name",
        ),
        (
            format!("/api/v1/datasets/{ds}/fields"),
            json!({"name": "f", "title": long_title, "settings": {"type": "text"}}),
            "title",
        ),
        (
            format!("/api/v1/datasets/{ds}/questions"),
            json!({"name": long_name, "title": "T", "settings": {"type": "text"}}),
            "name",
        ),
        (
            format!("/api/v1/datasets/{ds}/questions"),
            json!({"name": "q", "title": long_title, "settings": {"type": "text"}}),
            "title",
        ),
        (
            format!("/api/v1/datasets/{ds}/metadata-properties"),
            json!({"name": long_name, "title": "T", "settings": {"type": "float"}}),
            "name",
        ),
        (
            format!("/api/v1/datasets/{ds}/metadata-properties"),
            json!({"name": "m", "title": long_title, "settings": {"type": "float"}}),
            "title",
        ),
        (
            format!("/api/v1/datasets/{ds}/vectors-settings"),
            json!({"name": long_name, "title": "T", "dimensions": 2}),
            "name",
        ),
        (
            format!("/api/v1/datasets/{ds}/vectors-settings"),
            json!({"name": "v", "title": long_title, "dimensions": 2}),
            "title",
        ),
    ];
    for (path, body, key) in cases {
        let (status, res) = c.app.post(&c.app.owner.key, &path, body).await;
        assert_eq!(status, 422, "{path} {key}: {res}");
        let error = &res["detail"]["params"]["errors"][0];
        assert_eq!(error["loc"], json!(["body", key]), "{path}");
        assert_eq!(error["type"], "string_too_long", "{path}");
        let msg = error["msg"].as_str().unwrap();
        let limit = if key == "name" { "200" } else { "500" };
        assert!(msg.contains(limit), "{path}: {msg}");
    }
    // Renames over the limit too.
    let (status, _) =
        c.app.patch(&c.app.owner.key, &format!("/api/v1/datasets/{ds}"), json!({"name": long_name})).await;
    assert_eq!(status, 422);
    let field =
        c.app.read(&format!("/api/v1/datasets/{ds}/fields")).await["items"][0]["id"].as_str().unwrap().to_owned();
    let (status, _) =
        c.app.patch(&c.app.owner.key, &format!("/api/v1/fields/{field}"), json!({"title": long_title})).await;
    assert_eq!(status, 422);
    let (status, _) =
        c.app.patch(&c.app.owner.key, &format!("/api/v1/questions/{}", c.label), json!({"title": long_title})).await;
    assert_eq!(status, 422);
    assert_eq!(c.state().await, before);
}

#[tokio::test]
async fn a_ten_megabyte_field_value_is_refused() {
    let c = setup().await;
    let before = c.state().await;
    let huge = "x".repeat(10 * 1024 * 1024);
    let expected = format!("field 'text' value is too large: {} bytes, the maximum is 5000100 bytes", huge.len());
    let body = json!({"items": [{"fields": {"text": "fine"}}, {"fields": {"text": huge}}]});
    let bulk = format!("/api/v1/datasets/{}/records/bulk", c.ds);
    let reply = c.app.post(&c.app.owner.key, &bulk, body.clone()).await;
    assert_eq!(reply, (422, detail(format!("Record at position 1 is not valid because {expected}"))));
    let reply = c.app.put(&c.app.owner.key, &bulk, body.clone()).await;
    assert_eq!(reply, (422, detail(format!("Record at position 1 is not valid because {expected}"))));
    let reply = c.app.post(&c.app.owner.key, &format!("/api/v1/datasets/{}/records", c.ds), body).await;
    assert_eq!(reply, (422, detail(format!("Record at position 1 is not valid because {expected}"))));
    let reply = c
        .app
        .patch(&c.app.owner.key, &format!("/api/v1/records/{}", c.record), json!({"fields": {"text": huge}}))
        .await;
    assert_eq!(reply, (422, detail(expected)));
    assert_eq!(c.state().await, before);

    // Just under the cap is accepted.
    let big = "y".repeat(5_000_100);
    let (status, res) = c.app.post(&c.app.owner.key, &bulk, json!({"items": [{"fields": {"text": big}}]})).await;
    assert_eq!(status, 201);
    assert_eq!(res["items"][0]["fields"]["text"].as_str().unwrap().len(), 5_000_100);
}
