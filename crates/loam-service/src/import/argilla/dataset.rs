//! A dataset of the server read, with every setting, written in one transaction: the dataset,
//! its fields, questions, metadata properties and vector settings (each through the creation
//! rules of `settings.rs`, with the id and timestamps it had), then published when it was. A
//! dataset is there whole or not at all, so a run cut short never leaves half its settings.

use loam_domain::distribution::Distribution;
use loam_domain::error::Loc;
use loam_domain::model::DatasetStatus;
use loam_domain::schema::Reader;
use loam_domain::settings::{field_description, FieldSettings, MetadataSettings, QuestionSettings};
use loam_domain::{DatasetId, FieldId, MetadataPropertyId, QuestionId, SchemaError, VectorSettingsId, WorkspaceId};
use loam_store::{datasets, Tx};
use serde_json::Value;

use super::{is_refusal, reason, timestamp, uuid_of, Outcome};
use crate::datasets::{insert_dataset_in, publish_in, NewDataset};
use crate::settings::{
    insert_field_in, insert_metadata_property_in, insert_question_in, insert_vector_settings_in, Kept, NewField,
    NewMetadataProperty, NewQuestion, NewVectorSettings,
};
use crate::{Error, Result, Service};

/// A dataset as the server shows it: the dataset object and its settings' list items.
#[derive(Clone, Debug, Default)]
pub struct DatasetSource {
    pub dataset: Value,
    pub fields: Vec<Value>,
    pub questions: Vec<Value>,
    pub metadata_properties: Vec<Value>,
    pub vectors_settings: Vec<Value>,
}

impl Service {
    /// Imports a dataset with its settings, unless a dataset with its id is there already
    /// (then nothing changes). A setting loam refuses refuses the whole dataset, with the
    /// setting named in the reason.
    pub async fn import_argilla_dataset(&self, source: &DatasetSource, dry_run: bool) -> Result<Outcome> {
        let id = match uuid_of(&source.dataset, "id") {
            Ok(id) => DatasetId(id),
            Err(reason) => return Ok(Outcome::Refused(reason)),
        };
        let mut tx = self.store.write().await?;
        if let Some(ds) = datasets::find_dataset(&mut tx, id).await? {
            let added = match complete_dataset(&mut tx, &ds, source).await {
                Ok(added) => added,
                Err(err) if is_refusal(&err) => return Ok(Outcome::Refused(reason(&err))),
                Err(err) => return Err(err),
            };
            if added.is_empty() {
                return Ok(Outcome::Present);
            }
            if !dry_run {
                tx.commit().await?;
            }
            return Ok(Outcome::Completed(added));
        }
        match write_dataset(&mut tx, source, id, self.cfg.limits).await {
            Ok(()) => {}
            Err(err) if is_refusal(&err) => return Ok(Outcome::Refused(reason(&err))),
            Err(err) => return Err(err),
        }
        if !dry_run {
            tx.commit().await?;
        }
        Ok(Outcome::Created)
    }
}

/// What a setting's parse refuses, named by the setting.
fn named(kind: &str, item: &Value, err: SchemaError) -> Error {
    let name = item.get("name").and_then(Value::as_str).unwrap_or("?");
    Error::Invalid(format!("{kind} `{name}`: {}", super::reason(&Error::Schema(vec![err]))))
}

fn kept<I: From<uuid::Uuid>>(item: &Value) -> Result<Kept<I>> {
    let id = uuid_of(item, "id").map_err(Error::Invalid)?;
    Ok(Kept { id: I::from(id), inserted_at: timestamp(item, "inserted_at"), updated_at: timestamp(item, "updated_at") })
}

async fn write_dataset(
    tx: &mut Tx,
    source: &DatasetSource,
    id: DatasetId,
    limits: loam_domain::settings::Limits,
) -> Result<()> {
    let raw = &source.dataset;
    let loc = [Loc::from("dataset")];
    let empty = serde_json::Map::new();
    let r = Reader::new(raw.as_object().unwrap_or(&empty), &loc);
    let distribution = match r.raw("distribution") {
        None | Some(Value::Null) => Distribution::default(),
        Some(value) => Distribution::parse(value, &r.at("distribution"))?,
    };
    let new = NewDataset {
        name: r.string("name", 1, 200)?,
        guidelines: r.opt_string("guidelines", 1, 10000)?,
        allow_extra_metadata: r.bool_or("allow_extra_metadata", true)?,
        distribution,
        metadata: r.raw("metadata").and_then(Value::as_object).cloned(),
        workspace_id: WorkspaceId(uuid_of(raw, "workspace_id").map_err(Error::Invalid)?),
        responses_visible_for_annotators: false,
    };
    let mut ds = insert_dataset_in(tx, new, id, (timestamp(raw, "inserted_at"), timestamp(raw, "updated_at"))).await?;
    for item in &source.fields {
        let loc = [Loc::from("field")];
        let r = Reader::new(item.as_object().unwrap_or(&empty), &loc);
        let parse = || -> Result<NewField, SchemaError> {
            Ok(NewField {
                name: r.string("name", 1, 200)?,
                title: r.string("title", 1, 500)?,
                description: field_description(&r, "description")?,
                required: r.opt_bool_or("required", false)?,
                settings: FieldSettings::parse(r.raw("settings").unwrap_or(&Value::Null), &r.at("settings"))?,
            })
        };
        let new = parse().map_err(|e| named("field", item, e))?;
        let kept = kept::<FieldId>(item)?;
        id_free(tx, Setting::Field(kept.id), &new.name).await?;
        insert_field_in(tx, &ds, new, kept).await?;
    }
    for item in &source.questions {
        let loc = [Loc::from("question")];
        let r = Reader::new(item.as_object().unwrap_or(&empty), &loc);
        let parse = || -> Result<NewQuestion, SchemaError> {
            Ok(NewQuestion {
                name: r.string("name", 1, 200)?,
                title: r.string("title", 1, 500)?,
                description: r.opt_string("description", 1, 1000)?,
                required: r.opt_bool_or("required", false)?,
                settings: QuestionSettings::parse(
                    r.raw("settings").unwrap_or(&Value::Null),
                    &r.at("settings"),
                    limits,
                )?,
            })
        };
        let new = parse().map_err(|e| named("question", item, e))?;
        let kept = kept::<QuestionId>(item)?;
        id_free(tx, Setting::Question(kept.id), &new.name).await?;
        insert_question_in(tx, &ds, new, kept).await?;
    }
    for item in &source.metadata_properties {
        let (new, kept) = (metadata_property(item)?, kept::<MetadataPropertyId>(item)?);
        id_free(tx, Setting::MetadataProperty(kept.id), &new.name).await?;
        insert_metadata_property_in(tx, &ds, new, kept).await?;
    }
    for item in &source.vectors_settings {
        let (new, kept) = (vector_settings(item)?, kept::<VectorSettingsId>(item)?);
        id_free(tx, Setting::VectorSettings(kept.id), &new.name).await?;
        insert_vector_settings_in(tx, &ds, new, kept).await?;
    }
    let published = raw.get("status").and_then(Value::as_str) == Some(DatasetStatus::Ready.as_str());
    if published {
        publish_in(tx, &mut ds, timestamp(raw, "updated_at")).await?;
    }
    ds.last_activity_at = timestamp(raw, "last_activity_at");
    datasets::update_dataset(tx, &ds).await?;
    Ok(())
}

fn metadata_property(item: &Value) -> Result<NewMetadataProperty> {
    let empty = serde_json::Map::new();
    let loc = [Loc::from("metadata_property")];
    let r = Reader::new(item.as_object().unwrap_or(&empty), &loc);
    let parse = || -> Result<NewMetadataProperty, SchemaError> {
        Ok(NewMetadataProperty {
            name: r.string("name", 1, 200)?,
            title: r.string("title", 1, 500)?,
            settings: MetadataSettings::parse(r.raw("settings").unwrap_or(&Value::Null), &r.at("settings"))?,
            visible_for_annotators: r.bool_or("visible_for_annotators", true)?,
        })
    };
    parse().map_err(|e| named("metadata property", item, e))
}

fn vector_settings(item: &Value) -> Result<NewVectorSettings> {
    let empty = serde_json::Map::new();
    let loc = [Loc::from("vector_settings")];
    let r = Reader::new(item.as_object().unwrap_or(&empty), &loc);
    let parse = || -> Result<NewVectorSettings, SchemaError> {
        Ok(NewVectorSettings {
            name: r.string("name", 1, 200)?,
            title: r.string("title", 1, 500)?,
            dimensions: r.int("dimensions")?,
        })
    };
    let new = parse().map_err(|e| named("vector settings", item, e))?;
    if new.dimensions < 1 {
        return Err(Error::Invalid(format!("vector settings `{}`: dimensions must be at least 1", new.name)));
    }
    Ok(new)
}

/// A dataset that is there already: the metadata properties and vector settings added on the
/// server since (by id; the server allows both on a published dataset), through the same rules.
/// Fields and questions, which a published dataset cannot gain, and every setting that is there
/// stay as they are. Returns what was added, by kind and name.
async fn complete_dataset(
    tx: &mut Tx,
    ds: &loam_domain::model::Dataset,
    source: &DatasetSource,
) -> Result<Vec<String>> {
    let schema = loam_store::settings::load_schema(tx, ds.id).await?;
    let mut added = Vec::new();
    for item in &source.metadata_properties {
        let kept = kept::<MetadataPropertyId>(item)?;
        if schema.metadata_properties.iter().any(|it| it.id == kept.id) {
            continue;
        }
        let new = metadata_property(item)?;
        id_free(tx, Setting::MetadataProperty(kept.id), &new.name).await?;
        added.push(format!("metadata property `{}`", new.name));
        insert_metadata_property_in(tx, ds, new, kept).await?;
    }
    for item in &source.vectors_settings {
        let kept = kept::<VectorSettingsId>(item)?;
        if schema.vector_settings.iter().any(|it| it.id == kept.id) {
            continue;
        }
        let new = vector_settings(item)?;
        id_free(tx, Setting::VectorSettings(kept.id), &new.name).await?;
        added.push(format!("vector settings `{}`", new.name));
        insert_vector_settings_in(tx, ds, new, kept).await?;
    }
    Ok(added)
}

/// A setting to be written with the id it had on the server.
#[derive(Clone, Copy)]
enum Setting {
    Field(FieldId),
    Question(QuestionId),
    MetadataProperty(MetadataPropertyId),
    VectorSettings(VectorSettingsId),
}

/// Refuses a setting whose id loam already gives to another setting, naming that one and its
/// dataset (the insert itself would only say that a setting of that name "already exists").
async fn id_free(tx: &mut Tx, setting: Setting, name: &str) -> Result<()> {
    use loam_store::settings as store;
    let (kind, id, holder) = match setting {
        Setting::Field(id) => {
            ("field", id.to_string(), store::find_field(tx, id).await?.map(|it| ("field", it.name, it.dataset_id)))
        }
        Setting::Question(id) => (
            "question",
            id.to_string(),
            store::find_question(tx, id).await?.map(|it| ("question", it.name, it.dataset_id)),
        ),
        Setting::MetadataProperty(id) => (
            "metadata property",
            id.to_string(),
            store::find_metadata_property(tx, id).await?.map(|it| ("metadata property", it.name, it.dataset_id)),
        ),
        Setting::VectorSettings(id) => (
            "vector settings",
            id.to_string(),
            store::find_vector_settings(tx, id).await?.map(|it| ("vector settings", it.name, it.dataset_id)),
        ),
    };
    let Some((held_kind, held_name, dataset)) = holder else { return Ok(()) };
    let dataset = match datasets::find_dataset(tx, dataset).await? {
        Some(ds) => format!("dataset `{}` ({})", ds.name, ds.id),
        None => format!("dataset {dataset}"),
    };
    Err(Error::Invalid(format!(
        "{kind} `{name}`: its id {id} is already the id of loam's {held_kind} `{held_name}` of {dataset}; \
         loam keeps the ids it imports, so this one cannot be imported while that one holds its id"
    )))
}
