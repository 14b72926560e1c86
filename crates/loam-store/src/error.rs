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
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Other(sqlx::Error),
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
        }
        StoreError::Other(err)
    }
}

impl StoreError {
    /// Whether this is a violation of a unique constraint on `hint` (a constraint name on
    /// PostgreSQL, the constrained `table.column` list on SQLite).
    pub fn is_unique(&self, hint: &str) -> bool {
        matches!(self, StoreError::UniqueViolation { constraint } if constraint.contains(hint))
    }
}
