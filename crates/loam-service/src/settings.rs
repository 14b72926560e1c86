//! Dataset settings: fields, questions, metadata properties and vector settings.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use loam_domain::model::DatasetStatus;
use loam_domain::model::{Dataset, DatasetSchema, Field, MetadataProperty, Question, User, VectorSettings};
use loam_domain::python::repr_str_list;
use loam_domain::settings::{FieldSettings, MetadataSettings, QuestionSettings};
use loam_domain::{DatasetId, FieldId, MetadataPropertyId, QuestionId, Role, Timestamp, VectorSettingsId};
use loam_store::settings as store;
use loam_store::Tx;
use serde_json::Value;

use crate::datasets::{managed_dataset, readable_dataset};
use crate::error::conflict_or;
use crate::{now, Error, Result, Service};

#[derive(Clone, Debug)]
pub struct NewField {
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    pub required: bool,
    pub settings: FieldSettings,
}

#[derive(Clone, Debug, Default)]
pub struct FieldPatch {
    pub title: Option<String>,
    /// `Some(None)` clears the description.
    pub description: Option<Option<String>>,
    /// The raw settings object, merged into the stored one under the type rule.
    pub settings: Option<Value>,
}

#[derive(Clone, Debug)]
pub struct NewQuestion {
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    pub required: bool,
    pub settings: QuestionSettings,
}

#[derive(Clone, Debug, Default)]
pub struct QuestionPatch {
    pub title: Option<String>,
    /// `Some(None)` clears the description.
    pub description: Option<Option<String>>,
    pub settings: Option<Value>,
}

#[derive(Clone, Debug)]
pub struct NewMetadataProperty {
    pub name: String,
    pub title: String,
    pub settings: MetadataSettings,
    pub visible_for_annotators: bool,
}

#[derive(Clone, Debug, Default)]
pub struct MetadataPropertyPatch {
    pub title: Option<String>,
    pub visible_for_annotators: Option<bool>,
}

#[derive(Clone, Debug)]
pub struct NewVectorSettings {
    pub name: String,
    pub title: String,
    pub dimensions: i64,
}

const MAX_VECTOR_SETTINGS: usize = 5;

/// The id and timestamps a new settings row takes: fresh ones ([`Kept::fresh`]), or those an
/// import keeps from the server it reads (`import/argilla`). The rules are the same either way.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Kept<I> {
    pub(crate) id: I,
    pub(crate) inserted_at: Timestamp,
    pub(crate) updated_at: Timestamp,
}

impl<I: Default> Kept<I> {
    pub(crate) fn fresh() -> Self {
        let at = now();
        Self { id: I::default(), inserted_at: at, updated_at: at }
    }
}

impl Service {
    // Fields ---------------------------------------------------------------------------------

    pub async fn list_fields(&self, actor: &User, dataset: DatasetId) -> Result<Vec<Field>> {
        let mut tx = self.store.read().await?;
        readable_dataset(&mut tx, actor, dataset).await?;
        Ok(store::list_fields(&mut tx, dataset).await?)
    }

    pub async fn create_field(&self, actor: &User, dataset: DatasetId, new: NewField) -> Result<Field> {
        let mut tx = self.store.write().await?;
        let ds = managed_dataset(&mut tx, actor, dataset).await?;
        let field = insert_field_in(&mut tx, &ds, new, Kept::fresh()).await?;
        tx.commit().await?;
        Ok(field)
    }

    pub async fn update_field(&self, actor: &User, id: FieldId, patch: FieldPatch) -> Result<Field> {
        let mut tx = self.store.write().await?;
        let mut field = store::find_field(&mut tx, id).await?.ok_or_else(|| Error::not_found("Field", id))?;
        managed_dataset(&mut tx, actor, field.dataset_id).await?;
        if let Some(title) = patch.title {
            field.title = title;
        }
        if let Some(description) = patch.description {
            field.description = description;
        }
        if let Some(settings) = patch.settings {
            field.settings =
                field.settings.update(&settings, &[loam_domain::error::Loc::from("body"), "settings".into()])??;
        }
        field.updated_at = now();
        store::update_field(&mut tx, &field).await?;
        tx.commit().await?;
        Ok(field)
    }

    pub async fn delete_field(&self, actor: &User, id: FieldId) -> Result<Field> {
        let mut tx = self.store.write().await?;
        let field = store::find_field(&mut tx, id).await?.ok_or_else(|| Error::not_found("Field", id))?;
        let ds = managed_dataset(&mut tx, actor, field.dataset_id).await?;
        if ds.status == DatasetStatus::Ready {
            return Err(Error::invalid("Fields cannot be deleted for a published dataset"));
        }
        store::delete_field(&mut tx, id).await?;
        tx.commit().await?;
        Ok(field)
    }

    // Questions ------------------------------------------------------------------------------

    pub async fn list_questions(&self, actor: &User, dataset: DatasetId) -> Result<Vec<Question>> {
        let mut tx = self.store.read().await?;
        readable_dataset(&mut tx, actor, dataset).await?;
        Ok(store::list_questions(&mut tx, dataset).await?)
    }

    pub async fn create_question(&self, actor: &User, dataset: DatasetId, new: NewQuestion) -> Result<Question> {
        let mut tx = self.store.write().await?;
        let ds = managed_dataset(&mut tx, actor, dataset).await?;
        let question = insert_question_in(&mut tx, &ds, new, Kept::fresh()).await?;
        tx.commit().await?;
        Ok(question)
    }

    pub async fn update_question(&self, actor: &User, id: QuestionId, patch: QuestionPatch) -> Result<Question> {
        let mut tx = self.store.write().await?;
        let mut question = store::find_question(&mut tx, id).await?.ok_or_else(|| Error::not_found("Question", id))?;
        managed_dataset(&mut tx, actor, question.dataset_id).await?;
        if let Some(title) = patch.title {
            question.title = title;
        }
        if let Some(description) = patch.description {
            question.description = description;
        }
        if let Some(settings) = patch.settings {
            let loc = [loam_domain::error::Loc::from("body"), "settings".into()];
            question.settings = question.settings.update(&settings, &loc, self.cfg.limits)??;
        }
        question.updated_at = now();
        store::update_question(&mut tx, &question).await?;
        tx.commit().await?;
        Ok(question)
    }

    pub async fn delete_question(&self, actor: &User, id: QuestionId) -> Result<Question> {
        let mut tx = self.store.write().await?;
        let question = store::find_question(&mut tx, id).await?.ok_or_else(|| Error::not_found("Question", id))?;
        let ds = managed_dataset(&mut tx, actor, question.dataset_id).await?;
        if ds.status == DatasetStatus::Ready {
            return Err(Error::invalid("questions cannot be deleted for a published dataset"));
        }
        store::delete_question(&mut tx, id).await?;
        tx.commit().await?;
        Ok(question)
    }

    // Metadata properties --------------------------------------------------------------------

    /// Annotators see only the properties visible to them.
    pub async fn list_metadata_properties(&self, actor: &User, dataset: DatasetId) -> Result<Vec<MetadataProperty>> {
        let mut tx = self.store.read().await?;
        readable_dataset(&mut tx, actor, dataset).await?;
        let all = store::list_metadata_properties(&mut tx, dataset).await?;
        Ok(match actor.role {
            Role::Annotator => all.into_iter().filter(|it| it.visible_for_annotators).collect(),
            Role::Owner | Role::Admin => all,
        })
    }

    pub async fn create_metadata_property(
        &self,
        actor: &User,
        dataset: DatasetId,
        new: NewMetadataProperty,
    ) -> Result<MetadataProperty> {
        let mut tx = self.store.write().await?;
        let ds = managed_dataset(&mut tx, actor, dataset).await?;
        let property = insert_metadata_property_in(&mut tx, &ds, new, Kept::fresh()).await?;
        tx.commit().await?;
        Ok(property)
    }

    pub async fn update_metadata_property(
        &self,
        actor: &User,
        id: MetadataPropertyId,
        patch: MetadataPropertyPatch,
    ) -> Result<MetadataProperty> {
        let mut tx = self.store.write().await?;
        let mut property = store::find_metadata_property(&mut tx, id)
            .await?
            .ok_or_else(|| Error::not_found("MetadataProperty", id))?;
        managed_dataset(&mut tx, actor, property.dataset_id).await?;
        if let Some(title) = patch.title {
            property.title = title;
        }
        if let Some(visible) = patch.visible_for_annotators {
            property.visible_for_annotators = visible;
        }
        property.updated_at = now();
        store::update_metadata_property(&mut tx, &property).await?;
        tx.commit().await?;
        Ok(property)
    }

    pub async fn delete_metadata_property(&self, actor: &User, id: MetadataPropertyId) -> Result<MetadataProperty> {
        let mut tx = self.store.write().await?;
        let property = store::find_metadata_property(&mut tx, id)
            .await?
            .ok_or_else(|| Error::not_found("MetadataProperty", id))?;
        managed_dataset(&mut tx, actor, property.dataset_id).await?;
        store::delete_metadata_property(&mut tx, id).await?;
        tx.commit().await?;
        Ok(property)
    }

    pub async fn get_metadata_property(&self, actor: &User, id: MetadataPropertyId) -> Result<MetadataProperty> {
        let mut tx = self.store.read().await?;
        let property = store::find_metadata_property(&mut tx, id)
            .await?
            .ok_or_else(|| Error::not_found("MetadataProperty", id))?;
        readable_dataset(&mut tx, actor, property.dataset_id).await?;
        if actor.role == Role::Annotator && !property.visible_for_annotators {
            return Err(Error::Forbidden);
        }
        Ok(property)
    }

    // Vector settings ------------------------------------------------------------------------

    pub async fn list_vector_settings(&self, actor: &User, dataset: DatasetId) -> Result<Vec<VectorSettings>> {
        let mut tx = self.store.read().await?;
        readable_dataset(&mut tx, actor, dataset).await?;
        Ok(store::list_vector_settings(&mut tx, dataset).await?)
    }

    pub async fn create_vector_settings(
        &self,
        actor: &User,
        dataset: DatasetId,
        new: NewVectorSettings,
    ) -> Result<VectorSettings> {
        let mut tx = self.store.write().await?;
        let ds = managed_dataset(&mut tx, actor, dataset).await?;
        let settings = insert_vector_settings_in(&mut tx, &ds, new, Kept::fresh()).await?;
        tx.commit().await?;
        Ok(settings)
    }

    pub async fn update_vector_settings(
        &self,
        actor: &User,
        id: VectorSettingsId,
        title: String,
    ) -> Result<VectorSettings> {
        let mut tx = self.store.write().await?;
        let mut settings =
            store::find_vector_settings(&mut tx, id).await?.ok_or_else(|| Error::not_found("VectorSettings", id))?;
        managed_dataset(&mut tx, actor, settings.dataset_id).await?;
        settings.title = title;
        settings.updated_at = now();
        store::update_vector_settings(&mut tx, &settings).await?;
        tx.commit().await?;
        Ok(settings)
    }

    pub async fn delete_vector_settings(&self, actor: &User, id: VectorSettingsId) -> Result<VectorSettings> {
        let mut tx = self.store.write().await?;
        let settings =
            store::find_vector_settings(&mut tx, id).await?.ok_or_else(|| Error::not_found("VectorSettings", id))?;
        managed_dataset(&mut tx, actor, settings.dataset_id).await?;
        store::delete_vector_settings(&mut tx, id).await?;
        tx.commit().await?;
        Ok(settings)
    }
}

/// Inserts a field into the draft dataset `ds` under the creation rules (unique name, the field
/// cap), with `kept`'s id and timestamps.
pub(crate) async fn insert_field_in(tx: &mut Tx, ds: &Dataset, new: NewField, kept: Kept<FieldId>) -> Result<Field> {
    let dataset = ds.id;
    if ds.status == DatasetStatus::Ready {
        return Err(Error::invalid("Field cannot be created for a published dataset"));
    }
    let conflict = format!("Field with name `{}` already exists for dataset with id `{dataset}`", new.name);
    let existing = store::list_fields(tx, dataset).await?;
    if existing.iter().any(|it| it.name == new.name) {
        return Err(Error::Conflict(conflict));
    }
    if existing.len() as i64 >= loam_store::text_index::MAX_FIELDS_PER_DATASET {
        return Err(Error::invalid(format!(
            "A dataset can have at most {} fields",
            loam_store::text_index::MAX_FIELDS_PER_DATASET
        )));
    }
    let field = Field {
        id: kept.id,
        dataset_id: dataset,
        name: new.name,
        title: new.title,
        description: new.description,
        required: new.required,
        settings: new.settings,
        inserted_at: kept.inserted_at,
        updated_at: kept.updated_at,
    };
    store::insert_field(tx, &field).await.map_err(|e| conflict_or(e, conflict))?;
    Ok(field)
}

/// Inserts a question into the draft dataset `ds` under the creation rules (unique name; a span
/// question's field exists and has no other span question), with `kept`'s id and timestamps.
pub(crate) async fn insert_question_in(
    tx: &mut Tx,
    ds: &Dataset,
    new: NewQuestion,
    kept: Kept<QuestionId>,
) -> Result<Question> {
    insert_question_when(tx, ds, new, kept, Publishing::DraftOnly).await
}

/// Whether a question may be added to a published dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Publishing {
    /// The rule: questions are created before publishing.
    DraftOnly,
    /// The one documented exception: "switch to pairwise" (`pairwise.rs`) adds its label
    /// questions to a published dataset, so a dataset already annotated or logged becomes pairwise.
    EvenPublished,
}

/// [`insert_question_in`], where `publishing` says whether a published dataset takes it.
pub(crate) async fn insert_question_when(
    tx: &mut Tx,
    ds: &Dataset,
    new: NewQuestion,
    kept: Kept<QuestionId>,
    publishing: Publishing,
) -> Result<Question> {
    let dataset = ds.id;
    let questions = store::list_questions(tx, dataset).await?;
    let conflict = format!("Question with name `{}` already exists for dataset with id `{dataset}`", new.name);
    if questions.iter().any(|it| it.name == new.name) {
        return Err(Error::Conflict(conflict));
    }
    if ds.status == DatasetStatus::Ready && publishing == Publishing::DraftOnly {
        return Err(Error::invalid("questions cannot be created for a published dataset"));
    }
    if let QuestionSettings::Span { field, .. } = &new.settings {
        let fields = store::list_fields(tx, dataset).await?;
        if !fields.iter().any(|it| &it.name == field) {
            let names: Vec<&str> = fields.iter().map(|it| it.name.as_str()).collect();
            return Err(Error::invalid(format!(
                "'{field}' is not a valid field name.\nValid field names are {}",
                repr_str_list(&names)
            )));
        }
        let used_by =
            questions.iter().find(|it| matches!(&it.settings, QuestionSettings::Span { field: f, .. } if f == field));
        if let Some(other) = used_by {
            return Err(Error::invalid(format!("'{field}' is already used by span question with id '{}'", other.id)));
        }
    }
    let question = Question {
        id: kept.id,
        dataset_id: dataset,
        name: new.name,
        title: new.title,
        description: new.description,
        required: new.required,
        settings: new.settings,
        inserted_at: kept.inserted_at,
        updated_at: kept.updated_at,
    };
    store::insert_question(tx, &question).await.map_err(|e| conflict_or(e, conflict))?;
    Ok(question)
}

/// Inserts a metadata property into `ds` under the creation rules (unique name), with `kept`'s
/// id and timestamps.
pub(crate) async fn insert_metadata_property_in(
    tx: &mut Tx,
    ds: &Dataset,
    new: NewMetadataProperty,
    kept: Kept<MetadataPropertyId>,
) -> Result<MetadataProperty> {
    let dataset = ds.id;
    let conflict = format!("Metadata property with name `{}` already exists for dataset with id `{dataset}`", new.name);
    if store::list_metadata_properties(tx, dataset).await?.iter().any(|it| it.name == new.name) {
        return Err(Error::Conflict(conflict));
    }
    let property = MetadataProperty {
        id: kept.id,
        dataset_id: dataset,
        name: new.name,
        title: new.title,
        settings: new.settings,
        visible_for_annotators: new.visible_for_annotators,
        inserted_at: kept.inserted_at,
        updated_at: kept.updated_at,
    };
    store::insert_metadata_property(tx, &property).await.map_err(|e| conflict_or(e, conflict))?;
    Ok(property)
}

/// Inserts vector settings into `ds` under the creation rules (unique name, at most
/// `MAX_VECTOR_SETTINGS`), with `kept`'s id and timestamps.
pub(crate) async fn insert_vector_settings_in(
    tx: &mut Tx,
    ds: &Dataset,
    new: NewVectorSettings,
    kept: Kept<VectorSettingsId>,
) -> Result<VectorSettings> {
    let dataset = ds.id;
    let existing = store::list_vector_settings(tx, dataset).await?;
    if existing.len() >= MAX_VECTOR_SETTINGS {
        return Err(Error::invalid(format!(
            "The maximum number of vector settings has been reached for dataset with id `{dataset}`"
        )));
    }
    let conflict = format!("Vector settings with name `{}` already exists for dataset with id `{dataset}`", new.name);
    if existing.iter().any(|it| it.name == new.name) {
        return Err(Error::Conflict(conflict));
    }
    let settings = VectorSettings {
        id: kept.id,
        dataset_id: dataset,
        name: new.name,
        title: new.title,
        dimensions: new.dimensions,
        inserted_at: kept.inserted_at,
        updated_at: kept.updated_at,
    };
    store::insert_vector_settings(tx, &settings).await.map_err(|e| conflict_or(e, conflict))?;
    Ok(settings)
}

/// Each dataset's settings (its `DatasetSchema`) as last read, with the settings version they
/// were read at. A request that has read its dataset row (which it does anyway, to check access)
/// takes the schema from here while the row's `settings_version` matches, instead of reading four
/// tables. Every settings change raises the version in its transaction, so a stale copy is never
/// used by a request that sees the change; replicas each keep their own, checked the same way.
/// At most `SCHEMA_CACHE_DATASETS` datasets are held; past that the cache starts afresh.
#[derive(Default)]
pub(crate) struct SchemaCache {
    held: Mutex<HashMap<DatasetId, (i64, Arc<DatasetSchema>)>>,
}

const SCHEMA_CACHE_DATASETS: usize = 512;

impl SchemaCache {
    /// The settings of `ds` at the version its row shows. `ds` must have been read in `tx`, and
    /// `tx` must not have changed the dataset's settings since.
    pub(crate) async fn get(&self, tx: &mut Tx, ds: &Dataset) -> Result<Arc<DatasetSchema>> {
        if let Some((version, schema)) = self.lock().get(&ds.id) {
            if *version == ds.settings_version {
                return Ok(schema.clone());
            }
        }
        let schema = Arc::new(store::load_schema(tx, ds.id).await?);
        let mut held = self.lock();
        if held.len() >= SCHEMA_CACHE_DATASETS && !held.contains_key(&ds.id) {
            held.clear();
        }
        held.insert(ds.id, (ds.settings_version, schema.clone()));
        Ok(schema)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<DatasetId, (i64, Arc<DatasetSchema>)>> {
        // A panic while holding the lock cannot leave the map half-written (each change is one
        // insert or clear), so a poisoned lock is still sound to use.
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
