//! Dataset settings: field, question and metadata-property settings by type, parsed from request
//! JSON, rendered to the wire shape, and updated under the rules of `spec/model.md` §5–6.
//!
//! Files: `common.rs` what every kind shares (deployment limits, the `type` tag, list lengths,
//! the one-level merge of an update, names); `field.rs` field settings and a field's description;
//! `question.rs` question settings; `options.rs` the label options of choice questions and
//! their update rules; `metadata.rs` metadata-property settings and the metadata value rules.

mod common;
mod field;
mod metadata;
mod options;
mod question;
#[cfg(test)]
mod tests;

pub use common::{merge, name, Limits};
pub use field::{field_description, FieldSettings, FIELD_DESCRIPTION_MAX_CHARS};
pub use metadata::MetadataSettings;
pub use options::{LabelOption, OptionsOrder};
pub use question::QuestionSettings;
