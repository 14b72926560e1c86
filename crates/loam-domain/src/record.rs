//! Record contents validated against the dataset's settings (model.md §6–7): field values,
//! metadata, vectors.
//!
//! The error reasons are the bare texts of model.md §7; the callers add the wrapping
//! (`"Record at position <i> is not valid because …"`, `"record does not have valid vectors: …"`).

use serde_json::{json, Map, Value};

use crate::error::{Invalid, Loc, Rejection, SchemaError};
use crate::python::{repr_str, repr_str_list};
use crate::schema::{check_len, object};
use crate::settings::{FieldSettings, MetadataSettings};

/// What a field check needs to know of a field.
#[derive(Clone, Copy, Debug)]
pub struct FieldRef<'a> {
    pub name: &'a str,
    pub required: bool,
    pub settings: &'a FieldSettings,
}

/// What a metadata check needs to know of a metadata property.
#[derive(Clone, Copy, Debug)]
pub struct MetadataRef<'a> {
    pub name: &'a str,
    pub settings: &'a MetadataSettings,
}

/// The longest web URL an image field accepts, in characters.
pub const IMAGE_WEB_URL_MAX_CHARS: usize = 2038;
/// The longest data URL an image field accepts, in characters.
pub const IMAGE_DATA_URL_MAX_CHARS: usize = 5_000_000;
/// The media types an image data URL may use (`image/svg+xml` is not one of them).
pub const IMAGE_DATA_URL_MIME_TYPES: &[&str] =
    &["image/avif", "image/gif", "image/ico", "image/jpeg", "image/jpg", "image/png", "image/svg", "image/webp"];
/// The most messages a chat field value may hold.
pub const CHAT_MAX_MESSAGES: usize = 500;
/// Length limits (in characters) of a chat message's `role` and `content`.
pub const CHAT_ROLE_CHARS: (usize, usize) = (1, 20);
pub const CHAT_CONTENT_CHARS: (usize, usize) = (1, 20_000);

/// Validates a record's `fields` value and returns the values to store (chat messages normalised
/// to `{role, content}`). The error reasons are the bare texts of model.md §7 item 1.
pub fn check_fields(fields: &Value, defs: &[FieldRef<'_>]) -> Result<Map<String, Value>, Rejection> {
    let Value::Object(map) = fields else {
        return Err(Rejection::invalid("fields cannot be empty"));
    };

    // Parse level: every value is a string, a list of chat messages, an object or null.
    let mut out = Map::new();
    for (key, value) in map {
        out.insert(key.clone(), parse_field_value(key, value)?);
    }

    if out.is_empty() {
        return Err(Rejection::invalid("fields cannot be empty"));
    }
    for def in defs {
        if def.required && out.get(def.name).is_none_or(Value::is_null) {
            return Err(Rejection::invalid(format!("missing required value for field: {}", repr_str(def.name))));
        }
    }
    let extra: Vec<&str> =
        out.keys().map(String::as_str).filter(|key| !defs.iter().any(|def| def.name == *key)).collect();
    if !extra.is_empty() {
        return Err(Rejection::invalid(format!(
            "found fields values for non configured fields: {}",
            repr_str_list(&extra)
        )));
    }

    // Per type, one type after the other (as the reference runs its per-type passes).
    let present = |def: &FieldRef<'_>| out.get(def.name).filter(|it| !it.is_null());
    for def in defs {
        if let (FieldSettings::Text { .. }, Some(value)) = (def.settings, present(def)) {
            if !value.is_string() {
                return Err(Rejection::invalid(format!("text field {} value must be a string", repr_str(def.name))));
            }
        }
    }
    for def in defs {
        if let (FieldSettings::Image, Some(value)) = (def.settings, present(def)) {
            if let Some(reason) = image_problem(def.name, value) {
                return Err(Rejection::invalid(reason));
            }
        }
    }
    for def in defs {
        if let (FieldSettings::Chat { .. }, Some(value)) = (def.settings, present(def)) {
            if !value.is_array() {
                return Err(Rejection::invalid(format!(
                    "chat field {} value must be a list of messages",
                    repr_str(def.name)
                )));
            }
        }
    }
    for def in defs {
        if let (FieldSettings::Custom { .. }, Some(value)) = (def.settings, present(def)) {
            if !value.is_object() {
                return Err(Rejection::invalid(format!(
                    "custom field {} value must be a dictionary",
                    repr_str(def.name)
                )));
            }
        }
    }
    Ok(out)
}

/// Validates a record's metadata (model.md §7 item 2); `dataset_id` is used in the message.
pub fn check_metadata(
    metadata: &Map<String, Value>,
    props: &[MetadataRef<'_>],
    allow_extra: bool,
    dataset_id: &str,
) -> Result<(), Invalid> {
    for (name, value) in metadata {
        match props.iter().find(|prop| prop.name == name) {
            Some(prop) => {
                if value.is_null() {
                    continue;
                }
                if let Err(reason) = prop.settings.check_value(value) {
                    return Err(Invalid(format!(
                        "metadata is not valid: '{name}' metadata property validation failed because {reason}"
                    )));
                }
            }
            None if !allow_extra => {
                return Err(Invalid(format!(
                    "metadata is not valid: '{name}' metadata property does not exists for dataset '{dataset_id}' and extra metadata is not allowed for this dataset"
                )));
            }
            None => {}
        }
    }
    Ok(())
}

/// Validates one record vector: `dimensions` is the size of the dataset's vector settings named
/// `name` (`None` when the dataset has none by that name). Returns the values to store; the
/// reasons are bare (the caller adds `"record does not have valid vectors: "`).
pub fn check_vector(name: &str, value: &Value, dimensions: Option<i64>, dataset_id: &str) -> Result<Vec<f64>, Invalid> {
    // The shape first, as the reference's request schema rejects it before any rule.
    let not_numbers = || Invalid(format!("vector value for vector name={name} must be a list of numbers"));
    let items = value.as_array().ok_or_else(not_numbers)?;
    let mut numbers = Vec::with_capacity(items.len());
    for item in items {
        let number = item.as_f64().ok_or_else(not_numbers)?;
        if !number.is_finite() {
            return Err(Invalid(format!("vector value for vector name={name} must only contain finite numbers")));
        }
        numbers.push(number);
    }
    let Some(dimensions) = dimensions else {
        return Err(Invalid(format!("vector with name={name} does not exist for dataset_id={dataset_id}")));
    };
    if i64::try_from(numbers.len()).ok() != Some(dimensions) {
        return Err(Invalid(format!(
            "vector value for vector name={name} must have {dimensions} elements, got {} elements",
            numbers.len()
        )));
    }
    Ok(numbers)
}

// ---------------------------------------------------------------------------------------------
// Parse level

/// One field value at parse level: strings, objects and nulls pass as they are, lists must be chat
/// messages (normalised to `{role, content}`), anything else is rejected.
fn parse_field_value(key: &str, value: &Value) -> Result<Value, SchemaError> {
    let loc = vec![Loc::from("fields"), Loc::Key(key.to_owned())];
    match value {
        Value::Null | Value::String(_) | Value::Object(_) => Ok(value.clone()),
        Value::Array(items) => {
            let mut messages = Vec::with_capacity(items.len().min(CHAT_MAX_MESSAGES));
            for (idx, item) in items.iter().enumerate() {
                let mut item_loc = loc.clone();
                item_loc.push(Loc::Index(idx));
                let obj = object(item, &item_loc)?;
                let role = chat_text(obj, "role", &item_loc, CHAT_ROLE_CHARS)?;
                let content = chat_text(obj, "content", &item_loc, CHAT_CONTENT_CHARS)?;
                messages.push(json!({"role": role, "content": content}));
            }
            if items.len() > CHAT_MAX_MESSAGES {
                return Err(SchemaError::value(
                    loc,
                    format!(
                        "Number of chat messages in field '{key}' exceeds the maximum allowed value of {CHAT_MAX_MESSAGES}"
                    ),
                ));
            }
            Ok(Value::Array(messages))
        }
        Value::Bool(_) | Value::Number(_) => Err(SchemaError::new(
            loc,
            "string_type",
            "Input should be a valid string, a list of chat messages, a dictionary or null",
        )),
    }
}

fn chat_text<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    loc: &[Loc],
    (min, max): (usize, usize),
) -> Result<&'a str, SchemaError> {
    let mut loc = loc.to_vec();
    loc.push(Loc::from(key));
    match obj.get(key) {
        None => Err(SchemaError::new(loc, "missing", "Field required")),
        Some(Value::String(text)) => {
            check_len(text, &loc, min, max)?;
            Ok(text)
        }
        Some(_) => Err(SchemaError::new(loc, "string_type", "Input should be a valid string")),
    }
}

// ---------------------------------------------------------------------------------------------
// Image URLs

/// Why an image field value is rejected, if it is (the reference parses it with Python's
/// `urllib.parse.urlparse` and `mimetypes.guess_type`; both are mirrored here).
fn image_problem(name: &str, value: &Value) -> Option<String> {
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
struct UrlParts {
    scheme: String,
    netloc: String,
    path: String,
}

/// Python's `urllib.parse.urlsplit` (scheme, netloc and path), `None` where it raises.
fn url_split(url: &str) -> Option<UrlParts> {
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
fn data_url_mime(url: &str) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> [(&'static str, bool, FieldSettings); 5] {
        [
            ("text", true, FieldSettings::Text { use_markdown: false }),
            ("image", false, FieldSettings::Image),
            ("chat", false, FieldSettings::Chat { use_markdown: true }),
            ("custom", false, FieldSettings::Custom { template: "{{x}}".to_owned(), advanced_mode: false }),
            ("notes", false, FieldSettings::Text { use_markdown: true }),
        ]
    }

    fn check(fields: Value) -> Result<Map<String, Value>, Rejection> {
        let all = settings();
        let defs: Vec<FieldRef<'_>> =
            all.iter().map(|(name, required, settings)| FieldRef { name, required: *required, settings }).collect();
        check_fields(&fields, &defs)
    }

    fn invalid_msg(res: Result<Map<String, Value>, Rejection>) -> String {
        match res {
            Err(Rejection::Invalid(it)) => it.0,
            other => panic!("expected an Invalid, got {other:?}"),
        }
    }

    fn schema_err(res: Result<Map<String, Value>, Rejection>) -> SchemaError {
        match res {
            Err(Rejection::Schema(it)) => it,
            other => panic!("expected a SchemaError, got {other:?}"),
        }
    }

    fn image(url: &str) -> Result<Map<String, Value>, Rejection> {
        check(json!({"text": "t", "image": url}))
    }

    const MIME_LIST: &str =
        "['image/avif', 'image/gif', 'image/ico', 'image/jpeg', 'image/jpg', 'image/png', 'image/svg', 'image/webp']";

    #[test]
    fn valid_fields_are_normalised_in_input_order() {
        let got = check(json!({
            "notes": null,
            "chat": [{"role": "user", "content": "hi", "id": 3}, {"role": "assistant", "content": "hello"}],
            "text": "t",
            "custom": {"x": [1, {"y": null}]},
            "image": "https://example.com/a.png",
        }));
        let expected = json!({
            "notes": null,
            "chat": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
            "text": "t",
            "custom": {"x": [1, {"y": null}]},
            "image": "https://example.com/a.png",
        });
        let got = got.map(Value::Object);
        assert_eq!(got, Ok(expected.clone()));
        let keys: Vec<String> =
            got.ok().and_then(|it| it.as_object().cloned()).map(|it| it.keys().cloned().collect()).unwrap_or_default();
        assert_eq!(keys, ["notes", "chat", "text", "custom", "image"]);
        // Empty strings, empty chats and empty objects are values.
        assert!(check(json!({"text": "", "chat": [], "custom": {}})).is_ok());
    }

    #[test]
    fn field_rules_have_the_reference_messages() {
        let long_web = format!("https://example.com/{}", "a".repeat(2038 - 20));
        let too_long_web = format!("{long_web}a");
        assert_eq!(long_web.chars().count(), 2038);
        assert!(image(&long_web).is_ok());
        let cases: Vec<(Value, String)> = vec![
            (json!(null), "fields cannot be empty".to_owned()),
            (json!("text"), "fields cannot be empty".to_owned()),
            (json!([]), "fields cannot be empty".to_owned()),
            (json!({}), "fields cannot be empty".to_owned()),
            (json!({"notes": "x"}), "missing required value for field: 'text'".to_owned()),
            (json!({"text": null}), "missing required value for field: 'text'".to_owned()),
            // Required fields come before unknown keys.
            (json!({"zzz": "x"}), "missing required value for field: 'text'".to_owned()),
            (
                json!({"text": "t", "zzz": "x", "aaa": null, "it's": "y"}),
                "found fields values for non configured fields: ['zzz', 'aaa', \"it's\"]".to_owned(),
            ),
            (json!({"text": {"a": 1}}), "text field 'text' value must be a string".to_owned()),
            (json!({"text": "t", "notes": []}), "text field 'notes' value must be a string".to_owned()),
            (
                json!({"text": "t", "image": {"url": "http://x/y"}}),
                "image field 'image' has an invalid URL value".to_owned(),
            ),
            (json!({"text": "t", "chat": "hello"}), "chat field 'chat' value must be a list of messages".to_owned()),
            (
                json!({"text": "t", "chat": {"role": "user"}}),
                "chat field 'chat' value must be a list of messages".to_owned(),
            ),
            (json!({"text": "t", "custom": "x"}), "custom field 'custom' value must be a dictionary".to_owned()),
            (json!({"text": "t", "custom": []}), "custom field 'custom' value must be a dictionary".to_owned()),
            // Per type passes: text fields first, then image, chat, custom.
            (
                json!({"custom": "x", "chat": "x", "image": "x", "notes": {}, "text": "t"}),
                "text field 'notes' value must be a string".to_owned(),
            ),
            (
                json!({"custom": "x", "chat": "x", "image": "x", "text": "t"}),
                "image field 'image' has an invalid URL value".to_owned(),
            ),
            (
                json!({"custom": "x", "chat": "x", "text": "t"}),
                "chat field 'chat' value must be a list of messages".to_owned(),
            ),
            (
                json!({"text": "t", "image": too_long_web}),
                "image field 'image' value is exceeding the maximum length of 2038 characters for Web URLs".to_owned(),
            ),
        ];
        for (fields, expected) in cases {
            assert_eq!(invalid_msg(check(fields.clone())), expected, "{fields}");
        }
    }

    #[test]
    fn image_urls() {
        let bad_url = "image field 'image' has an invalid URL value";
        let bad_mime = format!(
            "image field 'image' value is using an unsupported MIME type, supported MIME types are: {MIME_LIST}"
        );
        let cases: Vec<(&str, Option<&str>)> = vec![
            ("https://example.com/a.png", None),
            ("http://example.com/", None),
            ("HTTPS://example.com/x?y#z", None),
            ("  https://example.com/x", None),
            ("https://user:pw@example.com:8080/x", None),
            ("http://[::1]:8080/x", None),
            ("http://[v1.fe]/x", None),
            ("data:image/png;base64,iVBORw0KGgo=", None),
            ("data:image/jpeg,abc", None),
            ("DATA:image/webp;base64,abc", None),
            ("data:IMAGE/PNG;base64,abc", Some(&bad_mime)),
            ("data:image/svg;base64,abc", None),
            ("https://example.com", Some(bad_url)),
            ("https://example.com?x=/y", Some(bad_url)),
            ("https:///path", Some(bad_url)),
            ("http:/example.com/x", Some(bad_url)),
            ("ftp://example.com/a.png", Some(bad_url)),
            ("example.com/a.png", Some(bad_url)),
            ("/a.png", Some(bad_url)),
            ("", Some(bad_url)),
            ("http://[::1/x", Some(bad_url)),
            ("http://[127.0.0.1]/x", Some(bad_url)),
            ("http://a[::1]/x", Some(bad_url)),
            ("http://[vz.x]/x", Some(bad_url)),
            ("data:", Some(bad_url)),
            ("data:?x", Some(bad_url)),
            ("data:image/svg+xml;base64,abc", Some(&bad_mime)),
            ("data:image/png", Some(&bad_mime)),
            ("data:,abc", Some(&bad_mime)),
            ("data:text/plain,abc", Some(&bad_mime)),
            ("data:image=png,abc", Some(&bad_mime)),
            ("data:application/pdf;base64,abc", Some(&bad_mime)),
        ];
        for (url, expected) in cases {
            let got = image(url);
            match expected {
                None => assert!(got.is_ok(), "{url}: {got:?}"),
                Some(msg) => assert_eq!(invalid_msg(got), msg, "{url}"),
            }
        }
    }

    #[test]
    fn data_url_length_limit() {
        let head = "data:image/png;base64,";
        let ok = format!("{head}{}", "A".repeat(IMAGE_DATA_URL_MAX_CHARS - head.len()));
        assert!(image(&ok).is_ok());
        let too_long = format!("{ok}A");
        assert_eq!(
            invalid_msg(image(&too_long)),
            "image field 'image' value is exceeding the maximum length of 5000000 characters for Data URLs"
        );
        // Characters, not bytes.
        let web = format!("https://example.com/{}", "é".repeat(2038 - 20));
        assert!(image(&web).is_ok());
    }

    #[test]
    fn parse_level_errors() {
        let loc = |tail: &[Loc]| {
            let mut loc = vec![Loc::from("fields")];
            loc.extend_from_slice(tail);
            loc
        };
        let many: Vec<Value> = (0..=CHAT_MAX_MESSAGES).map(|_| json!({"role": "u", "content": "c"})).collect();
        let cases: Vec<(Value, Vec<Loc>, &str)> = vec![
            (json!({"text": 1}), loc(&[Loc::from("text")]), "string_type"),
            (json!({"text": true}), loc(&[Loc::from("text")]), "string_type"),
            (json!({"zzz": 1.5}), loc(&[Loc::from("zzz")]), "string_type"),
            // Parse errors come before the rules (here: a missing required field).
            (json!({"notes": false}), loc(&[Loc::from("notes")]), "string_type"),
            (json!({"text": "t", "chat": ["hi"]}), loc(&[Loc::from("chat"), Loc::Index(0)]), "model_attributes_type"),
            (
                json!({"text": "t", "chat": [{"content": "x"}]}),
                loc(&[Loc::from("chat"), Loc::Index(0), Loc::from("role")]),
                "missing",
            ),
            (
                json!({"text": "t", "chat": [{"role": "u", "content": "x"}, {"role": "", "content": "x"}]}),
                loc(&[Loc::from("chat"), Loc::Index(1), Loc::from("role")]),
                "string_too_short",
            ),
            (
                json!({"text": "t", "chat": [{"role": "r".repeat(21), "content": "x"}]}),
                loc(&[Loc::from("chat"), Loc::Index(0), Loc::from("role")]),
                "string_too_long",
            ),
            (
                json!({"text": "t", "chat": [{"role": "u", "content": ""}]}),
                loc(&[Loc::from("chat"), Loc::Index(0), Loc::from("content")]),
                "string_too_short",
            ),
            (
                json!({"text": "t", "chat": [{"role": "u", "content": "c".repeat(20_001)}]}),
                loc(&[Loc::from("chat"), Loc::Index(0), Loc::from("content")]),
                "string_too_long",
            ),
            (
                json!({"text": "t", "chat": [{"role": 1, "content": "x"}]}),
                loc(&[Loc::from("chat"), Loc::Index(0), Loc::from("role")]),
                "string_type",
            ),
            (json!({"text": "t", "chat": many}), loc(&[Loc::from("chat")]), "value_error"),
        ];
        for (fields, loc, kind) in cases {
            let err = schema_err(check(fields.clone()));
            assert_eq!((err.loc, err.kind), (loc, kind), "{fields}");
        }
        let err = schema_err(check(
            json!({"text": "t", "chat": (0..501).map(|_| json!({"role": "u", "content": "c"})).collect::<Vec<_>>()}),
        ));
        assert_eq!(
            err.msg,
            "Value error, Number of chat messages in field 'chat' exceeds the maximum allowed value of 500"
        );
        // Exactly 500 messages with limit-sized role and content are fine.
        let limit: Vec<Value> =
            (0..CHAT_MAX_MESSAGES).map(|_| json!({"role": "r".repeat(20), "content": "ü".repeat(20_000)})).collect();
        assert!(check(json!({"text": "t", "chat": limit})).is_ok());
    }

    fn meta_props() -> [(&'static str, MetadataSettings); 3] {
        [
            ("split", MetadataSettings::Terms { values: Some(vec![json!("train"), json!("test")]) }),
            ("n", MetadataSettings::Integer { min: Some(0), max: Some(10) }),
            ("f", MetadataSettings::Float { min: None, max: Some(1.0) }),
        ]
    }

    fn check_meta(metadata: Value, allow_extra: bool) -> Result<(), Invalid> {
        let all = meta_props();
        let props: Vec<MetadataRef<'_>> = all.iter().map(|(name, settings)| MetadataRef { name, settings }).collect();
        let map = metadata.as_object().cloned().unwrap_or_default();
        check_metadata(&map, &props, allow_extra, "d-1")
    }

    #[test]
    fn metadata_rules() {
        for (metadata, allow_extra) in [
            (json!({}), false),
            (json!({"split": "train", "n": 10, "f": 0.5}), false),
            (json!({"split": ["train", "test"], "n": 0, "f": -3.5}), false),
            (json!({"split": null, "n": null, "f": null}), false),
            (json!({"n": true}), false),
            (json!({"other": {"anything": [1]}}), true),
        ] {
            assert_eq!(check_meta(metadata.clone(), allow_extra), Ok(()), "{metadata}");
        }
        let cases: Vec<(Value, bool, &str)> = vec![
            (
                json!({"split": "dev"}),
                true,
                "metadata is not valid: 'split' metadata property validation failed because 'dev' is not an allowed term.",
            ),
            (
                json!({"split": ["train", "val"]}),
                true,
                "metadata is not valid: 'split' metadata property validation failed because 'val' is not an allowed term.",
            ),
            (
                json!({"n": 1.5}),
                true,
                "metadata is not valid: 'n' metadata property validation failed because '1.5' is not an integer.",
            ),
            (
                json!({"n": 11}),
                true,
                "metadata is not valid: 'n' metadata property validation failed because '11' is greater than the maximum value of '10'.",
            ),
            (
                json!({"n": -1}),
                true,
                "metadata is not valid: 'n' metadata property validation failed because '-1' is less than the minimum value of '0'.",
            ),
            (
                json!({"f": 5}),
                true,
                "metadata is not valid: 'f' metadata property validation failed because '5' is not a float.",
            ),
            (
                json!({"f": 1.5}),
                true,
                "metadata is not valid: 'f' metadata property validation failed because '1.5' is greater than the maximum value of '1'.",
            ),
            (
                json!({"n": 1, "extra": 1}),
                false,
                "metadata is not valid: 'extra' metadata property does not exists for dataset 'd-1' and extra metadata is not allowed for this dataset",
            ),
            (
                json!({"extra": null}),
                false,
                "metadata is not valid: 'extra' metadata property does not exists for dataset 'd-1' and extra metadata is not allowed for this dataset",
            ),
            // Keys are checked in input order.
            (
                json!({"extra": 1, "n": 99}),
                false,
                "metadata is not valid: 'extra' metadata property does not exists for dataset 'd-1' and extra metadata is not allowed for this dataset",
            ),
            (
                json!({"n": 99, "extra": 1}),
                false,
                "metadata is not valid: 'n' metadata property validation failed because '99' is greater than the maximum value of '10'.",
            ),
        ];
        for (metadata, allow_extra, expected) in cases {
            assert_eq!(check_meta(metadata.clone(), allow_extra), Err(Invalid::new(expected)), "{metadata}");
        }
    }

    #[test]
    fn vector_rules() {
        assert_eq!(check_vector("v", &json!([0.5, 1, -2.25]), Some(3), "d"), Ok(vec![0.5, 1.0, -2.25]));
        assert_eq!(check_vector("v", &json!([]), Some(0), "d"), Ok(vec![]));
        // Values are kept as the 64-bit floats the clients send, extremes included.
        assert_eq!(check_vector("v", &json!([1e300, -1e-300]), Some(2), "d"), Ok(vec![1e300, -1e-300]));
        let cases: Vec<(Value, Option<i64>, &str)> = vec![
            (json!([1.0]), None, "vector with name=v does not exist for dataset_id=d"),
            (json!([1.0, 2.0]), Some(3), "vector value for vector name=v must have 3 elements, got 2 elements"),
            (json!([]), Some(1), "vector value for vector name=v must have 1 elements, got 0 elements"),
            (json!([1.0, 2.0]), Some(-1), "vector value for vector name=v must have -1 elements, got 2 elements"),
            (json!("1,2"), Some(2), "vector value for vector name=v must be a list of numbers"),
            (json!(null), Some(2), "vector value for vector name=v must be a list of numbers"),
            (json!([1.0, "2"]), Some(2), "vector value for vector name=v must be a list of numbers"),
            (json!([1.0, true]), None, "vector value for vector name=v must be a list of numbers"),
        ];
        for (value, dims, expected) in cases {
            assert_eq!(check_vector("v", &value, dims, "d"), Err(Invalid::new(expected)), "{value} {dims:?}");
        }
    }

    #[test]
    fn url_split_matches_python() {
        let parts = |scheme: &str, netloc: &str, path: &str| {
            Some(UrlParts { scheme: scheme.to_owned(), netloc: netloc.to_owned(), path: path.to_owned() })
        };
        assert_eq!(url_split("HTTP://Host.com/p;x?q#f"), parts("http", "Host.com", "/p;x"));
        assert_eq!(url_split("\u{0} \thttps://h\n/p"), parts("https", "h", "/p"));
        assert_eq!(url_split("data:image/png;base64,AA=="), parts("data", "", "image/png;base64,AA=="));
        assert_eq!(url_split("1http://h/p"), parts("", "", "1http://h/p"));
        assert_eq!(url_split("//h/p"), parts("", "h", "/p"));
        assert_eq!(url_split("http://h#/p"), parts("http", "h", ""));
        assert_eq!(url_split("http://[::1"), None);
        assert_eq!(data_url_mime("Data:Image/PNG;x=y,abc"), Some("Image/PNG".to_owned()));
        assert_eq!(data_url_mime("data:abc"), None);
        assert_eq!(data_url_mime("http://x/y"), None);
    }

    #[test]
    fn odd_json_never_panics() {
        let mut deep = json!({"x": 1});
        for _ in 0..300 {
            deep = json!({"x": deep});
        }
        let odd = vec![
            deep.clone(),
            json!([deep]),
            json!(1e308),
            json!(u64::MAX),
            json!(""),
            json!("\u{0}"),
            json!("http://[]/"),
            json!("http://[v]/"),
            json!("http://[v.]/"),
            json!("http://@[::1]:/x"),
            json!("data:;,"),
            json!("data:,"),
            json!("😀://x/y"),
            json!("h😀p://x/y"),
            json!("data:😀/😀,x"),
            json!(":"),
            json!("//"),
            json!([[]]),
            json!([{}]),
            json!([null]),
        ];
        for value in &odd {
            for key in ["text", "image", "chat", "custom", "notes", "zzz"] {
                let _ = check(json!({"text": "t", key: value.clone()}));
                let _ = check(json!({ key: value.clone() }));
            }
            let _ = check_vector("v", value, Some(1), "d");
            let _ = check_meta(json!({"split": value.clone(), "n": value.clone(), "f": value.clone()}), false);
        }
    }
}
