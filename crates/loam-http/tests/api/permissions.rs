//! The permission matrix of model.md §3, table-driven: every endpoint family against an owner,
//! an admin member of the target workspace, an admin of another workspace (cross-workspace
//! access), an annotator member and an annotator of another workspace.
//!
//! Allowed callers act on fresh objects (so every call can succeed); refused callers act on the
//! shared objects of workspace A, which are compared before and after: a 403 changes nothing.

use serde_json::{json, Value};

use crate::common::*;
use crate::permissions_world::{Op, Role, World};
use Op::*;
use Role::*;

const ROLES: [Role; 5] = [Owner, AdminMember, AdminOther, AnnotatorMember, AnnotatorOther];
const ALL: &[Role] = &ROLES;
const OWNER: &[Role] = &[Owner];
const MANAGERS: &[Role] = &[Owner, AdminMember];
const MEMBERS: &[Role] = &[Owner, AdminMember, AnnotatorMember];

/// (operation, who may do it, the success status).
const MATRIX: &[(Op, &[Role], u16)] = &[
    (Me, ALL, 200),
    (MeWorkspaces, ALL, 200),
    (MeDatasets, ALL, 200),
    (MeDatasetsOfA, MEMBERS, 200),
    (LegacyMe, ALL, 200),
    (ListUsers, OWNER, 200),
    (GetUser, OWNER, 200),
    (CreateUser, OWNER, 201),
    (UpdateUser, OWNER, 200),
    (DeleteUser, OWNER, 200),
    (UserWorkspaces, OWNER, 200),
    (CreateWorkspace, OWNER, 201),
    (DeleteWorkspace, OWNER, 200),
    (GetWorkspace, MEMBERS, 200),
    (ListMembers, MANAGERS, 200),
    (AddMember, OWNER, 201),
    (RemoveMember, MANAGERS, 200),
    (GetDataset, MEMBERS, 200),
    (ListFields, MEMBERS, 200),
    (ListQuestions, MEMBERS, 200),
    (ListVectors, MEMBERS, 200),
    (ListMetadata, MEMBERS, 200),
    (Progress, MEMBERS, 200),
    (UsersProgress, MEMBERS, 200),
    (MyMetrics, MEMBERS, 200),
    (CreateDataset, MANAGERS, 201),
    (UpdateDataset, MANAGERS, 200),
    (DeleteDataset, MANAGERS, 200),
    (Publish, MANAGERS, 200),
    (CreateField, MANAGERS, 201),
    (UpdateField, MANAGERS, 200),
    (DeleteField, MANAGERS, 200),
    (CreateQuestion, MANAGERS, 201),
    (UpdateQuestion, MANAGERS, 200),
    (DeleteQuestion, MANAGERS, 200),
    (CreateMetadata, MANAGERS, 201),
    (UpdateMetadata, MANAGERS, 200),
    (DeleteMetadata, MANAGERS, 200),
    (CreateVectors, MANAGERS, 201),
    (UpdateVectors, MANAGERS, 200),
    (DeleteVectors, MANAGERS, 200),
    (ListRecords, MANAGERS, 200),
    (BulkCreate, MANAGERS, 201),
    (BulkUpsert, MANAGERS, 200),
    (LegacyCreateRecords, MANAGERS, 204),
    (LegacyUpdateRecords, MANAGERS, 204),
    (DeleteRecords, MANAGERS, 204),
    (GetRecord, MEMBERS, 200),
    (ListSuggestions, MEMBERS, 200),
    (CreateResponse, MEMBERS, 201),
    (UpdateRecord, MANAGERS, 200),
    (DeleteRecord, MANAGERS, 200),
    (UpsertSuggestion, MANAGERS, 201),
    (DeleteSuggestions, MANAGERS, 204),
    (DeleteSuggestion, MANAGERS, 200),
    // The author (the annotator member) may too: see `responses_belong_to_their_author`.
    (UpdateResponse, &[Owner, AdminMember, AnnotatorMember], 200),
    (DeleteResponse, &[Owner, AdminMember, AnnotatorMember], 200),
    (ListWebhooks, OWNER, 200),
    (CreateWebhook, OWNER, 201),
    (UpdateWebhook, OWNER, 200),
    (DeleteWebhook, OWNER, 200),
    (LegacyListUsers, OWNER, 200),
    (LegacyCreateUser, OWNER, 200),
    (LegacyDeleteUser, OWNER, 200),
    (LegacyCreateWorkspace, OWNER, 200),
    (LegacyMembers, MANAGERS, 200),
    (LegacyAddMember, OWNER, 200),
    (LegacyRemoveMember, MANAGERS, 200),
];

#[tokio::test]
async fn the_permission_matrix() {
    let world = World::new().await;
    let before = world.snapshot().await;
    let mut failures = Vec::new();
    for &(op, allowed, ok) in MATRIX {
        for role in ROLES {
            let may = allowed.contains(&role);
            let (method, path, body) = world.prepare(op, may).await;
            let user = world.user(role);
            let (status, res) = world.app.call(method, &path, &user.key, body).await;
            let expected = if may { ok } else { 403 };
            if status != expected || (!may && res != forbidden()) {
                failures.push(format!("{op:?} as {role:?}: {method} {path} → {status} {res} (expected {expected})"));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(world.snapshot().await, before, "refused calls changed nothing");
}

#[tokio::test]
async fn responses_belong_to_their_author() {
    let world = World::new().await;
    // An annotator member who is not the author may neither update nor delete.
    let other = world.app.member("ann-a2", "annotator", &[&world.ws_a]).await;
    let path = format!("/api/v1/responses/{}", world.response);
    let reply = world.app.put(&other.key, &path, json!({"status": "discarded"})).await;
    assert_eq!(reply, (403, forbidden()));
    assert_eq!(world.app.delete(&other.key, &path).await, (403, forbidden()));
    // The admin of another workspace neither.
    let reply = world.app.delete(&world.user(AdminOther).key, &path).await;
    assert_eq!(reply, (403, forbidden()));
    // The author may, even as an annotator.
    let author = world.user(AnnotatorMember);
    let (status, res) = world.app.put(&author.key, &path, json!({"status": "discarded"})).await;
    assert_eq!(status, 200, "{res}");
}

#[tokio::test]
async fn lookups_and_authorization_order() {
    let world = World::new().await;
    let missing = new_id();
    let admin_b = world.user(AdminOther);
    let ann = world.user(AnnotatorMember);
    // authz → lookup: non-owners learn nothing about users, workspaces they are not in.
    for (method, path) in [
        ("GET", format!("/api/v1/users/{missing}")),
        ("GET", format!("/api/v1/users/{missing}/workspaces")),
        ("GET", format!("/api/v1/workspaces/{missing}")),
        ("GET", format!("/api/v1/workspaces/{missing}/users")),
        ("DELETE", format!("/api/v1/workspaces/{missing}")),
    ] {
        let reply = world.app.call(method, &path, &admin_b.key, None).await;
        assert_eq!(reply, (403, forbidden()), "{method} {path}");
    }
    // Creating a dataset in a missing workspace is refused before the lookup for non-members.
    let body = json!({"name": "x", "workspace_id": missing});
    assert_eq!(world.app.post(&admin_b.key, "/api/v1/datasets", body).await, (403, forbidden()));
    // lookup → authz: a missing dataset/record is a 404 for anyone.
    for path in [format!("/api/v1/datasets/{missing}"), format!("/api/v1/records/{missing}")] {
        let (status, _) = world.app.get(&ann.key, &path).await;
        assert_eq!(status, 404, "{path}");
    }
    let reply = world.app.delete(&admin_b.key, &format!("/api/v1/workspaces/{}/users/{missing}", world.ws_a)).await;
    assert_eq!(
        reply,
        (404, detail(format!("WorkspaceUser not found filtering by workspace_id={}, user_id={missing}", world.ws_a)))
    );
}

#[tokio::test]
async fn non_members_see_no_datasets_of_other_workspaces() {
    let world = World::new().await;
    let names = |v: &Value| -> Vec<String> {
        let mut names: Vec<String> =
            v["items"].as_array().unwrap().iter().map(|it| it["name"].as_str().unwrap().to_owned()).collect();
        names.sort();
        names
    };
    let (_, list) = world.app.get(&world.user(AdminOther).key, "/api/v1/me/datasets").await;
    assert_eq!(names(&list), ["b-data"]);
    let (_, list) = world.app.get(&world.user(AnnotatorMember).key, "/api/v1/me/datasets").await;
    assert_eq!(names(&list), ["draft", "scratch", "shared"]);
    let (_, list) = world.app.get(&world.outsider.key, "/api/v1/me/datasets").await;
    assert_eq!(list, json!({"items": []}));
}
