//! Datasets and their settings: fields, questions, metadata properties, vector settings.

use loam_domain::model::{Dataset, Field, MetadataProperty, Question, VectorSettings};
use serde_json::{json, Value};

/// A dataset; the reference's keys and one loam extension (`responses_visible_for_annotators`),
/// which the SDKs' models ignore as an unknown key.
pub fn dataset(it: &Dataset) -> Value {
    json!({
        "id": it.id,
        "name": it.name,
        "guidelines": it.guidelines,
        "allow_extra_metadata": it.allow_extra_metadata,
        "status": it.status.as_str(),
        "distribution": it.distribution.to_json(),
        "metadata": it.metadata,
        "workspace_id": it.workspace_id,
        "last_activity_at": it.last_activity_at.to_string(),
        "inserted_at": it.inserted_at.to_string(),
        "updated_at": it.updated_at.to_string(),
        "responses_visible_for_annotators": it.responses_visible_for_annotators,
    })
}

/// The shape fields and questions share (their types differ in their settings only).
macro_rules! described {
    ($it:expr) => {{
        let it = $it;
        json!({
            "id": it.id,
            "name": it.name,
            "title": it.title,
            "description": it.description,
            "required": it.required,
            "settings": it.settings.to_json(),
            "dataset_id": it.dataset_id,
            "inserted_at": it.inserted_at.to_string(),
            "updated_at": it.updated_at.to_string(),
        })
    }};
}

pub fn field(it: &Field) -> Value {
    described!(it)
}

pub fn question(it: &Question) -> Value {
    described!(it)
}

pub fn metadata_property(it: &MetadataProperty) -> Value {
    json!({
        "id": it.id,
        "name": it.name,
        "title": it.title,
        "settings": it.settings.to_json(),
        "visible_for_annotators": it.visible_for_annotators,
        "dataset_id": it.dataset_id,
        "inserted_at": it.inserted_at.to_string(),
        "updated_at": it.updated_at.to_string(),
    })
}

pub fn vector_settings(it: &VectorSettings) -> Value {
    json!({
        "id": it.id,
        "name": it.name,
        "title": it.title,
        "dimensions": it.dimensions,
        "dataset_id": it.dataset_id,
        "inserted_at": it.inserted_at.to_string(),
        "updated_at": it.updated_at.to_string(),
    })
}
