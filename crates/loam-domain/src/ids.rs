//! Typed identifiers. A bare `Uuid` never crosses a crate boundary.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id (UUID v7), so ties on `inserted_at` still sort by creation.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(it: Uuid) -> Self {
                Self(it)
            }
        }
    )*};
}

id_type!(
    UserId,
    WorkspaceId,
    DatasetId,
    FieldId,
    QuestionId,
    MetadataPropertyId,
    VectorSettingsId,
    RecordId,
    ResponseId,
    SuggestionId,
    WebhookId,
    WebhookDeliveryId,
);
