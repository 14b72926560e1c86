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
