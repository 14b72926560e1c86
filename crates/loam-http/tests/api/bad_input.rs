//! Bad input: each is answered with a 4xx and a clear message, and the stored data is proven
//! unchanged by reading it again.

use serde_json::{json, Value};

use crate::common::*;

pub(crate) struct Ctx {
    pub app: TestApp,
    ws: String,
    pub ds: String,
    label: String,
    pub record: String,
}

/// Workspace `argilla` with a published dataset `ds` (field `text`, question `label`,
/// metadata `n`, vectors `emb`) holding one record.
pub(crate) async fn setup() -> Ctx {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.create_dataset(&ws, "ds").await;
    app.add_field(&ds, "text", true).await;
    let label = app.add_question(&ds, "label", true, label_settings(&["a", "b"])).await;
    app.add_metadata(&ds, "n", json!({"type": "integer"}), true).await;
    app.expect(
        "POST",
        &format!("/api/v1/datasets/{ds}/vectors-settings"),
        Some(json!({"name": "emb", "title": "E", "dimensions": 2})),
        201,
    )
    .await;
    app.publish(&ds).await;
    let record = app.record(&ds, "original").await;
    Ctx { app, ws, ds, label, record }
}

impl Ctx {
    /// Everything stored, as the owner reads it.
    pub(crate) async fn state(&self) -> Vec<Value> {
        let ds = &self.ds;
        let mut out = Vec::new();
        for path in [
            "/api/v1/users".to_owned(),
            "/api/v1/me/workspaces".to_owned(),
            "/api/v1/me/datasets".to_owned(),
            format!("/api/v1/workspaces/{}/users", self.ws),
            format!("/api/v1/datasets/{ds}/fields"),
            format!("/api/v1/datasets/{ds}/questions"),
            format!("/api/v1/me/datasets/{ds}/metadata-properties"),
            format!("/api/v1/datasets/{ds}/vectors-settings"),
            format!("/api/v1/datasets/{ds}/records?include=responses,suggestions,vectors&limit=1000"),
            "/api/v1/webhooks".to_owned(),
        ] {
            out.push(self.app.read(&path).await);
        }
        out
    }
}

#[tokio::test]
async fn malformed_json_is_a_coded_422_and_stores_nothing() {
    let c = setup().await;
    let before = c.state().await;
    let key = c.app.owner.key.clone();
    let ds = &c.ds;
    let record = &c.record;
    for (method, path) in [
        ("POST", "/api/v1/users".to_owned()),
        ("POST", "/api/v1/workspaces".to_owned()),
        ("POST", "/api/v1/datasets".to_owned()),
        ("PATCH", format!("/api/v1/datasets/{ds}")),
        ("POST", format!("/api/v1/datasets/{ds}/fields")),
        ("POST", format!("/api/v1/datasets/{ds}/questions")),
        ("POST", format!("/api/v1/datasets/{ds}/records/bulk")),
        ("PUT", format!("/api/v1/datasets/{ds}/records/bulk")),
        ("POST", format!("/api/v1/datasets/{ds}/records")),
        ("PATCH", format!("/api/v1/records/{record}")),
        ("POST", format!("/api/v1/records/{record}/responses")),
        ("POST", "/api/v1/webhooks".to_owned()),
    ] {
        for body in [r#"{"name": "x","#, "{'name': 'x'}", "not json", r#"{"items": [}"#, ""] {
            let (status, res) = c.app.raw(method, &path, Some(&key), body).await;
            assert_eq!(status, 422, "{method} {path} {body:?}: {res}");
            assert_eq!(code(&res), "argilla.api.errors::ValidationError", "{method} {path}");
            assert_eq!(locs(&res), vec![json!(["body"])], "{method} {path} {body:?}");
            let kind = &res["detail"]["params"]["errors"][0]["type"];
            let expected = if body.is_empty() { "missing" } else { "json_invalid" };
            assert_eq!(kind, expected, "{method} {path} {body:?}");
        }
        // JSON that is not an object.
        for body in ["[]", "42", "\"text\"", "null"] {
            let (status, res) = c.app.raw(method, &path, Some(&key), body).await;
            assert_eq!(status, 422, "{method} {path} {body}: {res}");
            assert_eq!(code(&res), "argilla.api.errors::ValidationError");
        }
    }
    assert_eq!(c.state().await, before);
}

#[tokio::test]
async fn wrong_types_and_missing_keys_are_coded_422_at_their_location() {
    let c = setup().await;
    let before = c.state().await;
    let ds = &c.ds;
    let ws = &c.ws;
    let cases: Vec<(&str, String, Value, Value)> = vec![
        (
            "POST",
            "/api/v1/users".into(),
            json!({"username": ["a"], "first_name": "A", "password": PASSWORD}),
            json!(["body", "username"]),
        ),
        (
            "POST",
            "/api/v1/users".into(),
            json!({"username": "a", "first_name": "A", "password": 12345678}),
            json!(["body", "password"]),
        ),
        ("POST", "/api/v1/workspaces".into(), json!({"name": {"x": 1}}), json!(["body", "name"])),
        ("POST", "/api/v1/workspaces".into(), json!({"name": "x", "id": "not-a-uuid"}), json!(["body", "id"])),
        (
            "POST",
            "/api/v1/datasets".into(),
            json!({"name": "x", "workspace_id": ws, "allow_extra_metadata": "yes"}),
            json!(["body", "allow_extra_metadata"]),
        ),
        (
            "POST",
            "/api/v1/datasets".into(),
            json!({"name": "x", "workspace_id": ws, "metadata": [1]}),
            json!(["body", "metadata"]),
        ),
        ("POST", "/api/v1/datasets".into(), json!({"name": "x", "workspace_id": 5}), json!(["body", "workspace_id"])),
        (
            "POST",
            format!("/api/v1/datasets/{ds}/fields"),
            json!({"name": "f", "title": "T", "required": "no", "settings": {"type": "text"}}),
            json!(["body", "required"]),
        ),
        (
            "POST",
            format!("/api/v1/datasets/{ds}/metadata-properties"),
            json!({"name": "m", "title": "T", "settings": {"type": "integer", "min": "1"}}),
            json!(["body", "settings", "min"]),
        ),
        (
            "POST",
            format!("/api/v1/datasets/{ds}/vectors-settings"),
            json!({"name": "v", "title": "T", "dimensions": 1.5}),
            json!(["body", "dimensions"]),
        ),
        (
            "POST",
            format!("/api/v1/datasets/{ds}/records/bulk"),
            json!({"items": {"fields": {"text": "x"}}}),
            json!(["body", "items"]),
        ),
        (
            "POST",
            format!("/api/v1/datasets/{ds}/records/bulk"),
            json!({"items": [{"fields": {"text": "x"}, "external_id": ["e"]}]}),
            json!(["body", "items", 0, "external_id"]),
        ),
        (
            "POST",
            format!("/api/v1/datasets/{ds}/records/bulk"),
            json!({"items": [{"fields": {"text": "x"}, "vectors": [1, 2]}]}),
            json!(["body", "items", 0, "vectors"]),
        ),
        (
            "POST",
            format!("/api/v1/datasets/{ds}/records/bulk"),
            json!({"items": [{"fields": {"text": "x"}, "suggestions": [{"value": "a"}]}]}),
            json!(["body", "items", 0, "suggestions", 0, "question_id"]),
        ),
        (
            "POST",
            format!("/api/v1/datasets/{ds}/records/bulk"),
            json!({"items": [{"fields": {"text": "x"}, "responses": [{"status": "draft"}]}]}),
            json!(["body", "items", 0, "responses", 0, "user_id"]),
        ),
        ("POST", format!("/api/v1/records/{}/responses", c.record), json!({"status": 1}), json!(["body", "status"])),
        (
            "POST",
            "/api/v1/webhooks".into(),
            json!({"url": "ftp://x", "events": ["dataset.created"]}),
            json!(["body", "url"]),
        ),
        ("POST", "/api/v1/webhooks".into(), json!({"url": "https://x.org", "events": []}), json!(["body", "events"])),
        (
            "POST",
            "/api/v1/webhooks".into(),
            json!({"url": "https://x.org", "events": ["dataset.exploded"]}),
            json!(["body", "events"]),
        ),
    ];
    for (method, path, body, loc) in cases {
        let (status, res) = c.app.call(method, &path, &c.app.owner.key, Some(body.clone())).await;
        assert_eq!(status, 422, "{method} {path} {body}: {res}");
        assert_eq!(code(&res), "argilla.api.errors::ValidationError", "{body}");
        let found = locs(&res);
        assert!(found.contains(&loc), "{body}: expected loc {loc} in {found:?}");
        for error in res["detail"]["params"]["errors"].as_array().unwrap() {
            assert!(!error["msg"].as_str().unwrap().is_empty(), "a message: {error}");
        }
    }
    assert_eq!(c.state().await, before);
}

#[tokio::test]
async fn names_and_titles_over_their_limits() {
    let c = setup().await;
    let before = c.state().await;
    let ds = &c.ds;
    let long_name = "n".repeat(201);
    let long_title = "t".repeat(501);
    let cases: Vec<(String, Value, &str)> = vec![
        ("/api/v1/datasets".into(), json!({"name": long_name, "workspace_id": c.ws}), "name"),
        (
            format!("/api/v1/datasets/{ds}/fields"),
            json!({"name": long_name, "title": "T", "settings": {"type": "text"}}),
            "name",
        ),
        (
            format!("/api/v1/datasets/{ds}/fields"),
            json!({"name": "f", "title": long_title, "settings": {"type": "text"}}),
            "title",
        ),
        (
            format!("/api/v1/datasets/{ds}/questions"),
            json!({"name": long_name, "title": "T", "settings": {"type": "text"}}),
            "name",
        ),
        (
            format!("/api/v1/datasets/{ds}/questions"),
            json!({"name": "q", "title": long_title, "settings": {"type": "text"}}),
            "title",
        ),
        (
            format!("/api/v1/datasets/{ds}/metadata-properties"),
            json!({"name": long_name, "title": "T", "settings": {"type": "float"}}),
            "name",
        ),
        (
            format!("/api/v1/datasets/{ds}/metadata-properties"),
            json!({"name": "m", "title": long_title, "settings": {"type": "float"}}),
            "title",
        ),
        (
            format!("/api/v1/datasets/{ds}/vectors-settings"),
            json!({"name": long_name, "title": "T", "dimensions": 2}),
            "name",
        ),
        (
            format!("/api/v1/datasets/{ds}/vectors-settings"),
            json!({"name": "v", "title": long_title, "dimensions": 2}),
            "title",
        ),
    ];
    for (path, body, key) in cases {
        let (status, res) = c.app.post(&c.app.owner.key, &path, body).await;
        assert_eq!(status, 422, "{path} {key}: {res}");
        let error = &res["detail"]["params"]["errors"][0];
        assert_eq!(error["loc"], json!(["body", key]), "{path}");
        assert_eq!(error["type"], "string_too_long", "{path}");
        let msg = error["msg"].as_str().unwrap();
        let limit = if key == "name" { "200" } else { "500" };
        assert!(msg.contains(limit), "{path}: {msg}");
    }
    // Renames over the limit too.
    let (status, _) =
        c.app.patch(&c.app.owner.key, &format!("/api/v1/datasets/{ds}"), json!({"name": long_name})).await;
    assert_eq!(status, 422);
    let field =
        c.app.read(&format!("/api/v1/datasets/{ds}/fields")).await["items"][0]["id"].as_str().unwrap().to_owned();
    let (status, _) =
        c.app.patch(&c.app.owner.key, &format!("/api/v1/fields/{field}"), json!({"title": long_title})).await;
    assert_eq!(status, 422);
    let (status, _) =
        c.app.patch(&c.app.owner.key, &format!("/api/v1/questions/{}", c.label), json!({"title": long_title})).await;
    assert_eq!(status, 422);
    assert_eq!(c.state().await, before);
}

#[tokio::test]
async fn a_ten_megabyte_field_value_is_refused() {
    let c = setup().await;
    let before = c.state().await;
    let huge = "x".repeat(10 * 1024 * 1024);
    let expected = format!("field 'text' value is too large: {} bytes, the maximum is 5000100 bytes", huge.len());
    let body = json!({"items": [{"fields": {"text": "fine"}}, {"fields": {"text": huge}}]});
    let bulk = format!("/api/v1/datasets/{}/records/bulk", c.ds);
    let reply = c.app.post(&c.app.owner.key, &bulk, body.clone()).await;
    assert_eq!(reply, (422, detail(format!("Record at position 1 is not valid because {expected}"))));
    let reply = c.app.put(&c.app.owner.key, &bulk, body.clone()).await;
    assert_eq!(reply, (422, detail(format!("Record at position 1 is not valid because {expected}"))));
    let reply = c.app.post(&c.app.owner.key, &format!("/api/v1/datasets/{}/records", c.ds), body).await;
    assert_eq!(reply, (422, detail(format!("Record at position 1 is not valid because {expected}"))));
    let reply = c
        .app
        .patch(&c.app.owner.key, &format!("/api/v1/records/{}", c.record), json!({"fields": {"text": huge}}))
        .await;
    assert_eq!(reply, (422, detail(expected)));
    assert_eq!(c.state().await, before);

    // Just under the cap is accepted.
    let big = "y".repeat(5_000_100);
    let (status, res) = c.app.post(&c.app.owner.key, &bulk, json!({"items": [{"fields": {"text": big}}]})).await;
    assert_eq!(status, 201);
    assert_eq!(res["items"][0]["fields"]["text"].as_str().unwrap().len(), 5_000_100);
}

#[tokio::test]
async fn unknown_fields_and_questions_are_named_in_the_error() {
    let c = setup().await;
    let before = c.state().await;
    let bulk = format!("/api/v1/datasets/{}/records/bulk", c.ds);
    let body = json!({"items": [{"fields": {"text": "x", "colour": "red", "size": "L"}}]});
    let reply = c.app.post(&c.app.owner.key, &bulk, body).await;
    assert_eq!(
        reply,
        (422, detail("Record at position 0 is not valid because found fields values for non configured fields: ['colour', 'size']"))
    );
    let reply = c
        .app
        .patch(
            &c.app.owner.key,
            &format!("/api/v1/records/{}", c.record),
            json!({"fields": {"text": "x", "colour": "red"}}),
        )
        .await;
    assert_eq!(reply, (422, detail("found fields values for non configured fields: ['colour']")));
    let reply = c
        .app
        .post(
            &c.app.owner.key,
            &format!("/api/v1/records/{}/responses", c.record),
            json!({"status": "submitted", "values": {"label": {"value": "a"}, "mood": {"value": "ok"}}}),
        )
        .await;
    assert_eq!(reply, (422, detail("found response value for non configured question with name='mood'")));
    let body = json!({"items": [{"fields": {"text": "x"}, "responses": [
        {"user_id": c.app.owner.id, "status": "draft", "values": {"mood": {"value": "ok"}}}]}]});
    let reply = c.app.post(&c.app.owner.key, &bulk, body).await;
    assert_eq!(
        reply,
        (422, detail("Record at position 0 is not valid because record does not have valid responses: found response value for non configured question with name='mood'"))
    );
    // Extra metadata is refused when the dataset does not allow it.
    c.app.patch(&c.app.owner.key, &format!("/api/v1/datasets/{}", c.ds), json!({"allow_extra_metadata": false})).await;
    let before = {
        let mut it = before;
        it[2] = c.app.read("/api/v1/me/datasets").await;
        it
    };
    let body = json!({"items": [{"fields": {"text": "x"}, "metadata": {"free": 1}}]});
    let reply = c.app.post(&c.app.owner.key, &bulk, body).await;
    assert_eq!(
        reply,
        (422, detail(format!("Record at position 0 is not valid because metadata is not valid: 'free' metadata property does not exists for dataset '{}' and extra metadata is not allowed for this dataset", c.ds)))
    );
    assert_eq!(c.state().await, before);
}

#[tokio::test]
async fn duplicate_names_are_409() {
    let c = setup().await;
    c.app.create_user("ann", "annotator").await;
    // Fields can only be added to drafts.
    let draft = c.app.create_dataset(&c.ws, "draft").await;
    c.app.add_field(&draft, "text", true).await;
    let before = c.state().await;
    let ds = &c.ds;
    let cases: Vec<(String, Value, String)> = vec![
        (
            "/api/v1/users".into(),
            json!({"username": "ann", "first_name": "A", "password": PASSWORD}),
            "User username `ann` is not unique".into(),
        ),
        ("/api/v1/workspaces".into(), json!({"name": "argilla"}), "Workspace name `argilla` is not unique".into()),
        (
            "/api/v1/datasets".into(),
            json!({"name": "ds", "workspace_id": c.ws}),
            format!("Dataset with name `ds` already exists for workspace with id `{}`", c.ws),
        ),
        (
            format!("/api/v1/datasets/{draft}/fields"),
            json!({"name": "text", "title": "T", "settings": {"type": "text"}}),
            format!("Field with name `text` already exists for dataset with id `{draft}`"),
        ),
        (
            format!("/api/v1/datasets/{ds}/questions"),
            json!({"name": "label", "title": "T", "settings": {"type": "text"}}),
            format!("Question with name `label` already exists for dataset with id `{ds}`"),
        ),
        (
            format!("/api/v1/datasets/{ds}/metadata-properties"),
            json!({"name": "n", "title": "T", "settings": {"type": "float"}}),
            format!("Metadata property with name `n` already exists for dataset with id `{ds}`"),
        ),
        (
            format!("/api/v1/datasets/{ds}/vectors-settings"),
            json!({"name": "emb", "title": "T", "dimensions": 2}),
            format!("Vector settings with name `emb` already exists for dataset with id `{ds}`"),
        ),
    ];
    for (path, body, msg) in cases {
        let reply = c.app.post(&c.app.owner.key, &path, body).await;
        assert_eq!(reply, (409, detail(msg)), "{path}");
    }
    assert_eq!(c.state().await, before);
}

#[tokio::test]
async fn ids_of_another_workspaces_objects_are_not_usable() {
    let c = setup().await;
    let other_ws = c.app.create_workspace("other").await;
    let other_ds = c.app.simple_dataset(&other_ws, "other").await;
    let other_q = c.app.read(&format!("/api/v1/datasets/{other_ds}/questions")).await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other_items = c
        .app
        .log(
            &other_ds,
            vec![json!({"fields": {"text": "theirs"}, "suggestions": [{"question_id": other_q, "value": "a"}]})],
        )
        .await;
    let other_record = other_items[0]["id"].as_str().unwrap().to_owned();
    let other_suggestion = other_items[0]["suggestions"][0]["id"].as_str().unwrap().to_owned();
    let admin = c.app.member("admin", "admin", &[&c.ws]).await;
    let theirs =
        || async { c.app.read(&format!("/api/v1/datasets/{other_ds}/records?include=responses,suggestions")).await };
    let their_before = theirs().await;
    let before = c.state().await;
    let key = &c.app.owner.key;
    let ds = &c.ds;

    // A question of the other dataset in a suggestion of ours.
    let body = json!({"items": [{"fields": {"text": "x"}, "suggestions": [{"question_id": other_q, "value": "a"}]}]});
    let reply = c.app.post(key, &format!("/api/v1/datasets/{ds}/records/bulk"), body).await;
    assert_eq!(
        reply,
        (422, detail(format!("Record at position 0 is not valid because record does not have valid suggestions: question id={other_q} does not exists")))
    );
    let reply = c
        .app
        .put(key, &format!("/api/v1/records/{}/suggestions", c.record), json!({"question_id": other_q, "value": "a"}))
        .await;
    assert_eq!(reply, (422, detail(format!("Question with id `{other_q}` not found"))));
    // Their record through our dataset's legacy update.
    let reply = c
        .app
        .patch(
            key,
            &format!("/api/v1/datasets/{ds}/records"),
            json!({"items": [{"id": other_record, "metadata": {"n": 1}}]}),
        )
        .await;
    assert_eq!(reply, (422, detail(format!("Found records that do not exist: {other_record}"))));
    // Their record and suggestion ids in our deletes are ignored.
    let reply = c.app.delete(key, &format!("/api/v1/datasets/{ds}/records?ids={other_record}")).await;
    assert_eq!(reply, (204, Value::Null));
    let reply = c.app.delete(key, &format!("/api/v1/records/{}/suggestions?ids={other_suggestion}", c.record)).await;
    assert_eq!(reply, (204, Value::Null));
    assert_eq!(c.state().await, before);

    // Upserting with their record id creates a new record of ours and leaves theirs alone.
    let body = json!({"items": [{"id": other_record, "fields": {"text": "mine"}}]});
    let (status, res) = c.app.put(key, &format!("/api/v1/datasets/{ds}/records/bulk"), body).await;
    assert_eq!(status, 200, "{res}");
    assert_ne!(res["items"][0]["id"], other_record.as_str());
    assert_eq!(res["items"][0]["dataset_id"], ds.as_str());
    assert_eq!(theirs().await, their_before);

    // An admin of our workspace cannot reach theirs by id.
    let q_path = format!("/api/v1/questions/{other_q}");
    for (method, path, body) in [
        ("GET", format!("/api/v1/records/{other_record}"), None),
        ("PATCH", format!("/api/v1/records/{other_record}"), Some(json!({"metadata": null}))),
        ("DELETE", format!("/api/v1/suggestions/{other_suggestion}"), None),
        ("PATCH", q_path.clone(), Some(json!({"title": "mine now"}))),
        ("DELETE", q_path, None),
        (
            "POST",
            format!("/api/v1/datasets/{other_ds}/records/bulk"),
            Some(json!({"items": [{"fields": {"text": "x"}}]})),
        ),
    ] {
        let reply = c.app.call(method, &path, &admin.key, body).await;
        assert_eq!(reply, (403, forbidden()), "{method} {path}");
    }
    assert_eq!(theirs().await, their_before);
}

#[tokio::test]
async fn one_bad_item_of_many_stores_none() {
    let c = setup().await;
    let ds = &c.ds;
    let key = &c.app.owner.key;
    let before = c.state().await;
    let mut items: Vec<Value> =
        (0..99).map(|i| json!({"fields": {"text": format!("good {i}")}, "external_id": format!("g{i}")})).collect();
    items.insert(57, json!({"fields": {"text": "bad"}, "metadata": {"n": "not an integer"}}));
    let body = json!({"items": items});
    for (method, path) in [
        ("POST", format!("/api/v1/datasets/{ds}/records/bulk")),
        ("PUT", format!("/api/v1/datasets/{ds}/records/bulk")),
        ("POST", format!("/api/v1/datasets/{ds}/records")),
    ] {
        let (status, res) = c.app.call(method, &path, key, Some(body.clone())).await;
        assert_eq!(status, 422, "{method} {path}: {res}");
        let msg = res["detail"].as_str().unwrap();
        assert!(msg.starts_with("Record at position 57 is not valid because metadata is not valid: 'n'"), "{msg}");
    }
    assert_eq!(c.state().await, before);
    // Legacy update: the same id twice, then a second item naming a missing vector.
    let body = json!({"items": [
        {"id": c.record, "metadata": {"n": 1}},
        {"id": c.record, "vectors": {"nope": [1.0, 2.0]}},
    ]});
    let reply = c.app.patch(key, &format!("/api/v1/datasets/{ds}/records"), body).await;
    assert_eq!(reply.0, 422, "{}", reply.1);
    let records = c.app.log(ds, vec![json!({"fields": {"text": "second"}})]).await;
    let second = records[0]["id"].as_str().unwrap();
    let body = json!({"items": [
        {"id": c.record, "metadata": {"n": 1}},
        {"id": second, "vectors": {"nope": [1.0, 2.0]}},
    ]});
    let before = c.state().await;
    let (status, res) = c.app.patch(key, &format!("/api/v1/datasets/{ds}/records"), body).await;
    assert_eq!(status, 422, "{res}");
    assert_eq!(
        res["detail"],
        format!("Record at position 1 is not valid because record does not have valid vectors: vector with name=nope does not exist for dataset_id={ds}")
    );
    assert_eq!(c.state().await, before);
}

#[tokio::test]
async fn unknown_keys_in_bodies_are_ignored() {
    let c = setup().await;
    let extra = |mut body: Value| {
        let obj = body.as_object_mut().unwrap();
        obj.insert("surprise".into(), json!({"nested": [1, 2, 3]}));
        obj.insert("inserted_at".into(), json!("2020-01-01T00:00:00"));
        obj.insert("updated_at".into(), Value::Null);
        body
    };
    let ds = c.app.create_dataset(&c.ws, "fresh").await;
    let cases: Vec<(&str, String, Value, u16)> = vec![
        ("POST", "/api/v1/users".into(), json!({"username": "zed", "first_name": "Z", "password": PASSWORD}), 201),
        ("POST", "/api/v1/workspaces".into(), json!({"name": "ws2"}), 201),
        ("POST", "/api/v1/datasets".into(), json!({"name": "ds2", "workspace_id": c.ws}), 201),
        ("PATCH", format!("/api/v1/datasets/{ds}"), json!({"guidelines": "g"}), 200),
        (
            "POST",
            format!("/api/v1/datasets/{ds}/fields"),
            json!({"name": "text", "title": "T", "settings": {"type": "text", "extra": 1}}),
            201,
        ),
        (
            "POST",
            format!("/api/v1/datasets/{ds}/questions"),
            json!({"name": "q", "title": "Q", "required": true, "settings": {"type": "label_selection", "options": [{"value": "a", "text": "A", "id": 7}, {"value": "b", "text": "B"}]}}),
            201,
        ),
        (
            "POST",
            format!("/api/v1/datasets/{ds}/metadata-properties"),
            json!({"name": "m", "title": "M", "settings": {"type": "terms", "visible_for_annotators": true}}),
            201,
        ),
        (
            "POST",
            format!("/api/v1/datasets/{ds}/vectors-settings"),
            json!({"name": "v", "title": "V", "dimensions": 2}),
            201,
        ),
        (
            "POST",
            format!("/api/v1/datasets/{}/records/bulk", c.ds),
            json!({"items": [extra(json!({"fields": {"text": "x"}, "status": "completed"}))]}),
            201,
        ),
        ("PATCH", format!("/api/v1/records/{}", c.record), json!({"metadata": {"n": 2}}), 200),
        (
            "POST",
            format!("/api/v1/records/{}/responses", c.record),
            json!({"status": "submitted", "values": {"label": {"value": "a"}}}),
            201,
        ),
        (
            "PUT",
            format!("/api/v1/records/{}/suggestions", c.record),
            json!({"question_id": c.label, "value": "b", "question_name": "label", "id": new_id()}),
            201,
        ),
        (
            "POST",
            "/api/v1/webhooks".into(),
            json!({"url": "https://example.com", "events": ["dataset.created"], "secret": "mine", "enabled": false}),
            201,
        ),
    ];
    for (method, path, body, expected) in cases {
        let (status, res) = c.app.call(method, &path, &c.app.owner.key, Some(extra(body))).await;
        assert_eq!(status, expected, "{method} {path}: {res}");
        if let Some(obj) = res.as_object() {
            assert!(!obj.contains_key("surprise"), "{res}");
        }
    }
    let hooks = c.app.read("/api/v1/webhooks").await;
    assert_ne!(hooks["items"][0]["secret"], "mine", "a client secret is ignored");
    assert_eq!(hooks["items"][0]["url"], "https://example.com/", "normalised");
}
