//! loam-domain: the pure rules of loam.
//!
//! Everything here is plain data and functions: dataset settings (fields, questions, metadata
//! properties, vector settings) and their validation, record / response / suggestion value
//! validation, task distribution. No IO, no async, no SQL, no HTTP.

pub mod agreement;
pub mod answer;
pub mod argilla_folder;
pub mod auth;
pub mod consolidation;
pub mod distribution;
pub mod error;
pub mod field_text;
pub mod history;
pub mod ids;
pub mod import_file;
pub mod json_ref;
pub mod json_type;
pub mod lease;
pub mod model;
pub mod pairwise;
pub mod python;
pub mod query;
pub mod record;
pub mod review;
pub mod role;
pub mod schema;
pub mod settings;
pub mod stored;
pub mod table;
pub mod time_on_task;
pub mod timestamp;
pub mod training;
pub mod value;

pub use error::{Invalid, Rejection, SchemaError};
pub use ids::*;
pub use role::Role;
pub use timestamp::Timestamp;
