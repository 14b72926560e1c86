//! What the `argilla` format (the folder Argilla's v2 SDK reads back) needs besides the
//! `records` rows: `.argilla/` (the dataset and its settings in the REST shapes, as the SDK's
//! `to_disk` dumps them), and what the SDK's `to_datasets()` infers from the values themselves —
//! a column per extra metadata key (metadata of no metadata property, in a dataset that allows
//! it) and the types of those columns and of custom fields. Those are read from the export's own
//! snapshot before the first row ([`scan`]: one pass over the records' fields and metadata, only
//! when the dataset has custom fields or allows extra metadata), so every batch's rows have the
//! same columns and the Parquet file one schema.

use std::collections::{BTreeMap, HashSet};

use loam_domain::json_ref::JsonRef;
use loam_domain::json_type::JsonType;
use loam_domain::model::{Dataset, DatasetSchema};
use loam_domain::settings::FieldSettings;
use loam_export::ArgillaConfig;
use loam_store::annotated::{read_annotated_raw, Contents, Cursor, Responses, Usernames};
use loam_store::Tx;
use serde_json::Value;

use super::BATCH_RECORDS;
use crate::{Error, Result};

/// The extra metadata keys of the dataset's records and the inferred types of the JSON columns.
#[derive(Clone, Debug, Default)]
pub(super) struct Inferred {
    pub(super) extra_metadata: Vec<String>,
    pub(super) json_types: Vec<(String, JsonType)>,
}

/// Reads every record's custom fields and extra metadata from `tx`'s snapshot. Extra metadata
/// keys named like a column the export has already (`taken`) are left out: a column holds one.
pub(super) async fn scan(tx: &mut Tx, ds: &Dataset, schema: &DatasetSchema, taken: &HashSet<&str>) -> Result<Inferred> {
    let custom: Vec<&str> = schema
        .fields
        .iter()
        .filter(|it| matches!(it.settings, FieldSettings::Custom { .. }))
        .map(|it| it.name.as_str())
        .collect();
    let extra = ds.allow_extra_metadata;
    if custom.is_empty() && !extra {
        return Ok(Inferred::default());
    }
    let properties: HashSet<&str> = schema.metadata_properties.iter().map(|it| it.name.as_str()).collect();
    let mut fields: Vec<JsonType> = vec![JsonType::Null; custom.len()];
    let mut metadata: BTreeMap<String, JsonType> = BTreeMap::new();
    let contents = Contents { responses: Responses::Submitted, fields: !custom.is_empty(), metadata: extra };
    let mut names = Usernames::default();
    let mut cursor: Option<Cursor> = None;
    let corrupt = |e: serde_json::Error| Error::Failed(format!("a stored record is not JSON: {e}"));
    loop {
        let (raw, next) = read_annotated_raw(tx, ds.id, cursor, BATCH_RECORDS, contents, &mut names).await?;
        let batch = raw.stored()?;
        for record in batch.iter() {
            if let Some(text) = record.fields.filter(|_| !custom.is_empty()) {
                let parsed = JsonRef::parse(text).map_err(corrupt)?;
                for (name, ty) in custom.iter().zip(fields.iter_mut()) {
                    if let Some(value) = parsed.get(name) {
                        ty.add(&value.to_value());
                    }
                }
            }
            if let Some(text) = record.metadata.filter(|_| extra) {
                if let Value::Object(map) = serde_json::from_str::<Value>(text).map_err(corrupt)? {
                    for (key, value) in map {
                        if !properties.contains(key.as_str()) && !taken.contains(key.as_str()) {
                            metadata.entry(key).or_insert(JsonType::Null).add(&value);
                        }
                    }
                }
            }
        }
        cursor = next;
        if cursor.is_none() {
            break;
        }
    }
    let mut json_types: Vec<(String, JsonType)> = custom.iter().map(|it| (*it).to_owned()).zip(fields).collect();
    json_types.extend(metadata.iter().map(|(key, ty)| (key.clone(), ty.clone())));
    Ok(Inferred { extra_metadata: metadata.into_keys().collect(), json_types })
}

/// `.argilla/`: the dataset and its settings in the REST shapes, as the SDK's `to_disk` dumps
/// them (`Settings.serialize()`), with what [`scan`] found.
pub(super) fn config(dataset: &Dataset, schema: &DatasetSchema, inferred: &Inferred) -> ArgillaConfig {
    let wire_dataset = crate::wire::dataset(dataset);
    let settings = serde_json::json!({
        "guidelines": dataset.guidelines,
        "questions": schema.questions.iter().map(crate::wire::question).collect::<Vec<_>>(),
        "fields": schema.fields.iter().map(crate::wire::field).collect::<Vec<_>>(),
        "vectors": schema.vector_settings.iter().map(crate::wire::vector_settings).collect::<Vec<_>>(),
        "metadata": schema.metadata_properties.iter().map(crate::wire::metadata_property).collect::<Vec<_>>(),
        "allow_extra_metadata": dataset.allow_extra_metadata,
        "distribution": wire_dataset.get("distribution").cloned().unwrap_or(Value::Null),
        "mapping": null,
    });
    ArgillaConfig {
        dataset: wire_dataset,
        settings,
        extra_metadata: inferred.extra_metadata.clone(),
        json_types: inferred.json_types.clone(),
    }
}
