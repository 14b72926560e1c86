//! Row types as the database returns them, and their conversion to domain entities.

use loam_domain::distribution::{Distribution, RecordStatus};
use loam_domain::model::*;
use loam_domain::settings::{FieldSettings, MetadataSettings, QuestionSettings};
use loam_domain::value::ResponseStatus;
use loam_domain::{Role, Timestamp};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::db::{from_row, Json};
use crate::StoreError;

fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {detail}"))
}

fn object(value: Option<Json<Value>>) -> Option<Map<String, Value>> {
    match value {
        Some(Json(Value::Object(map))) => Some(map),
        _ => None,
    }
}

pub(crate) struct UserRow {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: String,
    pub role: String,
    pub inserted_at: i64,
    pub updated_at: i64,
}

from_row!(UserRow { id, first_name, last_name, username, role, inserted_at, updated_at });

/// A user with their password hash and token version.
pub(crate) struct UserCredentialsRow {
    pub user: UserRow,
    pub password_hash: String,
    pub token_version: i64,
}

impl crate::db::FromRow for UserCredentialsRow {
    fn from_row(row: &crate::db::Row<'_>) -> Result<Self, StoreError> {
        Ok(UserCredentialsRow {
            user: <UserRow as crate::db::FromRow>::from_row(row)?,
            password_hash: row.get("password_hash")?,
            token_version: row.get("token_version")?,
        })
    }
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(row: UserRow) -> Result<Self, StoreError> {
        Ok(User {
            id: row.id.into(),
            first_name: row.first_name,
            last_name: row.last_name,
            username: row.username,
            role: row.role.parse::<Role>().map_err(|e| corrupt("user role", e))?,
            inserted_at: Timestamp(row.inserted_at),
            updated_at: Timestamp(row.updated_at),
        })
    }
}

pub(crate) struct WorkspaceRow {
    pub id: Uuid,
    pub name: String,
    pub inserted_at: i64,
    pub updated_at: i64,
}

from_row!(WorkspaceRow { id, name, inserted_at, updated_at });

impl From<WorkspaceRow> for Workspace {
    fn from(row: WorkspaceRow) -> Self {
        Workspace {
            id: row.id.into(),
            name: row.name,
            inserted_at: Timestamp(row.inserted_at),
            updated_at: Timestamp(row.updated_at),
        }
    }
}

pub(crate) struct DatasetRow {
    pub id: Uuid,
    pub name: String,
    pub guidelines: Option<String>,
    pub allow_extra_metadata: bool,
    pub status: String,
    pub distribution: Json<Value>,
    pub metadata: Option<Json<Value>>,
    pub workspace_id: Uuid,
    pub last_activity_at: i64,
    pub inserted_at: i64,
    pub updated_at: i64,
    pub responses_visible_for_annotators: bool,
    pub settings_version: i64,
}

from_row!(DatasetRow {
    id,
    name,
    guidelines,
    allow_extra_metadata,
    status,
    distribution,
    metadata,
    workspace_id,
    last_activity_at,
    inserted_at,
    updated_at,
    responses_visible_for_annotators,
    settings_version
});

impl TryFrom<DatasetRow> for Dataset {
    type Error = StoreError;
    fn try_from(row: DatasetRow) -> Result<Self, StoreError> {
        Ok(Dataset {
            id: row.id.into(),
            name: row.name,
            guidelines: row.guidelines,
            allow_extra_metadata: row.allow_extra_metadata,
            status: DatasetStatus::parse(&row.status).ok_or_else(|| corrupt("dataset status", &row.status))?,
            distribution: Distribution::parse(&row.distribution.0, &[]).map_err(|e| corrupt("distribution", e))?,
            metadata: object(row.metadata),
            workspace_id: row.workspace_id.into(),
            last_activity_at: Timestamp(row.last_activity_at),
            inserted_at: Timestamp(row.inserted_at),
            updated_at: Timestamp(row.updated_at),
            responses_visible_for_annotators: row.responses_visible_for_annotators,
            settings_version: row.settings_version,
        })
    }
}

pub(crate) struct FieldRow {
    pub id: Uuid,
    pub dataset_id: Uuid,
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    pub required: bool,
    pub settings: Json<Value>,
    pub inserted_at: i64,
    pub updated_at: i64,
}

from_row!(FieldRow { id, dataset_id, name, title, description, required, settings, inserted_at, updated_at });

impl TryFrom<FieldRow> for Field {
    type Error = StoreError;
    fn try_from(row: FieldRow) -> Result<Self, StoreError> {
        Ok(Field {
            id: row.id.into(),
            dataset_id: row.dataset_id.into(),
            name: row.name,
            title: row.title,
            description: row.description,
            required: row.required,
            settings: FieldSettings::parse(&row.settings.0, &[]).map_err(|e| corrupt("field settings", e))?,
            inserted_at: Timestamp(row.inserted_at),
            updated_at: Timestamp(row.updated_at),
        })
    }
}

pub(crate) struct QuestionRow {
    pub id: Uuid,
    pub dataset_id: Uuid,
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    pub required: bool,
    pub settings: Json<Value>,
    pub inserted_at: i64,
    pub updated_at: i64,
}

from_row!(QuestionRow { id, dataset_id, name, title, description, required, settings, inserted_at, updated_at });

impl TryFrom<QuestionRow> for Question {
    type Error = StoreError;
    fn try_from(row: QuestionRow) -> Result<Self, StoreError> {
        // Stored settings were validated on the way in; parse them without the tunable limits.
        let limits = loam_domain::settings::Limits { label_options_max: usize::MAX, span_options_max: usize::MAX };
        Ok(Question {
            id: row.id.into(),
            dataset_id: row.dataset_id.into(),
            name: row.name,
            title: row.title,
            description: row.description,
            required: row.required,
            settings: QuestionSettings::parse(&row.settings.0, &[], limits)
                .map_err(|e| corrupt("question settings", e))?,
            inserted_at: Timestamp(row.inserted_at),
            updated_at: Timestamp(row.updated_at),
        })
    }
}

pub(crate) struct MetadataPropertyRow {
    pub id: Uuid,
    pub dataset_id: Uuid,
    pub name: String,
    pub title: String,
    pub settings: Json<Value>,
    pub visible_for_annotators: bool,
    pub inserted_at: i64,
    pub updated_at: i64,
}

from_row!(MetadataPropertyRow {
    id,
    dataset_id,
    name,
    title,
    settings,
    visible_for_annotators,
    inserted_at,
    updated_at
});

impl TryFrom<MetadataPropertyRow> for MetadataProperty {
    type Error = StoreError;
    fn try_from(row: MetadataPropertyRow) -> Result<Self, StoreError> {
        Ok(MetadataProperty {
            id: row.id.into(),
            dataset_id: row.dataset_id.into(),
            name: row.name,
            title: row.title,
            settings: MetadataSettings::parse(&row.settings.0, &[]).map_err(|e| corrupt("metadata settings", e))?,
            visible_for_annotators: row.visible_for_annotators,
            inserted_at: Timestamp(row.inserted_at),
            updated_at: Timestamp(row.updated_at),
        })
    }
}

pub(crate) struct VectorSettingsRow {
    pub id: Uuid,
    pub dataset_id: Uuid,
    pub name: String,
    pub title: String,
    pub dimensions: i64,
    pub inserted_at: i64,
    pub updated_at: i64,
}

from_row!(VectorSettingsRow { id, dataset_id, name, title, dimensions, inserted_at, updated_at });

impl From<VectorSettingsRow> for VectorSettings {
    fn from(row: VectorSettingsRow) -> Self {
        VectorSettings {
            id: row.id.into(),
            dataset_id: row.dataset_id.into(),
            name: row.name,
            title: row.title,
            dimensions: row.dimensions,
            inserted_at: Timestamp(row.inserted_at),
            updated_at: Timestamp(row.updated_at),
        }
    }
}

pub(crate) struct RecordRow {
    pub id: Uuid,
    pub dataset_id: Uuid,
    pub external_id: Option<String>,
    pub fields: Json<Value>,
    pub metadata: Option<Json<Value>>,
    pub status: String,
    pub inserted_at: i64,
    pub updated_at: i64,
}

from_row!(RecordRow { id, dataset_id, external_id, fields, metadata, status, inserted_at, updated_at });

impl TryFrom<RecordRow> for Record {
    type Error = StoreError;
    fn try_from(row: RecordRow) -> Result<Self, StoreError> {
        Ok(Record {
            id: row.id.into(),
            dataset_id: row.dataset_id.into(),
            fields: object(Some(row.fields)).unwrap_or_default(),
            metadata: object(row.metadata),
            external_id: row.external_id,
            status: RecordStatus::parse(&row.status).ok_or_else(|| corrupt("record status", &row.status))?,
            inserted_at: Timestamp(row.inserted_at),
            updated_at: Timestamp(row.updated_at),
        })
    }
}

pub(crate) struct ResponseRow {
    pub id: Uuid,
    pub record_id: Uuid,
    pub user_id: Uuid,
    pub answers: Option<Json<Value>>,
    pub status: String,
    pub inserted_at: i64,
    pub updated_at: i64,
}

from_row!(ResponseRow { id, record_id, user_id, answers, status, inserted_at, updated_at });

impl TryFrom<ResponseRow> for Response {
    type Error = StoreError;
    fn try_from(row: ResponseRow) -> Result<Self, StoreError> {
        Ok(Response {
            id: row.id.into(),
            record_id: row.record_id.into(),
            user_id: row.user_id.into(),
            values: row.answers.map(|it| it.0),
            status: ResponseStatus::parse(&row.status).ok_or_else(|| corrupt("response status", &row.status))?,
            inserted_at: Timestamp(row.inserted_at),
            updated_at: Timestamp(row.updated_at),
        })
    }
}

pub(crate) struct SuggestionRow {
    pub id: Uuid,
    pub record_id: Uuid,
    pub question_id: Uuid,
    pub value: Json<Value>,
    pub score: Option<Json<Value>>,
    pub agent: Option<String>,
    pub kind: Option<String>,
    pub inserted_at: i64,
    pub updated_at: i64,
}

from_row!(SuggestionRow { id, record_id, question_id, value, score, agent, kind, inserted_at, updated_at });

impl From<SuggestionRow> for Suggestion {
    fn from(row: SuggestionRow) -> Self {
        Suggestion {
            id: row.id.into(),
            record_id: row.record_id.into(),
            question_id: row.question_id.into(),
            value: row.value.0,
            score: row.score.map(|it| it.0).unwrap_or(Value::Null),
            agent: row.agent,
            kind: row.kind,
            inserted_at: Timestamp(row.inserted_at),
            updated_at: Timestamp(row.updated_at),
        }
    }
}

pub(crate) struct VectorRow {
    pub record_id: Uuid,
    pub vector_settings_id: Uuid,
    pub value: Vec<u8>,
}

from_row!(VectorRow { record_id, vector_settings_id, value });

impl From<VectorRow> for Vector {
    fn from(row: VectorRow) -> Self {
        Vector {
            record_id: row.record_id.into(),
            vector_settings_id: row.vector_settings_id.into(),
            value: decode_f64(&row.value),
        }
    }
}

/// Vectors are stored as little-endian f64 bytes: the clients send 64-bit floats and expect the
/// very same numbers back (the SDK's own tests compare them exactly).
pub(crate) fn encode_f64(values: &[f64]) -> Vec<u8> {
    values.iter().flat_map(|it| it.to_le_bytes()).collect()
}

pub(crate) fn decode_f64(bytes: &[u8]) -> Vec<f64> {
    bytes
        .chunks_exact(8)
        .map(|chunk| {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(chunk);
            f64::from_le_bytes(bytes)
        })
        .collect()
}

pub(crate) struct WebhookRow {
    pub id: Uuid,
    pub url: String,
    pub secret: String,
    pub events: Json<Vec<String>>,
    pub enabled: bool,
    pub description: Option<String>,
    pub inserted_at: i64,
    pub updated_at: i64,
}

from_row!(WebhookRow { id, url, secret, events, enabled, description, inserted_at, updated_at });

pub(crate) struct DeliveryRow {
    pub id: Uuid,
    pub webhook_id: Uuid,
    pub event: String,
    pub body: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub failed_at: Option<i64>,
}

from_row!(DeliveryRow { id, webhook_id, event, body, attempts, last_error, failed_at });

impl From<DeliveryRow> for WebhookDelivery {
    fn from(row: DeliveryRow) -> Self {
        WebhookDelivery {
            id: row.id.into(),
            webhook_id: row.webhook_id.into(),
            event: row.event,
            body: row.body,
            attempts: row.attempts,
            last_error: row.last_error,
            failed_at: row.failed_at.map(Timestamp),
        }
    }
}

impl From<WebhookRow> for Webhook {
    fn from(row: WebhookRow) -> Self {
        Webhook {
            id: row.id.into(),
            url: row.url,
            secret: row.secret,
            events: row.events.0,
            enabled: row.enabled,
            description: row.description,
            inserted_at: Timestamp(row.inserted_at),
            updated_at: Timestamp(row.updated_at),
        }
    }
}
