//! One module per resource family; each exposes `router()`, merged in `lib.rs`.

pub mod datasets;
pub mod info;
pub mod legacy;
pub mod records;
pub mod responses;
pub mod search;
pub mod settings;
pub mod users;
pub mod webhooks;
pub mod workspaces;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

/// A JSON reply with a status.
pub fn reply(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

pub fn ok(body: Value) -> Response {
    reply(StatusCode::OK, body)
}

pub fn created(body: Value) -> Response {
    reply(StatusCode::CREATED, body)
}

pub type ApiResult = Result<Response, crate::error::ApiError>;
