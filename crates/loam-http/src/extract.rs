//! Extractors and request-parsing helpers that answer bad input with our own error bodies.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use loam_domain::error::Loc;
use loam_domain::model::User;
use loam_domain::schema::{object, Obj};
use loam_service::Credentials;
use serde_json::Value;
use uuid::Uuid;

use crate::error::ApiError;
use crate::AppState;

/// The authenticated caller.
pub struct Auth(pub User);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = |name: &str| parts.headers.get(name).and_then(|it| it.to_str().ok());
        let api_key = header("x-argilla-api-key");
        let bearer = header("authorization").and_then(|it| {
            let (scheme, token) = it.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
        });
        let user = state.service.authenticate(Credentials { api_key, bearer }).await?;
        Ok(Auth(user))
    }
}

/// A JSON request body, parsed to a value; malformed JSON is a coded 422.
pub struct Body(pub Value);

impl FromRequest<AppState> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state).await?;
        if bytes.is_empty() {
            return Err(ApiError::at(&["body"], "missing", "Field required"));
        }
        let value = serde_json::from_slice(&bytes)
            .map_err(|err| ApiError::at(&["body"], "json_invalid", format!("JSON decode error: {err}")))?;
        refuse_nul(&value)?;
        Ok(Body(value))
    }
}

/// The whole body, within the configured limit (else our 413). A body that failed while being read
/// (it stalled, the client went away) is a 400; `serve` answers a stalled one 408 instead.
async fn read_body(req: Request, state: &AppState) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|err| {
        let status = err.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::Detail(
                status,
                format!("Request body is larger than the limit of {} bytes", state.http.body_limit),
            )
        } else {
            ApiError::Detail(StatusCode::BAD_REQUEST, err.body_text())
        }
    })
}

/// A JSON body that may be empty (then `Null`).
pub struct OptionalBody(pub Value);

impl FromRequest<AppState> for OptionalBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = read_body(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalBody(Value::Null));
        }
        let value = serde_json::from_slice(&bytes)
            .map_err(|err| ApiError::at(&["body"], "json_invalid", format!("JSON decode error: {err}")))?;
        refuse_nul(&value)?;
        Ok(OptionalBody(value))
    }
}

/// The message of a text that holds the NUL character.
pub const NUL_MESSAGE: &str = "Text must not contain the NUL character (\\u0000)";

/// Refuses a body with the NUL character in any string or key, with a coded 422 at its location.
///
/// PostgreSQL stores neither `\0` in text nor `\u0000` in jsonb, and SQLite's full-text query
/// syntax has no use for it; so no text that reaches the database may hold it, on either engine.
/// Checked here, once for every JSON body (record fields, metadata, responses, suggestions, names,
/// search queries and filters, the legacy routes alike). Other control characters are stored as
/// sent.
fn refuse_nul(value: &Value) -> Result<(), ApiError> {
    let mut loc = vec![Loc::from("body")];
    if find_nul(value, &mut loc) {
        return Err(ApiError::schema(vec![loam_domain::SchemaError::new(loc, "string_nul", NUL_MESSAGE)]));
    }
    Ok(())
}

/// Whether `value` holds NUL; `loc` is then where (a key that holds it names itself).
fn find_nul(value: &Value, loc: &mut Vec<Loc>) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::Array(items) => items.iter().enumerate().any(|(i, item)| {
            loc.push(Loc::Index(i));
            let found = find_nul(item, loc);
            if !found {
                loc.pop();
            }
            found
        }),
        Value::Object(map) => map.iter().any(|(key, item)| {
            loc.push(Loc::from(key.as_str()));
            let found = key.contains('\0') || find_nul(item, loc);
            if !found {
                loc.pop();
            }
            found
        }),
        _ => false,
    }
}

impl Body {
    /// The body as an object, or a coded 422.
    pub fn object(&self) -> Result<&Obj, ApiError> {
        Ok(object(&self.0, &[Loc::from("body")])?)
    }
}

/// Parses a path parameter as a UUID, or answers 422 with `loc: ["path", name]`.
pub fn path_id(raw: &str, name: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| {
        ApiError::schema(vec![loam_domain::SchemaError::new(
            vec!["path".into(), name.into()],
            "uuid_parsing",
            format!("Input should be a valid UUID, invalid character: found `{}`", raw.chars().next().unwrap_or(' ')),
        )])
    })
}

/// The query string as ordered (key, value) pairs; repeated keys stay repeated.
#[derive(Default)]
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or("");
        let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes()).into_owned().collect();
        if let Some((key, _)) = pairs.iter().find(|(k, v)| k.contains('\0') || v.contains('\0')) {
            return Err(ApiError::at(&["query", key.as_str()], "string_nul", NUL_MESSAGE));
        }
        Ok(QueryPairs(pairs))
    }
}

impl QueryPairs {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
    }

    /// An integer parameter within `min..=max`, `default` when absent.
    pub fn int(&self, key: &str, default: i64, min: i64, max: Option<i64>) -> Result<i64, ApiError> {
        let Some(raw) = self.get(key) else {
            return Ok(default);
        };
        let value: i64 = raw.parse().map_err(|_| {
            ApiError::at(
                &["query", key],
                "int_parsing",
                "Input should be a valid integer, unable to parse string as an integer",
            )
        })?;
        if value < min {
            return Err(ApiError::at(
                &["query", key],
                "greater_than_equal",
                format!("Input should be greater than or equal to {min}"),
            ));
        }
        if let Some(max) = max {
            if value > max {
                return Err(ApiError::at(
                    &["query", key],
                    "less_than_equal",
                    format!("Input should be less than or equal to {max}"),
                ));
            }
        }
        Ok(value)
    }

    pub fn uuid(&self, key: &str) -> Result<Option<Uuid>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(raw) => Uuid::parse_str(raw)
                .map(Some)
                .map_err(|_| ApiError::at(&["query", key], "uuid_parsing", "Input should be a valid UUID")),
        }
    }
}

/// The import limit unless configured: 16 GiB (the file is spooled to disk, never held).
pub const DEFAULT_IMPORT_LIMIT: u64 = 16 * 1024 * 1024 * 1024;

/// Settings of the HTTP layer.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// The largest file an import accepts (`POST /api/v1/datasets/{id}/import`), in bytes.
    pub import_limit: u64,
    /// Where the web UI's files come from.
    pub ui: crate::UiSource,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self { body_limit: 64 * 1024 * 1024, import_limit: DEFAULT_IMPORT_LIMIT, ui: crate::UiSource::Embedded }
    }
}
