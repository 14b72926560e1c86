//! Record contents validated against the dataset's settings (model.md §6–7): field values,
//! metadata, vectors.
//!
//! The error reasons are the bare texts of model.md §7; the callers add the wrapping
//! (`"Record at position <i> is not valid because …"`, `"record does not have valid vectors: …"`).
//!
//! Files: `fields.rs` the field values (parse level, then the rules per field type), `image.rs`
//! the image URL rules (Python's URL parsing mirrored), `metadata.rs` and `vector.rs` the other
//! two parts of a record.

mod fields;
mod image;
mod metadata;
#[cfg(test)]
mod tests;
mod vector;

pub use fields::{check_fields, FieldRef, CHAT_CONTENT_CHARS, CHAT_MAX_MESSAGES, CHAT_ROLE_CHARS};
pub use image::{IMAGE_DATA_URL_MAX_CHARS, IMAGE_DATA_URL_MIME_TYPES, IMAGE_WEB_URL_MAX_CHARS};
pub use metadata::{check_metadata, MetadataRef};
pub use vector::check_vector;
