//! The web UI's files and its endpoints: deep links, the JSON 404 under `/api`, security headers,
//! ETags, and sanitised markdown.

use axum::body::Body;
use axum::http::{header, Request, Response};
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

use crate::common::{detail, unauthorized, TestApp};

async fn get(app: &TestApp, path: &str, if_none_match: Option<&str>) -> (Response<Body>, String) {
    let mut req = Request::builder().uri(path);
    if let Some(tag) = if_none_match {
        req = req.header(header::IF_NONE_MATCH, tag);
    }
    let res = app.router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let (parts, body) = res.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (Response::from_parts(parts, Body::empty()), String::from_utf8_lossy(&bytes).into_owned())
}

fn header_of(res: &Response<Body>, name: header::HeaderName) -> &str {
    res.headers().get(name).and_then(|it| it.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn the_root_and_deep_links_answer_index_html_with_strict_headers() {
    let app = TestApp::new().await;
    for path in ["/", "/datasets/0192e6b1-0000-7000-8000-000000000000/annotate", "/users"] {
        let (res, body) = get(&app, path, None).await;
        assert_eq!(res.status(), 200, "{path}");
        assert!(header_of(&res, header::CONTENT_TYPE).starts_with("text/html"), "{path}");
        assert!(body.contains("<!doctype html>"), "{path}: {body}");
        let csp = header_of(&res, header::CONTENT_SECURITY_POLICY);
        assert!(csp.contains("default-src 'self'") && csp.contains("script-src 'self'"), "{csp}");
        assert!(!csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(header_of(&res, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(header_of(&res, header::X_FRAME_OPTIONS), "DENY");
        assert_eq!(header_of(&res, header::REFERRER_POLICY), "no-referrer");
        assert_eq!(header_of(&res, header::CACHE_CONTROL), "no-cache");
    }
}

#[tokio::test]
async fn unknown_api_paths_keep_the_json_404() {
    let app = TestApp::new().await;
    assert_eq!(app.get(&app.owner.key, "/api/v1/nope").await, (404, detail("Not Found")));
    assert_eq!(app.get(&app.owner.key, "/api/v1/ui/nope").await, (404, detail("Not Found")));
}

#[tokio::test]
async fn assets_carry_an_etag_and_revalidate() {
    let app = TestApp::new().await;
    let (res, body) = get(&app, "/js/app.js", None).await;
    assert_eq!(res.status(), 200);
    assert!(header_of(&res, header::CONTENT_TYPE).starts_with("text/javascript"));
    assert!(!body.is_empty());
    let etag = header_of(&res, header::ETAG).to_owned();
    assert!(etag.starts_with('"'), "{etag:?}");
    let (res, body) = get(&app, "/js/app.js", Some(&etag)).await;
    assert_eq!(res.status(), 304);
    assert!(body.is_empty());
    // A missing file is a 404, not index.html parsed as a module.
    let (res, _) = get(&app, "/js/nope.js", None).await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn markdown_renders_sanitised_for_signed_in_users_only() {
    let app = TestApp::new().await;
    let body = json!({"texts": [
        "# Title\n\n*hi*",
        "<script>alert('x')</script>ok",
        "<img src=\"x\" onerror=\"alert(1)\">",
        "[click](javascript:alert(1))",
    ]});
    let (status, reply) = app.post(&app.owner.key, "/api/v1/ui/markdown", body.clone()).await;
    assert_eq!(status, 200, "{reply}");
    let items: Vec<&str> = reply["items"].as_array().unwrap().iter().map(|it| it.as_str().unwrap()).collect();
    assert_eq!(items[0], "<h1>Title</h1>\n<p><em>hi</em></p>\n");
    for html in &items[1..] {
        assert!(!html.contains("<script") && !html.contains("onerror") && !html.contains("javascript:"), "{html}");
    }
    assert!(items[2].contains("<img src=\"x\">"), "{}", items[2]);
    assert_eq!(app.post("not-a-key", "/api/v1/ui/markdown", body).await, (401, unauthorized()));
    let (status, _) = app.post(&app.owner.key, "/api/v1/ui/markdown", json!({"texts": [1]})).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn the_markdown_endpoint_is_in_the_openapi_document() {
    let doc = loam_http::openapi_json();
    assert!(doc["paths"]["/api/v1/ui/markdown"]["post"].is_object());
}

/// Argilla's own web UI asks for the OAuth providers on every sign-in page, signed in or not, with
/// or without a valid key; like the reference (with none configured), loam has none, and an
/// unknown provider is a 404 naming it.
#[tokio::test]
async fn argillas_sign_in_page_gets_an_empty_list_of_oauth_providers() {
    let app = TestApp::new().await;
    for key in [None, Some("not-a-key"), Some(app.owner.key.as_str())] {
        let (status, body) = app.raw("GET", "/api/v1/oauth2/providers", key, "").await;
        assert_eq!((status, body), (200, json!({"items": []})), "{key:?}");
    }
    for path in [
        "/api/v1/oauth2/providers/github/authentication",
        "/api/v1/oauth2/providers/github/access-token?code=x&state=y",
    ] {
        let (status, body) = app.raw("GET", path, None, "").await;
        assert_eq!((status, body), (404, detail("OAuth Provider 'github' not found")), "{path}");
    }
    let doc = loam_http::openapi_json();
    assert_eq!(doc["paths"]["/api/v1/oauth2/providers"]["get"]["security"], json!([]));
}

/// `GET /api/v1/ui/datasets/{id}/progress` with an API key and an optional `If-None-Match`:
/// (status, ETag, body).
async fn watch(
    router: &axum::Router,
    key: &str,
    dataset: &str,
    etag: Option<&str>,
) -> (u16, String, serde_json::Value) {
    let mut req =
        Request::builder().uri(format!("/api/v1/ui/datasets/{dataset}/progress")).header("X-Argilla-Api-Key", key);
    if let Some(tag) = etag {
        req = req.header(header::IF_NONE_MATCH, tag);
    }
    let res = router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let status = res.status().as_u16();
    let etag = header_of(&res, header::ETAG).to_owned();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let body = if bytes.is_empty() { serde_json::Value::Null } else { serde_json::from_slice(&bytes).unwrap() };
    (status, etag, body)
}

#[tokio::test]
async fn live_progress_answers_304_until_records_or_responses_change_on_any_replica() {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.simple_dataset(&ws, "watched").await;
    let ann = app.member("ann", "annotator", &[&ws]).await;
    let records = app.records(&ds, 2).await;
    // A second replica on the same database: the token lives there, not in a process.
    let replica = loam_http::router(loam_http::AppState {
        service: std::sync::Arc::new(crate::common::open_service(&app._db.url, 2).await),
        http: std::sync::Arc::new(loam_http::HttpConfig::default()),
        limits: Default::default(),
    });

    let (status, etag, body) = watch(&app.router, &app.owner.key, &ds, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["progress"], json!({"total": 2, "completed": 0, "pending": 2, "users": []}));
    assert_eq!(body["users"], json!([]));
    assert_eq!(etag, format!("\"{}\"", body["token"].as_str().unwrap()));
    // Unchanged: 304, no body, the same tag, from either replica, weak or strong.
    for (router, tag) in [(&app.router, etag.clone()), (&replica, etag.clone()), (&replica, format!("W/{etag}"))] {
        let (status, again, body) = watch(router, &app.owner.key, &ds, Some(&tag)).await;
        assert_eq!((status, again.as_str(), body), (304, etag.as_str(), serde_json::Value::Null));
    }

    // Records arrive (through the replica): the next poll sees them.
    let replica_records = format!("/api/v1/datasets/{ds}/records/bulk");
    let req = Request::builder()
        .method("POST")
        .uri(&replica_records)
        .header("X-Argilla-Api-Key", &app.owner.key)
        .header("content-type", "application/json")
        .body(Body::from(json!({"items": [{"fields": {"text": "late"}}]}).to_string()))
        .unwrap();
    assert_eq!(replica.clone().oneshot(req).await.unwrap().status(), 201);
    let (status, etag2, body) = watch(&app.router, &app.owner.key, &ds, Some(&etag)).await;
    assert_eq!(status, 200);
    assert_ne!(etag2, etag);
    assert_eq!(body["progress"]["total"], 3);

    // A response: the annotator shows up with their counts.
    let path = format!("/api/v1/records/{}/responses", records[0]);
    let answer = json!({"values": {"label": {"value": "a"}}, "status": "submitted"});
    app.expect_as(&ann.key, "POST", &path, Some(answer), 201).await;
    let (status, etag3, body) = watch(&app.router, &app.owner.key, &ds, Some(&etag2)).await;
    assert_eq!(status, 200);
    assert_eq!(body["progress"]["completed"], 1);
    assert_eq!(
        body["users"],
        json!([{"username": "ann", "completed": {"submitted": 1, "discarded": 0, "draft": 0},
                                       "pending": {"submitted": 0, "discarded": 0, "draft": 0}}])
    );

    // A deletion changes it too, even though nothing was added.
    app.expect("DELETE", &format!("/api/v1/records/{}", records[1]), None, 200).await;
    let (status, _, body) = watch(&replica, &app.owner.key, &ds, Some(&etag3)).await;
    assert_eq!(status, 200);
    assert_eq!(body["progress"]["total"], 2);

    // Same rules as the other progress endpoints: members only; unknown datasets 404.
    let outsider = app.create_user("outsider", "annotator").await;
    assert_eq!(watch(&app.router, &outsider.key, &ds, None).await.0, 403);
    assert_eq!(watch(&app.router, &app.owner.key, &crate::common::new_id(), None).await.0, 404);
    assert_eq!(watch(&app.router, "not-a-key", &ds, None).await.0, 401);
    assert!(loam_http::openapi_json()["paths"]["/api/v1/ui/datasets/{dataset_id}/progress"]["get"].is_object());
}
