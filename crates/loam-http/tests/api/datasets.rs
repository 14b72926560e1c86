//! `/api/v1/datasets…`, `/api/v1/me/datasets` (api.md §5).

use serde_json::{json, Value};

use crate::common::*;

fn names(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|it| it["name"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn create_dataset_with_defaults() {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    // The v2 SDK may send id, status, timestamps: ignored.
    let body = json!({"name": "my dataset/with odd chars", "workspace_id": ws, "id": new_id(),
                      "status": "ready", "inserted_at": null, "last_activity_at": null});
    let (status, ds) = app.post(&app.owner.key, "/api/v1/datasets", body.clone()).await;
    assert_eq!(status, 201, "{ds}");
    let mut keys: Vec<&str> = ds.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "allow_extra_metadata",
            "distribution",
            "guidelines",
            "id",
            "inserted_at",
            "last_activity_at",
            "metadata",
            "name",
            // A loam extension (blind annotation unless on), after the reference's keys.
            "responses_visible_for_annotators",
            "status",
            "updated_at",
            "workspace_id"
        ]
    );
    assert_eq!(ds["responses_visible_for_annotators"], false);
    assert_ne!(ds["id"], body["id"]);
    assert_eq!(ds["name"], "my dataset/with odd chars");
    assert_eq!(ds["status"], "draft");
    assert_eq!(ds["guidelines"], Value::Null);
    assert_eq!(ds["allow_extra_metadata"], true);
    assert_eq!(ds["distribution"], json!({"strategy": "overlap", "min_submitted": 1}));
    assert_eq!(ds["metadata"], Value::Null);
    assert_eq!(ds["workspace_id"], ws.as_str());
    let id = ds["id"].as_str().unwrap();
    assert_eq!(app.read(&format!("/api/v1/datasets/{id}")).await, ds);

    // Everything given.
    let body = json!({"name": "full", "workspace_id": ws, "guidelines": "Be kind",
                      "allow_extra_metadata": false,
                      "distribution": {"strategy": "overlap", "min_submitted": 3},
                      "metadata": {"source": "tests", "n": 1}});
    let (status, ds) = app.post(&app.owner.key, "/api/v1/datasets", body).await;
    assert_eq!(status, 201, "{ds}");
    assert_eq!(ds["guidelines"], "Be kind");
    assert_eq!(ds["allow_extra_metadata"], false);
    assert_eq!(ds["distribution"]["min_submitted"], 3);
    assert_eq!(ds["metadata"], json!({"source": "tests", "n": 1}));
}

#[tokio::test]
async fn create_dataset_errors() {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    app.create_dataset(&ws, "taken").await;

    let reply = app.post(&app.owner.key, "/api/v1/datasets", json!({"name": "taken", "workspace_id": ws})).await;
    assert_eq!(reply, (409, detail(format!("Dataset with name `taken` already exists for workspace with id `{ws}`"))));
    // The same name in another workspace is fine.
    let other = app.create_workspace("other").await;
    app.create_dataset(&other, "taken").await;

    let missing = new_id();
    let reply = app.post(&app.owner.key, "/api/v1/datasets", json!({"name": "x", "workspace_id": missing})).await;
    assert_eq!(reply, (422, detail(format!("Workspace with id `{missing}` not found"))));

    let cases = [
        (json!({"workspace_id": ws}), json!(["body", "name"])),
        (json!({"name": "x"}), json!(["body", "workspace_id"])),
        (json!({"name": "", "workspace_id": ws}), json!(["body", "name"])),
        (json!({"name": "x".repeat(201), "workspace_id": ws}), json!(["body", "name"])),
        (json!({"name": "x", "workspace_id": ws, "guidelines": ""}), json!(["body", "guidelines"])),
        (json!({"name": "x", "workspace_id": ws, "guidelines": "g".repeat(10001)}), json!(["body", "guidelines"])),
        (
            json!({"name": "x", "workspace_id": ws, "allow_extra_metadata": null}),
            json!(["body", "allow_extra_metadata"]),
        ),
        (json!({"name": "x", "workspace_id": "nope"}), json!(["body", "workspace_id"])),
        (json!({"name": 12, "workspace_id": ws}), json!(["body", "name"])),
    ];
    for (body, loc) in cases {
        let (status, res) = app.post(&app.owner.key, "/api/v1/datasets", body.clone()).await;
        assert_eq!(status, 422, "{body}: {res}");
        assert_eq!(code(&res), "argilla.api.errors::ValidationError", "{body}");
        assert_eq!(locs(&res), vec![loc], "{body}");
    }
    for distribution in [
        json!(null),
        json!({"strategy": "round_robin", "min_submitted": 1}),
        json!({"strategy": "overlap", "min_submitted": 0}),
        json!({"strategy": "overlap", "min_submitted": "2"}),
    ] {
        let body = json!({"name": "x", "workspace_id": ws, "distribution": distribution});
        let (status, res) = app.post(&app.owner.key, "/api/v1/datasets", body.clone()).await;
        assert_eq!(status, 422, "{body}: {res}");
        assert_eq!(code(&res), "argilla.api.errors::ValidationError", "{body}");
    }
    // A 200-character name is fine.
    let body = json!({"name": "n".repeat(200), "workspace_id": ws});
    let (status, _) = app.post(&app.owner.key, "/api/v1/datasets", body).await;
    assert_eq!(status, 201);

    let list = app.read(&format!("/api/v1/me/datasets?workspace_id={ws}")).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "nothing else stored");
}

#[tokio::test]
async fn get_missing_dataset_is_404() {
    let app = TestApp::new().await;
    let missing = new_id();
    for path in [
        format!("/api/v1/datasets/{missing}"),
        format!("/api/v1/datasets/{missing}/progress"),
        format!("/api/v1/datasets/{missing}/users/progress"),
        format!("/api/v1/datasets/{missing}/fields"),
        format!("/api/v1/datasets/{missing}/questions"),
        format!("/api/v1/datasets/{missing}/vectors-settings"),
        format!("/api/v1/me/datasets/{missing}/metadata-properties"),
        format!("/api/v1/datasets/{missing}/records"),
    ] {
        let reply = app.get(&app.owner.key, &path).await;
        assert_eq!(reply, (404, detail(format!("Dataset with id `{missing}` not found"))), "{path}");
    }
    for (method, path, body) in [
        ("PATCH", format!("/api/v1/datasets/{missing}"), Some(json!({"name": "x"}))),
        ("DELETE", format!("/api/v1/datasets/{missing}"), None),
        ("PUT", format!("/api/v1/datasets/{missing}/publish"), None),
        (
            "POST",
            format!("/api/v1/datasets/{missing}/fields"),
            Some(json!({"name": "f", "title": "f", "settings": {"type": "text"}})),
        ),
        (
            "POST",
            format!("/api/v1/datasets/{missing}/records/bulk"),
            Some(json!({"items": [{"fields": {"text": "x"}}]})),
        ),
    ] {
        let reply = app.call(method, &path, &app.owner.key, body).await;
        assert_eq!(reply, (404, detail(format!("Dataset with id `{missing}` not found"))), "{method} {path}");
    }
}

#[tokio::test]
async fn patch_dataset() {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let body = json!({"name": "ds", "workspace_id": ws, "guidelines": "old",
                      "metadata": {"a": 1, "b": 2}});
    let (_, ds) = app.post(&app.owner.key, "/api/v1/datasets", body).await;
    let id = ds["id"].as_str().unwrap();
    let path = format!("/api/v1/datasets/{id}");

    // What the v2 SDK sends after create.
    let body = json!({"id": id, "name": "renamed", "guidelines": null, "allow_extra_metadata": false,
                      "distribution": {"strategy": "overlap", "min_submitted": 2},
                      "metadata": {"b": 20, "c": 30}});
    let (status, ds) = app.patch(&app.owner.key, &path, body).await;
    assert_eq!(status, 200, "{ds}");
    assert_eq!(ds["name"], "renamed");
    assert_eq!(ds["guidelines"], Value::Null);
    assert_eq!(ds["allow_extra_metadata"], false);
    assert_eq!(ds["distribution"], json!({"strategy": "overlap", "min_submitted": 2}));
    assert_eq!(ds["metadata"], json!({"a": 1, "b": 20, "c": 30}), "merged");

    // `{}` changes nothing, null clears.
    let (_, ds) = app.patch(&app.owner.key, &path, json!({"metadata": {}})).await;
    assert_eq!(ds["metadata"], json!({"a": 1, "b": 20, "c": 30}));
    let (_, ds) = app.patch(&app.owner.key, &path, json!({"metadata": null})).await;
    assert_eq!(ds["metadata"], Value::Null);
    assert_eq!(app.read(&path).await, ds, "stored");

    // Empty body: nothing changes.
    let (status, same) = app.patch(&app.owner.key, &path, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(same["name"], "renamed");
}

#[tokio::test]
async fn patch_dataset_errors_leave_it_unchanged() {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    app.create_dataset(&ws, "other").await;
    let id = app.create_dataset(&ws, "ds").await;
    let path = format!("/api/v1/datasets/{id}");
    let before = app.read(&path).await;

    let reply = app.patch(&app.owner.key, &path, json!({"name": "other"})).await;
    assert_eq!(reply, (409, detail(format!("Dataset with name `other` already exists for workspace with id `{ws}`"))));
    let (status, body) = app.patch(&app.owner.key, &path, json!({"name": null, "distribution": null})).await;
    assert_eq!(status, 422, "{body}");
    let error = &body["detail"]["params"]["errors"][0];
    assert_eq!(error["loc"], json!(["body"]));
    assert_eq!(error["type"], "value_error");
    assert_eq!(error["msg"], "Value error, The following keys must have non-null values: name, distribution");
    for body in [
        json!({"name": ""}),
        json!({"name": "n".repeat(201)}),
        json!({"guidelines": ""}),
        json!({"allow_extra_metadata": "yes"}),
        json!({"distribution": {"strategy": "overlap", "min_submitted": 0}}),
        json!({"metadata": "not a dict"}),
    ] {
        let (status, res) = app.patch(&app.owner.key, &path, body.clone()).await;
        assert_eq!(status, 422, "{body}: {res}");
        assert_eq!(code(&res), "argilla.api.errors::ValidationError", "{body}");
    }
    assert_eq!(app.read(&path).await, before);
}

#[tokio::test]
async fn delete_dataset_cascades() {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.simple_dataset(&ws, "ds").await;
    let record = app.record(&ds, "hello").await;
    let fields = app.read(&format!("/api/v1/datasets/{ds}/fields")).await;
    let field_id = fields["items"][0]["id"].as_str().unwrap().to_owned();
    let before = app.read(&format!("/api/v1/datasets/{ds}")).await;

    let (status, deleted) = app.delete(&app.owner.key, &format!("/api/v1/datasets/{ds}")).await;
    assert_eq!((status, &deleted), (200, &before));
    let reply = app.get(&app.owner.key, &format!("/api/v1/datasets/{ds}")).await;
    assert_eq!(reply, (404, detail(format!("Dataset with id `{ds}` not found"))));
    let reply = app.get(&app.owner.key, &format!("/api/v1/records/{record}")).await;
    assert_eq!(reply, (404, detail(format!("Record with id `{record}` not found"))));
    let reply = app.delete(&app.owner.key, &format!("/api/v1/fields/{field_id}")).await;
    assert_eq!(reply, (404, detail(format!("Field with id `{field_id}` not found"))));
    // The workspace can now be deleted.
    app.expect("DELETE", &format!("/api/v1/workspaces/{ws}"), None, 200).await;
}

#[tokio::test]
async fn publish_checks_in_order() {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.create_dataset(&ws, "ds").await;
    let path = format!("/api/v1/datasets/{ds}/publish");

    let reply = app.call("PUT", &path, &app.owner.key, None).await;
    assert_eq!(reply, (422, detail("Dataset cannot be published without fields")));
    app.add_field(&ds, "text", false).await;
    let reply = app.call("PUT", &path, &app.owner.key, None).await;
    assert_eq!(reply, (422, detail("Dataset cannot be published without required questions")));
    app.add_question(&ds, "optional", false, label_settings(&["a", "b"])).await;
    let reply = app.call("PUT", &path, &app.owner.key, None).await;
    assert_eq!(reply, (422, detail("Dataset cannot be published without required questions")));
    assert_eq!(app.read(&format!("/api/v1/datasets/{ds}")).await["status"], "draft");

    app.add_question(&ds, "required", true, label_settings(&["a", "b"])).await;
    let (status, published) = app.call("PUT", &path, &app.owner.key, None).await;
    assert_eq!(status, 200, "{published}");
    assert_eq!(published["status"], "ready");
    let reply = app.call("PUT", &path, &app.owner.key, None).await;
    assert_eq!(reply, (422, detail("Dataset has already been published")));
}

#[tokio::test]
async fn me_datasets_filters_and_visibility() {
    let app = TestApp::new().await;
    let a = app.default_workspace().await;
    let b = app.create_workspace("b").await;
    let ann = app.member("ann", "annotator", &[&a]).await;
    app.create_dataset(&a, "a1").await;
    app.simple_dataset(&a, "a2").await;
    app.create_dataset(&b, "b1").await;

    assert_eq!(names(&app.read("/api/v1/me/datasets").await), ["a1", "a2", "b1"]);
    assert_eq!(names(&app.read(&format!("/api/v1/me/datasets?workspace_id={b}")).await), ["b1"]);
    assert_eq!(names(&app.read("/api/v1/me/datasets?name=a2").await), ["a2"]);
    assert_eq!(names(&app.read("/api/v1/me/datasets?status=ready").await), ["a2"]);
    assert_eq!(names(&app.read("/api/v1/me/datasets?status=draft").await), ["a1", "b1"]);

    let (status, list) = app.get(&ann.key, "/api/v1/me/datasets").await;
    assert_eq!(status, 200);
    assert_eq!(names(&list), ["a1", "a2"]);
    let reply = app.get(&ann.key, &format!("/api/v1/me/datasets?workspace_id={b}")).await;
    assert_eq!(reply, (403, forbidden()));

    let (status, res) = app.get(&app.owner.key, "/api/v1/me/datasets?status=archived").await;
    assert_eq!(status, 422);
    assert_eq!(locs(&res), vec![json!(["query", "status"])]);
    let (status, res) = app.get(&app.owner.key, "/api/v1/me/datasets?workspace_id=nope").await;
    assert_eq!(status, 422);
    assert_eq!(locs(&res), vec![json!(["query", "workspace_id"])]);
}

#[tokio::test]
async fn progress_of_a_draft_dataset_is_zero() {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.create_dataset(&ws, "ds").await;
    let progress = app.read(&format!("/api/v1/datasets/{ds}/progress")).await;
    assert_eq!(progress, json!({"total": 0, "completed": 0, "pending": 0, "users": []}));
    let progress = app.read(&format!("/api/v1/datasets/{ds}/users/progress")).await;
    assert_eq!(progress, json!({"users": []}));
}

/// Naive UTC ISO-8601 without offset, `isoformat()` style (api.md §0.3).
fn is_naive_timestamp(value: &Value) -> bool {
    let Some(text) = value.as_str() else {
        return false;
    };
    let (main, fraction) = match text.split_once('.') {
        Some((main, fraction)) => (main, Some(fraction)),
        None => (text, None),
    };
    let shape_ok = main.len() == 19
        && main.chars().enumerate().all(|(i, c)| match i {
            4 | 7 => c == '-',
            10 => c == 'T',
            13 | 16 => c == ':',
            _ => c.is_ascii_digit(),
        });
    let fraction_ok =
        fraction.is_none_or(|it| it.len() == 6 && it.chars().all(|c| c.is_ascii_digit()) && it != "000000");
    shape_ok && fraction_ok
}

#[tokio::test]
async fn timestamps_are_naive_iso_and_responses_bump_last_activity_only() {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.simple_dataset(&ws, "ds").await;
    let record = app.record(&ds, "hello").await;
    let before = app.read(&format!("/api/v1/datasets/{ds}")).await;
    for key in ["inserted_at", "updated_at", "last_activity_at"] {
        assert!(is_naive_timestamp(&before[key]), "{key}: {}", before[key]);
    }
    let me = app.read("/api/v1/me").await;
    assert!(is_naive_timestamp(&me["inserted_at"]), "{me}");
    let rec = app.read(&format!("/api/v1/records/{record}")).await;
    assert!(is_naive_timestamp(&rec["updated_at"]), "{rec}");

    let reply = app
        .post(
            &app.owner.key,
            &format!("/api/v1/records/{record}/responses"),
            json!({"status": "submitted", "values": {"label": {"value": "a"}}}),
        )
        .await;
    check(&reply, 201);
    assert!(is_naive_timestamp(&reply.1["inserted_at"]), "{}", reply.1);
    let after = app.read(&format!("/api/v1/datasets/{ds}")).await;
    assert_eq!(after["updated_at"], before["updated_at"]);
    assert!(
        after["last_activity_at"].as_str().unwrap() > before["last_activity_at"].as_str().unwrap(),
        "{before} → {after}"
    );
}

#[tokio::test]
async fn progress_lists_users_by_first_response() {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let zed = app.member("zed", "annotator", &[&ws]).await;
    let amy = app.member("amy", "annotator", &[&ws]).await;
    let ds = app.simple_dataset(&ws, "ds").await;
    let records = app.records(&ds, 3).await;
    let answer = |key: String, record: String, status: &'static str| {
        let app = &app;
        async move {
            let body = json!({"status": status, "values": {"label": {"value": "a"}}});
            let reply = app.post(&key, &format!("/api/v1/records/{record}/responses"), body).await;
            check(&reply, 201);
        }
    };
    answer(amy.key.clone(), records[0].clone(), "draft").await;
    answer(zed.key.clone(), records[0].clone(), "submitted").await;
    answer(zed.key.clone(), records[1].clone(), "discarded").await;

    let progress = app.read(&format!("/api/v1/datasets/{ds}/progress")).await;
    assert_eq!(
        progress,
        json!({"total": 3, "completed": 1, "pending": 2,
               "users": [{"username": "amy"}, {"username": "zed"}]})
    );
    // Users progress is ordered by user creation.
    let progress = app.read(&format!("/api/v1/datasets/{ds}/users/progress")).await;
    assert_eq!(
        progress,
        json!({"users": [
            {"username": "zed", "completed": {"submitted": 1, "discarded": 0, "draft": 0},
                                "pending": {"submitted": 0, "discarded": 1, "draft": 0}},
            {"username": "amy", "completed": {"submitted": 0, "discarded": 0, "draft": 1},
                                "pending": {"submitted": 0, "discarded": 0, "draft": 0}},
        ]})
    );
}
