//! The outcomes a use case can end in, besides success.

use loam_domain::{Invalid, SchemaError};
use loam_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A referenced entity does not exist (404). The message names it.
    #[error("{0}")]
    NotFound(String),
    /// A uniqueness rule (409).
    #[error("{0}")]
    Conflict(String),
    /// A business rule (422, plain message).
    #[error("{0}")]
    Invalid(String),
    /// The request's shape (422, coded, with locations).
    #[error("invalid request")]
    Schema(Vec<SchemaError>),
    /// A similarity search by a record that has no vector for the settings (422, own shape).
    #[error("{0}")]
    MissingVector(String),
    /// No or bad credentials (401). The text is the `detail` parameter.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// Authenticated but not allowed (403).
    #[error("Operation not allowed")]
    Forbidden,
    /// Authenticated but not allowed (403), for a reason the caller is told: a rule loam adds to
    /// the reference's permissions, where "Operation not allowed" would not say what to change.
    #[error("{0}")]
    ForbiddenBecause(String),
    /// Too many sign-in attempts for the username or from the address (429 with `Retry-After`).
    #[error("Too many sign-in attempts; try again in {retry_after_secs} s")]
    Throttled { retry_after_secs: u64 },
    /// Every password-hashing slot is taken and the queue is full, or the wait for one was too
    /// long (503 with `Retry-After`); nothing was changed.
    #[error("The server is busy checking other passwords; try again in {retry_after_secs} s")]
    Busy { retry_after_secs: u64 },
    /// A remote party loam called on the caller's behalf failed (502): a webhook's receiver.
    #[error("{0}")]
    Upstream(String),
    /// A step of the server's own failed, such as a worker thread (500); the detail is logged,
    /// never shown.
    #[error("internal failure: {0}")]
    Failed(String),
    /// The database cannot be reached (503); nothing was changed. The cause is logged, never shown.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The database went away while a commit was in flight (503): the change may or may not have
    /// been saved, and only reading it back can tell. The cause is logged, never shown.
    #[error("the database became unavailable during commit: {0}")]
    OutcomeUnknown(String),
    /// The storage engine in use cannot do what was asked (501). The text names what.
    #[error("not supported: {0}")]
    Unsupported(String),
    /// Storage failed (500); the detail is logged, never shown.
    #[error("internal error: {0}")]
    Internal(StoreError),
}

impl Error {
    pub fn not_found(entity: &str, id: impl std::fmt::Display) -> Self {
        Error::NotFound(format!("{entity} with id `{id}` not found"))
    }

    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::Invalid(msg.into())
    }
}

/// What a client is told when PostgreSQL refuses a character of its values.
const UNSTORABLE: &str = "A value holds the character U+0000 (NUL), which the database cannot store; \
remove it and send the request again";

/// The storage outcomes a client can act on get variants of their own (so that callers above the
/// service never name a store type); every other storage failure is internal.
impl From<StoreError> for Error {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(cause) => Error::Unavailable(cause),
            StoreError::CommitOutcomeUnknown(cause) => Error::OutcomeUnknown(cause),
            StoreError::Unsupported(what) => Error::Unsupported(what),
            // Bad input that only the database noticed: said as such, not as a server failure.
            StoreError::Unstorable(_) => Error::Invalid(UNSTORABLE.to_owned()),
            other => Error::Internal(other),
        }
    }
}

impl From<SchemaError> for Error {
    fn from(err: SchemaError) -> Self {
        Error::Schema(vec![err])
    }
}

impl From<Invalid> for Error {
    fn from(err: Invalid) -> Self {
        Error::Invalid(err.0)
    }
}

/// A unique violation that slipped past the pre-checks (a concurrent writer) is a conflict.
pub(crate) fn conflict_or(err: StoreError, msg: String) -> Error {
    match err {
        StoreError::UniqueViolation { .. } => Error::Conflict(msg),
        other => Error::from(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_outcomes_a_client_can_act_on_get_their_own_variants() {
        let cause = || "connection refused".to_owned();
        assert!(matches!(Error::from(StoreError::Unavailable(cause())), Error::Unavailable(it) if it == cause()));
        assert!(
            matches!(Error::from(StoreError::CommitOutcomeUnknown(cause())), Error::OutcomeUnknown(it) if it == cause())
        );
        assert!(matches!(Error::from(StoreError::Unsupported("x".into())), Error::Unsupported(it) if it == "x"));
        let other = Error::from(StoreError::Corrupt("bad row".into()));
        assert!(matches!(other, Error::Internal(StoreError::Corrupt(_))));
        assert_eq!(other.to_string(), "internal error: stored data is corrupt: bad row");
    }
}
