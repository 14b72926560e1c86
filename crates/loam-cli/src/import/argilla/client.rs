//! The Argilla server's HTTP API as the import reads it: `GET` with the API key, JSON replies,
//! and the failures a user can act on told apart (unreachable, wrong key, not an owner, not
//! Argilla).

use std::time::Duration;

use serde_json::Value;

/// Why the server could not be read, each with its own exit status.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot reach {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("{url} refused the API key (401): check --api-key")]
    Unauthorized { url: String },
    #[error("{0}")]
    NotOwner(String),
    #[error("{url} does not answer like an Argilla 2.x server ({reason}); check --url")]
    NotArgilla { url: String, reason: String },
    #[error("{url}{path} answered {status}: {body}")]
    Failed { url: String, path: String, status: u16, body: String },
}

impl SourceError {
    /// The exit status of an import stopped by this error.
    pub fn exit_status(&self) -> i32 {
        match self {
            SourceError::Unreachable { .. } => super::EXIT_UNREACHABLE,
            SourceError::Unauthorized { .. } => super::EXIT_UNAUTHORIZED,
            SourceError::NotOwner(_) => super::EXIT_NOT_OWNER,
            SourceError::NotArgilla { .. } => super::EXIT_NOT_ARGILLA,
            SourceError::Failed { .. } => super::EXIT_SOURCE_FAILED,
        }
    }
}

pub struct Client {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Client {
    pub fn new(url: &str, key: &str) -> Result<Self, SourceError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(300))
            .build()
            .map_err(|e| SourceError::Unreachable { url: url.to_owned(), reason: e.to_string() })?;
        Ok(Self { http, base: url.trim_end_matches('/').to_owned(), key: key.to_owned() })
    }

    pub fn url(&self) -> &str {
        &self.base
    }

    /// `GET path` (with its query), the JSON reply.
    pub async fn get(&self, path: &str) -> Result<Value, SourceError> {
        let url = format!("{}{path}", self.base);
        let reply = self
            .http
            .get(&url)
            .header("X-Argilla-Api-Key", &self.key)
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|e| SourceError::Unreachable { url: self.base.clone(), reason: error_chain(&e) })?;
        let status = reply.status().as_u16();
        let bytes = reply
            .bytes()
            .await
            .map_err(|e| SourceError::Unreachable { url: self.base.clone(), reason: error_chain(&e) })?;
        match status {
            200 => serde_json::from_slice(&bytes).map_err(|_| SourceError::NotArgilla {
                url: self.base.clone(),
                reason: format!("{path} did not answer JSON"),
            }),
            401 => Err(SourceError::Unauthorized { url: self.base.clone() }),
            403 => Err(SourceError::NotOwner(format!(
                "{} refused {path} (403): the import needs an owner's API key, to read every user and their responses",
                self.base
            ))),
            _ => Err(SourceError::Failed {
                url: self.base.clone(),
                path: path.to_owned(),
                status,
                body: String::from_utf8_lossy(&bytes).chars().take(300).collect(),
            }),
        }
    }

    /// `GET path`'s `items`.
    pub async fn items(&self, path: &str) -> Result<Vec<Value>, SourceError> {
        let reply = self.get(path).await?;
        match reply.get("items").and_then(Value::as_array) {
            Some(items) => Ok(items.clone()),
            None => Err(SourceError::NotArgilla { url: self.base.clone(), reason: format!("{path} has no `items`") }),
        }
    }

    /// Checks that the server is Argilla and the key an owner's: `GET /api/v1/me`.
    pub async fn check_owner(&self) -> Result<Value, SourceError> {
        let me = match self.get("/api/v1/me").await {
            Err(SourceError::Failed { status: 404 | 405, .. }) => {
                return Err(SourceError::NotArgilla {
                    url: self.base.clone(),
                    reason: "it has no /api/v1/me".to_owned(),
                })
            }
            other => other?,
        };
        let (Some(username), Some(role)) =
            (me.get("username").and_then(Value::as_str), me.get("role").and_then(Value::as_str))
        else {
            return Err(SourceError::NotArgilla {
                url: self.base.clone(),
                reason: "/api/v1/me is not a user".to_owned(),
            });
        };
        if role != "owner" {
            return Err(SourceError::NotOwner(format!(
                "the API key is {username}'s, a{} {role}: the import needs an owner's API key, to read every user and their responses",
                if role.starts_with('a') { "n" } else { "" }
            )));
        }
        Ok(me)
    }
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
