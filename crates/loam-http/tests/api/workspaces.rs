//! `/api/v1/workspaces…`, `/api/v1/me/workspaces` (api.md §4).

use serde_json::{json, Value};

use crate::common::*;

fn ids(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|it| it["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn create_get_and_delete_a_workspace() {
    let app = TestApp::new().await;
    let body = json!({"id": null, "inserted_at": null, "updated_at": null, "name": "team a b"});
    let (status, ws) = app.post(&app.owner.key, "/api/v1/workspaces", body).await;
    assert_eq!(status, 201, "{ws}");
    assert_eq!(ws.as_object().unwrap().keys().collect::<Vec<_>>(), ["id", "name", "inserted_at", "updated_at"]);
    assert_eq!(ws["name"], "team a b");
    let id = ws["id"].as_str().unwrap();
    assert_eq!(app.read(&format!("/api/v1/workspaces/{id}")).await, ws);

    let (status, deleted) = app.delete(&app.owner.key, &format!("/api/v1/workspaces/{id}")).await;
    assert_eq!((status, &deleted), (200, &ws));
    let reply = app.get(&app.owner.key, &format!("/api/v1/workspaces/{id}")).await;
    assert_eq!(reply, (404, detail(format!("Workspace with id `{id}` not found"))));
    let reply = app.delete(&app.owner.key, &format!("/api/v1/workspaces/{id}")).await;
    assert_eq!(reply, (404, detail(format!("Workspace with id `{id}` not found"))));

    // A client-chosen id is kept.
    let chosen = new_id();
    let (status, ws) = app.post(&app.owner.key, "/api/v1/workspaces", json!({"id": chosen, "name": "chosen"})).await;
    assert_eq!(status, 201);
    assert_eq!(ws["id"], chosen.as_str());
}

#[tokio::test]
async fn workspace_conflicts_are_409() {
    let app = TestApp::new().await;
    let ws = app.create_workspace("team").await;
    let reply = app.post(&app.owner.key, "/api/v1/workspaces", json!({"name": "team"})).await;
    assert_eq!(reply, (409, detail("Workspace name `team` is not unique")));
    let reply = app.post(&app.owner.key, "/api/v1/workspaces", json!({"id": ws, "name": "other"})).await;
    assert_eq!(reply, (409, detail(format!("Workspace with id `{ws}` is not unique"))));
    let all = app.read("/api/v1/me/workspaces").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_workspace_with_datasets_cannot_be_deleted() {
    let app = TestApp::new().await;
    let ws = app.create_workspace("team").await;
    app.create_dataset(&ws, "ds").await;
    let reply = app.delete(&app.owner.key, &format!("/api/v1/workspaces/{ws}")).await;
    assert_eq!(
        reply,
        (409, detail(format!("Cannot delete the workspace {ws}. This workspace has some datasets linked")))
    );
    app.read(&format!("/api/v1/workspaces/{ws}")).await;
}

#[tokio::test]
async fn me_workspaces_lists_all_for_owners_and_memberships_for_others() {
    let app = TestApp::new().await;
    let argilla = app.default_workspace().await;
    let one = app.create_workspace("one").await;
    let two = app.create_workspace("two").await;
    let ann = app.member("ann", "annotator", &[&two, &argilla]).await;
    let lonely = app.create_user("lonely", "admin").await;

    assert_eq!(ids(&app.read("/api/v1/me/workspaces").await), [argilla.as_str(), one.as_str(), two.as_str()]);
    // Ordered by inserted_at, not by membership.
    let (status, list) = app.get(&ann.key, "/api/v1/me/workspaces").await;
    assert_eq!(status, 200);
    assert_eq!(ids(&list), [argilla.as_str(), two.as_str()]);
    let (status, list) = app.get(&lonely.key, "/api/v1/me/workspaces").await;
    assert_eq!((status, list), (200, json!({"items": []})));
}

#[tokio::test]
async fn members_are_listed_added_and_removed() {
    let app = TestApp::new().await;
    let ws = app.create_workspace("team").await;
    let ann = app.create_user("ann", "annotator").await;
    let bob = app.create_user("bob", "admin").await;
    let path = format!("/api/v1/workspaces/{ws}/users");

    let (status, user) = app.post(&app.owner.key, &path, json!({"user_id": bob.id})).await;
    assert_eq!(status, 201, "{user}");
    assert_eq!(user["username"], "bob");
    app.add_member(&ws, &ann).await;
    let list = app.read(&path).await;
    let names: Vec<&str> =
        list["items"].as_array().unwrap().iter().map(|it| it["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["bob", "ann"], "ordered by membership");

    // Already a member.
    let reply = app.post(&app.owner.key, &path, json!({"user_id": ann.id})).await;
    assert_eq!(
        reply,
        (409, detail(format!("Workspace user with workspace_id `{ws}` and user_id `{}` is not unique", ann.id)))
    );
    // Unknown user: 422 with the not-found message.
    let missing = new_id();
    let reply = app.post(&app.owner.key, &path, json!({"user_id": missing})).await;
    assert_eq!(reply, (422, detail(format!("User with id `{missing}` not found"))));
    // Unknown workspace: 404.
    let other = new_id();
    let reply =
        app.post(&app.owner.key, &format!("/api/v1/workspaces/{other}/users"), json!({"user_id": ann.id})).await;
    assert_eq!(reply, (404, detail(format!("Workspace with id `{other}` not found"))));
    let reply = app.get(&app.owner.key, &format!("/api/v1/workspaces/{other}/users")).await;
    assert_eq!(reply, (404, detail(format!("Workspace with id `{other}` not found"))));
    // Bad body.
    let (status, body) = app.post(&app.owner.key, &path, json!({"user_id": "nope"})).await;
    assert_eq!(status, 422);
    assert_eq!(locs(&body), vec![json!(["body", "user_id"])]);

    // Remove.
    let (status, user) = app.delete(&app.owner.key, &format!("{path}/{}", ann.id)).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["username"], "ann");
    let list = app.read(&path).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let reply = app.delete(&app.owner.key, &format!("{path}/{}", ann.id)).await;
    assert_eq!(
        reply,
        (404, detail(format!("WorkspaceUser not found filtering by workspace_id={ws}, user_id={}", ann.id)))
    );
    let (status, list) = app.get(&ann.key, "/api/v1/me/workspaces").await;
    assert_eq!((status, list), (200, json!({"items": []})));
}

#[tokio::test]
async fn non_members_get_403_even_for_missing_workspaces() {
    let app = TestApp::new().await;
    let ann = app.create_user("ann", "annotator").await;
    let adm = app.create_user("adm", "admin").await;
    let missing = new_id();
    for user in [&ann, &adm] {
        let reply = app.get(&user.key, &format!("/api/v1/workspaces/{missing}")).await;
        assert_eq!(reply, (403, forbidden()));
    }
    let reply = app.get(&adm.key, &format!("/api/v1/workspaces/{missing}/users")).await;
    assert_eq!(reply, (403, forbidden()));
    let reply = app.delete(&adm.key, &format!("/api/v1/workspaces/{missing}")).await;
    assert_eq!(reply, (403, forbidden()));
}

#[tokio::test]
async fn workspace_name_schema_errors() {
    let app = TestApp::new().await;
    for body in [json!({}), json!({"name": ""}), json!({"name": 3}), json!({"name": null}), json!([])] {
        let (status, res) = app.post(&app.owner.key, "/api/v1/workspaces", body.clone()).await;
        assert_eq!(status, 422, "{body}: {res}");
        assert_eq!(code(&res), "argilla.api.errors::ValidationError");
    }
    assert_eq!(app.read("/api/v1/me/workspaces").await["items"].as_array().unwrap().len(), 1);
}
