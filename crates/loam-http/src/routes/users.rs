//! `/api/v1/me`, `/api/v1/users…`.

use crate::openapi::Routes;
use axum::extract::{Path, State};
use loam_domain::error::Loc;
use loam_domain::schema::Reader;
use loam_domain::Role;
use loam_service::{NewUser, UserPatch};
use serde_json::Value;

use super::{created, ok, ApiResult};
use crate::error::ApiError;
use crate::extract::{path_id, Auth, Body};
use crate::AppState;
use loam_service::wire;

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/me", "The current user", 200, Some("User"), me)
        .get("/api/v1/users", "List users (owners)", 200, Some("Users"), list)
        .post("/api/v1/users", "Create a user (owners); the reply shows its API key once", 201, Some("User"), create)
        .json_body("NewUser")
        .errors(&[409])
        .get("/api/v1/users/{user_id}", "Get a user (owners)", 200, Some("User"), get_one)
        .patch("/api/v1/users/{user_id}", "Update a user (owners)", 200, Some("User"), update)
        .json_body("UserPatch")
        .errors(&[409])
        .delete("/api/v1/users/{user_id}", "Delete a user and their responses (owners)", 200, Some("User"), delete)
        .get("/api/v1/users/{user_id}/workspaces", "Workspaces of a user (owners)", 200, Some("Workspaces"), workspaces)
        .post(
            "/api/v1/users/{user_id}/api-key",
            "Replace a user's API key (owners, or the user themself); the reply shows the new key once",
            200,
            Some("User"),
            rotate_key,
        )
}

async fn rotate_key(State(app): State<AppState>, Auth(actor): Auth, Path(user_id): Path<String>) -> ApiResult {
    let id = path_id(&user_id, "user_id")?;
    let (user, key) = app.service.rotate_api_key(&actor, id.into()).await?;
    Ok(ok(wire::user(&user, Some(&key))))
}

async fn me(Auth(actor): Auth) -> ApiResult {
    Ok(ok(wire::user(&actor, None)))
}

async fn list(State(app): State<AppState>, Auth(actor): Auth) -> ApiResult {
    let users = app.service.list_users(&actor).await?;
    Ok(ok(wire::items(users.iter().map(|it| wire::user(it, None)))))
}

pub(crate) fn parse_role(r: &Reader<'_>, key: &str) -> Result<Option<Role>, ApiError> {
    match r.raw(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => text
            .parse::<Role>()
            .map(Some)
            .map_err(|_| ApiError::at(&["body", key], "enum", "Input should be 'owner', 'admin' or 'annotator'")),
        Some(_) => Err(ApiError::at(&["body", key], "enum", "Input should be 'owner', 'admin' or 'annotator'")),
    }
}

/// First and last names are trimmed before their length is checked.
pub(crate) fn trimmed(r: &Reader<'_>, key: &str, required: bool) -> Result<Option<String>, ApiError> {
    match r.raw(key) {
        None if required => Err(ApiError::at(&["body", key], "missing", "Field required")),
        None | Some(Value::Null) if !required => Ok(None),
        Some(Value::String(text)) => {
            let text = text.trim();
            if text.is_empty() {
                return Err(ApiError::at(
                    &["body", key],
                    "string_too_short",
                    "String should have at least 1 character",
                ));
            }
            Ok(Some(text.to_owned()))
        }
        _ => Err(ApiError::at(&["body", key], "string_type", "Input should be a valid string")),
    }
}

pub(crate) fn parse_new_user(body: &Body) -> Result<NewUser, ApiError> {
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    let username = r.string("username", 1, 1000)?;
    Ok(NewUser {
        id: r.opt_uuid("id")?.map(Into::into),
        first_name: match trimmed(&r, "first_name", false)? {
            Some(name) => name,
            None if !r.has("first_name") => {
                return Err(ApiError::at(&["body", "first_name"], "missing", "Field required"))
            }
            None => username.clone(),
        },
        last_name: trimmed(&r, "last_name", false)?,
        role: parse_role(&r, "role")?.unwrap_or(Role::Annotator),
        password: r.string("password", 8, 100)?,
        username,
        workspaces: Vec::new(),
    })
}

async fn create(State(app): State<AppState>, Auth(actor): Auth, body: Body) -> ApiResult {
    let new = parse_new_user(&body)?;
    let (user, key) = app.service.create_user(&actor, new).await?;
    Ok(created(wire::user(&user, Some(&key))))
}

async fn get_one(State(app): State<AppState>, Auth(actor): Auth, Path(user_id): Path<String>) -> ApiResult {
    let id = path_id(&user_id, "user_id")?;
    let user = app.service.get_user(&actor, id.into()).await?;
    Ok(ok(wire::user(&user, None)))
}

async fn update(State(app): State<AppState>, Auth(actor): Auth, Path(user_id): Path<String>, body: Body) -> ApiResult {
    let id = path_id(&user_id, "user_id")?;
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    r.non_nullable(&["first_name", "username", "role", "password"])?;
    let patch = UserPatch {
        first_name: trimmed(&r, "first_name", false)?,
        last_name: if r.has("last_name") { Some(trimmed(&r, "last_name", false)?) } else { None },
        username: r.opt_string("username", 1, 1000)?,
        role: parse_role(&r, "role")?,
        password: r.opt_string("password", 8, 100)?,
    };
    let user = app.service.update_user(&actor, id.into(), patch).await?;
    Ok(ok(wire::user(&user, None)))
}

async fn delete(State(app): State<AppState>, Auth(actor): Auth, Path(user_id): Path<String>) -> ApiResult {
    let id = path_id(&user_id, "user_id")?;
    let user = app.service.delete_user(&actor, id.into()).await?;
    Ok(ok(wire::user(&user, None)))
}

async fn workspaces(State(app): State<AppState>, Auth(actor): Auth, Path(user_id): Path<String>) -> ApiResult {
    let id = path_id(&user_id, "user_id")?;
    let items = app.service.list_user_workspaces(&actor, id.into()).await?;
    Ok(ok(wire::items(items.iter().map(wire::workspace))))
}
