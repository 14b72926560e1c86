//! The import of a running Argilla 2.x server (`loam import argilla`): the CLI reads its HTTP
//! API and hands the JSON it got here, item by item, as the operator. Each item is written
//! through loam's write path for its kind with the id and timestamps it had (so links and SDK
//! code keep working), and only when absent: a second run, or a run after an interruption,
//! adds what is missing and changes nothing that is there. A rule loam refuses an item by is
//! that item's outcome (`Outcome::Refused`), never a stop of the rest.
//!
//! `people.rs` workspaces and users, `dataset.rs` a dataset with its settings in one
//! transaction, `records.rs` a batch of records with their vectors, suggestions and responses in
//! one transaction, and the counts an import compares.

mod dataset;
mod people;
mod records;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use loam_domain::error::Loc;
use loam_domain::{Rejection, Timestamp, UserId};
use serde_json::Value;

use crate::{now, Error};

pub use dataset::DatasetSource;
pub use loam_store::imported::RowCounts;
pub use people::{Password, UserImport};
pub use records::RecordsImport;

/// What became of one item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Written (or, on a dry run, would be).
    Created,
    /// Already there, by its id: left as it is.
    Present,
    /// Already there, by its id; what it lacked was added (named).
    Completed(Vec<String>),
    /// A rule refused it: the reason.
    Refused(String),
}

/// Source user ids to loam user ids: the same id, or the loam user of the same username when
/// that one has another id.
pub type UserMap = HashMap<UserId, UserId>;

/// A readable reason for a refusal, whatever its kind.
pub(crate) fn reason(err: &Error) -> String {
    match err {
        Error::Schema(errors) => errors.iter().map(schema_text).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

pub(crate) fn rejection_text(rejection: &Rejection) -> String {
    match rejection {
        Rejection::Schema(err) => schema_text(err),
        Rejection::Invalid(it) => it.0.clone(),
    }
}

fn schema_text(err: &loam_domain::SchemaError) -> String {
    let at: Vec<String> = err
        .loc
        .iter()
        .map(|it| match it {
            Loc::Key(key) => key.clone(),
            Loc::Index(idx) => idx.to_string(),
        })
        .collect();
    if at.is_empty() {
        err.msg.clone()
    } else {
        format!("{}: {}", at.join("."), err.msg)
    }
}

/// Whether an error is a rule's refusal of the item (reported, the rest goes on) rather than a
/// failure of the database (which stops the import).
pub(crate) fn is_refusal(err: &Error) -> bool {
    matches!(
        err,
        Error::NotFound(_)
            | Error::Conflict(_)
            | Error::Invalid(_)
            | Error::Schema(_)
            | Error::MissingVector(_)
            | Error::ForbiddenBecause(_)
    )
}

/// The timestamp `key` of an item, or now when it is missing or not a date.
pub(crate) fn timestamp(item: &Value, key: &str) -> Timestamp {
    item.get(key).and_then(Value::as_str).and_then(Timestamp::parse).unwrap_or_else(now)
}

/// The uuid `key` of an item.
pub(crate) fn uuid_of(item: &Value, key: &str) -> Result<uuid::Uuid, String> {
    let text = item.get(key).and_then(Value::as_str).ok_or_else(|| format!("`{key}` is missing"))?;
    uuid::Uuid::parse_str(text).map_err(|_| format!("`{key}` is not a uuid: {text}"))
}
