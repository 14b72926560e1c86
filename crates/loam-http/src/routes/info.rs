//! Server information and password sign-in: unauthenticated endpoints.

use crate::openapi::Routes;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use super::{created, ok, ApiResult};
use crate::error::ApiError;
use crate::extract::NUL_MESSAGE;
use crate::AppState;

/// The Argilla API level loam implements; the SDKs compare it with their own.
pub const API_VERSION: &str = "2.8.0";

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/version", "The Argilla API version loam implements", 200, None, version)
        .get("/api/v1/status", "Version, storage backend and memory", 200, None, status)
        .get("/api/v1/settings", "Server settings for the UI", 200, None, settings)
        .post("/api/v1/token", "Sign in with username and password (form body)", 201, None, token)
        .get("/api/_info", "Version (legacy SDK)", 200, None, version)
        .get("/api/_status", "Status (legacy SDK)", 200, None, legacy_status)
        .post("/api/security/token", "Sign in (legacy)", 200, None, legacy_token)
}

async fn version() -> ApiResult {
    Ok(ok(json!({"version": API_VERSION})))
}

/// Resident memory of this process, from /proc (Linux); `None` elsewhere.
fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|it| it.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn human(bytes: u64) -> String {
    format!("{:.1}M", bytes as f64 / (1024.0 * 1024.0))
}

/// 200 while the database answers, 503 (same body, `available: false`) while it does not, so a
/// load balancer's health check takes a replica out until its database is back.
async fn status(State(app): State<AppState>) -> ApiResult {
    let rss = rss_bytes().map(human);
    let available = app.service.database_available().await;
    let vectors = app.service.vector_search_status();
    let code = if available { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    Ok(super::reply(
        code,
        json!({
            "version": API_VERSION,
            "loam_version": env!("CARGO_PKG_VERSION"),
            "search_engine": {"kind": "database", "backend": app.service.backend()},
            "database": {"backend": app.service.backend(), "available": available},
            // Scores are always exact (computed from the stored vectors); which records are
            // scored comes from a scan, or from an approximate index above the threshold.
            "vector_search": {
                "scores": "exact",
                "candidates": if vectors.approximate_min_vectors.is_some() { "scan, or an approximate index (HNSW)" } else { "scan" },
                "approximate_index_min_vectors": vectors.approximate_min_vectors,
                "memory_budget": human(vectors.budget_bytes as u64),
                "held": {
                    "vector_settings": vectors.held_settings,
                    "vectors": vectors.held_vectors,
                    "memory": human(vectors.held_bytes as u64),
                    "approximate_indexes": vectors.approximate_indexes,
                },
                // Since start: settings read whole into memory, and held ones brought up to date
                // by reading only the vectors written since.
                "loads": {"whole": vectors.whole_loads, "changes_only": vectors.change_loads},
            },
            "memory": {"rss": rss},
        }),
    ))
}

async fn legacy_status(State(app): State<AppState>) -> ApiResult {
    // The legacy client validates this as an Elasticsearch root document; loam has no
    // Elasticsearch, so the fields say what answers searches instead.
    let backend = app.service.backend();
    Ok(ok(json!({
        "version": API_VERSION,
        "elasticsearch": {
            "name": "loam",
            "cluster_name": backend,
            "cluster_uuid": "none",
            "version": {
                "number": env!("CARGO_PKG_VERSION"),
                "build_type": "embedded",
                "build_hash": "none",
                "build_date": "none",
                "build_snapshot": false,
                "lucene_version": "none",
                "minimum_wire_compatibility_version": "none",
                "minimum_index_compatibility_version": "none",
            },
            "tagline": format!("search inside {backend}"),
        },
        "mem_info": {"rss": rss_bytes().map(human)},
    })))
}

async fn settings() -> ApiResult {
    Ok(ok(json!({"argilla": {"share_your_progress_enabled": false}})))
}

/// Reads `username` and `password` from a form body.
fn credentials(body: &Bytes) -> Result<(String, String), ApiError> {
    let mut username = None;
    let mut password = None;
    for (key, value) in form_urlencoded::parse(body) {
        match key.as_ref() {
            "username" => username = Some(value.into_owned()),
            "password" => password = Some(value.into_owned()),
            _ => {}
        }
    }
    match (username, password) {
        (Some(u), _) if u.contains('\0') => Err(ApiError::at(&["body", "username"], "string_nul", NUL_MESSAGE)),
        (_, Some(p)) if p.contains('\0') => Err(ApiError::at(&["body", "password"], "string_nul", NUL_MESSAGE)),
        (Some(u), Some(p)) => Ok((u, p)),
        (None, _) => Err(ApiError::at(&["body", "username"], "missing", "Field required")),
        (_, None) => Err(ApiError::at(&["body", "password"], "missing", "Field required")),
    }
}

async fn token(State(app): State<AppState>, body: Bytes) -> ApiResult {
    let (username, password) = credentials(&body)?;
    let token = app.service.sign_in(&username, &password).await?;
    Ok(created(json!({"access_token": token, "token_type": "bearer"})))
}

async fn legacy_token(State(app): State<AppState>, body: Bytes) -> ApiResult {
    let (username, password) = credentials(&body)?;
    let token = app.service.sign_in(&username, &password).await?;
    Ok(ok(json!({"access_token": token, "token_type": "bearer"})))
}
