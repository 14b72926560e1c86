//! loam-http: the HTTP face of loam.
//!
//! [`router`] builds the whole application (used by `loam serve` and by the tests, which call it
//! without a socket); [`serve`] runs it on a listener until a shutdown signal. Handlers extract,
//! call one service method, and render the Argilla wire shape (`loam_service::wire`); every error
//! body comes from `error.rs`.

mod compression;
mod error;
mod extract;
mod forwarded;
mod markdown;
mod openapi;
mod routes;
mod samples;
mod serve;
mod ui;
mod ui_bundle;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use loam_domain::settings::Limits;
use loam_service::Service;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

pub use error::{ApiError, Code};
pub use extract::HttpConfig;
pub use forwarded::{parse_net as parse_trusted_proxy, TrustedProxies};
pub use openapi::check_reply;
pub use routes::info::API_VERSION;
pub use serve::{bind, serve, ServeConfig, BODY_PROGRESS, LISTEN_BACKLOG};
pub use ui::{UiSource, CONTENT_SECURITY_POLICY};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub service: Arc<Service>,
    pub http: Arc<HttpConfig>,
    pub limits: Limits,
}

/// Every route, recorded for the OpenAPI document as it is registered.
fn routes() -> openapi::Routes {
    let mut r = openapi::Routes::new();
    r = routes::info::routes(r);
    r = routes::legacy::routes(r);
    r = routes::users::routes(r);
    r = routes::workspaces::routes(r);
    r = routes::datasets::routes(r);
    r = routes::agreement::routes(r);
    r = routes::settings::routes(r);
    r = routes::records::routes(r);
    r = routes::responses::routes(r);
    r = routes::search::routes(r);
    r = routes::webhooks::routes(r);
    r = routes::export::routes(r);
    r = routes::ui::routes(r);
    r = routes::overview::routes(r);
    r = routes::consolidation::routes(r);
    r = routes::review::routes(r);
    r = routes::leases::routes(r);
    r = routes::history::routes(r);
    r = routes::import::routes(r);
    r = routes::pairwise::routes(r);
    r.get("/api/v1/openapi.json", "This document", 200, Some("OpenApi"), openapi_document)
}

/// The OpenAPI document of this server, generated from the route table and the wire shapes.
pub fn openapi_json() -> serde_json::Value {
    openapi::document(&routes().operations, samples::schemas(), env!("CARGO_PKG_VERSION"))
}

async fn openapi_document() -> axum::Json<serde_json::Value> {
    axum::Json(openapi_json())
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let body_limit = state.http.body_limit;
    routes()
        .router
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn_with_state(body_limit, too_large))
        .layer(middleware::from_fn(log_internal_errors))
        .layer(compression::layer())
        .layer(TraceLayer::new_for_http().on_failure(()))
        .layer(CatchPanicLayer::custom(|_| ApiError::Internal("handler panicked".to_owned()).into_response()))
}

/// Whether `path` belongs to the legacy SDK's pre-Feedback task API (`/api/datasets…`).
fn is_legacy_task_path(path: &str) -> bool {
    path == "/api/datasets" || path.starts_with("/api/datasets/")
}

async fn fallback(State(app): State<AppState>, req: Request) -> Response {
    let path = req.uri().path();
    if is_legacy_task_path(path) {
        // The legacy SDK's pre-Feedback task API (api.md §2.12): say so instead of a bare 404.
        return ApiError::Detail(StatusCode::NOT_FOUND, LEGACY_TASK_API_UNSUPPORTED.to_owned()).into_response();
    }
    if path.starts_with("/api") {
        return ApiError::not_found_route().into_response();
    }
    ui::serve(&app.http.ui, req).await
}

/// The detail of every `/api/datasets…` request but their (empty) listing: the 1.x task datasets
/// (`rg.log`, `rg.load`, …).
pub const LEGACY_TASK_API_UNSUPPORTED: &str = "Not supported by loam: the legacy 1.x task datasets \
     (TextClassification, TokenClassification, Text2Text; rg.log, rg.load, rg.delete, rg.copy, \
     dataset settings, metrics and labeling rules under /api/datasets). Use \
     rg.FeedbackDataset with the 1.x SDK, or the 2.x SDK.";

async fn method_not_allowed(req: Request) -> Response {
    if is_legacy_task_path(req.uri().path()) {
        // `GET /api/datasets` is routed (an empty list); its other methods are the task API too.
        return ApiError::Detail(StatusCode::NOT_FOUND, LEGACY_TASK_API_UNSUPPORTED.to_owned()).into_response();
    }
    ApiError::Detail(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed".to_owned()).into_response()
}

/// Every oversized body answers our 413: at once when its declared length is over the limit (before
/// authentication, so nothing reads it), and in our shape when an extractor of axum's own found it
/// too large while reading. The body is left unread, so the connection closes after the answer.
async fn too_large(State(limit): State<usize>, req: Request, next: Next) -> Response {
    // An import's upload has a limit of its own, checked as it is spooled (`routes/import.rs`).
    if routes::import::is_import_path(req.uri().path()) {
        return next.run(req).await;
    }
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|it| it.to_str().ok())
        .and_then(|it| it.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return error::body_too_large(limit);
    }
    let res = next.run(req).await;
    let ours = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|it| it.as_bytes().starts_with(b"application/json"));
    if res.status() == StatusCode::PAYLOAD_TOO_LARGE && !ours {
        return error::body_too_large(limit);
    }
    res
}

/// Logs the cause of every 500 inside the request's span; the body never carries it.
async fn log_internal_errors(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let res = next.run(req).await;
    if let Some(cause) = res.extensions().get::<error::InternalCause>() {
        tracing::error!(%method, %path, cause = %cause.0, "request failed");
    }
    res
}
