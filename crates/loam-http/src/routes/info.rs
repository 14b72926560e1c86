//! Server information and password sign-in (unauthenticated), and signing out.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::Extension;
use loam_service::{HashingStatus, VectorSearchStatus};
use serde_json::{json, Value};

use super::{created, ok, ApiResult};
use crate::error::ApiError;
use crate::extract::{Auth, NUL_MESSAGE};
use crate::openapi::Routes;
use crate::AppState;

/// The Argilla API level loam implements; the SDKs compare it with their own.
pub const API_VERSION: &str = "2.8.0";

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/version", "The Argilla API version loam implements", 200, Some("Version"), version)
        .get("/api/v1/status", "Version, storage backend and memory", 200, Some("Status"), status)
        .also(503, Some("Status"))
        .get("/api/v1/settings", "Server settings for the UI", 200, Some("ServerSettings"), settings)
        .post("/api/v1/token", "Sign in with username and password (form body)", 201, Some("Token"), token)
        .form_body("SignInForm")
        .errors(&[401, 429, 503])
        .delete(
            "/api/v1/token",
            "Sign out everywhere (a loam extension): revokes every sign-in token of the caller; API keys stay valid",
            200,
            Some("SignedOut"),
            sign_out,
        )
        .get(
            "/api/v1/oauth2/providers",
            "OAuth sign-in providers: loam has none",
            200,
            Some("OAuthProviders"),
            providers,
        )
        .get(
            "/api/v1/oauth2/providers/{provider}/authentication",
            "Start an OAuth sign-in: no provider is configured, so always 404",
            200,
            None,
            no_provider,
        )
        .get(
            "/api/v1/oauth2/providers/{provider}/access-token",
            "Finish an OAuth sign-in: no provider is configured, so always 404",
            200,
            Some("Token"),
            no_provider,
        )
        .get("/api/_info", "Version (legacy SDK)", 200, Some("Version"), version)
        .get("/api/_status", "Status (legacy SDK)", 200, Some("LegacyStatus"), legacy_status)
        .post("/api/security/token", "Sign in (legacy)", 200, Some("Token"), legacy_token)
        .form_body("SignInForm")
        .errors(&[401, 429, 503])
}

/// The reference server lists its configured OAuth providers; loam signs in with passwords and
/// API keys only, so the list is empty (Argilla's web UI asks on every sign-in page).
async fn providers() -> ApiResult {
    Ok(ok(json!({"items": []})))
}

/// No provider exists, so each is unknown (the reference's answer for an unknown one).
async fn no_provider(axum::extract::Path(provider): axum::extract::Path<String>) -> ApiResult {
    Err(ApiError::Detail(StatusCode::NOT_FOUND, format!("OAuth Provider '{provider}' not found")))
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
    let available = app.service.database_available().await;
    let code = if available { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = status_body(
        app.service.backend(),
        available,
        &app.service.vector_search_status(),
        &app.service.password_hashing_status(),
        rss_bytes(),
    );
    Ok(super::reply(code, body))
}

/// The body of `GET /api/v1/status` (also rendered from samples for the OpenAPI document).
pub(crate) fn status_body(
    backend: &str,
    available: bool,
    vectors: &VectorSearchStatus,
    hashing: &HashingStatus,
    rss: Option<u64>,
) -> Value {
    json!({
        "version": API_VERSION,
        "loam_version": env!("CARGO_PKG_VERSION"),
        "search_engine": {"kind": "database", "backend": backend},
        "database": {"backend": backend, "available": available},
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
        "memory": {"rss": rss.map(human)},
        // Password hashes (argon2, 19 MiB each) run in these slots; sign-ins beyond the
        // queue are answered 503 (a loam extension).
        "password_hashing": {
            "slots": hashing.slots,
            "queue": hashing.queue,
            "in_progress_or_waiting": hashing.inside,
            "computed": hashing.computed,
        },
    })
}

async fn legacy_status(State(app): State<AppState>) -> ApiResult {
    Ok(ok(legacy_status_body(app.service.backend(), rss_bytes())))
}

/// The body of `GET /api/_status`. The legacy client validates it as an Elasticsearch root
/// document; loam has no Elasticsearch, so the fields say what answers searches instead.
pub(crate) fn legacy_status_body(backend: &str, rss: Option<u64>) -> Value {
    json!({
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
        "mem_info": {"rss": rss.map(human)},
    })
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

/// The client's address, when the server runs on a socket (`loam_http::serve` inserts it).
type Client = Option<Extension<ConnectInfo<SocketAddr>>>;

async fn token(State(app): State<AppState>, client: Client, body: Bytes) -> ApiResult {
    let (username, password) = credentials(&body)?;
    let ip = client.map(|Extension(ConnectInfo(addr))| addr.ip());
    let token = app.service.sign_in(&username, &password, ip).await?;
    Ok(created(json!({"access_token": token, "token_type": "bearer"})))
}

async fn legacy_token(State(app): State<AppState>, client: Client, body: Bytes) -> ApiResult {
    let (username, password) = credentials(&body)?;
    let ip = client.map(|Extension(ConnectInfo(addr))| addr.ip());
    let token = app.service.sign_in(&username, &password, ip).await?;
    Ok(ok(json!({"access_token": token, "token_type": "bearer"})))
}

async fn sign_out(State(app): State<AppState>, Auth(actor): Auth) -> ApiResult {
    app.service.sign_out(&actor).await?;
    Ok(ok(json!({"detail": format!("Signed out: every sign-in token of {} is revoked", actor.username)})))
}
