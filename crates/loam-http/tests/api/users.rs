//! `/api/v1/me`, `/api/v1/users…` (api.md §3).

use serde_json::{json, Value};

use crate::common::*;

const USER_KEYS: [&str; 8] =
    ["id", "first_name", "last_name", "username", "role", "api_key", "inserted_at", "updated_at"];

fn keys(obj: &Value) -> Vec<String> {
    let mut keys: Vec<String> = obj.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

fn sorted(keys: &[&str]) -> Vec<String> {
    let mut keys: Vec<String> = keys.iter().map(|it| (*it).to_owned()).collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn me_is_the_caller_in_the_v1_shape() {
    let app = TestApp::new().await;
    let me = app.read("/api/v1/me").await;
    assert_eq!(keys(&me), sorted(&USER_KEYS));
    assert_eq!(me["id"], app.owner.id.as_str());
    assert_eq!(me["username"], "owner");
    assert_eq!(me["role"], "owner");
    assert_eq!(me["last_name"], Value::Null);
}

#[tokio::test]
async fn create_user_returns_201_with_defaults_and_a_working_key() {
    let app = TestApp::new().await;
    // The v2 SDK sends nulls for id and timestamps; unknown keys are ignored.
    let body = json!({"id": null, "inserted_at": null, "updated_at": null,
                      "username": "ann", "first_name": "  Ann  ", "last_name": null,
                      "role": null, "password": "12345678-long", "favourite_colour": "green"});
    let (status, user) = app.post(&app.owner.key, "/api/v1/users", body).await;
    assert_eq!(status, 201, "{user}");
    assert_eq!(keys(&user), sorted(&USER_KEYS));
    assert_eq!(user["first_name"], "Ann");
    assert_eq!(user["last_name"], Value::Null);
    assert_eq!(user["role"], "annotator");
    let key = user["api_key"].as_str().unwrap();
    let (status, me) = app.get(key, "/api/v1/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["id"], user["id"]);

    // A client-chosen id is kept.
    let id = new_id();
    let body = json!({"id": id, "username": "bob", "first_name": "Bob", "last_name": "Builder",
                      "role": "admin", "password": PASSWORD});
    let (status, user) = app.post(&app.owner.key, "/api/v1/users", body).await;
    assert_eq!(status, 201, "{user}");
    assert_eq!(user["id"], id.as_str());
    assert_eq!(user["role"], "admin");
    assert_eq!(user["last_name"], "Builder");
}

#[tokio::test]
async fn create_user_conflicts_are_409() {
    let app = TestApp::new().await;
    let ann = app.create_user("ann", "annotator").await;
    let body = json!({"username": "ann", "first_name": "Other", "password": PASSWORD});
    let reply = app.post(&app.owner.key, "/api/v1/users", body).await;
    assert_eq!(reply, (409, detail("User username `ann` is not unique")));
    let body = json!({"id": ann.id, "username": "other", "first_name": "Other",
                      "password": PASSWORD});
    let reply = app.post(&app.owner.key, "/api/v1/users", body).await;
    assert_eq!(reply, (409, detail(format!("User with id `{}` is not unique", ann.id))));
    assert_eq!(app.read("/api/v1/users").await["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn create_user_schema_errors_are_coded_422() {
    let app = TestApp::new().await;
    let cases = [
        (json!({"first_name": "A", "password": PASSWORD}), json!(["body", "username"])),
        (json!({"username": "a", "password": PASSWORD}), json!(["body", "first_name"])),
        (json!({"username": "a", "first_name": "A"}), json!(["body", "password"])),
        (json!({"username": "a", "first_name": "A", "password": "short"}), json!(["body", "password"])),
        (json!({"username": "a", "first_name": "A", "password": "x".repeat(101)}), json!(["body", "password"])),
        (json!({"username": "", "first_name": "A", "password": PASSWORD}), json!(["body", "username"])),
        (json!({"username": "a", "first_name": "   ", "password": PASSWORD}), json!(["body", "first_name"])),
        (
            json!({"username": "a", "first_name": "A", "password": PASSWORD, "role": "superuser"}),
            json!(["body", "role"]),
        ),
        (json!({"username": 7, "first_name": "A", "password": PASSWORD}), json!(["body", "username"])),
    ];
    for (body, loc) in cases {
        let (status, res) = app.post(&app.owner.key, "/api/v1/users", body.clone()).await;
        assert_eq!(status, 422, "{body}: {res}");
        assert_eq!(code(&res), "argilla.api.errors::ValidationError", "{body}");
        assert_eq!(locs(&res), vec![loc], "{body}");
    }
    // Nothing was stored.
    assert_eq!(app.read("/api/v1/users").await["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn list_users_is_ordered_by_creation() {
    let app = TestApp::new().await;
    for name in ["zed", "amy", "kim"] {
        app.create_user(name, "annotator").await;
    }
    let list = app.read("/api/v1/users").await;
    let names: Vec<&str> =
        list["items"].as_array().unwrap().iter().map(|it| it["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["owner", "zed", "amy", "kim"]);
}

#[tokio::test]
async fn get_user_and_its_404() {
    let app = TestApp::new().await;
    let ann = app.create_user("ann", "annotator").await;
    let user = app.read(&format!("/api/v1/users/{}", ann.id)).await;
    assert_eq!(user["username"], "ann");
    let missing = new_id();
    let reply = app.get(&app.owner.key, &format!("/api/v1/users/{missing}")).await;
    assert_eq!(reply, (404, detail(format!("User with id `{missing}` not found"))));
}

#[tokio::test]
async fn patch_user_updates_present_keys_only() {
    let app = TestApp::new().await;
    let ann = app.create_user("ann", "annotator").await;
    let path = format!("/api/v1/users/{}", ann.id);
    let body = json!({"last_name": "Lee", "role": "admin", "id": "ignored", "inserted_at": null});
    let (status, user) = app.patch(&app.owner.key, &path, body).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["last_name"], "Lee");
    assert_eq!(user["role"], "admin");
    assert_eq!(user["first_name"], "ann");
    assert_eq!(user["username"], "ann");

    // `last_name: null` clears it.
    let (status, user) = app.patch(&app.owner.key, &path, json!({"last_name": null})).await;
    assert_eq!(status, 200);
    assert_eq!(user["last_name"], Value::Null);

    // A new password works for sign-in; the old one no longer does.
    let (status, _) = app.patch(&app.owner.key, &path, json!({"password": "a-brand-new-one"})).await;
    assert_eq!(status, 200);
    assert!(app.service.sign_in("ann", "a-brand-new-one", None).await.is_ok());
    assert!(app.service.sign_in("ann", PASSWORD, None).await.is_err());

    // The change is stored.
    let stored = app.read(&path).await;
    assert_eq!(stored["role"], "admin");
    assert_eq!(stored["last_name"], Value::Null);
}

#[tokio::test]
async fn patch_user_errors() {
    let app = TestApp::new().await;
    let ann = app.create_user("ann", "annotator").await;
    app.create_user("bob", "annotator").await;
    let path = format!("/api/v1/users/{}", ann.id);
    let before = app.read(&path).await;

    // Username taken: 422 here (409 on create).
    let reply = app.patch(&app.owner.key, &path, json!({"username": "bob"})).await;
    assert_eq!(reply, (422, detail("Username 'bob' already exists")));

    // Non-nullable keys.
    let (status, body) = app.patch(&app.owner.key, &path, json!({"first_name": null, "role": null})).await;
    assert_eq!(status, 422, "{body}");
    let error = &body["detail"]["params"]["errors"][0];
    assert_eq!(error["loc"], json!(["body"]));
    assert_eq!(error["type"], "value_error");
    let msg = error["msg"].as_str().unwrap();
    assert!(msg.starts_with("Value error, The following keys must have non-null values: "), "{msg}");
    assert!(msg.contains("first_name") && msg.contains("role"), "{msg}");

    let (status, _) = app.patch(&app.owner.key, &path, json!({"password": "short"})).await;
    assert_eq!(status, 422);

    let missing = new_id();
    let reply = app.patch(&app.owner.key, &format!("/api/v1/users/{missing}"), json!({"first_name": "X"})).await;
    assert_eq!(reply, (404, detail(format!("User with id `{missing}` not found"))));

    assert_eq!(app.read(&path).await, before, "nothing changed");
}

#[tokio::test]
async fn delete_user_returns_it_and_removes_memberships_and_responses() {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ann = app.member("ann", "annotator", &[&ws]).await;
    let ds = app.simple_dataset(&ws, "ds").await;
    let record = app.record(&ds, "hello").await;
    let reply = app
        .post(
            &ann.key,
            &format!("/api/v1/records/{record}/responses"),
            json!({"status": "submitted", "values": {"label": {"value": "a"}}}),
        )
        .await;
    check(&reply, 201);
    assert_eq!(app.read(&format!("/api/v1/records/{record}")).await["status"], "completed");

    let (status, user) = app.delete(&app.owner.key, &format!("/api/v1/users/{}", ann.id)).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["username"], "ann");
    let reply = app.get(&app.owner.key, &format!("/api/v1/users/{}", ann.id)).await;
    assert_eq!(reply.0, 404);
    let members = app.read(&format!("/api/v1/workspaces/{ws}/users")).await;
    assert_eq!(members["items"], json!([]));
    let records = app.list_records(&ds).await;
    assert_eq!(records["items"][0]["responses"], json!([]));
    assert_eq!(records["items"][0]["status"], "pending");

    let missing = new_id();
    let reply = app.delete(&app.owner.key, &format!("/api/v1/users/{missing}")).await;
    assert_eq!(reply, (404, detail(format!("User with id `{missing}` not found"))));
}

#[tokio::test]
async fn user_workspaces_are_memberships_or_all_for_owners() {
    let app = TestApp::new().await;
    let argilla = app.default_workspace().await;
    let one = app.create_workspace("one").await;
    let two = app.create_workspace("two").await;
    let ann = app.member("ann", "annotator", &[&two]).await;
    let other_owner = app.create_user("boss", "owner").await;

    let res = app.read(&format!("/api/v1/users/{}/workspaces", ann.id)).await;
    let ids: Vec<&str> = res["items"].as_array().unwrap().iter().map(|it| it["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [two.as_str()]);
    assert_eq!(
        res["items"][0].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["id", "name", "inserted_at", "updated_at"]
    );

    let res = app.read(&format!("/api/v1/users/{}/workspaces", other_owner.id)).await;
    let ids: Vec<&str> = res["items"].as_array().unwrap().iter().map(|it| it["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [argilla.as_str(), one.as_str(), two.as_str()]);

    let missing = new_id();
    let reply = app.get(&app.owner.key, &format!("/api/v1/users/{missing}/workspaces")).await;
    assert_eq!(reply, (404, detail(format!("User with id `{missing}` not found"))));
}

/// Replicas started together on an empty database all try to create the first owner: exactly one
/// does, the others see it, none fails (each race round on a fresh database).
#[tokio::test]
async fn replicas_bootstrapping_one_empty_database_create_one_owner() {
    for _round in 0..5 {
        let db = loam_store::testing::ScratchDb::new().await;
        let mut services = Vec::new();
        for _ in 0..4 {
            services.push(open_service(&db.url, 2).await);
        }
        let attempts = services.iter().map(|service| {
            let key = loam_service::generate_api_key();
            async move { service.bootstrap_owner("owner", PASSWORD, &key).await }
        });
        let outcomes = futures::future::join_all(attempts).await;
        let created: Vec<_> =
            outcomes.into_iter().filter_map(|it| it.expect("a racing bootstrap must not fail")).collect();
        assert_eq!(created.len(), 1, "exactly one replica creates the owner");
        let users = services[0].list_users_as_operator().await.unwrap();
        assert_eq!(users.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), ["owner"]);
        assert_eq!(users[0].id, created[0].id);
    }
}
