//! The Argilla wire shapes of loam's entities (api.md), rendered from domain types: the one place
//! that knows them, used by the HTTP layer for its replies and by the outbox for webhook payloads.
//!
//! Every documented key is always present (null when empty), except the conditional keys of
//! records (`responses`, `suggestions`, `vectors`), which appear only when loaded. A webhook
//! event's `data` is the REST shape of the same object with its references expanded (`event.rs`).
//!
//! - `account.rs`: users (v1 and legacy), workspaces, webhooks.
//! - `dataset.rs`: datasets and their settings (fields, questions, metadata properties, vectors).
//! - `record.rs`: records, responses and suggestions, serialized straight from borrowed domain
//!   types (the bulk of what loam sends).
//! - `listing.rs`: records as the use cases return them (`RecordView`), singly and in pages.
//! - `metrics.rs`: progress and metrics replies.
//! - `overview.rs`: the web UI home's figures for every dataset, time on task (loam extensions).
//! - `history.rs`: a record's history (a loam extension).
//! - `consolidation.rs`: consolidation strategies and finals (loam extensions).
//! - `pairwise.rs`: pairings of pairwise questions and their answers (loam extensions).
//! - `review.rs`: reviewers, the review rule and queue, a record under review (loam extensions).
//! - `event.rs`: webhook events: their names, their `data`, their envelope.
//! - `ser.rs`: the serialization helpers the shapes share.

mod account;
mod consolidation;
mod dataset;
pub(crate) mod event;
mod history;
mod listing;
mod metrics;
mod overview;
mod pairwise;
mod record;
mod review;
mod ser;

pub use account::{user, user_v0, webhook, workspace, MASKED_KEY};
pub use consolidation::{answer_json, final_json, finals_page_json, strategies_json};
pub use dataset::{dataset, field, metadata_property, question, vector_settings};
pub use event::{dataset_event, event_body, record_event, response_event, user_event, Event, EVENTS};
pub use history::record_history;
pub use listing::{record, RecordItems, RecordPage, SearchPage};
pub use metrics::{metadata_metrics, my_metrics, progress, ui_progress, users_progress};
pub use overview::overview;
pub use pairwise::{judges, pairing, pairings, pairwise_answers};
pub use record::{record_base, response, suggestion, RecordOut, ResponseOut, SuggestionOut};
pub use review::{record_review, returned, review_queue, review_rule, review_workspaces, reviewer};
pub use ser::items;
