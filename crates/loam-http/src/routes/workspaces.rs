//! `/api/v1/workspaces…`, `/api/v1/me/workspaces`.

use crate::openapi::Routes;
use axum::extract::{Path, State};
use loam_domain::error::Loc;
use loam_domain::schema::Reader;

use super::{created, ok, ApiResult};
use crate::extract::{path_id, Auth, Body};
use crate::AppState;
use loam_service::wire;

pub fn routes(r: Routes) -> Routes {
    r.post("/api/v1/workspaces", "Create a workspace (owners)", 201, Some("Workspace"), create)
        .json_body("NewWorkspace")
        .errors(&[409])
        .get("/api/v1/workspaces/{workspace_id}", "Get a workspace", 200, Some("Workspace"), get_one)
        .delete(
            "/api/v1/workspaces/{workspace_id}",
            "Delete an empty workspace (owners)",
            200,
            Some("Workspace"),
            delete,
        )
        .errors(&[409])
        .get("/api/v1/me/workspaces", "The caller's workspaces", 200, Some("Workspaces"), mine)
        .get("/api/v1/workspaces/{workspace_id}/users", "Members of a workspace", 200, Some("Users"), members)
        .post("/api/v1/workspaces/{workspace_id}/users", "Add a member (owners)", 201, Some("User"), add_member)
        .json_body("WorkspaceMember")
        .errors(&[409])
        .delete(
            "/api/v1/workspaces/{workspace_id}/users/{user_id}",
            "Remove a member",
            200,
            Some("User"),
            remove_member,
        )
}

async fn create(State(app): State<AppState>, Auth(actor): Auth, body: Body) -> ApiResult {
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    let name = r.string("name", 1, 1000)?;
    let id = r.opt_uuid("id")?.map(Into::into);
    let ws = app.service.create_workspace(&actor, id, name).await?;
    Ok(created(wire::workspace(&ws)))
}

async fn get_one(State(app): State<AppState>, Auth(actor): Auth, Path(workspace_id): Path<String>) -> ApiResult {
    let id = path_id(&workspace_id, "workspace_id")?;
    let ws = app.service.get_workspace(&actor, id.into()).await?;
    Ok(ok(wire::workspace(&ws)))
}

async fn delete(State(app): State<AppState>, Auth(actor): Auth, Path(workspace_id): Path<String>) -> ApiResult {
    let id = path_id(&workspace_id, "workspace_id")?;
    let ws = app.service.delete_workspace(&actor, id.into()).await?;
    Ok(ok(wire::workspace(&ws)))
}

async fn mine(State(app): State<AppState>, Auth(actor): Auth) -> ApiResult {
    let items = app.service.my_workspaces(&actor).await?;
    Ok(ok(wire::items(items.iter().map(wire::workspace))))
}

async fn members(State(app): State<AppState>, Auth(actor): Auth, Path(workspace_id): Path<String>) -> ApiResult {
    let id = path_id(&workspace_id, "workspace_id")?;
    let users = app.service.list_workspace_members(&actor, id.into()).await?;
    Ok(ok(wire::items(users.iter().map(|it| wire::user(it, None)))))
}

async fn add_member(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(workspace_id): Path<String>,
    body: Body,
) -> ApiResult {
    let id = path_id(&workspace_id, "workspace_id")?;
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    let user_id = r.uuid("user_id")?;
    let user = app.service.add_workspace_member(&actor, id.into(), user_id.into(), true).await?;
    Ok(created(wire::user(&user, None)))
}

async fn remove_member(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path((workspace_id, user_id)): Path<(String, String)>,
) -> ApiResult {
    let ws = path_id(&workspace_id, "workspace_id")?;
    let user = path_id(&user_id, "user_id")?;
    let user = app.service.remove_workspace_member(&actor, ws.into(), user.into()).await?;
    Ok(ok(wire::user(&user, None)))
}
