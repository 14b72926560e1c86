//! The web UI: the files of `ui/` served at `/`, and server-side markdown rendering for it.
//!
//! The files are embedded in the binary with `rust-embed` (its `debug-embed` feature embeds them
//! in debug builds too, so `cargo run` and `cargo test` see the same files); `loam serve --ui-dir
//! DIR` reads them from disk instead, so a reload shows an edit. `/api/**` is never served from
//! here (the router answers unknown API paths with the JSON 404 before reaching [`serve`]). A path
//! that names no file and has no extension is a deep link into the single-page app and gets
//! `index.html`; a missing file with an extension (`/app.js`) is a plain 404, so a broken module
//! import fails loudly instead of parsing HTML as JavaScript.
//!
//! Every response carries a strict Content-Security-Policy (no inline scripts or styles, nothing
//! fetched but from this server, images also from `data:` and http(s) URLs because image fields
//! hold URLs), `nosniff`, a referrer policy and frame options. `index.html` is `no-cache`; other
//! files carry an ETag and are revalidated (module URLs are not versioned, so an upgrade must not
//! leave a browser running stale modules).

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

#[derive(RustEmbed)]
#[folder = "../../ui/"]
struct Assets;

/// The Content-Security-Policy of every UI response.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data: https: http:; connect-src 'self'; font-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Where the UI's files come from.
#[derive(Clone, Debug, Default)]
pub enum UiSource {
    /// The files embedded at build time.
    #[default]
    Embedded,
    /// A directory on disk (`loam serve --ui-dir`), read on every request.
    Dir(PathBuf),
}

/// A file's bytes and its ETag.
struct Asset {
    bytes: Cow<'static, [u8]>,
    etag: String,
}

/// Serves a GET or HEAD for a non-API path.
pub async fn serve(source: &UiSource, req: Request) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return ApiError::Detail(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed".to_owned()).into_response();
    }
    let path = req.uri().path();
    let (name, asset) = match relative_path(path) {
        Some(name) => match load(source, &name).await {
            Some(asset) => (name, asset),
            None if looks_like_file(&name) => {
                return with_headers(StatusCode::NOT_FOUND, "Not Found\n").into_response()
            }
            None => (
                "index.html".to_owned(),
                match load(source, "index.html").await {
                    Some(asset) => asset,
                    None => return missing_ui(),
                },
            ),
        },
        None => (
            "index.html".to_owned(),
            match load(source, "index.html").await {
                Some(asset) => asset,
                None => return missing_ui(),
            },
        ),
    };
    respond(&name, asset, req.headers(), req.method() == Method::HEAD)
}

/// The file a URL path names, relative to the UI root; `None` for `/` and for paths that could
/// escape the root or are not plain names (those get `index.html`).
fn relative_path(path: &str) -> Option<String> {
    let trimmed = path.trim_start_matches('/');
    if trimmed.is_empty() {
        return None;
    }
    let ok =
        trimmed.split('/').all(|seg| !seg.is_empty() && seg != "." && seg != ".." && !seg.contains(['\\', '\0', ':']));
    ok.then(|| trimmed.to_owned())
}

fn looks_like_file(name: &str) -> bool {
    name.rsplit('/').next().is_some_and(|last| last.contains('.'))
}

async fn load(source: &UiSource, name: &str) -> Option<Asset> {
    match source {
        UiSource::Embedded => {
            let file = Assets::get(name)?;
            let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()[..16]));
            Some(Asset { bytes: file.data, etag })
        }
        UiSource::Dir(dir) => {
            let bytes = tokio::fs::read(join(dir, name)).await.ok()?;
            let etag = format!("\"{}\"", hex(&Sha256::digest(&bytes)[..16]));
            Some(Asset { bytes: Cow::Owned(bytes), etag })
        }
    }
}

fn join(dir: &Path, name: &str) -> PathBuf {
    name.split('/').fold(dir.to_path_buf(), |acc, seg| acc.join(seg))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn content_type(name: &str) -> &'static str {
    let ext = name.rsplit('.').next().unwrap_or("");
    match ext {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn respond(name: &str, asset: Asset, req_headers: &HeaderMap, head: bool) -> Response {
    let not_modified = req_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|it| it.to_str().ok())
        .is_some_and(|it| it.split(',').any(|tag| tag.trim() == asset.etag || tag.trim() == "*"));
    let status = if not_modified { StatusCode::NOT_MODIFIED } else { StatusCode::OK };
    let body = if not_modified || head { Body::empty() } else { Body::from(asset.bytes) };
    let mut res = with_headers(status, body).into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(name)));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if name != "index.html" {
        if let Ok(value) = HeaderValue::from_str(&asset.etag) {
            headers.insert(header::ETAG, value);
        }
    }
    res
}

/// A response with the security headers every UI response carries.
fn with_headers(status: StatusCode, body: impl Into<Body>) -> impl IntoResponse {
    (
        status,
        [
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::X_FRAME_OPTIONS, "DENY"),
        ],
        body.into(),
    )
}

fn missing_ui() -> Response {
    // Only possible with a wrong --ui-dir: the embedded set always has index.html.
    with_headers(
        StatusCode::OK,
        "loam is running. The Argilla-compatible API is under /api/v1; the UI files were not found.\n",
    )
    .into_response()
}

/// Markdown rendered to HTML and sanitised: scripts, event-handler attributes, `javascript:`
/// URLs, styles and unknown tags are removed, so the UI can insert the result as it is.
pub fn render_markdown(text: &str) -> String {
    use pulldown_cmark::{html, Options, Parser};
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut raw = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(text, options));
    ammonia::Builder::default().link_rel(Some("noopener noreferrer nofollow")).clean(&raw).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered_and_sanitised() {
        let cases = [
            ("**bold**", "<p><strong>bold</strong></p>\n"),
            ("<script>alert(1)</script>hi", ""),
            ("<img src=x onerror=alert(1)>", "<img src=\"x\">"),
            ("[x](javascript:alert(1))", "<p><a rel=\"noopener noreferrer nofollow\">x</a></p>\n"),
        ];
        for (input, expected) in cases {
            let out = render_markdown(input);
            assert!(!out.contains("<script") && !out.contains("onerror") && !out.contains("javascript:"), "{out}");
            if !expected.is_empty() {
                assert_eq!(out, expected, "input {input:?}");
            }
        }
    }

    #[test]
    fn paths_that_could_escape_the_root_are_not_files() {
        assert_eq!(relative_path("/"), None);
        assert_eq!(relative_path("/../etc/passwd"), None);
        assert_eq!(relative_path("/a/./b"), None);
        assert_eq!(relative_path("/a//b"), None);
        assert_eq!(relative_path("/c:/x"), None);
        assert_eq!(relative_path("/js/app.js").as_deref(), Some("js/app.js"));
        assert!(looks_like_file("js/app.js"));
        assert!(!looks_like_file("datasets/0192/annotate"));
    }
}
