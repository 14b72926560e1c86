//! Tests of record validation: fields, image URLs, metadata and vectors.

use serde_json::{json, Map, Value};

use super::image::{data_url_mime, url_split, UrlParts};
use super::*;
use crate::error::{Invalid, Loc, Rejection, SchemaError};
use crate::settings::{FieldSettings, MetadataSettings};

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
    let bad_mime =
        format!("image field 'image' value is using an unsupported MIME type, supported MIME types are: {MIME_LIST}");
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
