//! Request bodies at the edge: every oversized body is our 413, and NUL (U+0000) anywhere in a
//! body is a coded 422 at its location, while other control characters are stored as sent. Each
//! case proves the stored data unchanged, on the dataset of `bad_input::setup`.

use serde_json::{json, Value};

use crate::bad_input::setup;
use crate::common::*;

#[tokio::test]
async fn every_oversized_body_is_our_413_declared_or_found_while_reading() {
    let c = setup().await;
    let before = c.state().await;
    let limit = 1024;
    let router = loam_http::router(loam_http::AppState {
        service: std::sync::Arc::clone(&c.app.service),
        http: std::sync::Arc::new(loam_http::HttpConfig { body_limit: limit, ..Default::default() }),
        limits: Default::default(),
    });
    let ds = &c.ds;
    let record = &c.record;
    let big = json!({"name": "x".repeat(limit), "query": {"text": {"q": "x".repeat(limit)}}}).to_string();
    for (method, path) in [
        ("POST", format!("/api/v1/datasets/{ds}/records/search")),
        ("POST", format!("/api/v1/me/datasets/{ds}/records/search")),
        ("POST", "/api/v1/token".to_owned()),
        ("POST", "/api/security/token".to_owned()),
        ("POST", "/api/v1/workspaces".to_owned()),
        ("POST", format!("/api/v1/datasets/{ds}/records/bulk")),
        ("PATCH", format!("/api/v1/records/{record}")),
    ] {
        for declared in [true, false] {
            let mut req = axum::http::Request::builder()
                .method(method)
                .uri(&path)
                .header("x-argilla-api-key", &c.app.owner.key)
                .header("content-type", "application/json");
            if declared {
                req = req.header("content-length", big.len());
            }
            let req = req.body(axum::body::Body::from(big.clone())).unwrap();
            let res = tower::ServiceExt::oneshot(router.clone(), req).await.unwrap();
            let status = res.status().as_u16();
            let close = res.headers().get("connection").map(|it| it.to_str().unwrap().to_owned());
            let bytes = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
            let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            assert_eq!(status, 413, "{method} {path} declared={declared}: {}", String::from_utf8_lossy(&bytes));
            assert_eq!(
                body,
                detail(format!("Request body is larger than the limit of {limit} bytes")),
                "{method} {path}"
            );
            if declared {
                assert_eq!(close.as_deref(), Some("close"), "{method} {path}");
            }
        }
    }
    assert_eq!(c.state().await, before);
}

/// Every string leaf of `value`, as its location (`["body", key, index, …]`).
fn string_leaves(value: &Value, at: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match value {
        Value::String(_) => out.push(at.clone()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                at.push(json!(i));
                string_leaves(item, at, out);
                at.pop();
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                at.push(json!(key));
                string_leaves(item, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

/// `value` with the string at `loc` (as from [`string_leaves`], after "body") replaced by `text`.
fn with_text(value: &Value, loc: &[Value], text: &str) -> Value {
    let mut out = value.clone();
    let mut node = &mut out;
    for step in loc {
        node = match step {
            Value::String(key) => &mut node[key.as_str()],
            other => &mut node[other.as_u64().unwrap() as usize],
        };
    }
    *node = json!(text);
    out
}

#[tokio::test]
async fn nul_in_any_text_is_a_coded_422_and_other_control_characters_are_stored() {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.create_dataset(&ws, "ds").await;
    app.add_field(&ds, "text", true).await;
    let label = app.add_question(&ds, "label", true, label_settings(&["a", "b"])).await;
    let comment = app.add_question(&ds, "comment", false, json!({"type": "text"})).await;
    app.add_metadata(&ds, "tag", json!({"type": "terms"}), true).await;
    app.publish(&ds).await;
    let record = app.record(&ds, "original").await;
    let draft = app.create_dataset(&ws, "draft").await;
    let owner_id = app.owner.id.clone();
    let search = json!({
        "query": {"text": {"q": "original", "field": "text"}},
        "filters": {"and": [{"type": "terms", "scope": {"entity": "metadata", "metadata_property": "tag"}, "values": ["x"]}]},
        "sort": [{"scope": {"entity": "metadata", "metadata_property": "tag"}, "order": "asc"}],
    });
    let cases: Vec<(&str, String, Value)> = vec![
        (
            "POST",
            "/api/v1/users".into(),
            json!({"username": "u1", "first_name": "F", "last_name": "L", "password": PASSWORD, "role": "annotator"}),
        ),
        (
            "POST",
            "/api/users".into(),
            json!({"username": "u2", "first_name": "F", "password": PASSWORD, "role": "annotator"}),
        ),
        ("POST", "/api/v1/workspaces".into(), json!({"name": "w1"})),
        ("POST", "/api/workspaces".into(), json!({"name": "w2"})),
        ("POST", "/api/v1/datasets".into(), json!({"name": "d1", "workspace_id": ws, "guidelines": "g"})),
        ("PATCH", format!("/api/v1/datasets/{ds}"), json!({"guidelines": "g"})),
        (
            "POST",
            format!("/api/v1/datasets/{draft}/fields"),
            json!({"name": "f", "title": "T", "settings": {"type": "text"}}),
        ),
        (
            "POST",
            format!("/api/v1/datasets/{draft}/questions"),
            json!({"name": "q", "title": "T", "settings": {"type": "label_selection", "options": [{"value": "v", "text": "V"}, {"value": "w", "text": "W"}]}}),
        ),
        (
            "POST",
            format!("/api/v1/datasets/{ds}/metadata-properties"),
            json!({"name": "m", "title": "T", "settings": {"type": "terms", "values": ["a"]}}),
        ),
        (
            "POST",
            format!("/api/v1/datasets/{ds}/records/bulk"),
            json!({"items": [{
                "fields": {"text": "t"}, "metadata": {"tag": "a", "free": "b"}, "external_id": "e1",
                "suggestions": [{"question_id": comment, "value": "s", "agent": "a"}],
                "responses": [{"user_id": owner_id, "values": {"comment": {"value": "r"}, "label": {"value": "a"}}, "status": "submitted"}],
            }]}),
        ),
        ("PATCH", format!("/api/v1/records/{record}"), json!({"metadata": {"tag": "b"}})),
        (
            "POST",
            format!("/api/v1/records/{record}/responses"),
            json!({"values": {"comment": {"value": "r"}, "label": {"value": "a"}}, "status": "draft"}),
        ),
        ("PUT", format!("/api/v1/records/{record}/suggestions"), json!({"question_id": comment, "value": "s"})),
        ("POST", format!("/api/v1/datasets/{ds}/records/search"), search.clone()),
        ("POST", format!("/api/v1/me/datasets/{ds}/records/search"), search),
        (
            "POST",
            "/api/v1/webhooks".into(),
            json!({"url": "http://127.0.0.1:9/hook", "events": ["response.created"], "description": "d"}),
        ),
    ];
    let _ = label;
    for (method, path, body) in &cases {
        let (status, res) = app.call(method, path, &app.owner.key, Some(body.clone())).await;
        assert!(status < 300, "{method} {path}: the plain body is valid: {status} {res}");
        let mut leaves = Vec::new();
        string_leaves(body, &mut vec![], &mut leaves);
        for loc in leaves {
            let (status, res) = app.call(method, path, &app.owner.key, Some(with_text(body, &loc, "a\u{0}b"))).await;
            assert_eq!(status, 422, "{method} {path} {loc:?}: {res}");
            let mut expected = vec![json!("body")];
            expected.extend(loc.iter().cloned());
            assert_eq!(locs(&res), vec![json!(expected)], "{method} {path}");
            assert_eq!(res["detail"]["params"]["errors"][0]["type"], "string_nul");
            // Other control characters reach the database and are stored or refused by its rule,
            // never a 5xx.
            let text = "c\u{1}\u{8}\u{1b}\u{1f}\u{7f}\u{85}d";
            let (status, res) = app.call(method, path, &app.owner.key, Some(with_text(body, &loc, text))).await;
            assert!(status < 500, "{method} {path} {loc:?}: {status} {res}");
        }
    }
    // A key that holds NUL (a metadata or field name) is named as the location.
    let (status, res) = app
        .post(
            &app.owner.key,
            &format!("/api/v1/datasets/{ds}/records/bulk"),
            json!({"items": [{"fields": {"text": "t"}, "metadata": {"a\u{0}": 1}}]}),
        )
        .await;
    assert_eq!(status, 422, "{res}");
    assert_eq!(locs(&res), vec![json!(["body", "items", 0, "metadata", "a\u{0}"])]);
    // Query parameters and the sign-in form.
    for path in [
        "/api/v1/me/datasets?name=a%00b".to_owned(),
        format!("/api/v1/datasets/{ds}/records?metadata=tag:a%00b"),
        format!("/api/v1/datasets/{ds}/records/search?response_status=a%00"),
    ] {
        let method = if path.contains("search") { "POST" } else { "GET" };
        let (status, res) = app.call(method, &path, &app.owner.key, None).await;
        assert_eq!(status, 422, "{path}: {res}");
        assert_eq!(res["detail"]["params"]["errors"][0]["type"], "string_nul", "{path}");
    }
    for path in ["/api/v1/token", "/api/security/token"] {
        for form in ["username=own%00er&password=x", "username=owner&password=a%00b"] {
            let req = axum::http::Request::builder()
                .method("POST")
                .uri(path)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(axum::body::Body::from(form))
                .unwrap();
            let (status, res) = app.send(req).await;
            assert_eq!(status, 422, "{path} {form}: {res}");
        }
    }
    // A record whose text holds control characters is stored as sent and found by its words, on
    // both engines.
    let text = "alpha\u{1}beta\u{1f}gamma\u{7f} delta";
    let id = app.record(&ds, text).await;
    let (status, res) = app.get(&app.owner.key, &format!("/api/v1/records/{id}")).await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["fields"]["text"], text);
    for q in ["delta", "alpha\u{1}beta", "gamma\u{7f}"] {
        let (status, res) = app
            .post(
                &app.owner.key,
                &format!("/api/v1/datasets/{ds}/records/search"),
                json!({"query": {"text": {"q": q}}}),
            )
            .await;
        assert_eq!(status, 200, "{q:?}: {res}");
        assert!(
            res["items"].as_array().unwrap().iter().any(|it| it["record"]["id"] == id.as_str()),
            "{q:?} finds the record: {res}"
        );
    }
}
