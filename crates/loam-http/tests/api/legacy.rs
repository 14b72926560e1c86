//! The unversioned routes of the legacy SDK (api.md §2) and the legacy record endpoints
//! (§10.8, §10.9, §5.9).

use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn legacy_me_has_workspace_names_and_full_name() {
    let app = TestApp::new().await;
    app.create_workspace("one").await;
    let two = app.create_workspace("two").await;

    // Owners see every workspace.
    let me = app.read("/api/me").await;
    assert_eq!(me["username"], "owner");
    assert_eq!(me["full_name"], "owner");
    assert_eq!(me["workspaces"], json!(["argilla", "one", "two"]));
    assert!(me.get("last_name").is_none(), "null keys are omitted: {me}");
    for key in ["id", "first_name", "role", "api_key", "inserted_at", "updated_at"] {
        assert!(me.get(key).is_some(), "{key} in {me}");
    }

    // Others see their memberships.
    let body = json!({"username": "ann", "first_name": "Ann", "last_name": "Lee",
                      "password": PASSWORD});
    let (_, ann) = app.post(&app.owner.key, "/api/v1/users", body).await;
    let key = ann["api_key"].as_str().unwrap();
    let user = TestUser {
        id: ann["id"].as_str().unwrap().to_owned(),
        username: "ann".into(),
        key: key.to_owned(),
        password: PASSWORD.into(),
    };
    app.add_member(&two, &user).await;
    let (status, me) = app.get(key, "/api/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["full_name"], "Ann Lee");
    assert_eq!(me["last_name"], "Lee");
    assert_eq!(me["workspaces"], json!(["two"]));
}

#[tokio::test]
async fn legacy_users_list_is_a_bare_array_for_owners_only() {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ann = app.member("ann", "annotator", &[&ws]).await;
    let list = app.read("/api/users").await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["username"], "owner");
    assert_eq!(list[1]["username"], "ann");
    assert_eq!(list[1]["workspaces"], json!(["argilla"]));
    assert_eq!(app.get(&ann.key, "/api/users").await, (403, forbidden()));
}

#[tokio::test]
async fn legacy_create_user_answers_200_with_memberships() {
    let app = TestApp::new().await;
    app.create_workspace("team").await;
    let body = json!({"username": "ann", "first_name": "Ann", "role": "admin",
                      "password": PASSWORD, "workspaces": ["team", "argilla"]});
    let (status, user) = app.post(&app.owner.key, "/api/users", body).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["role"], "admin");
    assert_eq!(user["full_name"], "Ann");
    let mut names: Vec<String> = serde_json::from_value(user["workspaces"].clone()).unwrap();
    names.sort();
    assert_eq!(names, ["argilla", "team"]);
    let key = user["api_key"].as_str().unwrap();
    assert_eq!(app.get(key, "/api/me").await.1["username"], "ann");

    // Duplicate username → 409.
    let body = json!({"username": "ann", "first_name": "Ann", "password": PASSWORD});
    let (status, _) = app.post(&app.owner.key, "/api/users", body).await;
    assert_eq!(status, 409);
    // Unknown workspace → 422, nothing stored.
    let body = json!({"username": "bob", "first_name": "Bob", "password": PASSWORD,
                      "workspaces": ["nope"]});
    let reply = app.post(&app.owner.key, "/api/users", body).await;
    assert_eq!(reply, (422, detail("Workspace 'nope' does not exist")));
    // Username pattern of the legacy server.
    let body = json!({"username": "-bob", "first_name": "Bob", "password": PASSWORD});
    let (status, res) = app.post(&app.owner.key, "/api/users", body).await;
    assert_eq!(status, 422);
    assert_eq!(locs(&res), vec![json!(["body", "username"])]);
    assert_eq!(app.read("/api/users").await.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn legacy_delete_user() {
    let app = TestApp::new().await;
    let ann = app.create_user("ann", "annotator").await;
    let (status, user) = app.delete(&app.owner.key, &format!("/api/users/{}", ann.id)).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["username"], "ann");
    assert!(user["workspaces"].is_array());
    let (status, _) = app.delete(&app.owner.key, &format!("/api/users/{}", ann.id)).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn legacy_workspaces_and_members() {
    let app = TestApp::new().await;
    let (status, ws) = app.post(&app.owner.key, "/api/workspaces", json!({"name": "team"})).await;
    assert_eq!(status, 200, "{ws}");
    assert_eq!(ws["name"], "team");
    let id = ws["id"].as_str().unwrap().to_owned();
    let (status, _) = app.post(&app.owner.key, "/api/workspaces", json!({"name": "team"})).await;
    assert_eq!(status, 409);
    let (status, _) = app.post(&app.owner.key, "/api/workspaces", json!({"name": "Bad Name"})).await;
    assert_eq!(status, 422);

    let ann = app.create_user("ann", "annotator").await;
    let path = format!("/api/workspaces/{id}/users/{}", ann.id);
    let (status, user) = app.call("POST", &path, &app.owner.key, None).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["workspaces"], json!(["team"]));
    let (status, _) = app.call("POST", &path, &app.owner.key, None).await;
    assert_eq!(status, 409);
    let missing = new_id();
    let (status, _) = app.call("POST", &format!("/api/workspaces/{id}/users/{missing}"), &app.owner.key, None).await;
    assert_eq!(status, 404);
    let (status, _) =
        app.call("POST", &format!("/api/workspaces/{missing}/users/{}", ann.id), &app.owner.key, None).await;
    assert_eq!(status, 404);

    let members = app.read(&format!("/api/workspaces/{id}/users")).await;
    assert_eq!(members.as_array().unwrap().len(), 1);
    assert_eq!(members[0]["username"], "ann");

    let (status, user) = app.delete(&app.owner.key, &path).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["workspaces"], json!([]));
    let (status, _) = app.delete(&app.owner.key, &path).await;
    assert_eq!(status, 404);
    assert_eq!(app.read(&format!("/api/workspaces/{id}/users")).await, json!([]));
}

#[tokio::test]
async fn legacy_record_create_and_update_answer_204() {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.create_dataset(&ws, "ds").await;
    app.add_field(&ds, "text", true).await;
    let q = app.add_question(&ds, "label", true, label_settings(&["a", "b"])).await;
    app.add_metadata(&ds, "n", json!({"type": "integer"}), true).await;
    let path = format!("/api/v1/datasets/{ds}/records");

    // Not published yet.
    let items = json!({"items": [{"fields": {"text": "x"}}]});
    let reply = app.post(&app.owner.key, &path, items.clone()).await;
    assert_eq!(reply, (422, detail("Records cannot be created for a non published dataset")));

    app.publish(&ds).await;
    let body = json!({"items": [
        {"fields": {"text": "one"}, "external_id": "e1",
         "responses": [{"user_id": app.owner.id, "status": "submitted", "values": {"label": {"value": "a"}}}],
         "suggestions": [{"question_id": q, "value": "b", "score": 0.5, "agent": "m1"}]},
        {"fields": {"text": "two"}, "metadata": {"n": 3}},
    ]});
    let (status, body) = app.post(&app.owner.key, &path, body).await;
    assert_eq!((status, body), (204, Value::Null));
    let list = app.list_records(&ds).await;
    assert_eq!(list["total"], 2);
    let first = &list["items"][0];
    assert_eq!(first["external_id"], "e1");
    assert_eq!(first["status"], "completed");
    assert_eq!(first["suggestions"][0]["value"], "b");
    let second_id = list["items"][1]["id"].as_str().unwrap().to_owned();

    // PATCH: metadata replaced, suggestions replaced.
    let body = json!({"items": [{"id": second_id, "metadata": {"n": 7},
                                 "suggestions": [{"question_id": q, "value": "a"}]}]});
    let (status, body) = app.patch(&app.owner.key, &path, body).await;
    assert_eq!((status, body), (204, Value::Null));
    let record = app.read(&format!("/api/v1/records/{second_id}")).await;
    assert_eq!(record["metadata"], json!({"n": 7}));
    assert_eq!(record["suggestions"][0]["value"], "a");

    // Errors.
    let body = json!({"items": [{"id": second_id}, {"id": second_id}]});
    let reply = app.patch(&app.owner.key, &path, body).await;
    assert_eq!(reply, (422, detail("Found duplicate records IDs")));
    let missing = new_id();
    let body = json!({"items": [{"id": missing}]});
    let reply = app.patch(&app.owner.key, &path, body).await;
    assert_eq!(reply, (422, detail(format!("Found records that do not exist: {missing}"))));
    assert_eq!(app.read(&format!("/api/v1/records/{second_id}")).await, record, "unchanged");

    // Fields sent with an update are applied (as by the single-record PATCH), never dropped, and
    // the text index follows them.
    let first_id = first["id"].as_str().unwrap().to_owned();
    let body = json!({"items": [{"id": first_id, "fields": {"text": "uno revised"}, "external_id": "e1"}]});
    let (status, _) = app.patch(&app.owner.key, &path, body).await;
    assert_eq!(status, 204);
    assert_eq!(app.read(&format!("/api/v1/records/{first_id}")).await["fields"], json!({"text": "uno revised"}));
    let search = format!("/api/v1/datasets/{ds}/records/search");
    let hits = app.expect("POST", &search, Some(json!({"query": {"text": {"q": "revised"}}})), 200).await;
    assert_eq!(hits["total"], 1);
    let body = json!({"items": [{"id": first_id, "fields": {"other": "x"}}]});
    let (status, err) = app.patch(&app.owner.key, &path, body).await;
    assert_eq!(status, 422, "{err}");

    // An external id never changes: a different one is refused, saying so, for the bulk and the
    // single-record PATCH; nothing of the batch is applied.
    let before = app.read(&format!("/api/v1/records/{first_id}")).await;
    let body = json!({"items": [{"id": second_id, "metadata": {"n": 8}},
                                {"id": first_id, "metadata": {"n": 9}, "external_id": "renamed"}]});
    let (status, err) = app.patch(&app.owner.key, &path, body).await;
    assert_eq!(status, 422, "{err}");
    let message = err["detail"].as_str().unwrap();
    assert!(
        message.starts_with("Record at position 1 is not valid because its external_id cannot change"),
        "{message}"
    );
    assert!(message.contains("not supported by loam"), "{message}");
    assert_eq!(app.read(&format!("/api/v1/records/{second_id}")).await["metadata"], json!({"n": 7}));
    let reply =
        app.patch(&app.owner.key, &format!("/api/v1/records/{first_id}"), json!({"external_id": "renamed"})).await;
    assert_eq!(reply.0, 422, "{}", reply.1);
    assert_eq!(app.read(&format!("/api/v1/records/{first_id}")).await, before, "unchanged");
    // A record without an external id ignores one sent (the v2 SDK makes one up for such records).
    let body = json!({"items": [{"id": second_id, "external_id": "made-up", "metadata": {"n": 8}}]});
    let (status, _) = app.patch(&app.owner.key, &path, body).await;
    assert_eq!(status, 204);
    let second = app.read(&format!("/api/v1/records/{second_id}")).await;
    assert_eq!((second["external_id"].clone(), second["metadata"].clone()), (Value::Null, json!({"n": 8})));
}

#[tokio::test]
async fn my_metrics_has_records_count_and_the_callers_responses() {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ann = app.member("ann", "annotator", &[&ws]).await;
    let ds = app.simple_dataset(&ws, "ds").await;
    let records = app.records(&ds, 5).await;
    let respond = |key: String, record: String, status: &'static str| {
        let app = &app;
        async move {
            let body = json!({"status": status, "values": {"label": {"value": "a"}}});
            let reply = app.post(&key, &format!("/api/v1/records/{record}/responses"), body).await;
            check(&reply, 201);
        }
    };
    respond(ann.key.clone(), records[0].clone(), "submitted").await;
    respond(ann.key.clone(), records[1].clone(), "submitted").await;
    respond(ann.key.clone(), records[2].clone(), "discarded").await;
    respond(ann.key.clone(), records[3].clone(), "draft").await;
    respond(app.owner.key.clone(), records[4].clone(), "submitted").await;

    let (status, metrics) = app.get(&ann.key, &format!("/api/v1/me/datasets/{ds}/metrics")).await;
    assert_eq!(status, 200);
    assert_eq!(
        metrics,
        json!({"records": {"count": 5},
               "responses": {"total": 5, "count": 4, "submitted": 2, "discarded": 1,
                             "draft": 1, "pending": 1}})
    );
    let metrics = app.read(&format!("/api/v1/me/datasets/{ds}/metrics")).await;
    assert_eq!(
        metrics,
        json!({"records": {"count": 5},
               "responses": {"total": 5, "count": 1, "submitted": 1, "discarded": 0,
                             "draft": 0, "pending": 4}})
    );
    let missing = new_id();
    let reply = app.get(&app.owner.key, &format!("/api/v1/me/datasets/{missing}/metrics")).await;
    assert_eq!(reply, (404, detail(format!("Dataset with id `{missing}` not found"))));
}

#[tokio::test]
async fn legacy_task_api_answers_a_404_that_says_it_is_unsupported() {
    // rg.log / rg.load / rg.delete / rg.copy / settings / metrics / labeling rules of the 1.x
    // SDK's pre-Feedback datasets (api.md §2.12).
    let app = TestApp::new().await;
    let unsupported = detail(loam_http::LEGACY_TASK_API_UNSUPPORTED);
    assert!(loam_http::LEGACY_TASK_API_UNSUPPORTED.starts_with("Not supported by loam"));
    // Their listing is empty (rg.list_datasets() lists FeedbackDatasets beside them), for signed-in
    // callers only.
    assert_eq!(app.get(&app.owner.key, "/api/datasets").await, (200, json!([])));
    assert_eq!(app.raw("GET", "/api/datasets", None, "").await.0, 401);
    for (method, path) in [
        ("POST", "/api/datasets"),
        ("GET", "/api/datasets/old-style"),
        ("DELETE", "/api/datasets/old-style"),
        ("POST", "/api/datasets/old-style/TextClassification:bulk"),
        ("POST", "/api/datasets/old-style:copy"),
        ("PUT", "/api/datasets/TextClassification/old-style/settings"),
        ("GET", "/api/datasets/TextClassification/old-style/metrics"),
    ] {
        let body = (method != "GET" && method != "DELETE").then(|| json!({}));
        let reply = app.call(method, path, &app.owner.key, body).await;
        assert_eq!(reply, (404, unsupported.clone()), "{method} {path}");
    }
    // Other unknown /api paths keep the plain JSON 404.
    assert_eq!(app.get(&app.owner.key, "/api/nothing-here").await, (404, detail("Not Found")));
}

#[tokio::test]
async fn legacy_sort_by_accepts_the_order_enum_name_sent_by_python_3_11() {
    // argilla 1.29 builds `sort_by` with f"{field}:{order}"; on Python >= 3.11 the enum renders as
    // `SortOrder.desc`. The SDK's `sort_by([SortBy(field=…, order="desc")])` must still sort.
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.create_dataset(&ws, "ds").await;
    app.add_field(&ds, "text", true).await;
    app.add_question(&ds, "label", true, label_settings(&["a", "b"])).await;
    app.add_metadata(&ds, "n", json!({"type": "integer"}), true).await;
    app.publish(&ds).await;
    let path = format!("/api/v1/datasets/{ds}/records");
    let items: Vec<Value> =
        [2, 9, 5].iter().map(|n| json!({"fields": {"text": format!("t{n}")}, "metadata": {"n": n}})).collect();
    let (status, _) = app.post(&app.owner.key, &path, json!({ "items": items })).await;
    assert_eq!(status, 204);
    let order = |res: &Value| -> Vec<i64> {
        res["items"].as_array().unwrap().iter().map(|it| it["metadata"]["n"].as_i64().unwrap()).collect()
    };
    let res = app.read(&format!("{path}?sort_by=metadata.n:SortOrder.desc")).await;
    assert_eq!(order(&res), [9, 5, 2]);
    let res = app.read(&format!("{path}?sort_by=metadata.n:SortOrder.asc")).await;
    assert_eq!(order(&res), [2, 5, 9]);
    let (status, res) = app.get(&app.owner.key, &format!("{path}?sort_by=metadata.n:SortOrder.sideways")).await;
    assert_eq!(status, 422, "{res}");
}
