//! Importing plain files (JSONL, CSV, Parquet) into a dataset: the column mapping and what a row
//! of a file becomes. Pure: readers (loam-service `import/file/`) hand rows over as JSON objects,
//! column name → cell, and the record rules stay in `record/` and `value/` (the bulk API's
//! validation checks what [`Mapping::map_row`] makes).
//!
//! The mapping, as JSON (or TOML with the same keys); every key optional:
//!
//! ```json
//! {
//!   "fields": {"<field>": "<column>"},
//!   "metadata": {"<metadata property>": "<column>"},
//!   "suggestions": {"<question>": "<column>" | {"value": "<column>", "score": "<column>",
//!                   "agent_column": "<column>", "agent": "<literal agent>"}},
//!   "external_id": "<column>",
//!   "vectors": {"<vector settings>": "<column>"}
//! }
//! ```
//!
//! A section the mapping leaves out is inferred from the settings and the file's columns: a
//! column named like a field, metadata property or vector settings maps to it; a question takes
//! `<q>.suggestion` (loam's and the v2 SDK's export column) or else `<q>`, its score from
//! `<q>.suggestion.score` / `<q>.score` / `<q>_score`, its agent likewise; the external id from
//! `external_id`, else `id`. A mapping naming a column the file lacks, or a field, property,
//! question or vector settings the dataset lacks, is refused with every such name listed.

mod mapping;
mod row;

pub use mapping::{AgentSource, Mapping, SuggestionSource, Target};
pub use row::{MappedRow, MappedSuggestion};

#[cfg(test)]
mod tests;
