//! Tests of the search body parser, the legacy parameters and the simple query string.

use serde_json::json;

use super::*;
use crate::error::Loc;

#[test]
fn legacy_query_parameters_become_filters_and_sorts() {
    let kind = |name: &str| match name {
        "src" => Some(PropertyKind::Terms),
        "n" => Some(PropertyKind::Integer),
        _ => None,
    };
    let strings = |items: &[&str]| items.iter().map(|it| (*it).to_owned()).collect::<Vec<_>>();
    let (filters, sort) = legacy_query(
        &strings(&["pending", "draft"]),
        &strings(&["src:web,book", r#"n:{"ge": 2, "le": 5}"#, "unknown:x"]),
        &strings(&["metadata.n:desc", "inserted_at"]),
        "d",
        kind,
    )
    .unwrap();
    assert_eq!(filters.len(), 3, "unknown properties are ignored: {filters:?}");
    assert_eq!(
        filters[1],
        Filter::Terms { scope: Scope::Metadata("src".into()), values: vec![json!("web"), json!("book")] }
    );
    assert_eq!(
        filters[2],
        Filter::Range { scope: Scope::Metadata("n".into()), ge: Some(json!(2)), le: Some(json!(5)) }
    );
    assert_eq!(sort[0], Sort { scope: Scope::Metadata("n".into()), descending: true });
    assert_eq!(sort[1], Sort { scope: Scope::Record(RecordProperty::InsertedAt), descending: false });
    // The legacy SDK on Python >= 3.11 sends the order enum's name.
    let (_, sort) =
        legacy_query(&[], &[], &strings(&["metadata.n:SortOrder.desc", "updated_at:SortOrder.asc"]), "d", kind)
            .unwrap();
    assert_eq!(sort[0], Sort { scope: Scope::Metadata("n".into()), descending: true });
    assert_eq!(sort[1], Sort { scope: Scope::Record(RecordProperty::UpdatedAt), descending: false });
    for (status, metadata, sort_by, message) in [
        (vec!["maybe"], vec![], vec![], "'maybe' is not a valid response status"),
        (vec![], vec!["n:notjson"], vec![], "Cannot parse provided metadata filters: n:notjson"),
        (vec![], vec!["src"], vec![], "Cannot parse provided metadata filters: src"),
        (vec![], vec![], vec!["title"], "Provided sort field in 'sort_by' query param 'title' is not valid."),
        (vec![], vec![], vec!["metadata.nope"], "'nope' not found in dataset with 'd'"),
        (vec![], vec![], vec!["updated_at:up"], "sort order in 'sort_by' query param 'up'"),
    ] {
        let err = legacy_query(&strings(&status), &strings(&metadata), &strings(&sort_by), "d", kind).unwrap_err();
        assert!(err.0.contains(message), "{} does not contain {message}", err.0);
    }
}

#[test]
fn simple_query_strings_translate() {
    for (q, fts) in [
        ("hello", Some("\"hello\"")),
        ("hello world", Some("\"hello\" AND \"world\"")),
        ("hello | world", Some("(\"hello\" OR \"world\")")),
        ("hello -world", Some("(\"hello\") NOT (\"world\")")),
        ("\"hello world\"", Some("\"hello world\"")),
        ("hel*", Some("\"hel\"*")),
        ("(a | b) c", Some("(\"a\" OR \"b\") AND \"c\"")),
        ("a (b -c)", Some("\"a\" AND ((\"b\") NOT (\"c\"))")),
        ("fuzzy~2", Some("\"fuzzy\"")),
        ("it's \"quoted\"\"", Some("\"it's\" AND \"quoted\"")),
        ("   ", None),
        ("-only", None),
        ("日本語 café 🎉", Some("\"日本語\" AND \"café\" AND \"🎉\"")),
    ] {
        assert_eq!(to_fts5(q).as_deref(), fts, "{q}");
    }
}

#[test]
fn texts_fold_like_the_sqlite_tokenizer() {
    assert_eq!(fold_text("Café CRÈME Ångström"), "cafe creme angstrom");
    assert_eq!(fold_text("日本語 🎉 naïve"), "日本語 🎉 naive");
}

#[test]
fn search_body_parses_sdk_shape() {
    let body = json!({"query": {"text": {"q": "x", "field": null}, "vector": null},
        "filters": {"type": "and", "and": [{"type": "terms", "values": ["pending"], "scope": {"entity": "record", "property": "status"}}]}});
    let res = parse_search(&body, &[Loc::from("body")]).unwrap();
    assert_eq!(res.text, Some(TextQuery { q: "x".into(), field: None }));
    assert_eq!(
        res.filters,
        vec![Filter::Terms { scope: Scope::Record(RecordProperty::Status), values: vec![json!("pending")] }]
    );
}

#[test]
fn bad_search_bodies_are_rejected() {
    for bad in [
        json!({"filters": {"and": []}}),
        json!({"filters": {"and": [{"type": "range", "scope": {"entity": "metadata", "metadata_property": "m"}}]}}),
        json!({"filters": {"and": [{"type": "range", "ge": 5, "le": 1, "scope": {"entity": "metadata", "metadata_property": "m"}}]}}),
        json!({"filters": {"and": [{"type": "terms", "values": ["a"], "scope": {"entity": "response"}}]}}),
        json!({"query": {"vector": {"name": "v"}}}),
        json!({"query": {"vector": {"name": "v", "value": [], "record_id": null}}}),
        json!({"sort": [{"scope": {"entity": "record", "property": "nope"}, "order": "asc"}]}),
    ] {
        assert!(parse_search(&bad, &[Loc::from("body")]).is_err(), "{bad}");
    }
}
