//! The unversioned `/api/…` routes the legacy 1.x SDK needs (api.md §2): bare arrays, `200`
//! on creation, and the v0 user object with workspace names.

use crate::openapi::Routes;
use axum::extract::{Path, State};
use loam_domain::error::Loc;
use loam_domain::model::User;
use loam_domain::schema::Reader;
use serde_json::Value;

use super::users::{parse_role, trimmed};
use super::{ok, ApiResult};
use crate::error::ApiError;
use crate::extract::{path_id, Auth, Body};
use crate::AppState;
use loam_service::wire;

pub fn routes(r: Routes) -> Routes {
    r.get(
        "/api/datasets",
        "The legacy 1.x task datasets: always an empty list, loam keeps none (legacy SDK)",
        200,
        Some("TaskDatasets"),
        task_datasets,
    )
    .get("/api/me", "The current user with workspace names (legacy SDK)", 200, Some("UserV0"), me)
    .get("/api/users", "List users (legacy SDK, owners)", 200, Some("UsersV0"), list_users)
    .post("/api/users", "Create a user (legacy SDK, owners)", 200, Some("UserV0"), create_user)
    .json_body("LegacyNewUser")
    .errors(&[409])
    .delete("/api/users/{user_id}", "Delete a user (legacy SDK, owners)", 200, Some("UserV0"), delete_user)
    .post("/api/workspaces", "Create a workspace (legacy SDK, owners)", 200, Some("Workspace"), create_workspace)
    .json_body("LegacyNewWorkspace")
    .errors(&[409])
    .get("/api/workspaces/{workspace_id}/users", "Members of a workspace (legacy SDK)", 200, Some("UsersV0"), members)
    .post(
        "/api/workspaces/{workspace_id}/users/{user_id}",
        "Add a member (legacy SDK, owners)",
        200,
        Some("UserV0"),
        add_member,
    )
    .errors(&[409])
    .delete(
        "/api/workspaces/{workspace_id}/users/{user_id}",
        "Remove a member (legacy SDK)",
        200,
        Some("UserV0"),
        remove_member,
    )
}

async fn v0(app: &AppState, user: &User, all_for_owner: bool, api_key: Option<&str>) -> Result<Value, ApiError> {
    let names = app.service.workspace_names_of(user, all_for_owner).await?;
    Ok(wire::user_v0(user, &names, api_key))
}

/// `rg.list_datasets()` and the CLI's `argilla datasets list` list the 1.x task datasets next to
/// the FeedbackDatasets: loam has no task datasets, so the list is empty (and the FeedbackDatasets
/// still get listed). Every other `/api/datasets…` call answers the "not supported" 404.
async fn task_datasets(Auth(_actor): Auth) -> ApiResult {
    Ok(ok(Value::Array(Vec::new())))
}

async fn me(State(app): State<AppState>, Auth(actor): Auth) -> ApiResult {
    Ok(ok(v0(&app, &actor, true, None).await?))
}

async fn list_users(State(app): State<AppState>, Auth(actor): Auth) -> ApiResult {
    let users = app.service.list_users(&actor).await?;
    let mut res = Vec::with_capacity(users.len());
    for user in &users {
        res.push(v0(&app, user, false, None).await?);
    }
    Ok(ok(Value::Array(res)))
}

async fn create_user(State(app): State<AppState>, Auth(actor): Auth, body: Body) -> ApiResult {
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    let username = r.string("username", 1, 1000)?;
    let valid = !username.starts_with(['-', '_'])
        && username.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(ApiError::at(
            &["body", "username"],
            "string_pattern_mismatch",
            "String should match pattern '^(?!-|_)[A-za-z0-9-_]+$'",
        ));
    }
    let workspaces = match r.raw("workspaces") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        Some(_) => return Err(ApiError::at(&["body", "workspaces"], "list_type", "Input should be a valid list")),
    };
    let new = loam_service::NewUser {
        id: None,
        first_name: trimmed(&r, "first_name", true)?.unwrap_or_default(),
        last_name: trimmed(&r, "last_name", false)?,
        role: parse_role(&r, "role")?.unwrap_or(loam_domain::Role::Annotator),
        password: r.string("password", 8, 100)?,
        username,
        workspaces,
    };
    let (user, key) = app.service.create_user(&actor, new).await?;
    Ok(ok(v0(&app, &user, false, Some(&key)).await?))
}

async fn delete_user(State(app): State<AppState>, Auth(actor): Auth, Path(user_id): Path<String>) -> ApiResult {
    let id = path_id(&user_id, "user_id")?;
    let names = {
        let user = app.service.get_user(&actor, id.into()).await?;
        app.service.workspace_names_of(&user, false).await?
    };
    let user = app.service.delete_user(&actor, id.into()).await?;
    Ok(ok(wire::user_v0(&user, &names, None)))
}

async fn create_workspace(State(app): State<AppState>, Auth(actor): Auth, body: Body) -> ApiResult {
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    let name = r.string("name", 1, 1000)?;
    let valid = !name.starts_with(['-', '_'])
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !valid {
        return Err(ApiError::at(
            &["body", "name"],
            "string_pattern_mismatch",
            "String should match pattern '^(?!-|_)[a-z0-9-_]+$'",
        ));
    }
    let ws = app.service.create_workspace(&actor, None, name).await?;
    Ok(ok(wire::workspace(&ws)))
}

async fn members(State(app): State<AppState>, Auth(actor): Auth, Path(workspace_id): Path<String>) -> ApiResult {
    let id = path_id(&workspace_id, "workspace_id")?;
    let users = app.service.list_workspace_members(&actor, id.into()).await?;
    let mut res = Vec::with_capacity(users.len());
    for user in &users {
        res.push(v0(&app, user, false, None).await?);
    }
    Ok(ok(Value::Array(res)))
}

async fn add_member(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path((workspace_id, user_id)): Path<(String, String)>,
) -> ApiResult {
    let ws = path_id(&workspace_id, "workspace_id")?;
    let user = path_id(&user_id, "user_id")?;
    let user = app.service.add_workspace_member(&actor, ws.into(), user.into(), false).await?;
    Ok(ok(v0(&app, &user, false, None).await?))
}

async fn remove_member(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path((workspace_id, user_id)): Path<(String, String)>,
) -> ApiResult {
    let ws = path_id(&workspace_id, "workspace_id")?;
    let user = path_id(&user_id, "user_id")?;
    let user = app.service.remove_workspace_member(&actor, ws.into(), user.into()).await?;
    Ok(ok(v0(&app, &user, false, None).await?))
}
