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
    /// `{"detail": "<message>"}` with a status and a `Retry-After` header (seconds): sign-in
    /// throttling (429) and busy password hashing (503).
    RetryAfter(StatusCode, String, u64),
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
            err @ ServiceError::Throttled { retry_after_secs } => {
                ApiError::RetryAfter(StatusCode::TOO_MANY_REQUESTS, err.to_string(), retry_after_secs)
            }
            err @ ServiceError::Busy { retry_after_secs } => {
                ApiError::RetryAfter(StatusCode::SERVICE_UNAVAILABLE, err.to_string(), retry_after_secs)
            }
            ServiceError::Upstream(msg) => ApiError::Detail(StatusCode::BAD_GATEWAY, msg),
            ServiceError::Schema(errors) => ApiError::schema(errors),
            ServiceError::Unauthenticated(detail) => ApiError::Coded(Code::Unauthorized, json!({"detail": detail})),
            ServiceError::Forbidden => ApiError::Coded(Code::Forbidden, json!({"detail": "Operation not allowed"})),
            ServiceError::ForbiddenBecause(why) => ApiError::Coded(Code::Forbidden, json!({"detail": why})),
            ServiceError::MissingVector(message) => {
                ApiError::Raw(StatusCode::UNPROCESSABLE_ENTITY, json!({"code": "missing_vector", "message": message}))
            }
            ServiceError::Unsupported(what) => {
                ApiError::Detail(StatusCode::NOT_IMPLEMENTED, format!("Not supported: {what}"))
            }
            ServiceError::Unavailable(cause) => {
                tracing::warn!(%cause, "database unavailable");
                ApiError::Detail(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The database is unavailable; nothing was changed. Try again shortly.".to_owned(),
                )
            }
            ServiceError::OutcomeUnknown(cause) => {
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

/// The JSON Schema of every error body above, for the OpenAPI document (each family in turn).
pub fn error_schema() -> Value {
    json!({
        "description": "An error: `{\"detail\": \"…\"}`, the coded `{\"detail\": {\"code\", \"params\"}}`, or the `missing_vector` shape of similarity search",
        "anyOf": [
            {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]},
            {"type": "object", "properties": {"detail": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "params": {"type": "object"}},
                "required": ["code", "params"],
            }}, "required": ["detail"]},
            {"type": "object", "properties": {"code": {"const": "missing_vector"}, "message": {"type": "string"}},
             "required": ["code", "message"]},
        ],
    })
}

/// The cause of a 500, for the logging middleware.
#[derive(Clone, Debug)]
pub struct InternalCause(pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Detail(status, msg) => (status, Json(json!({"detail": msg}))).into_response(),
            ApiError::Raw(status, body) => (status, Json(body)).into_response(),
            ApiError::RetryAfter(status, msg, secs) => {
                let mut res = (status, Json(json!({"detail": msg}))).into_response();
                res.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(secs.max(1)));
                res
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn every_error_body_matches_the_documented_schema() {
        let errors = [
            ApiError::not_found_route(),
            ApiError::unprocessable("bad"),
            ApiError::at(&["body", "name"], "missing", "Field required"),
            ApiError::from(ServiceError::Conflict("taken".into())),
            ApiError::from(ServiceError::Unauthenticated("Could not validate credentials")),
            ApiError::from(ServiceError::Forbidden),
            ApiError::from(ServiceError::MissingVector("no vector".into())),
            ApiError::from(ServiceError::Upstream("receiver said 500".into())),
            ApiError::Internal("boom".into()),
        ];
        let schema = error_schema();
        for err in errors {
            let res = err.into_response();
            let status = res.status();
            let bytes = res.into_body().collect().await.unwrap().to_bytes();
            let body: Value = serde_json::from_slice(&bytes).unwrap();
            let mut problems = Vec::new();
            crate::openapi::validate(&Value::Null, &schema, &body, "$", &mut problems);
            assert!(problems.is_empty(), "{status}: {body}: {problems:?}");
        }
        // The storage outcomes: their status and the message, never the cause.
        let cases = [
            (ServiceError::Unsupported("vector search".into()), 501, json!({"detail": "Not supported: vector search"})),
            (
                ServiceError::Unavailable("refused".into()),
                503,
                json!({"detail": "The database is unavailable; nothing was changed. Try again shortly."}),
            ),
            (
                ServiceError::OutcomeUnknown("reset".into()),
                503,
                json!({"detail": "The database became unavailable while this change was being committed; it may or \
                                  may not have been saved. Read it back before trying again."}),
            ),
        ];
        for (err, status, body) in cases {
            let res = ApiError::from(err).into_response();
            assert_eq!(res.status().as_u16(), status);
            let bytes = res.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(serde_json::from_slice::<Value>(&bytes).unwrap(), body);
        }
        // And a body of another shape does not.
        let mut problems = Vec::new();
        crate::openapi::validate(&Value::Null, &schema, &json!({"message": "x"}), "$", &mut problems);
        assert!(!problems.is_empty());
    }
}
