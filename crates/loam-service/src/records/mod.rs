//! Records: bulk create and upsert (the SDKs' ingest path), listing, single-record reads and
//! writes, and deletion. Validation runs against the dataset's settings, loaded once per call;
//! a bulk call is all-or-nothing. By trade: what callers send (`input`), its validation
//! (`validate`, pure), the writes (`write`: through the store's record write and
//! `response_write.rs`), the use cases (`ingest`: bulk create and upsert; `manage`: one record
//! or a list by id) and what callers get back (`view`).

mod ingest;
mod input;
mod lenient;
mod manage;
mod validate;
mod view;
mod write;

pub use input::{NewRecord, NewResponseItem, NewSuggestionItem, RecordPatch, UpsertRecord};
pub(crate) use lenient::import_target;
pub(crate) use manage::find_record;
pub(crate) use validate::checked_suggestion;
pub(crate) use validate::{Checked, Validator};
pub(crate) use view::{hide_metadata, hydrate_ids};
pub use view::{Include, RecordView, VectorsInclude};
