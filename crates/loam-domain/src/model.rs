//! The entities of loam as plain data (model.md §2). The store builds them from rows; the service
//! returns them; the HTTP layer renders them in the clients' wire shapes.

use serde_json::{Map, Value};

use crate::distribution::{Distribution, RecordStatus};
use crate::ids::*;
use crate::role::Role;
use crate::settings::{FieldSettings, MetadataSettings, QuestionSettings};
use crate::timestamp::Timestamp;
use crate::value::ResponseStatus;

#[derive(Clone, Debug, PartialEq)]
pub struct User {
    pub id: UserId,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: String,
    pub role: Role,
    pub inserted_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Workspace {
    pub id: WorkspaceId,
    pub name: String,
    pub inserted_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatasetStatus {
    Draft,
    Ready,
}

impl DatasetStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DatasetStatus::Draft => "draft",
            DatasetStatus::Ready => "ready",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "draft" => Some(DatasetStatus::Draft),
            "ready" => Some(DatasetStatus::Ready),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    pub id: DatasetId,
    pub name: String,
    pub guidelines: Option<String>,
    pub allow_extra_metadata: bool,
    pub status: DatasetStatus,
    pub distribution: Distribution,
    pub metadata: Option<Map<String, Value>>,
    pub workspace_id: WorkspaceId,
    pub last_activity_at: Timestamp,
    pub inserted_at: Timestamp,
    pub updated_at: Timestamp,
    /// A loam extension (the reference server has none): whether annotators reading a record by
    /// id see every annotator's responses to it (`true`) or only their own (`false`, the default:
    /// blind annotation).
    pub responses_visible_for_annotators: bool,
    /// Raised by every change to the dataset's fields, questions, metadata properties or vector
    /// settings (0 for a new dataset): what a cached copy of those settings is checked against.
    pub settings_version: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub id: FieldId,
    pub dataset_id: DatasetId,
    pub name: String,
    pub title: String,
    /// A loam extension (the reference server has none): shown next to the field in the UI.
    pub description: Option<String>,
    pub required: bool,
    pub settings: FieldSettings,
    pub inserted_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Question {
    pub id: QuestionId,
    pub dataset_id: DatasetId,
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    pub required: bool,
    pub settings: QuestionSettings,
    pub inserted_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MetadataProperty {
    pub id: MetadataPropertyId,
    pub dataset_id: DatasetId,
    pub name: String,
    pub title: String,
    pub settings: MetadataSettings,
    pub visible_for_annotators: bool,
    pub inserted_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VectorSettings {
    pub id: VectorSettingsId,
    pub dataset_id: DatasetId,
    pub name: String,
    pub title: String,
    pub dimensions: i64,
    pub inserted_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub id: RecordId,
    pub dataset_id: DatasetId,
    pub fields: Map<String, Value>,
    pub metadata: Option<Map<String, Value>>,
    pub external_id: Option<String>,
    pub status: RecordStatus,
    pub inserted_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    pub id: ResponseId,
    pub record_id: RecordId,
    pub user_id: UserId,
    pub values: Option<Value>,
    pub status: ResponseStatus,
    pub inserted_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    pub id: SuggestionId,
    pub record_id: RecordId,
    pub question_id: QuestionId,
    pub value: Value,
    pub score: Value,
    pub agent: Option<String>,
    pub kind: Option<String>,
    pub inserted_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Vector {
    pub record_id: RecordId,
    pub vector_settings_id: VectorSettingsId,
    pub value: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Webhook {
    pub id: WebhookId,
    pub url: String,
    pub secret: String,
    pub events: Vec<String>,
    pub enabled: bool,
    pub description: Option<String>,
    pub inserted_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One event waiting to be sent to one webhook (the outbox, see `loam-service/src/outbox.rs`).
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookDelivery {
    /// Also the message id the receiver sees (`webhook-id`), the same on every attempt.
    pub id: WebhookDeliveryId,
    pub webhook_id: WebhookId,
    pub event: String,
    /// The exact JSON body that is signed and sent.
    pub body: String,
    /// Attempts made so far, counting the one a claim starts.
    pub attempts: i64,
    pub last_error: Option<String>,
    /// When it was given up, if it was.
    pub failed_at: Option<Timestamp>,
}

/// The complete settings of a dataset, as validation needs them.
#[derive(Clone, Debug, Default)]
pub struct DatasetSchema {
    pub fields: Vec<Field>,
    pub questions: Vec<Question>,
    pub metadata_properties: Vec<MetadataProperty>,
    pub vector_settings: Vec<VectorSettings>,
}

/// Progress counts of one user in one dataset (users/progress).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserProgress {
    pub username: String,
    pub completed: StatusCounts,
    pub pending: StatusCounts,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StatusCounts {
    pub submitted: i64,
    pub discarded: i64,
    pub draft: i64,
}
