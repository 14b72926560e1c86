//! What annotators may see and write (policy.rs): metadata hidden from annotators stays hidden on
//! every route that returns records or takes a metadata name; annotators see their own responses
//! only, unless the dataset opts in (`responses_visible_for_annotators`, a loam extension); and
//! a response attributed to another user is written by owners only. Owners and admins keep
//! seeing everything.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::common::*;

struct World {
    app: TestApp,
    ds: String,
    admin: TestUser,
    ann: TestUser,
    ann2: TestUser,
    /// Record 0: metadata `topic` x, `secret` 1, `loose` l1; responses of the owner, `ann`, `ann2`.
    /// Record 1: `topic` y, `secret` 2; no responses.
    records: Vec<String>,
    topic: String,
    secret: String,
}

/// A dataset with a visible terms property `topic`, a hidden integer property `secret`, extra
/// metadata allowed (`loose` belongs to no property) and a 2-d vector setting `emb`.
async fn world() -> World {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let admin = app.member("adm", "admin", &[&ws]).await;
    let ann = app.member("ann", "annotator", &[&ws]).await;
    let ann2 = app.member("ann2", "annotator", &[&ws]).await;
    let ds = app.create_dataset(&ws, "blind").await;
    app.add_field(&ds, "text", true).await;
    app.add_question(&ds, "label", true, label_settings(&["a", "b"])).await;
    let topic = app.add_metadata(&ds, "topic", json!({"type": "terms", "values": ["x", "y"]}), true).await;
    let secret = app.add_metadata(&ds, "secret", json!({"type": "integer"}), false).await;
    let body = json!({"name": "emb", "title": "emb", "dimensions": 2});
    app.expect("POST", &format!("/api/v1/datasets/{ds}/vectors-settings"), Some(body), 201).await;
    app.publish(&ds).await;
    let items = vec![
        json!({"fields": {"text": "one"}, "metadata": {"topic": "x", "secret": 1, "loose": "l1"},
               "vectors": {"emb": [1.0, 0.0]},
               "responses": [{"user_id": app.owner.id, "status": "submitted", "values": {"label": {"value": "a"}}}]}),
        json!({"fields": {"text": "two"}, "metadata": {"topic": "y", "secret": 2}, "vectors": {"emb": [0.0, 1.0]}}),
    ];
    let records: Vec<String> =
        app.log(&ds, items).await.iter().map(|it| it["id"].as_str().unwrap().to_owned()).collect();
    for user in [&ann, &ann2] {
        let body = json!({"status": "submitted", "values": {"label": {"value": "b"}}});
        app.expect_as(&user.key, "POST", &format!("/api/v1/records/{}/responses", records[0]), Some(body), 201).await;
    }
    World { app, ds, admin, ann, ann2, records, topic, secret }
}

/// The authors of a record's responses.
fn authors(record: &Value) -> BTreeSet<String> {
    record["responses"].as_array().unwrap().iter().map(|it| it["user_id"].as_str().unwrap().to_owned()).collect()
}

fn ids(users: &[&str]) -> BTreeSet<String> {
    users.iter().map(|it| (*it).to_owned()).collect()
}

fn metadata_filter(name: &str) -> Value {
    json!({"filters": {"and": [{"type": "range", "scope": {"entity": "metadata", "metadata_property": name}, "ge": 2}]}})
}

fn metadata_sort(name: &str) -> Value {
    json!({"sort": [{"scope": {"entity": "metadata", "metadata_property": name}, "order": "desc"}]})
}

impl World {
    fn me_search(&self) -> String {
        format!("/api/v1/me/datasets/{}/records/search", self.ds)
    }

    fn not_found(&self, name: &str) -> Value {
        detail(format!("MetadataProperty not found filtering by name={name}, dataset_id={}", self.ds))
    }

    async fn record_as(&self, user: &TestUser, idx: usize) -> Value {
        self.app.expect_as(&user.key, "GET", &format!("/api/v1/records/{}", self.records[idx]), None, 200).await
    }

    async fn record_count(&self) -> Value {
        self.app.read(&format!("/api/v1/datasets/{}/records?limit=1", self.ds)).await["total"].clone()
    }
}

#[tokio::test]
async fn an_annotator_reads_a_record_with_their_own_responses_and_visible_metadata() {
    let w = world().await;
    let record = w.record_as(&w.ann, 0).await;
    assert_eq!(authors(&record), ids(&[&w.ann.id]), "{record}");
    assert_eq!(record["metadata"], json!({"topic": "x"}), "hidden and property-less keys are removed");
    // A record without hidden keys keeps what it has; one with no metadata keeps null.
    assert_eq!(w.record_as(&w.ann2, 1).await["metadata"], json!({"topic": "y"}));
    assert_eq!(authors(&w.record_as(&w.ann2, 0).await), ids(&[&w.ann2.id]));
    // Owners and admins see every response and every key.
    let everyone = ids(&[&w.app.owner.id, &w.ann.id, &w.ann2.id]);
    let all_keys = json!({"topic": "x", "secret": 1, "loose": "l1"});
    for key in [&w.app.owner.key, &w.admin.key] {
        let record = w.app.expect_as(key, "GET", &format!("/api/v1/records/{}", w.records[0]), None, 200).await;
        assert_eq!(authors(&record), everyone);
        assert_eq!(record["metadata"], all_keys);
    }
    // The /me search carries the same for annotators, and only the caller's responses for anyone.
    let path = format!("{}?include=responses", w.me_search());
    for (user, keys) in [(&w.ann, json!({"topic": "x"})), (&w.admin, all_keys.clone())] {
        let page = w.app.expect_as(&user.key, "POST", &path, Some(json!({})), 200).await;
        let first = page["items"].as_array().unwrap().iter().find(|it| it["record"]["id"] == w.records[0].as_str());
        let first = &first.unwrap()["record"];
        assert_eq!(first["metadata"], keys);
        let mine: BTreeSet<String> = if user.id == w.admin.id { BTreeSet::new() } else { ids(&[&user.id]) };
        assert_eq!(authors(first), mine);
    }
}

#[tokio::test]
async fn a_dataset_that_opts_in_shows_every_response_to_annotators() {
    let w = world().await;
    let path = format!("/api/v1/datasets/{}", w.ds);
    let key = "responses_visible_for_annotators";
    // Off by default, rendered on every dataset.
    assert_eq!(w.app.read(&path).await[key], false);
    let mine = w.app.expect_as(&w.ann.key, "GET", "/api/v1/me/datasets", None, 200).await;
    assert_eq!(mine["items"][0][key], false);
    // Annotators may not change it; null is refused; owners and admins set it.
    let reply = w.app.patch(&w.ann.key, &path, json!({key: true})).await;
    assert_eq!(reply, (403, forbidden()));
    let (status, body) = w.app.patch(&w.admin.key, &path, json!({key: null})).await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = w.app.patch(&w.admin.key, &path, json!({key: "yes"})).await;
    assert_eq!((status, locs(&body)), (422, vec![json!(["body", key])]), "{body}");
    let updated = w.app.expect_as(&w.admin.key, "PATCH", &path, Some(json!({key: true})), 200).await;
    assert_eq!(updated[key], true);
    assert_eq!(w.app.read(&path).await["guidelines"], Value::Null, "nothing else changed");

    let everyone = ids(&[&w.app.owner.id, &w.ann.id, &w.ann2.id]);
    let record = w.record_as(&w.ann, 0).await;
    assert_eq!(authors(&record), everyone);
    assert_eq!(record["metadata"], json!({"topic": "x"}), "metadata stays hidden");
    // The /me search stays the caller's own view (Argilla's UI reads responses[0] as theirs).
    let page = w
        .app
        .expect_as(&w.ann.key, "POST", &format!("{}?include=responses", w.me_search()), Some(json!({})), 200)
        .await;
    for item in page["items"].as_array().unwrap() {
        assert!(authors(&item["record"]).iter().all(|it| it == &w.ann.id), "{item}");
    }
    // Back off: blind again.
    w.app.expect("PATCH", &path, Some(json!({key: false})), 200).await;
    assert_eq!(authors(&w.record_as(&w.ann, 0).await), ids(&[&w.ann.id]));
    // A dataset can be created with it on.
    let ws = w.app.default_workspace().await;
    let body = json!({"name": "open", "workspace_id": ws, key: true});
    assert_eq!(w.app.expect("POST", "/api/v1/datasets", Some(body), 201).await[key], true);
}

#[tokio::test]
async fn annotators_cannot_filter_sort_or_measure_hidden_metadata() {
    let w = world().await;
    let search = w.me_search();
    // A hidden property answers exactly like one that does not exist, as does a key of no property.
    for name in ["secret", "nosuch", "loose"] {
        let reply = w.app.post(&w.ann.key, &search, metadata_filter(name)).await;
        assert_eq!(reply, (422, w.not_found(name)), "filter on {name}");
        let reply = w.app.post(&w.ann.key, &search, metadata_sort(name)).await;
        assert_eq!(reply, (422, w.not_found(name)), "sort on {name}");
        let mut similar = metadata_filter(name);
        similar["query"] = json!({"vector": {"name": "emb", "value": [1.0, 0.0]}});
        let reply = w.app.post(&w.ann.key, &search, similar).await;
        assert_eq!(reply, (422, w.not_found(name)), "similarity filtered on {name}");
    }
    // The legacy parameters: a filter on an unknown property is ignored, a sort refused.
    for name in ["secret", "nosuch"] {
        let path = format!("{search}?metadata={name}:%7B%22ge%22:2%7D");
        let page = w.app.expect_as(&w.ann.key, "POST", &path, Some(json!({})), 200).await;
        assert_eq!(page["total"], 2, "{name}: ignored like an unknown property");
        let reply = w.app.post(&w.ann.key, &format!("{search}?sort_by=metadata.{name}:desc"), json!({})).await;
        let msg = format!(
            "Provided metadata property in 'sort_by' query param '{name}' not found in dataset with '{}'.",
            w.ds
        );
        assert_eq!(reply, (422, detail(msg)));
    }
    // Visible properties still work for annotators.
    let page = w
        .app
        .expect_as(
            &w.ann.key,
            "POST",
            &search,
            Some(json!({"filters": {"and": [{"type": "terms",
            "scope": {"entity": "metadata", "metadata_property": "topic"}, "values": ["y"]}]}})),
            200,
        )
        .await;
    assert_eq!(page["total"], 1);
    // Admins and owners filter and sort on hidden properties, on /me and on the managers' search.
    for user in [&w.admin, &w.app.owner] {
        for path in [search.clone(), format!("/api/v1/datasets/{}/records/search", w.ds)] {
            let page = w.app.expect_as(&user.key, "POST", &path, Some(metadata_filter("secret")), 200).await;
            assert_eq!(page["total"], 1, "{path}");
            assert_eq!(page["items"][0]["record"]["id"], w.records[1].as_str());
            let page = w.app.expect_as(&user.key, "POST", &path, Some(metadata_sort("secret")), 200).await;
            assert_eq!(page["items"][0]["record"]["id"], w.records[1].as_str());
        }
    }
    // Metrics: the reference's 403 on a hidden property; visible ones answer.
    let metrics = |id: &str| format!("/api/v1/metadata-properties/{id}/metrics");
    assert_eq!(w.app.get(&w.ann.key, &metrics(&w.secret)).await, (403, forbidden()));
    check(&w.app.get(&w.ann.key, &metrics(&w.topic)).await, 200);
    let res = w.app.expect_as(&w.admin.key, "GET", &metrics(&w.secret), None, 200).await;
    assert_eq!(res, json!({"type": "integer", "min": 1, "max": 2}));
    // The property list: annotators see the visible ones only.
    let names = |res: &Value| -> Vec<String> {
        res["items"].as_array().unwrap().iter().map(|it| it["name"].as_str().unwrap().to_owned()).collect()
    };
    let path = format!("/api/v1/me/datasets/{}/metadata-properties", w.ds);
    assert_eq!(names(&w.app.expect_as(&w.ann.key, "GET", &path, None, 200).await), ["topic"]);
    assert_eq!(names(&w.app.expect_as(&w.admin.key, "GET", &path, None, 200).await), ["topic", "secret"]);
    // Records listings (and so exports through the SDKs) are for owners and admins only.
    let path = format!("/api/v1/datasets/{}/records?include=responses", w.ds);
    assert_eq!(w.app.get(&w.ann.key, &path).await, (403, forbidden()));
}

#[tokio::test]
async fn responses_attributed_to_other_users_are_written_by_owners_only() {
    let w = world().await;
    let bulk = format!("/api/v1/datasets/{}/records/bulk", w.ds);
    let legacy = format!("/api/v1/datasets/{}/records", w.ds);
    let answer = |user: &str, value: &str| json!({"user_id": user, "status": "submitted", "values": {"label": {"value": value}}});
    let refused = |idx: usize, user: &str, upsert: bool| {
        let unchanged = if upsert { " (another user's stored response may be sent back unchanged)" } else { "" };
        json!({"detail": {"code": "argilla.api.errors::ForbiddenOperationError", "params": {"detail": format!(
            "Only owners may write responses attributed to other users: the record at position {idx} has a response by user `{user}`{unchanged}"
        )}}})
    };
    let before = w.record_count().await;

    // An admin creates records with their own responses, not with anyone else's.
    let own = json!({"items": [{"fields": {"text": "mine"}, "responses": [answer(&w.admin.id, "a")]}]});
    check(&w.app.post(&w.admin.key, &bulk, own).await, 201);
    for author in [&w.app.owner.id, &w.ann.id] {
        let items = json!({"items": [{"fields": {"text": "ok"}}, {"fields": {"text": "theirs"}, "responses": [answer(author, "a")]}]});
        assert_eq!(w.app.post(&w.admin.key, &bulk, items.clone()).await, (403, refused(1, author, false)));
        assert_eq!(w.app.put(&w.admin.key, &bulk, items.clone()).await, (403, refused(1, author, true)));
        assert_eq!(w.app.post(&w.admin.key, &legacy, items).await, (403, refused(1, author, false)));
    }
    assert_eq!(w.record_count().await, before.as_i64().unwrap() + 1, "refused calls wrote nothing");

    // Upserting an existing record: another user's new or changed response is refused…
    let record = &w.records[0];
    let stored = w.app.read(&format!("/api/v1/records/{record}")).await;
    let items = json!({"items": [{"id": w.records[1], "responses": [answer(&w.ann.id, "a")]}]});
    assert_eq!(w.app.put(&w.admin.key, &bulk, items).await, (403, refused(0, &w.ann.id, true)));
    let items = json!({"items": [{"id": record, "responses": [answer(&w.ann.id, "a")]}]});
    assert_eq!(w.app.put(&w.admin.key, &bulk, items).await, (403, refused(0, &w.ann.id, true)));
    assert_eq!(w.app.read(&format!("/api/v1/records/{record}")).await, stored);
    // …while the round trip of the v2 SDK (every response read back, the caller's own added)
    // is accepted and leaves the others' responses as they were.
    let mut sent: Vec<Value> = stored["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|it| json!({"user_id": it["user_id"], "status": it["status"], "values": it["values"]}))
        .collect();
    sent.push(answer(&w.admin.id, "b"));
    let items = json!({"items": [{"id": record, "fields": {"text": "one"}, "responses": sent}]});
    let res = w.app.expect_as(&w.admin.key, "PUT", &bulk, Some(items), 200).await;
    let after = &res["items"][0];
    assert_eq!(authors(after), ids(&[&w.app.owner.id, &w.ann.id, &w.ann2.id, &w.admin.id]));
    for old in stored["responses"].as_array().unwrap() {
        let now = after["responses"].as_array().unwrap().iter().find(|it| it["id"] == old["id"]).unwrap();
        assert_eq!(now, old, "untouched, updated_at included");
    }

    // Owners attribute responses to anyone; annotators reach none of these routes.
    let items = json!({"items": [{"fields": {"text": "for ann"}, "responses": [answer(&w.ann.id, "a")]}]});
    let res = w.app.expect("POST", &bulk, Some(items.clone()), 201).await;
    assert_eq!(authors(&res["items"][0]), ids(&[&w.ann.id]));
    let items2 = json!({"items": [{"id": w.records[1], "responses": [answer(&w.ann2.id, "b")]}]});
    w.app.expect("PUT", &bulk, Some(items2), 200).await;
    w.app.expect("POST", &legacy, Some(items.clone()), 204).await;
    assert_eq!(w.app.post(&w.ann.key, &bulk, items).await, (403, forbidden()));
}
