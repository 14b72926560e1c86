//! The few places where SQLite and PostgreSQL differ outside of DDL.

/// SQLite reports unique violations without a constraint name, as
/// `UNIQUE constraint failed: datasets.workspace_id, datasets.name`; this returns the column list
/// so callers can still tell which constraint broke.
pub(crate) fn sqlite_unique_columns(message: &str) -> String {
    message.strip_prefix("UNIQUE constraint failed: ").unwrap_or(message).to_owned()
}
