//! Bad input that refers to something it may not: unknown fields and questions, duplicate names,
//! ids of another workspace's objects, one bad item among many, unknown keys (ignored). Each
//! case proves the stored data unchanged, on the dataset of `bad_input::setup`.

use serde_json::{json, Value};

use crate::bad_input::setup;
use crate::common::*;

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
