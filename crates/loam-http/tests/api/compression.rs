//! Compressed answers and the UI's cache headers: versioned, immutable file URLs named by
//! `index.html`; brotli or gzip as the client accepts (the SDKs' httpx sends `gzip, deflate`);
//! JSON compressed, small answers and exports not; revalidation of the plain URLs kept.

use std::io::Read;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::common::TestApp;

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    bytes: Vec<u8>,
}

impl Reply {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers.get(name).and_then(|it| it.to_str().ok()).unwrap_or("")
    }

    /// The body, decoded as its `Content-Encoding` says.
    fn decoded(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self.header(header::CONTENT_ENCODING) {
            "" => out.clone_from(&self.bytes),
            "br" => brotli::BrotliDecompress(&mut self.bytes.as_slice(), &mut out).unwrap(),
            "gzip" => {
                flate2::read::GzDecoder::new(self.bytes.as_slice()).read_to_end(&mut out).unwrap();
            }
            other => panic!("unexpected content-encoding {other}"),
        }
        out
    }
}

async fn send(app: &TestApp, method: &str, path: &str, headers: &[(&str, &str)], body: Option<Value>) -> Reply {
    let mut req = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let body = match body {
        Some(value) => {
            req = req.header("content-type", "application/json");
            Body::from(value.to_string())
        }
        None => Body::empty(),
    };
    let res = app.router.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply { status, headers, bytes }
}

const BROWSER: &str = "gzip, deflate, br, zstd";
const HTTPX: &str = "gzip, deflate";

/// The versioned URL `index.html` gives the app's entry module.
async fn app_js_url(app: &TestApp) -> String {
    let index = send(app, "GET", "/", &[], None).await;
    let html = String::from_utf8(index.bytes).unwrap();
    let end = html.find("/js/app.js\"").expect("app.js named in index.html") + "/js/app.js".len();
    let at = html[..end].rfind("src=\"").expect("app.js as a script's src") + "src=\"".len();
    let url = &html[at..end];
    assert!(url.starts_with("/assets/"), "{url}");
    url.to_owned()
}

#[tokio::test]
async fn index_names_versioned_files_that_are_cached_for_good() {
    let app = TestApp::new().await;
    let index = send(&app, "GET", "/", &[], None).await;
    assert_eq!(index.header(header::CACHE_CONTROL), "no-cache");
    let html = String::from_utf8(index.bytes.clone()).unwrap();
    // Every script, style and icon of index.html is versioned; nothing else is.
    for attr in ["src=\"/", "href=\"/"] {
        for (at, _) in html.match_indices(attr) {
            assert!(html[at + attr.len()..].starts_with("assets/"), "unversioned: {}", &html[at..at + 40]);
        }
    }
    let url = app_js_url(&app).await;
    let res = send(&app, "GET", &url, &[], None).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header(header::CACHE_CONTROL), "public, max-age=31536000, immutable");
    assert!(res.header(header::CONTENT_TYPE).starts_with("text/javascript"));
    assert!(res.header(header::CONTENT_SECURITY_POLICY).contains("script-src 'self'"));
    assert_eq!(res.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    let plain = send(&app, "GET", "/js/app.js", &[], None).await;
    assert_eq!(res.bytes, plain.bytes, "the same file under both URLs");
    // A module it imports, by the relative URL the browser resolves.
    let lib = url.replace("/js/app.js", "/js/dom.js");
    assert_eq!(
        send(&app, "GET", &lib, &[], None).await.header(header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    // Another version (a page from before an upgrade) gets today's file, not to be kept.
    let old = send(&app, "GET", "/assets/000000000000/js/app.js", &[], None).await;
    assert_eq!((old.status, old.header(header::CACHE_CONTROL)), (StatusCode::OK, "no-cache"));
    assert_eq!(old.bytes, plain.bytes);
    // The plain URL keeps revalidating; a missing versioned file is a 404 like any.
    assert_eq!(plain.header(header::CACHE_CONTROL), "no-cache");
    assert!(plain.header(header::ETAG).starts_with('"'));
    let missing = send(&app, "GET", &url.replace("app.js", "nope.js"), &[], None).await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn ui_files_come_compressed_as_the_client_accepts() {
    let app = TestApp::new().await;
    let url = app_js_url(&app).await;
    let plain = send(&app, "GET", &url, &[], None).await;
    assert_eq!(plain.header(header::CONTENT_ENCODING), "");
    assert_eq!(plain.header(header::VARY).to_ascii_lowercase(), "accept-encoding");
    for (accept, coding) in [(BROWSER, "br"), (HTTPX, "gzip"), ("br;q=0, gzip", "gzip"), ("identity", "")] {
        let res = send(&app, "GET", &url, &[("accept-encoding", accept)], None).await;
        assert_eq!(res.status, 200, "{accept}");
        assert_eq!(res.header(header::CONTENT_ENCODING), coding, "{accept}");
        assert_eq!(res.decoded(), plain.bytes, "{accept}");
        assert_eq!(res.header(header::CACHE_CONTROL), "public, max-age=31536000, immutable");
        if !coding.is_empty() {
            assert!(res.bytes.len() * 2 < plain.bytes.len(), "{accept}: {} of {}", res.bytes.len(), plain.bytes.len());
            assert_eq!(res.header(header::CONTENT_LENGTH), res.bytes.len().to_string());
        }
    }
    // index.html too (no-cache, but compressed).
    let index = send(&app, "GET", "/datasets/x/annotate", &[("accept-encoding", BROWSER)], None).await;
    assert_eq!((index.header(header::CONTENT_ENCODING), index.header(header::CACHE_CONTROL)), ("br", "no-cache"));
    assert!(String::from_utf8(index.decoded()).unwrap().contains("<!doctype html>"));
    // Each representation has its own tag, and answers 304 to it.
    let br = send(&app, "GET", "/css/app.css", &[("accept-encoding", BROWSER)], None).await;
    let gz = send(&app, "GET", "/css/app.css", &[("accept-encoding", HTTPX)], None).await;
    let (br_tag, gz_tag) = (br.header(header::ETAG).to_owned(), gz.header(header::ETAG).to_owned());
    assert_ne!(br_tag, gz_tag);
    let again =
        send(&app, "GET", "/css/app.css", &[("accept-encoding", BROWSER), ("if-none-match", &br_tag)], None).await;
    assert_eq!((again.status, again.bytes.len()), (StatusCode::NOT_MODIFIED, 0));
    // Already compressed formats are sent as they are.
    let icon = send(&app, "GET", "/favicon.svg", &[("accept-encoding", BROWSER)], None).await;
    assert_eq!(icon.status, 200);
}

#[tokio::test]
async fn json_answers_are_gzipped_for_the_sdks_and_browsers_alike() {
    let app = TestApp::new().await;
    let plain = send(&app, "GET", "/api/v1/openapi.json", &[], None).await;
    assert_eq!(plain.header(header::CONTENT_ENCODING), "");
    let doc: Value = serde_json::from_slice(&plain.bytes).unwrap();
    // gzip on the fly, for the SDKs' httpx and browsers alike (brotli only for the UI's files).
    for (accept, coding) in [(HTTPX, "gzip"), (BROWSER, "gzip")] {
        let res = send(&app, "GET", "/api/v1/openapi.json", &[("accept-encoding", accept)], None).await;
        assert_eq!(res.header(header::CONTENT_ENCODING), coding, "{accept}");
        assert!(res.header(header::VARY).to_ascii_lowercase().contains("accept-encoding"));
        assert_eq!(serde_json::from_slice::<Value>(&res.decoded()).unwrap(), doc);
    }
    // A short answer is not worth it; an error keeps its body.
    let me =
        send(&app, "GET", "/api/v1/me", &[("accept-encoding", HTTPX), ("x-argilla-api-key", &app.owner.key)], None)
            .await;
    assert_eq!(me.status, 200);
    let nope = send(&app, "GET", "/api/v1/nope", &[("accept-encoding", HTTPX)], None).await;
    assert_eq!(serde_json::from_slice::<Value>(&nope.decoded()).unwrap(), json!({"detail": "Not Found"}));
}

#[tokio::test]
async fn exports_stream_as_they_are() {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.simple_dataset(&ws, "exported").await;
    app.records(&ds, 300).await;
    let path = format!("/api/v1/datasets/{ds}/exports");
    for format in ["jsonl", "csv"] {
        let body = json!({"shape": "records", "format": format});
        let headers = [("accept-encoding", BROWSER), ("x-argilla-api-key", app.owner.key.as_str())];
        let res = send(&app, "POST", &path, &headers, Some(body)).await;
        assert_eq!(res.status, 200, "{format}: {}", String::from_utf8_lossy(&res.bytes));
        assert_eq!(res.header(header::CONTENT_ENCODING), "", "{format}");
        assert!(res.header(header::CONTENT_DISPOSITION).starts_with("attachment"));
        let text = String::from_utf8(res.bytes).unwrap();
        assert!(text.lines().count() >= 300, "{format}");
    }
}
