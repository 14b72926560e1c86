//! One module per resource family; each exposes `router()`, merged in `lib.rs`.

pub mod agreement;
pub mod consolidation;
pub mod datasets;
pub mod export;
pub mod history;
pub mod import;
pub mod info;
pub mod leases;
pub mod legacy;
pub mod overview;
pub mod pairwise;
mod parse;
pub mod records;
pub mod responses;
pub mod review;
pub mod search;
pub mod settings;
pub mod ui;
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

/// A JSON reply serialized straight from a borrowed shape (no `Value` tree in between).
pub fn reply_with(status: StatusCode, body: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (status, [(axum::http::header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(err) => crate::error::ApiError::Internal(err.to_string()).into_response(),
    }
}

pub type ApiResult = Result<Response, crate::error::ApiError>;
