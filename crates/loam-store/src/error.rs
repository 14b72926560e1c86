//! Storage errors. "Not found" is not an error here: lookups return `Ok(None)`.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unique constraint `{constraint}` violated")]
    UniqueViolation { constraint: String },
    #[error("foreign key violated")]
    ForeignKeyViolation,
    #[error("unsupported database url `{0}`: use sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    #[error("not supported: {0}")]
    Unsupported(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The database cannot be reached (connection refused or lost, server shutting down, pool
    /// exhausted for too long). Nothing of the failed transaction was committed.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The database went away while a COMMIT was in flight: the transaction may or may not have
    /// been committed, and only reading it back can tell.
    #[error("the database became unavailable during commit: {0}")]
    CommitOutcomeUnknown(String),
    /// A value holds a character the database cannot store: PostgreSQL refuses U+0000 (NUL) in
    /// `text` and `jsonb` (SQLSTATE 22021, 22P05). Nothing of the transaction was written.
    #[error("the database cannot store a value: {0}")]
    Unstorable(String),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Other(sqlx::Error),
    #[error(transparent)]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        use rusqlite::ffi;
        if let rusqlite::Error::SqliteFailure(cause, message) = &err {
            match cause.extended_code {
                ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                    let message = message.as_deref().unwrap_or_default();
                    return StoreError::UniqueViolation { constraint: crate::dialect::sqlite_unique_columns(message) };
                }
                ffi::SQLITE_CONSTRAINT_FOREIGNKEY => return StoreError::ForeignKeyViolation,
                _ => {}
            }
            if cause.code == rusqlite::ErrorCode::CannotOpen {
                return StoreError::Unavailable(err.to_string());
            }
        }
        StoreError::Sqlite(err)
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &err {
            match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => {
                    let constraint = db
                        .constraint()
                        .map(str::to_owned)
                        .unwrap_or_else(|| crate::dialect::sqlite_unique_columns(db.message()));
                    return StoreError::UniqueViolation { constraint };
                }
                sqlx::error::ErrorKind::ForeignKeyViolation => return StoreError::ForeignKeyViolation,
                _ => {}
            }
            // A character PostgreSQL's text cannot hold (22021 character_not_in_repertoire: NUL in
            // a `text` parameter; 22P05 untranslatable_character: `\u0000` in `jsonb`).
            if db.code().is_some_and(|code| code == "22021" || code == "22P05") {
                return StoreError::Unstorable(db.message().to_owned());
            }
            // PostgreSQL's connection exceptions (08…) and operator intervention (57P…: shutdown,
            // crash, cannot connect now).
            if db.code().is_some_and(|code| code.starts_with("08") || code.starts_with("57P")) {
                return StoreError::Unavailable(db.message().to_owned());
            }
        }
        match err {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(err.to_string()),
            other => StoreError::Other(other),
        }
    }
}

impl StoreError {
    /// Whether this is a violation of a unique constraint on `hint` (a constraint name on
    /// PostgreSQL, the constrained `table.column` list on SQLite).
    pub fn is_unique(&self, hint: &str) -> bool {
        matches!(self, StoreError::UniqueViolation { constraint } if constraint.contains(hint))
    }
}

#[cfg(test)]
mod tests {
    use super::StoreError;

    #[test]
    fn lost_connections_are_unavailable_not_internal() {
        for err in [
            sqlx::Error::PoolTimedOut,
            sqlx::Error::PoolClosed,
            sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)),
        ] {
            assert!(matches!(StoreError::from(err), StoreError::Unavailable(_)));
        }
        assert!(matches!(StoreError::from(sqlx::Error::RowNotFound), StoreError::Other(_)));
    }
}
