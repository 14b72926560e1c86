//! Metadata properties and vector settings (api.md §8–§9), settings held in memory by replicas,
//! and metadata property metrics; the draft dataset they start from is `settings.rs`'s.

use serde_json::{json, Value};

use crate::common::*;
use crate::settings::draft;

// Metadata properties ------------------------------------------------------------------------

#[tokio::test]
async fn metadata_properties_crud_and_visibility() {
    let c = draft().await;
    let ann = c.app.member("ann", "annotator", &[&c.ws]).await;
    let adm = c.app.member("adm", "admin", &[&c.ws]).await;
    let cases = [
        (
            json!({"type": "terms", "values": null, "visible_for_annotators": true}),
            json!({"type": "terms", "values": null}),
        ),
        (json!({"type": "terms", "values": ["x", 1, true]}), json!({"type": "terms", "values": ["x", 1, true]})),
        (json!({"type": "integer", "min": 1, "max": 5}), json!({"type": "integer", "min": 1, "max": 5})),
        (json!({"type": "float"}), json!({"type": "float", "min": null, "max": null})),
    ];
    for (i, (settings, expected)) in cases.into_iter().enumerate() {
        let body = json!({"id": null, "name": format!("m{i}"), "title": "T", "settings": settings,
                          "visible_for_annotators": i != 1, "dataset_id": c.ds});
        let (status, prop) = c.post("metadata-properties", body).await;
        assert_eq!(status, 201, "{prop}");
        assert_eq!(prop["settings"], expected);
        assert_eq!(prop["visible_for_annotators"], i != 1);
    }
    // Default visibility is true.
    let (_, prop) =
        c.post("metadata-properties", json!({"name": "m4", "title": "T", "settings": {"type": "float"}})).await;
    assert_eq!(prop["visible_for_annotators"], true);

    let path = format!("/api/v1/me/datasets/{}/metadata-properties", c.ds);
    let names = |v: &Value| -> Vec<String> {
        v["items"].as_array().unwrap().iter().map(|it| it["name"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(names(&c.app.read(&path).await), ["m0", "m1", "m2", "m3", "m4"]);
    assert_eq!(names(&c.app.get(&adm.key, &path).await.1), ["m0", "m1", "m2", "m3", "m4"]);
    assert_eq!(names(&c.app.get(&ann.key, &path).await.1), ["m0", "m2", "m3", "m4"]);

    // Errors.
    let reply = c.post("metadata-properties", json!({"name": "m0", "title": "T", "settings": {"type": "float"}})).await;
    assert_eq!(
        reply,
        (409, detail(format!("Metadata property with name `m0` already exists for dataset with id `{}`", c.ds)))
    );
    for body in [
        json!({"name": "x", "title": "T", "settings": {"type": "integer", "min": 5, "max": 5}}),
        json!({"name": "x", "title": "T", "settings": {"type": "float", "min": 2.0, "max": 1.0}}),
        json!({"name": "x", "title": "T", "settings": {"type": "terms", "values": []}}),
        json!({"name": "x", "title": "T", "settings": {"type": "date"}}),
        json!({"name": "x", "title": "T", "settings": {"type": "float"}, "visible_for_annotators": null}),
        json!({"name": "x", "settings": {"type": "float"}}),
    ] {
        let (status, res) = c.post("metadata-properties", body.clone()).await;
        assert_eq!(status, 422, "{body}: {res}");
        assert_eq!(code(&res), "argilla.api.errors::ValidationError", "{body}");
    }

    // Update: absent visibility stays unchanged.
    let id = c.app.read(&path).await["items"][1]["id"].as_str().unwrap().to_owned();
    let prop_path = format!("/api/v1/metadata-properties/{id}");
    let (status, prop) = c.app.patch(&c.app.owner.key, &prop_path, json!({"title": "New"})).await;
    assert_eq!(status, 200, "{prop}");
    assert_eq!(prop["title"], "New");
    assert_eq!(prop["visible_for_annotators"], false);
    let (_, prop) = c
        .app
        .patch(&c.app.owner.key, &prop_path, json!({"visible_for_annotators": true, "settings": {"type": "float"}}))
        .await;
    assert_eq!(prop["visible_for_annotators"], true);
    assert_eq!(prop["settings"]["type"], "terms", "settings are not updatable");
    let (status, _) = c.app.patch(&c.app.owner.key, &prop_path, json!({"visible_for_annotators": null})).await;
    assert_eq!(status, 422);

    // Published datasets accept new properties; delete works in any status.
    c.app.add_field(&c.ds, "text", true).await;
    c.app.add_question(&c.ds, "q", true, label_settings(&["a", "b"])).await;
    c.app.publish(&c.ds).await;
    let (status, _) =
        c.post("metadata-properties", json!({"name": "late", "title": "T", "settings": {"type": "float"}})).await;
    assert_eq!(status, 201);
    let (status, deleted) = c.app.delete(&c.app.owner.key, &prop_path).await;
    assert_eq!(status, 200);
    assert_eq!(deleted["name"], "m1");
    let reply = c.app.delete(&c.app.owner.key, &prop_path).await;
    assert_eq!(reply, (404, detail(format!("MetadataProperty with id `{id}` not found"))));
}

// Vector settings ----------------------------------------------------------------------------

#[tokio::test]
async fn vector_settings_crud_and_limit() {
    let c = draft().await;
    for i in 0..5 {
        let (status, vs) =
            c.post("vectors-settings", json!({"name": format!("v{i}"), "title": "T", "dimensions": 3})).await;
        assert_eq!(status, 201, "{vs}");
        assert_eq!(vs["dimensions"], 3);
    }
    let reply = c.post("vectors-settings", json!({"name": "v5", "title": "T", "dimensions": 3})).await;
    assert_eq!(
        reply,
        (422, detail(format!("The maximum number of vector settings has been reached for dataset with id `{}`", c.ds)))
    );
    let list = c.list("vectors-settings").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 5);
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/vectors-settings/{id}");

    let (status, vs) = c.app.patch(&c.app.owner.key, &path, json!({"title": "New", "dimensions": 99})).await;
    assert_eq!(status, 200, "{vs}");
    assert_eq!(vs["title"], "New");
    assert_eq!(vs["dimensions"], 3);
    let (status, _) = c.app.patch(&c.app.owner.key, &path, json!({})).await;
    assert_eq!(status, 422, "title is required");

    let (status, _) = c.app.delete(&c.app.owner.key, &path).await;
    assert_eq!(status, 200);
    let reply = c.app.delete(&c.app.owner.key, &path).await;
    assert_eq!(reply, (404, detail(format!("VectorSettings with id `{id}` not found"))));

    let reply = c.post("vectors-settings", json!({"name": "v1", "title": "T", "dimensions": 3})).await;
    assert_eq!(
        reply,
        (409, detail(format!("Vector settings with name `v1` already exists for dataset with id `{}`", c.ds)))
    );
    for body in [
        json!({"name": "x", "title": "T", "dimensions": 0}),
        json!({"name": "x", "title": "T", "dimensions": "3"}),
        json!({"name": "x", "title": "T"}),
        json!({"name": "x", "dimensions": 2}),
    ] {
        let (status, res) = c.post("vectors-settings", body.clone()).await;
        assert_eq!(status, 422, "{body}: {res}");
        assert_eq!(code(&res), "argilla.api.errors::ValidationError", "{body}");
    }
    assert_eq!(c.list("vectors-settings").await["items"].as_array().unwrap().len(), 4);
}

// Settings held in memory --------------------------------------------------------------------

/// Each replica keeps the settings of the datasets it serves in memory (`SchemaCache`), checked
/// against the dataset's settings version at every request: a change made through another
/// replica must be in force on this one at once.
#[tokio::test]
async fn a_settings_change_through_one_replica_is_in_force_on_another_at_once() {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.simple_dataset(&ws, "cached").await;
    let logged = app.log(&ds, vec![json!({"fields": {"text": "a"}, "metadata": {"source": "web"}})]).await;
    let record = logged[0]["id"].as_str().unwrap().to_owned();
    let other = app.replica(loam_service::DEFAULT_VECTOR_CACHE_BYTES).await;
    let search = |router: &axum::Router| {
        let body = json!({"filters": {"and": [{"type": "terms", "values": ["web"],
                          "scope": {"entity": "metadata", "metadata_property": "source"}}]}});
        let req = request("POST", &format!("/api/v1/datasets/{ds}/records/search"), &app.owner.key, Some(body));
        let router = router.clone();
        async move { send_to(&router, req).await }
    };
    let record_on = |router: &axum::Router| {
        let req = request("GET", &format!("/api/v1/records/{record}"), &app.owner.key, None);
        let router = router.clone();
        async move { send_to(&router, req).await }
    };

    // The other replica reads (and keeps) the settings without the property.
    let (status, body) = search(&other).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("source"), "{body}");

    let property = app.add_metadata(&ds, "source", json!({"type": "terms"}), true).await;
    let (status, body) = search(&other).await;
    assert_eq!(status, 200, "the new property is known at once: {body}");
    assert_eq!(body["total"], 1);
    let (status, body) = record_on(&other).await;
    assert_eq!((status, &body["metadata"]["source"]), (200, &json!("web")), "{body}");

    // Hidden from annotators: an annotator reading through the other replica no longer sees it.
    let annotator = app.member("cached-annotator", "annotator", &[&ws]).await;
    let me_search = |router: &axum::Router| {
        let req = request("POST", &format!("/api/v1/me/datasets/{ds}/records/search"), &annotator.key, Some(json!({})));
        let router = router.clone();
        async move { send_to(&router, req).await }
    };
    let (status, body) = me_search(&other).await;
    assert_eq!((status, &body["items"][0]["record"]["metadata"]["source"]), (200, &json!("web")), "{body}");
    app.expect(
        "PATCH",
        &format!("/api/v1/metadata-properties/{property}"),
        Some(json!({"visible_for_annotators": false})),
        200,
    )
    .await;
    let (status, body) = me_search(&other).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["items"][0]["record"]["metadata"].get("source").is_none(), "{body}");

    app.expect("DELETE", &format!("/api/v1/metadata-properties/{property}"), None, 200).await;
    let (status, body) = search(&other).await;
    assert_eq!(status, 422, "the deleted property is unknown at once: {body}");
}

/// A terms property's metrics as the reference answers them (checked against argilla-server 2.8
/// on the same records): `total` counts values, each record's distinct terms (a list counts each
/// of its terms), not distinct terms; each term counts the records that hold it; most frequent
/// first, ties by the term's text in byte order. Numeric properties report their range.
#[tokio::test]
async fn metadata_metrics_count_values_per_record_like_the_reference() {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.create_dataset(&ws, "metrics").await;
    app.add_field(&ds, "text", true).await;
    app.add_question(&ds, "label", true, label_settings(&["a", "b"])).await;
    let tag = app.add_metadata(&ds, "tag", json!({"type": "terms"}), true).await;
    let n = app.add_metadata(&ds, "n", json!({"type": "integer"}), true).await;
    app.publish(&ds).await;
    let metrics = |id: &str| {
        let path = format!("/api/v1/metadata-properties/{id}/metrics");
        let app = &app;
        async move { app.read(&path).await }
    };
    assert_eq!(metrics(&tag).await, json!({"type": "terms", "total": 0, "values": []}));
    assert_eq!(metrics(&n).await, json!({"type": "integer", "min": null, "max": null}));
    let metadata = [
        json!({"tag": "a", "n": 3}),
        json!({"tag": ["a", "b"]}),
        json!({"tag": ["b", "c"], "n": -2}),
        json!({"tag": "c"}),
        json!({"tag": "a"}),
        json!({"other": 1}),
        json!({"tag": ["x", "x"]}),
        json!({"tag": []}),
        json!({"tag": null}),
        json!({"tag": ["B", "A", null]}),
    ];
    let items = metadata.iter().map(|m| json!({"fields": {"text": "t"}, "metadata": m})).collect();
    app.log(&ds, items).await;
    assert_eq!(
        metrics(&tag).await,
        json!({"type": "terms", "total": 10, "values": [
            {"term": "a", "count": 3},
            {"term": "b", "count": 2},
            {"term": "c", "count": 2},
            {"term": "A", "count": 1},
            {"term": "B", "count": 1},
            {"term": "x", "count": 1},
        ]})
    );
    assert_eq!(metrics(&n).await, json!({"type": "integer", "min": -2, "max": 3}));
}
