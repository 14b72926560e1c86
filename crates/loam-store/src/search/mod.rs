//! Records search inside the database: full text, filters, sorting, the candidates of a
//! similarity search, and metadata metrics. The text index it reads is written by `text_index.rs`.
//!
//! - `query.rs`: what a search asks for ([`RecordQuery`], [`Condition`], [`Target`], …) and finds
//!   ([`Hit`]).
//! - `sql.rs`: the SQL builder, rendering a query as `from … where …` and `order by` parts; what
//!   each engine spells its own way comes from `crate::dialect`.
//! - `plan.rs`: which statements answer a page and count its matches ([`search_records`]).
//! - `vectors.rs`: the vectors of matching records, streamed, and where a setting's vectors stand.
//! - `metrics.rs`: term counts and ranges of a metadata property.
//!
//! SQLite: FTS5 (`record_fts`, migration 0002) and JSON1 functions. PostgreSQL: `record_texts`
//! with a GIN-indexed tsvector, jsonb operators and SQL/JSON paths.

mod metrics;
mod plan;
mod query;
mod sql;
mod vectors;

#[cfg(test)]
mod tests;

pub use metrics::{metadata_range, metadata_term_counts};
pub use plan::{matching_seqs, search_records};
pub use query::{Bound, Condition, Hit, RecordQuery, SortKey, Target};
pub use vectors::{count_vectors, scan_vectors, stream_vectors, vector_version, VectorVersion};
