//! Every error body the API sends is rendered here, from one table of codes.
//!
//! Four body families exist on the wire (api.md §0.5): plain `{"detail": "…"}` for domain errors
//! and routing, coded `{"detail": {"code": …, "params": …}}` for authentication, authorization,
//! schema validation and server errors, and the top-level `missing_vector` shape of similarity
//! search. 5xx bodies carry no internals: the cause is kept in the response extensions and
//! logged by the middleware in `lib.rs`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use loam_domain::error::Loc;
use loam_domain::SchemaError;
use loam_service::Error as ServiceError;
use serde_json::{json, Value};

/// The codes of coded errors and their HTTP status; one line each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    Unauthorized,
    Forbidden,
    Validation,
    BadRequest,
    Server,
}

impl Code {
    pub fn status(self) -> StatusCode {
        match self {
            Code::Unauthorized => StatusCode::UNAUTHORIZED,
            Code::Forbidden => StatusCode::FORBIDDEN,
            Code::Validation => StatusCode::UNPROCESSABLE_ENTITY,
            Code::BadRequest => StatusCode::BAD_REQUEST,
            Code::Server => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Code::Unauthorized => "argilla.api.errors::UnauthorizedError",
            Code::Forbidden => "argilla.api.errors::ForbiddenOperationError",
            Code::Validation => "argilla.api.errors::ValidationError",
            Code::BadRequest => "argilla.api.errors::BadRequestError",
            Code::Server => "argilla.api.errors::GenericServerError",
        }
    }
}

#[derive(Debug)]
pub enum ApiError {
    /// `{"detail": "<message>"}` with a status.
    Detail(StatusCode, String),
    /// `{"detail": {"code", "params"}}`.
    Coded(Code, Value),
    /// A body of its own shape (the top-level `missing_vector` error of similarity search).
    Raw(StatusCode, Value),
    /// A server fault; the cause is logged, never sent.
    Internal(String),
}

impl ApiError {
    pub fn not_found_route() -> Self {
        ApiError::Detail(StatusCode::NOT_FOUND, "Not Found".to_owned())
    }

    pub fn unprocessable(msg: impl Into<String>) -> Self {
        ApiError::Detail(StatusCode::UNPROCESSABLE_ENTITY, msg.into())
    }

    /// A schema error at `loc` (which starts with `body`, `query` or `path`).
    pub fn schema(errors: Vec<SchemaError>) -> Self {
        let items: Vec<Value> = errors
            .into_iter()
            .map(|err| {
                let loc: Vec<Value> = err
                    .loc
                    .iter()
                    .map(|it| match it {
                        Loc::Key(k) => Value::String(k.clone()),
                        Loc::Index(i) => json!(i),
                    })
                    .collect();
                json!({"loc": loc, "msg": err.msg, "type": err.kind})
            })
            .collect();
        ApiError::Coded(Code::Validation, json!({"errors": items}))
    }

    pub fn at(loc: &[&str], kind: &'static str, msg: impl Into<String>) -> Self {
        Self::schema(vec![SchemaError::new(loc.iter().map(|it| Loc::from(*it)).collect(), kind, msg)])
    }
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::NotFound(msg) => ApiError::Detail(StatusCode::NOT_FOUND, msg),
            ServiceError::Conflict(msg) => ApiError::Detail(StatusCode::CONFLICT, msg),
            ServiceError::Invalid(msg) => ApiError::Detail(StatusCode::UNPROCESSABLE_ENTITY, msg),
            ServiceError::Upstream(msg) => ApiError::Detail(StatusCode::BAD_GATEWAY, msg),
            ServiceError::Schema(errors) => ApiError::schema(errors),
            ServiceError::Unauthenticated(detail) => ApiError::Coded(Code::Unauthorized, json!({"detail": detail})),
            ServiceError::Forbidden => ApiError::Coded(Code::Forbidden, json!({"detail": "Operation not allowed"})),
            ServiceError::MissingVector(message) => {
                ApiError::Raw(StatusCode::UNPROCESSABLE_ENTITY, json!({"code": "missing_vector", "message": message}))
            }
            ServiceError::Internal(loam_service::StoreError::Unsupported(what)) => {
                ApiError::Detail(StatusCode::NOT_IMPLEMENTED, format!("Not supported: {what}"))
            }
            ServiceError::Internal(loam_service::StoreError::Unavailable(cause)) => {
                tracing::warn!(%cause, "database unavailable");
                ApiError::Detail(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The database is unavailable; nothing was changed. Try again shortly.".to_owned(),
                )
            }
            ServiceError::Internal(loam_service::StoreError::CommitOutcomeUnknown(cause)) => {
                tracing::warn!(%cause, "database lost during commit");
                ApiError::Detail(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The database became unavailable while this change was being committed; it may or may not \
                     have been saved. Read it back before trying again."
                        .to_owned(),
                )
            }
            ServiceError::Internal(err) => ApiError::Internal(err.to_string()),
            ServiceError::Failed(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<SchemaError> for ApiError {
    fn from(err: SchemaError) -> Self {
        ApiError::schema(vec![err])
    }
}

/// The cause of a 500, for the logging middleware.
#[derive(Clone, Debug)]
pub struct InternalCause(pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Detail(status, msg) => (status, Json(json!({"detail": msg}))).into_response(),
            ApiError::Raw(status, body) => (status, Json(body)).into_response(),
            ApiError::Coded(code, params) => {
                let mut res =
                    (code.status(), Json(json!({"detail": {"code": code.name(), "params": params}}))).into_response();
                if code == Code::Unauthorized {
                    res.headers_mut().insert("www-authenticate", axum::http::HeaderValue::from_static("Bearer"));
                }
                res
            }
            ApiError::Internal(cause) => {
                let body = json!({"detail": {"code": Code::Server.name(), "params": {
                    "type": "InternalError",
                    "message": "The server failed to handle the request; the cause is in its log.",
                }}});
                let mut res = (Code::Server.status(), Json(body)).into_response();
                res.extensions_mut().insert(InternalCause(cause));
                res
            }
        }
    }
}

/// The 413 of a body over the limit (`limit` bytes), with `Connection: close`: the rest of the body
/// is never read.
pub fn body_too_large(limit: usize) -> Response {
    let mut res = ApiError::Detail(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("Request body is larger than the limit of {limit} bytes"),
    )
    .into_response();
    res.headers_mut().insert(axum::http::header::CONNECTION, axum::http::HeaderValue::from_static("close"));
    res
}
