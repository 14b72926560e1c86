//! The few places where SQLite and PostgreSQL differ outside of DDL.

use crate::Tx;

/// The clause that makes a `SELECT … FOR UPDATE` subquery skip rows other transactions hold, so
/// replicas claiming work from one table split it instead of queueing on each other. Empty on
/// SQLite, whose write transactions run one at a time anyway.
pub(crate) fn skip_locked(tx: &Tx) -> &'static str {
    match tx {
        Tx::Sqlite(..) => "",
        Tx::Postgres(_) => "for update skip locked",
    }
}

/// SQLite reports unique violations without a constraint name, as
/// `UNIQUE constraint failed: datasets.workspace_id, datasets.name`; this returns the column list
/// so callers can still tell which constraint broke.
pub(crate) fn sqlite_unique_columns(message: &str) -> String {
    message.strip_prefix("UNIQUE constraint failed: ").unwrap_or(message).to_owned()
}
