//! The folders Argilla's v2 SDK writes, read as plain data: `Dataset.to_disk()`'s
//! `.argilla/dataset.json` (the dataset's name), `.argilla/settings.json` (guidelines, fields,
//! questions, metadata properties, vectors, distribution, allow_extra_metadata) and the records of
//! `records.json` (one object per record: `id`, `fields`, `metadata`, `vectors`, `suggestions` by
//! question, `responses` by question as lists of `{value, user_id}`); and the rows of the Parquet
//! files that `Dataset.to_hub()` publishes (the flattened columns of `to_datasets()`:
//! `<question>.suggestion[.score|.agent]`, `<question>.responses[.users|.status]`, fields,
//! metadata and vectors by name).
//!
//! `settings.rs` parses the settings with the same parsers as the API's create bodies, so what
//! the folder holds is checked by the rules a client's request meets. `record.rs` turns one
//! record (an object of `records.json`, or a Hub row as a JSON object) into a [`FolderRecord`]:
//! suggestions by question, responses grouped by user with their status (`records.json` carries
//! none: the SDK's own `from_disk` makes them drafts, and so does this).

mod record;
mod settings;
#[cfg(test)]
mod tests;

pub use record::{
    class_labels, disk_record, hub_record, normalize, FolderRecord, FolderResponse, FolderSuggestion, HubColumns,
};
pub use settings::{dataset_name, parse_settings, FieldDef, FolderSettings, MetadataDef, QuestionDef, VectorDef};
