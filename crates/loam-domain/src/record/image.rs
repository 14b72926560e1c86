//! Image field values: a web URL or a data URL of a supported media type, judged the way the
//! reference does with Python's `urllib.parse.urlparse` and `mimetypes.guess_type`.

use serde_json::Value;

use crate::python::{repr_str, repr_str_list};

/// The longest web URL an image field accepts, in characters.
pub const IMAGE_WEB_URL_MAX_CHARS: usize = 2038;
/// The longest data URL an image field accepts, in characters.
pub const IMAGE_DATA_URL_MAX_CHARS: usize = 5_000_000;
/// The media types an image data URL may use (`image/svg+xml` is not one of them).
pub const IMAGE_DATA_URL_MIME_TYPES: &[&str] =
    &["image/avif", "image/gif", "image/ico", "image/jpeg", "image/jpg", "image/png", "image/svg", "image/webp"];

/// Why an image field value is rejected, if it is (the reference parses it with Python's
/// `urllib.parse.urlparse` and `mimetypes.guess_type`; both are mirrored here).
pub(super) fn image_problem(name: &str, value: &Value) -> Option<String> {
    let invalid_url = || format!("image field {} has an invalid URL value", repr_str(name));
    let Some(url) = value.as_str() else {
        return Some(invalid_url());
    };
    let Some(parts) = url_split(url) else {
        return Some(invalid_url());
    };
    let n_chars = url.chars().count();
    match parts.scheme.as_str() {
        "http" | "https" => {
            if parts.netloc.is_empty() || parts.path.is_empty() {
                return Some(invalid_url());
            }
            if n_chars > IMAGE_WEB_URL_MAX_CHARS {
                return Some(format!(
                    "image field {} value is exceeding the maximum length of {IMAGE_WEB_URL_MAX_CHARS} characters for Web URLs",
                    repr_str(name)
                ));
            }
            None
        }
        "data" => {
            if parts.path.is_empty() {
                return Some(invalid_url());
            }
            if n_chars > IMAGE_DATA_URL_MAX_CHARS {
                return Some(format!(
                    "image field {} value is exceeding the maximum length of {IMAGE_DATA_URL_MAX_CHARS} characters for Data URLs",
                    repr_str(name)
                ));
            }
            match data_url_mime(url) {
                Some(mime) if IMAGE_DATA_URL_MIME_TYPES.contains(&mime.as_str()) => None,
                _ => Some(format!(
                    "image field {} value is using an unsupported MIME type, supported MIME types are: {}",
                    repr_str(name),
                    repr_str_list(IMAGE_DATA_URL_MIME_TYPES)
                )),
            }
        }
        _ => Some(invalid_url()),
    }
}

/// The parts of a URL that the image rules look at.
#[derive(Debug, PartialEq)]
pub(super) struct UrlParts {
    pub(super) scheme: String,
    pub(super) netloc: String,
    pub(super) path: String,
}

/// Python's `urllib.parse.urlsplit` (scheme, netloc and path), `None` where it raises.
pub(super) fn url_split(url: &str) -> Option<UrlParts> {
    // Leading C0 controls and spaces are stripped; tabs and newlines are removed everywhere.
    let url: String =
        url.trim_start_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\r' | '\n')).collect();
    let mut rest = url.as_str();
    let mut scheme = String::new();
    if let Some(colon) = rest.find(':') {
        let candidate = &rest[..colon];
        let starts_alpha = candidate.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
        let scheme_chars = candidate.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if starts_alpha && scheme_chars {
            scheme = candidate.to_ascii_lowercase();
            rest = &rest[colon + 1..];
        }
    }
    let mut netloc = String::new();
    if let Some(after) = rest.strip_prefix("//") {
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        netloc = after[..end].to_owned();
        rest = &after[end..];
        if netloc.contains('[') != netloc.contains(']') {
            return None;
        }
        if netloc.contains('[') && !bracketed_netloc_ok(&netloc) {
            return None;
        }
    }
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let path = rest.split_once('?').map_or(rest, |(before, _)| before);
    Some(UrlParts { scheme, netloc, path: path.to_owned() })
}

/// Python's `_check_bracketed_netloc`: `[…]` must hold an IPv6 address or an IPvFuture one, with
/// nothing before it and only a port after it.
fn bracketed_netloc_ok(netloc: &str) -> bool {
    let host_port = netloc.rsplit_once('@').map_or(netloc, |(_, it)| it);
    let Some((before, bracketed)) = host_port.split_once('[') else {
        return true;
    };
    if !before.is_empty() {
        return false;
    }
    let (host, port) = bracketed.split_once(']').unwrap_or((bracketed, ""));
    if !port.is_empty() && !port.starts_with(':') {
        return false;
    }
    if let Some(future) = host.strip_prefix('v') {
        // `v<hex>+.<anything>+`
        let Some((hex, tail)) = future.split_once('.') else {
            return false;
        };
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()) && !tail.is_empty();
    }
    host.parse::<std::net::Ipv6Addr>().is_ok()
}

/// Python's `mimetypes.guess_type` for a `data:` URL: the media type before the first `;` or
/// `,` (case kept, so `IMAGE/PNG` is not supported), `text/plain` when it is not of the form
/// `type/subtype`, `None` without a comma.
pub(super) fn data_url_mime(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once(':')?;
    if scheme.contains('/') || !scheme.eq_ignore_ascii_case("data") {
        return None;
    }
    let comma = rest.find(',')?;
    let head = &rest[..comma];
    let media = head.split_once(';').map_or(head, |(it, _)| it);
    if media.contains('=') || !media.contains('/') {
        return Some("text/plain".to_owned());
    }
    Some(media.to_owned())
}
