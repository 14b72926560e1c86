//! The records search query model (api.md §10.3, model.md §10): parsed from the request body,
//! resolved against the dataset by the service, executed by the store.
//!
//! Also the translation of the clients' "simple query string" syntax into SQLite FTS5 syntax,
//! which is pure text work and lives here so it can be tested without a database.
//!
//! Files: `model.rs` the query model and the search body's parser; `text.rs` the simple query
//! string, its FTS5 rendering and the text folding both engines' indexes share; `legacy.rs` the
//! legacy SDK's `response_status` / `metadata` / `sort_by` parameters.

mod legacy;
mod model;
#[cfg(test)]
mod tests;
mod text;

pub use legacy::{legacy_query, PropertyKind};
pub use model::{
    parse_search, Filter, RecordProperty, Scope, SearchQuery, SimilarityOrder, Sort, SuggestionProperty, TextQuery,
    VectorQuery,
};
pub use text::{fold_text, to_fts5, TextMatch};
