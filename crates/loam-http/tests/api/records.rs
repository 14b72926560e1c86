//! Records and suggestions (api.md §10, §12).

use serde_json::{json, Value};

use crate::common::*;

struct Ctx {
    app: TestApp,
    ds: String,
    label: String,
    rating: String,
}

/// A published dataset: fields `text` (required) and `extra`; questions `label` (required,
/// a/b/c) and `rating` (1..3); metadata `n` (integer 0..10); vectors `emb` (3 dims).
async fn setup() -> Ctx {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.create_dataset(&ws, "ds").await;
    app.add_field(&ds, "text", true).await;
    app.add_field(&ds, "extra", false).await;
    let label = app.add_question(&ds, "label", true, label_settings(&["a", "b", "c"])).await;
    let rating = app
        .add_question(
            &ds,
            "rating",
            false,
            json!({"type": "rating", "options": [{"value": 1}, {"value": 2}, {"value": 3}]}),
        )
        .await;
    app.add_metadata(&ds, "n", json!({"type": "integer", "min": 0, "max": 10}), true).await;
    let path = format!("/api/v1/datasets/{ds}/vectors-settings");
    app.expect("POST", &path, Some(json!({"name": "emb", "title": "Emb", "dimensions": 3})), 201).await;
    app.publish(&ds).await;
    Ctx { app, ds, label, rating }
}

impl Ctx {
    fn bulk(&self) -> String {
        format!("/api/v1/datasets/{}/records/bulk", self.ds)
    }

    async fn snapshot(&self) -> Value {
        self.app
            .read(&format!("/api/v1/datasets/{}/records?include=responses,suggestions,vectors&limit=1000", self.ds))
            .await
    }
}

#[tokio::test]
async fn bulk_create_stores_everything_and_answers_201() {
    let c = setup().await;
    let body = json!({"items": [
        {"fields": {"text": "hello", "extra": "more"}, "external_id": "r1",
         "metadata": {"n": 3, "free": "extra metadata is allowed"},
         "vectors": {"emb": [0.1, 0.2, 0.3]},
         "suggestions": [{"question_id": c.label, "value": "b", "score": 0.9, "agent": "model-1", "type": "model"}],
         "responses": [{"user_id": c.app.owner.id, "status": "submitted",
                        "values": {"label": {"value": "a"}, "rating": {"value": 2}}}],
         "unknown_key": "ignored"},
        {"fields": {"text": "second"}},
    ]});
    let (status, res) = c.app.post(&c.app.owner.key, &c.bulk(), body).await;
    assert_eq!(status, 201, "{res}");
    let items = res["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let first = &items[0];
    assert_eq!(first["fields"], json!({"text": "hello", "extra": "more"}));
    assert_eq!(first["external_id"], "r1");
    assert_eq!(first["metadata"], json!({"n": 3, "free": "extra metadata is allowed"}));
    assert_eq!(first["status"], "completed");
    assert_eq!(first["dataset_id"], c.ds.as_str());
    assert_eq!(first["vectors"], json!({"emb": [0.1, 0.2, 0.3]}));
    assert_eq!(first["suggestions"][0]["value"], "b");
    assert_eq!(first["suggestions"][0]["score"], 0.9);
    assert_eq!(first["suggestions"][0]["agent"], "model-1");
    assert_eq!(first["suggestions"][0]["type"], "model");
    assert_eq!(first["responses"][0]["values"], json!({"label": {"value": "a"}, "rating": {"value": 2}}));
    assert_eq!(first["responses"][0]["user_id"], c.app.owner.id.as_str());
    assert_eq!(items[1]["status"], "pending");
    assert_eq!(items[1]["metadata"], Value::Null);

    let id = first["id"].as_str().unwrap();
    let record = c.app.read(&format!("/api/v1/records/{id}")).await;
    assert_eq!(&record, first);

    // Listing: inserted order, total, conditional keys only when included.
    let list = c.app.read(&format!("/api/v1/datasets/{}/records", c.ds)).await;
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["id"], first["id"]);
    assert!(list["items"][0].get("responses").is_none());
    assert!(list["items"][0].get("suggestions").is_none());
    assert!(list["items"][0].get("vectors").is_none());
    let list = c.app.read(&format!("/api/v1/datasets/{}/records?include=responses&offset=1&limit=1", c.ds)).await;
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["id"], items[1]["id"]);
    assert_eq!(list["items"][0]["responses"], json!([]));
    let list = c.app.read(&format!("/api/v1/datasets/{}/records?include=vectors:emb", c.ds)).await;
    assert_eq!(list["items"][0]["vectors"], json!({"emb": [0.1, 0.2, 0.3]}));
    let (status, res) = c.app.get(&c.app.owner.key, &format!("/api/v1/datasets/{}/records?include=nope", c.ds)).await;
    assert_eq!(status, 422, "{res}");
    let (status, _) = c.app.get(&c.app.owner.key, &format!("/api/v1/datasets/{}/records?limit=0", c.ds)).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn bulk_create_validation_messages() {
    let c = setup().await;
    c.app.log(&c.ds, vec![json!({"fields": {"text": "x"}, "external_id": "taken"})]).await;
    let before = c.snapshot().await;
    let ok = json!({"fields": {"text": "fine"}});
    let missing_user = new_id();
    let missing_question = new_id();
    let cases = [
        (json!({"fields": {}}), "fields cannot be empty".to_owned()),
        (json!({"fields": {"extra": "only"}}), "missing required value for field: 'text'".to_owned()),
        (json!({"fields": {"text": null}}), "missing required value for field: 'text'".to_owned()),
        (json!({"fields": {"text": "x", "bogus": "y"}}), "found fields values for non configured fields: ['bogus']".to_owned()),
        (json!({"fields": {"text": {"a": 1}}}), "text field 'text' value must be a string".to_owned()),
        (json!({"fields": {"text": "x"}, "metadata": {"n": "three"}}),
         "metadata is not valid: 'n' metadata property validation failed because".to_owned()),
        (json!({"fields": {"text": "x"}, "metadata": {"n": 11}}),
         "metadata is not valid: 'n' metadata property validation failed because".to_owned()),
        (json!({"fields": {"text": "x"}, "suggestions": [{"question_id": missing_question, "value": "a"}]}),
         format!("record does not have valid suggestions: question id={missing_question} does not exists")),
        (json!({"fields": {"text": "x"}, "suggestions": [{"question_id": c.label, "value": "a"}, {"question_id": c.label, "value": "b"}]}),
         "record does not have valid suggestions: found duplicate suggestions question IDs".to_owned()),
        (json!({"fields": {"text": "x"}, "suggestions": [{"question_id": c.label, "value": "zzz"}]}),
         "record does not have valid suggestions: 'zzz' is not a valid label for label selection question.\nValid labels are: ['a', 'b', 'c']".to_owned()),
        (json!({"fields": {"text": "x"}, "vectors": {"nope": [1.0, 2.0, 3.0]}}),
         format!("record does not have valid vectors: vector with name=nope does not exist for dataset_id={}", c.ds)),
        (json!({"fields": {"text": "x"}, "vectors": {"emb": [1.0, 2.0]}}),
         "record does not have valid vectors: vector value for vector name=emb must have 3 elements, got 2 elements".to_owned()),
        (json!({"fields": {"text": "x"}, "responses": [{"user_id": missing_user, "status": "submitted", "values": {"label": {"value": "a"}}}]}),
         format!("record does not have valid responses: user with id {missing_user} not found")),
        (json!({"fields": {"text": "x"}, "responses": [{"user_id": c.app.owner.id, "status": "submitted", "values": {"rating": {"value": 2}}}]}),
         "record does not have valid responses: missing response value for required question with name='label'".to_owned()),
        (json!({"fields": {"text": "x"}, "external_id": "taken"}), "found records with same external ids: taken".to_owned()),
    ];
    for (bad, reason) in cases {
        // The bad item sits at position 2 among good ones: nothing is stored.
        let body = json!({"items": [ok, ok, bad]});
        let (status, res) = c.app.post(&c.app.owner.key, &c.bulk(), body).await;
        assert_eq!(status, 422, "{bad}: {res}");
        let msg = res["detail"].as_str().unwrap_or_default();
        if reason == "found records with same external ids: taken" {
            assert_eq!(msg, reason);
        } else {
            let expected = format!("Record at position 2 is not valid because {reason}");
            assert!(msg.starts_with(&expected), "{bad}:\n got {msg:?}\nwant {expected:?}");
        }
    }
    assert_eq!(c.snapshot().await, before, "all-or-nothing");
}

#[tokio::test]
async fn bulk_create_schema_errors() {
    let c = setup().await;
    let before = c.snapshot().await;
    let ok = json!({"fields": {"text": "fine"}});
    let too_many: Vec<Value> = (0..501).map(|_| ok.clone()).collect();
    let cases = [
        json!({}),
        json!({"items": []}),
        json!({"items": null}),
        json!({"items": too_many}),
        json!({"items": [ok, {"fields": {"text": 5}}]}),
        json!({"items": [ok, {"fields": {"text": true}}]}),
        json!({"items": [ok, "not an object"]}),
        json!({"items": [ok, {"fields": {"text": "a"}, "external_id": "same"}, {"fields": {"text": "b"}, "external_id": "same"}]}),
        json!({"items": [{"fields": {"text": "a"}, "responses": [
            {"user_id": c.app.owner.id, "status": "draft"}, {"user_id": c.app.owner.id, "status": "draft"}]}]}),
        json!({"items": [{"fields": {"text": "a"}, "responses": [{"user_id": c.app.owner.id, "status": "maybe"}]}]}),
        json!({"items": [{"fields": {"text": "a"}, "suggestions": [{"question_id": c.label, "value": "a", "score": 1.5}]}]}),
    ];
    for body in cases {
        let (status, res) = c.app.post(&c.app.owner.key, &c.bulk(), body.clone()).await;
        assert_eq!(status, 422, "{body}: {res}");
        assert_eq!(code(&res), "argilla.api.errors::ValidationError", "{body}: {res}");
    }
    assert_eq!(c.snapshot().await, before);
}

#[tokio::test]
async fn bulk_create_into_a_draft_is_refused() {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.create_dataset(&ws, "draft").await;
    app.add_field(&ds, "text", true).await;
    let body = json!({"items": [{"fields": {"text": "x"}}]});
    for method in ["POST", "PUT"] {
        let reply =
            app.call(method, &format!("/api/v1/datasets/{ds}/records/bulk"), &app.owner.key, Some(body.clone())).await;
        assert_eq!(reply, (422, detail("records cannot be created for a non published dataset")), "{method}");
    }
}

#[tokio::test]
async fn bulk_upsert_matches_by_id_then_external_id() {
    let c = setup().await;
    let created = c
        .app
        .log(
            &c.ds,
            vec![
                json!({"fields": {"text": "one"}, "external_id": "e1", "metadata": {"n": 1},
                   "suggestions": [{"question_id": c.label, "value": "a"}]}),
                json!({"fields": {"text": "two"}, "external_id": "e2", "metadata": {"n": 2}}),
            ],
        )
        .await;
    let id1 = created[0]["id"].as_str().unwrap();
    let id2 = created[1]["id"].as_str().unwrap();
    let ignored_id = new_id();
    let body = json!({"items": [
        // by id: fields replaced, metadata replaced, suggestions upserted per question
        {"id": id1, "fields": {"text": "one v2"}, "metadata": {"n": 5},
         "suggestions": [{"question_id": c.rating, "value": 3}], "external_id": "changed?"},
        // by external id: metadata {} clears
        {"external_id": "e2", "metadata": {}, "status": "pending", "inserted_at": null},
        // an unknown id is ignored: a new record is created
        {"id": ignored_id, "fields": {"text": "three"}, "external_id": "e3"},
    ]});
    let (status, res) = c.app.put(&c.app.owner.key, &c.bulk(), body).await;
    assert_eq!(status, 200, "{res}");
    let items = res["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["id"], id1);
    assert_eq!(items[0]["fields"]["text"], "one v2");
    assert_eq!(items[0]["external_id"], "e1", "external_id of an existing record is kept");
    assert_eq!(items[0]["metadata"], json!({"n": 5}));
    let mut suggested: Vec<Value> =
        items[0]["suggestions"].as_array().unwrap().iter().map(|it| it["value"].clone()).collect();
    suggested.sort_by_key(Value::to_string);
    assert_eq!(suggested, [json!("a"), json!(3)]);
    assert_eq!(items[1]["id"], id2);
    assert_eq!(items[1]["fields"]["text"], "two");
    assert_eq!(items[1]["metadata"], json!({}));
    assert_ne!(items[2]["id"], ignored_id.as_str());
    assert_eq!(items[2]["external_id"], "e3");
    assert_eq!(c.snapshot().await["total"], 3);

    // "fields": null on an existing record is an error; all-or-nothing.
    let before = c.snapshot().await;
    let body = json!({"items": [{"external_id": "e4", "fields": {"text": "four"}}, {"id": id1, "fields": null}]});
    let reply = c.app.put(&c.app.owner.key, &c.bulk(), body).await;
    assert_eq!(reply, (422, detail("Record at position 1 is not valid because fields cannot be empty")));
    // A new record needs fields.
    let body = json!({"items": [{"external_id": "e5"}]});
    let (status, _) = c.app.put(&c.app.owner.key, &c.bulk(), body).await;
    assert_eq!(status, 422);
    assert_eq!(c.snapshot().await, before);
}

#[tokio::test]
async fn patch_record() {
    let c = setup().await;
    let created = c
        .app
        .log(
            &c.ds,
            vec![json!({"fields": {"text": "one"}, "metadata": {"n": 1},
                                "suggestions": [{"question_id": c.label, "value": "a"}]})],
        )
        .await;
    let id = created[0]["id"].as_str().unwrap();
    let path = format!("/api/v1/records/{id}");

    // Nothing to change.
    let (status, same) = c.app.patch(&c.app.owner.key, &path, json!({"status": "completed", "id": "x"})).await;
    assert_eq!(status, 200, "{same}");
    assert_eq!(same["fields"], json!({"text": "one"}));
    assert_eq!(same["status"], "pending");

    let body = json!({"fields": {"text": "uno", "extra": "más"}, "metadata": {"n": 9},
                      "suggestions": [{"question_id": c.rating, "value": 1, "score": 0.1}],
                      "vectors": {"emb": [1.0, 0.0, 0.0]}});
    let (status, rec) = c.app.patch(&c.app.owner.key, &path, body).await;
    assert_eq!(status, 200, "{rec}");
    assert_eq!(rec["fields"], json!({"text": "uno", "extra": "más"}));
    assert_eq!(rec["metadata"], json!({"n": 9}));
    assert_eq!(rec["suggestions"].as_array().unwrap().len(), 1, "suggestions replaced");
    assert_eq!(rec["suggestions"][0]["value"], 1);
    assert_eq!(rec["vectors"], json!({"emb": [1.0, 0.0, 0.0]}));
    let stored = c.app.read(&path).await;
    assert_eq!(stored["fields"], rec["fields"]);

    let (_, rec) = c.app.patch(&c.app.owner.key, &path, json!({"metadata": null, "suggestions": []})).await;
    assert_eq!(rec["metadata"], Value::Null);
    assert_eq!(rec["suggestions"], json!([]));

    let before = c.app.read(&path).await;
    let cases = [
        (json!({"fields": {}}), "fields cannot be empty".to_owned()),
        (
            json!({"metadata": {"n": 100}}),
            "metadata is not valid: 'n' metadata property validation failed because".to_owned(),
        ),
        (
            json!({"vectors": {"emb": [1.0]}}),
            "record does not have valid vectors: vector value for vector name=emb must have 3 elements, got 1 elements"
                .to_owned(),
        ),
        (
            json!({"suggestions": [{"question_id": c.label, "value": "nope"}]}),
            "record does not have valid suggestions:".to_owned(),
        ),
    ];
    for (body, reason) in cases {
        let (status, res) = c.app.patch(&c.app.owner.key, &path, body.clone()).await;
        assert_eq!(status, 422, "{body}: {res}");
        let msg = res["detail"].as_str().unwrap_or_default();
        assert!(msg.starts_with(&reason), "{body}: {msg:?}");
    }
    assert_eq!(c.app.read(&path).await, before, "unchanged");

    let missing = new_id();
    let reply = c.app.patch(&c.app.owner.key, &format!("/api/v1/records/{missing}"), json!({})).await;
    assert_eq!(reply, (404, detail(format!("Record with id `{missing}` not found"))));
}

#[tokio::test]
async fn delete_records() {
    let c = setup().await;
    let ids = c.app.records(&c.ds, 4).await;
    let (status, deleted) = c.app.delete(&c.app.owner.key, &format!("/api/v1/records/{}", ids[0])).await;
    assert_eq!(status, 200, "{deleted}");
    assert_eq!(deleted["id"], ids[0].as_str());
    assert!(deleted.get("responses").is_none());
    let reply = c.app.get(&c.app.owner.key, &format!("/api/v1/records/{}", ids[0])).await;
    assert_eq!(reply, (404, detail(format!("Record with id `{}` not found", ids[0]))));
    let reply = c.app.delete(&c.app.owner.key, &format!("/api/v1/records/{}", ids[0])).await;
    assert_eq!(reply.0, 404);

    let many = format!("/api/v1/datasets/{}/records", c.ds);
    // Unknown ids are ignored.
    let (status, body) =
        c.app.delete(&c.app.owner.key, &format!("{many}?ids={},{},{}", ids[1], ids[2], new_id())).await;
    assert_eq!((status, body), (204, Value::Null));
    assert_eq!(c.snapshot().await["total"], 1);

    for query in ["?ids=", "?ids=nope", &format!("?ids={},x", ids[3])] {
        let reply = c.app.delete(&c.app.owner.key, &format!("{many}{query}")).await;
        assert_eq!(reply, (422, detail("Invalid UUID format")), "{query}");
    }
    let hundred_one: Vec<String> = (0..101).map(|_| new_id()).collect();
    let reply = c.app.delete(&c.app.owner.key, &format!("{many}?ids={}", hundred_one.join(","))).await;
    assert_eq!(reply, (422, detail("Cannot delete more than 100 records at once")));
    let (status, _) = c.app.delete(&c.app.owner.key, &many).await;
    assert_eq!(status, 422);
    assert_eq!(c.snapshot().await["total"], 1);
    // Ids of another dataset's records are not this dataset's: neither deleted nor found, in a
    // list long enough (over ten) that the lookup goes by id.
    let ws = c.app.default_workspace().await;
    let other = c.app.simple_dataset(&ws, "other").await;
    let theirs = c.app.records(&other, 12).await;
    let reply = c.app.delete(&c.app.owner.key, &format!("{many}?ids={},{}", theirs.join(","), ids[3])).await;
    assert_eq!(reply, (204, Value::Null));
    assert_eq!(c.snapshot().await["total"], 0);
    assert_eq!(c.app.list_records(&other).await["total"], 12);
    let search = format!("/api/v1/datasets/{}/records/search", c.ds);
    let by_ids = json!({"filters": {"and": [{"type": "terms", "scope": {"entity": "record", "property": "id"}, "values": theirs}]}});
    assert_eq!(c.app.expect("POST", &search, Some(by_ids), 200).await["total"], 0);
}

#[tokio::test]
async fn suggestions_upsert_list_and_delete() {
    let c = setup().await;
    let record = c.app.record(&c.ds, "hello").await;
    let path = format!("/api/v1/records/{record}/suggestions");

    let body = json!({"question_id": c.label, "value": "a", "score": 0.5, "agent": "gpt-4", "type": "model"});
    let (status, s) = c.app.put(&c.app.owner.key, &path, body).await;
    assert_eq!(status, 201, "{s}");
    assert_eq!(s["question_id"], c.label.as_str());
    assert_eq!(s["value"], "a");
    let body = json!({"question_id": c.label, "value": "b"});
    let (status, replaced) = c.app.put(&c.app.owner.key, &path, body).await;
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["value"], "b");
    let (status, s2) = c.app.put(&c.app.owner.key, &path, json!({"question_id": c.rating, "value": 3})).await;
    assert_eq!(status, 201);

    let list = c.app.read(&path).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);

    // Errors.
    let missing = new_id();
    let reply = c.app.put(&c.app.owner.key, &path, json!({"question_id": missing, "value": "a"})).await;
    assert_eq!(reply, (422, detail(format!("Question with id `{missing}` not found"))));
    let reply = c.app.put(&c.app.owner.key, &path, json!({"question_id": c.label, "value": "zzz"})).await;
    assert_eq!(reply.0, 422);
    for body in [
        json!({"question_id": c.label, "value": "a", "score": 2}),
        json!({"question_id": c.label, "value": "a", "score": [0.1]}),
        json!({"question_id": c.label, "value": "a", "agent": ""}),
        json!({"question_id": c.label, "value": "a", "type": "robot"}),
        json!({"question_id": c.label}),
    ] {
        let (status, res) = c.app.put(&c.app.owner.key, &path, body.clone()).await;
        assert_eq!(status, 422, "{body}: {res}");
    }
    assert_eq!(c.app.read(&path).await, list, "unchanged");

    // A question of another dataset is "not found" too.
    let ws = c.app.default_workspace().await;
    let other = c.app.create_dataset(&ws, "other").await;
    let foreign = c.app.add_question(&other, "label", true, label_settings(&["a", "b"])).await;
    let reply = c.app.put(&c.app.owner.key, &path, json!({"question_id": foreign, "value": "a"})).await;
    assert_eq!(reply, (422, detail(format!("Question with id `{foreign}` not found"))));

    // Delete one by id, then by list.
    let id = replaced["id"].as_str().unwrap();
    let (status, deleted) = c.app.delete(&c.app.owner.key, &format!("/api/v1/suggestions/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(deleted["value"], "b");
    let reply = c.app.delete(&c.app.owner.key, &format!("/api/v1/suggestions/{id}")).await;
    assert_eq!(reply, (404, detail(format!("Suggestion with id `{id}` not found"))));
    let (status, _) =
        c.app.delete(&c.app.owner.key, &format!("{path}?ids={},{}", s2["id"].as_str().unwrap(), new_id())).await;
    assert_eq!(status, 204);
    assert_eq!(c.app.read(&path).await, json!({"items": []}));
    let reply = c.app.delete(&c.app.owner.key, &format!("{path}?ids=bad")).await;
    assert_eq!(reply, (422, detail("Invalid UUID format")));
    let hundred_one: Vec<String> = (0..101).map(|_| new_id()).collect();
    let reply = c.app.delete(&c.app.owner.key, &format!("{path}?ids={}", hundred_one.join(","))).await;
    assert_eq!(reply, (422, detail("Cannot delete more than 100 suggestions at once")));

    let missing = new_id();
    let reply = c.app.get(&c.app.owner.key, &format!("/api/v1/records/{missing}/suggestions")).await;
    assert_eq!(reply, (404, detail(format!("Record with id `{missing}` not found"))));
}

#[tokio::test]
async fn bulk_upsert_gives_back_ranks_the_v2_sdk_dropped() {
    // The v2 SDK re-logs a record with every response on it, ranking answers as bare values: a
    // submitted answer made with ranks (by the legacy SDK or the UI) keeps its ranks when the
    // values are the same, in the same order; a different order is validated as sent.
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.create_dataset(&ws, "ranks").await;
    app.add_field(&ds, "text", true).await;
    let ranking = json!({"type": "ranking", "options": options(&["x", "y", "z"])});
    app.add_question(&ds, "order", true, ranking).await;
    app.publish(&ds).await;
    let ann = app.member("ann", "annotator", &[&ws]).await;
    let ranked = json!([{"value": "z", "rank": 1}, {"value": "x", "rank": 2}, {"value": "y", "rank": 2}]);
    let record = app.record(&ds, "one").await;
    let body = json!({"status": "submitted", "values": {"order": {"value": ranked}}});
    check(&app.post(&ann.key, &format!("/api/v1/records/{record}/responses"), body).await, 201);

    let bulk = format!("/api/v1/datasets/{ds}/records/bulk");
    let bare = json!([{"value": "z"}, {"value": "x"}, {"value": "y"}]);
    let mine = json!([{"value": "x", "rank": 1}, {"value": "y", "rank": 2}, {"value": "z", "rank": 3}]);
    let body = json!({"items": [{"id": record, "responses": [
        {"user_id": ann.id, "status": "submitted", "values": {"order": {"value": bare}}},
        {"user_id": app.owner.id, "status": "submitted", "values": {"order": {"value": mine}}},
    ]}]});
    let (status, res) = app.put(&app.owner.key, &bulk, body).await;
    assert_eq!(status, 200, "{res}");
    let stored = app.read(&format!("/api/v1/records/{record}")).await;
    let by_user: std::collections::HashMap<String, Value> = stored["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["user_id"].as_str().unwrap().to_owned(), r["values"]["order"]["value"].clone()))
        .collect();
    assert_eq!(by_user[&ann.id], ranked);
    assert_eq!(by_user[&app.owner.id], mine);

    // Another order without ranks is a new answer, and a submitted one needs ranks.
    let reordered = json!([{"value": "x"}, {"value": "z"}, {"value": "y"}]);
    let body = json!({"items": [{"id": record, "responses": [
        {"user_id": ann.id, "status": "submitted", "values": {"order": {"value": reordered}}}]}]});
    let (status, res) = app.put(&app.owner.key, &bulk, body).await;
    assert_eq!(status, 422, "{res}");
    assert!(res["detail"].as_str().unwrap().contains("are not valid ranks"), "{res}");
}
