//! The web UI: the files of `ui/` served at `/`.
//!
//! The files are embedded in the binary with `rust-embed` (its `debug-embed` feature embeds them
//! in debug builds too, so `cargo run` and `cargo test` see the same files); `loam serve --ui-dir
//! DIR` reads them from disk instead, so a reload shows an edit. `/api/**` is never served from
//! here (the router answers unknown API paths with the JSON 404 before reaching [`serve`]). A path
//! that names no file and has no extension is a deep link into the single-page app and gets
//! `index.html`; a missing file with an extension (`/app.js`) is a plain 404, so a broken module
//! import fails loudly instead of parsing HTML as JavaScript.
//!
//! Caching: the embedded files are also served under `/assets/<version>/…`, where the version is
//! a hash of all of them, with `Cache-Control: public, max-age=31536000, immutable`; the
//! embedded `index.html` (always `no-cache`) names its scripts, styles and icon by those URLs, and
//! the modules' relative imports inherit the prefix, so a browser asks for each file once per
//! release and never revalidates it, while an upgrade changes every URL. A versioned URL of
//! another version (a page loaded before an upgrade) gets today's file, `no-cache`. The plain
//! URLs (`/js/app.js`), and every file served from `--ui-dir`, carry an ETag and are revalidated,
//! so an edit shows on reload. The embedded text files are sent brotli- or gzip-compressed from
//! copies made once (`compression.rs`).
//!
//! The embedded `js/app.js` is served as a bundle of the first screen's modules, and the other
//! modules rewritten to share them (`ui_bundle.rs`); `index.html` then preloads none of them.
//! Files from `--ui-dir` are served as they are.
//!
//! Every response carries a strict Content-Security-Policy (no inline scripts or styles, nothing
//! fetched but from this server, images also from `data:` and http(s) URLs because image fields
//! hold URLs), `nosniff`, a referrer policy and frame options.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

use crate::compression::{self, Coding, Variants};
use crate::error::ApiError;
use crate::ui_bundle;

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

/// How long a browser may keep a file: for good (a versioned URL of this release), or until it
/// asks again.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Freshness {
    Immutable,
    Revalidate,
}

/// Serves a GET or HEAD for a non-API path.
pub async fn serve(source: &UiSource, req: Request) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return ApiError::Detail(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed".to_owned()).into_response();
    }
    let (path, freshness) = unversioned(source, req.uri().path());
    let found = match relative_path(path) {
        Some(name) => match load(source, &name).await {
            Some(asset) => Some((name, asset)),
            None if looks_like_file(&name) => {
                return with_headers(StatusCode::NOT_FOUND, "Not Found\n").into_response()
            }
            None => None,
        },
        None => None,
    };
    let (name, asset, freshness) = match found {
        Some((name, asset)) => (name, asset, freshness),
        None => match load(source, "index.html").await {
            Some(asset) => ("index.html".to_owned(), asset, Freshness::Revalidate),
            None => return missing_ui(),
        },
    };
    let coding = match source {
        UiSource::Embedded => compression::negotiate(req.headers()),
        // Files from disk are compressed by the router's layer, on the fly.
        UiSource::Dir(_) => None,
    };
    let variants = match coding {
        Some(_) if compressible(&name) => {
            let (key, bytes) = (asset.etag.clone(), asset.bytes.clone());
            tokio::task::spawn_blocking(move || compression::precompressed(&key, &bytes)).await.ok().flatten()
        }
        _ => None,
    };
    let encoded = coding.zip(variants);
    respond(&name, asset, encoded, freshness, req.headers(), req.method() == Method::HEAD)
}

/// The version of the embedded files: a hash of every file's hash and of the modules as served,
/// the same for the same files.
fn version() -> &'static str {
    static VERSION: LazyLock<String> = LazyLock::new(|| {
        let mut names: Vec<_> = Assets::iter().collect();
        names.sort();
        let mut hasher = Sha256::new();
        for name in names {
            if let Some(file) = Assets::get(&name) {
                hasher.update(name.as_bytes());
                hasher.update(file.metadata.sha256_hash());
            }
        }
        // And the modules as served: a change of the bundling alone is a new version too.
        if let Some(served) = bundle() {
            let mut served: Vec<_> = served.files.iter().collect();
            served.sort();
            for (name, (_, etag)) in served {
                hasher.update(name.as_bytes());
                hasher.update(etag.as_bytes());
            }
        }
        hex(&hasher.finalize()[..6])
    });
    &VERSION
}

/// The embedded `index.html`, its `href="/…"` and `src="/…"` naming embedded files rewritten to
/// their versioned URLs, and without preloads of the modules in the bundle.
fn versioned_index() -> Option<&'static [u8]> {
    static INDEX: LazyLock<Option<Vec<u8>>> = LazyLock::new(|| {
        let file = Assets::get("index.html")?;
        let mut html = String::from_utf8_lossy(&file.data).into_owned();
        if let Some(bundle) = bundle() {
            html = drop_preloads(&html, |name| bundle.bundled.contains(name));
        }
        Some(link_versioned(&html, version(), |name| Assets::get(name).is_some()).into_bytes())
    });
    INDEX.as_deref()
}

/// The embedded modules as served: `js/app.js` the bundle of the first screen's modules, the
/// others rewritten to share them, each with its ETag; `None` when the modules cannot be bundled
/// (they are then served as they are; the reason is logged once).
struct Served {
    files: HashMap<String, (String, String)>,
    bundled: HashSet<String>,
}

fn bundle() -> Option<&'static Served> {
    static BUNDLE: LazyLock<Option<Served>> = LazyLock::new(|| {
        let mut sources = BTreeMap::new();
        for name in Assets::iter().filter(|name| name.starts_with("js/") && name.ends_with(".js")) {
            let file = Assets::get(&name)?;
            sources.insert(name.into_owned(), String::from_utf8(file.data.into_owned()).ok()?);
        }
        match ui_bundle::build(&sources, "js/app.js", &["js/views/annotate.js"]) {
            Ok(built) => {
                let files = built
                    .files
                    .into_iter()
                    .map(|(name, text)| {
                        let etag = format!("\"{}\"", hex(&Sha256::digest(text.as_bytes())[..16]));
                        (name, (text, etag))
                    })
                    .collect();
                Some(Served { files, bundled: built.bundled })
            }
            Err(err) => {
                tracing::warn!(error = %err, "the UI's modules are served one by one: they could not be bundled");
                None
            }
        }
    });
    BUNDLE.as_ref()
}

/// `html` without the `<link rel="modulepreload" href="/x">` lines for which `bundled(x)`.
fn drop_preloads(html: &str, bundled: impl Fn(&str) -> bool) -> String {
    html.split_inclusive('\n')
        .filter(|line| {
            let name =
                line.trim().strip_prefix("<link rel=\"modulepreload\" href=\"/").and_then(|it| it.strip_suffix("\">"));
            !name.is_some_and(&bundled)
        })
        .collect()
}

/// `html` with every `href="/x"` and `src="/x"` for which `exists(x)` rewritten to
/// `/assets/<version>/x`.
fn link_versioned(html: &str, version: &str, exists: impl Fn(&str) -> bool) -> String {
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html;
    while let Some(at) = ["href=\"/", "src=\"/"].iter().filter_map(|attr| rest.find(attr).map(|i| i + attr.len())).min()
    {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find('"').unwrap_or(rest.len());
        if exists(&rest[..end]) {
            out.push_str("assets/");
            out.push_str(version);
            out.push('/');
        }
    }
    out.push_str(rest);
    out
}

/// A URL path without its `/assets/<version>` prefix, and how long the answer may be kept.
fn unversioned<'a>(source: &UiSource, path: &'a str) -> (&'a str, Freshness) {
    let Some(rest) = path.strip_prefix("/assets/") else { return (path, Freshness::Revalidate) };
    let Some(slash) = rest.find('/') else { return (path, Freshness::Revalidate) };
    let (tag, file) = rest.split_at(slash);
    let current = matches!(source, UiSource::Embedded) && tag == version();
    (file, if current { Freshness::Immutable } else { Freshness::Revalidate })
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
        UiSource::Embedded if name == "index.html" => {
            let bytes = versioned_index()?;
            let etag = format!("\"{}\"", hex(&Sha256::digest(bytes)[..16]));
            Some(Asset { bytes: Cow::Borrowed(bytes), etag })
        }
        UiSource::Embedded => {
            if let Some((text, etag)) = bundle().and_then(|it| it.files.get(name)) {
                return Some(Asset { bytes: Cow::Borrowed(text.as_bytes()), etag: etag.clone() });
            }
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

/// Whether a file is text worth compressing (images and fonts are compressed already).
fn compressible(name: &str) -> bool {
    matches!(name.rsplit('.').next(), Some("html" | "js" | "mjs" | "css" | "json" | "svg" | "txt"))
}

fn respond(
    name: &str,
    asset: Asset,
    encoded: Option<(Coding, Arc<Variants>)>,
    freshness: Freshness,
    req_headers: &HeaderMap,
    head: bool,
) -> Response {
    // One tag per representation: the compressed bytes are not the plain ones.
    let etag = match &encoded {
        Some((coding, _)) => format!("{}-{}\"", asset.etag.trim_end_matches('"'), coding.name()),
        None => asset.etag.clone(),
    };
    let not_modified = req_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|it| it.to_str().ok())
        .is_some_and(|it| it.split(',').any(|tag| tag.trim() == etag || tag.trim() == "*"));
    let status = if not_modified { StatusCode::NOT_MODIFIED } else { StatusCode::OK };
    let body = match (&encoded, not_modified || head) {
        (_, true) => Body::empty(),
        (Some((coding, variants)), false) => Body::from(variants.get(*coding)),
        (None, false) => Body::from(asset.bytes),
    };
    let mut res = with_headers(status, body).into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(name)));
    let cache = match freshness {
        Freshness::Immutable => "public, max-age=31536000, immutable",
        Freshness::Revalidate => "no-cache",
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if compressible(name) {
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if let Some((coding, _)) = &encoded {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding.name()));
    }
    if name != "index.html" {
        if let Ok(value) = HeaderValue::from_str(&etag) {
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn index_links_to_embedded_files_are_versioned() {
        let html = "<link href=\"/css/app.css\"><a href=\"/users\"><a href=\"#main\"><script src=\"/js/app.js\"></script><img src=\"/x.png\">";
        let out = link_versioned(html, "v1", |name| ["css/app.css", "js/app.js"].contains(&name));
        assert_eq!(
            out,
            "<link href=\"/assets/v1/css/app.css\"><a href=\"/users\"><a href=\"#main\"><script src=\"/assets/v1/js/app.js\"></script><img src=\"/x.png\">"
        );
        let index = String::from_utf8_lossy(versioned_index().unwrap()).into_owned();
        assert!(index.contains(&format!("src=\"/assets/{}/js/app.js\"", version())), "{index}");
        assert!(!index.contains("\"/js/") && !index.contains("\"/css/"), "{index}");
    }

    #[test]
    fn the_embedded_modules_are_bundled_and_not_preloaded() {
        let served = bundle().expect("the embedded UI bundles");
        let app = &served.files["js/app.js"].0;
        for name in ["js/api.js", "js/views/annotate.js", "js/views/annotate/form-pane.js", "js/app.js"] {
            assert!(served.bundled.contains(name), "{name}");
            assert!(app.contains(&format!("globalThis.__loam[\"{name}\"] = ")), "{name}");
        }
        assert!(!served.bundled.contains("js/views/home.js"), "other screens stay lazy");
        let home = &served.files["js/views/home.js"].0;
        assert!(home.contains("globalThis.__loam[\"js/api.js\"]"), "a lazy module shares the bundle's api.js");
        let index = String::from_utf8_lossy(versioned_index().unwrap()).into_owned();
        assert!(!index.contains("modulepreload"), "{index}");
        assert_eq!(
            drop_preloads(
                "<link rel=\"modulepreload\" href=\"/js/a.js\">\n<link rel=\"modulepreload\" href=\"/js/b.js\">\nx\n",
                |n| n == "js/a.js"
            ),
            "<link rel=\"modulepreload\" href=\"/js/b.js\">\nx\n"
        );
    }

    #[test]
    fn only_this_versions_urls_are_immutable() {
        let embedded = UiSource::Embedded;
        let this = format!("/assets/{}/js/app.js", version());
        assert_eq!(unversioned(&embedded, &this), ("/js/app.js", Freshness::Immutable));
        assert_eq!(unversioned(&embedded, "/assets/0000/js/app.js"), ("/js/app.js", Freshness::Revalidate));
        assert_eq!(unversioned(&embedded, "/js/app.js"), ("/js/app.js", Freshness::Revalidate));
        assert_eq!(unversioned(&UiSource::Dir("ui".into()), &this), ("/js/app.js", Freshness::Revalidate));
    }
}
