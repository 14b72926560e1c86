//! Compressed responses: the UI's embedded files in brotli or gzip (whichever the client accepts,
//! brotli first), everything else worth it in gzip.
//!
//! [`layer`] compresses JSON answers and the UI's text files on the fly with gzip at its fastest
//! level (tower-http; the encoder every client accepts, and the cheaper one per answer; level 1
//! costs about a fifth of the default level's time for a page of 50 records and keeps about 80% of
//! its saving: what it costs and saves is in bench/README.md, "UI"), and nothing else: exports stream files of their own
//! formats (`application/x-ndjson`, CSV, Parquet, tar) and must reach the client as they are
//! written, so they are left alone, as is anything sent as an attachment or any event stream. The
//! embedded UI files are compressed once, at the best levels, by [`precompressed`] and served as
//! they are (the layer passes a response that already has a `Content-Encoding`).

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, LazyLock, Mutex};

use axum::body::Bytes;
use axum::http::{header, Extensions, HeaderMap, StatusCode, Version};
use tower_http::compression::predicate::{Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};

/// Bodies smaller than this are sent as they are: compressing them saves nothing.
const MIN_BYTES: u16 = 256;

/// The content types worth compressing: JSON and the UI's text files.
fn compressible(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    matches!(
        essence,
        "application/json" | "text/html" | "text/javascript" | "text/css" | "image/svg+xml" | "text/plain"
    )
}

/// The layer `router` puts around everything.
pub fn layer() -> CompressionLayer<impl Predicate> {
    let predicate = SizeAbove::new(MIN_BYTES).and(|_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions| {
        let content_type = headers.get(header::CONTENT_TYPE).and_then(|it| it.to_str().ok()).unwrap_or("");
        compressible(content_type) && !headers.contains_key(header::CONTENT_DISPOSITION)
    });
    CompressionLayer::new().no_br().no_deflate().no_zstd().quality(CompressionLevel::Fastest).compress_when(predicate)
}

/// A content coding we send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    Brotli,
    Gzip,
}

impl Coding {
    pub fn name(self) -> &'static str {
        match self {
            Coding::Brotli => "br",
            Coding::Gzip => "gzip",
        }
    }
}

/// The coding to answer with: brotli when accepted, else gzip when accepted, else none.
/// `q=0` refuses a coding; `*` accepts any not named.
pub fn negotiate(headers: &HeaderMap) -> Option<Coding> {
    let mut br = None;
    let mut gzip = None;
    let mut any = None;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()))
                .next()
                .unwrap_or(1.0);
            let accepted = q > 0.0;
            match name.as_str() {
                "br" => br = Some(accepted),
                "gzip" | "x-gzip" => gzip = Some(accepted),
                "*" => any = Some(accepted),
                _ => {}
            }
        }
    }
    if br.or(any).unwrap_or(false) {
        Some(Coding::Brotli)
    } else if gzip.or(any).unwrap_or(false) {
        Some(Coding::Gzip)
    } else {
        None
    }
}

/// A file's bytes in both codings.
pub struct Variants {
    pub brotli: Bytes,
    pub gzip: Bytes,
}

impl Variants {
    /// The bytes in `coding` (a cheap copy of a shared buffer).
    pub fn get(&self, coding: Coding) -> Bytes {
        match coding {
            Coding::Brotli => self.brotli.clone(),
            Coding::Gzip => self.gzip.clone(),
        }
    }
}

/// `bytes` compressed at the best levels (brotli 11, gzip 9), once per distinct `key` (a content
/// hash: the embedded files never change while the process runs). `None` when compression would
/// not save anything.
pub fn precompressed(key: &str, bytes: &[u8]) -> Option<Arc<Variants>> {
    static CACHE: LazyLock<Mutex<HashMap<String, Option<Arc<Variants>>>>> = LazyLock::new(Default::default);
    if let Some(hit) = CACHE.lock().ok()?.get(key) {
        return hit.clone();
    }
    let variants = compress(bytes).map(Arc::new);
    CACHE.lock().ok()?.insert(key.to_owned(), variants.clone());
    variants
}

fn compress(bytes: &[u8]) -> Option<Variants> {
    if bytes.len() < usize::from(MIN_BYTES) {
        return None;
    }
    let mut brotli = Vec::with_capacity(bytes.len() / 3);
    {
        let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
        let mut input = bytes;
        brotli::BrotliCompress(&mut input, &mut brotli, &params).ok()?;
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 3), flate2::Compression::best());
    gz.write_all(bytes).ok()?;
    let gzip = gz.finish().ok()?;
    (brotli.len() < bytes.len() && gzip.len() < bytes.len())
        .then(|| Variants { brotli: Bytes::from(brotli), gzip: Bytes::from(gzip) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn the_best_accepted_coding_wins() {
        let cases = [
            ("gzip, deflate, br, zstd", Some(Coding::Brotli)),
            ("gzip, deflate", Some(Coding::Gzip)),
            ("br;q=0, gzip", Some(Coding::Gzip)),
            ("br;q=0, gzip;q=0", None),
            ("identity", None),
            ("*", Some(Coding::Brotli)),
            ("*;q=0, gzip", Some(Coding::Gzip)),
            ("GZIP", Some(Coding::Gzip)),
            ("", None),
        ];
        for (value, expected) in cases {
            assert_eq!(negotiate(&accept(value)), expected, "{value:?}");
        }
        assert_eq!(negotiate(&HeaderMap::new()), None);
    }

    #[test]
    fn only_text_and_json_are_compressed() {
        for ct in ["application/json", "text/html; charset=utf-8", "text/javascript; charset=utf-8", "text/css"] {
            assert!(compressible(ct), "{ct}");
        }
        for ct in [
            "application/x-ndjson",
            "text/csv; charset=utf-8",
            "application/x-tar",
            "image/png",
            "text/event-stream",
            "",
        ] {
            assert!(!compressible(ct), "{ct}");
        }
    }

    #[test]
    fn precompressed_files_round_trip() {
        let text = "let x = 1;\n".repeat(500);
        let v = precompressed("test-round-trip", text.as_bytes()).unwrap();
        assert!(v.brotli.len() < text.len() / 10 && v.gzip.len() < text.len() / 10);
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &v.brotli[..], &mut back).unwrap();
        assert_eq!(back, text.as_bytes());
        let mut back = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&v.gzip[..]), &mut back).unwrap();
        assert_eq!(back, text);
        assert!(precompressed("test-small", b"tiny").is_none());
    }
}
