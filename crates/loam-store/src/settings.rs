//! Dataset settings: fields, questions, metadata properties, vector settings.

use crate::db::Json;
use loam_domain::model::{DatasetSchema, Field, MetadataProperty, Question, VectorSettings};
use loam_domain::{DatasetId, FieldId, MetadataPropertyId, QuestionId, VectorSettingsId};

use crate::datasets::bump_settings_version;
use crate::rows::{FieldRow, MetadataPropertyRow, QuestionRow, VectorSettingsRow};
use crate::{db, StoreError, Tx};

const FIELD_COLUMNS: &str = "id, dataset_id, name, title, description, required, settings, inserted_at, updated_at";
const QUESTION_COLUMNS: &str = "id, dataset_id, name, title, description, required, settings, inserted_at, updated_at";
const METADATA_COLUMNS: &str = "id, dataset_id, name, title, settings, visible_for_annotators, inserted_at, updated_at";
const VECTOR_COLUMNS: &str = "id, dataset_id, name, title, dimensions, inserted_at, updated_at";

/// Deletes the row `id` of one of the settings tables and raises its dataset's settings version.
async fn delete_setting(tx: &mut Tx, table: &str, id: uuid::Uuid) -> Result<(), StoreError> {
    let sql = format!("delete from {table} where id = $1 returning dataset_id");
    let dataset: Option<uuid::Uuid> = db::query(&sql).bind(id).fetch_optional(tx).await?;
    match dataset {
        Some(dataset) => bump_settings_version(tx, DatasetId(dataset)).await,
        None => Ok(()),
    }
}

// Fields -------------------------------------------------------------------------------------

pub async fn insert_field(tx: &mut Tx, it: &Field) -> Result<(), StoreError> {
    let sql = format!("insert into fields ({FIELD_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
    db::query(&sql)
        .bind(it.id.0)
        .bind(it.dataset_id.0)
        .bind(&it.name)
        .bind(&it.title)
        .bind(&it.description)
        .bind(it.required)
        .bind(Json(it.settings.to_json()))
        .bind(it.inserted_at.0)
        .bind(it.updated_at.0)
        .execute(tx)
        .await?;
    bump_settings_version(tx, it.dataset_id).await
}

pub async fn update_field(tx: &mut Tx, it: &Field) -> Result<(), StoreError> {
    let sql = "update fields set title = $2, description = $3, settings = $4, updated_at = $5 where id = $1";
    db::query(sql)
        .bind(it.id.0)
        .bind(&it.title)
        .bind(&it.description)
        .bind(Json(it.settings.to_json()))
        .bind(it.updated_at.0)
        .execute(tx)
        .await?;
    bump_settings_version(tx, it.dataset_id).await
}

pub async fn find_field(tx: &mut Tx, id: FieldId) -> Result<Option<Field>, StoreError> {
    let sql = format!("select {FIELD_COLUMNS} from fields where id = $1");
    let row = db::query(&sql).bind(id.0).fetch_optional::<FieldRow>(tx).await?;
    row.map(Field::try_from).transpose()
}

pub async fn list_fields(tx: &mut Tx, dataset: DatasetId) -> Result<Vec<Field>, StoreError> {
    let sql = format!("select {FIELD_COLUMNS} from fields where dataset_id = $1 order by inserted_at, id");
    let rows = db::query(&sql).bind(dataset.0).fetch_all::<FieldRow>(tx).await?;
    rows.into_iter().map(Field::try_from).collect()
}

pub async fn delete_field(tx: &mut Tx, id: FieldId) -> Result<(), StoreError> {
    delete_setting(tx, "fields", id.0).await
}

// Questions ----------------------------------------------------------------------------------

pub async fn insert_question(tx: &mut Tx, it: &Question) -> Result<(), StoreError> {
    let sql = format!("insert into questions ({QUESTION_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
    db::query(&sql)
        .bind(it.id.0)
        .bind(it.dataset_id.0)
        .bind(&it.name)
        .bind(&it.title)
        .bind(&it.description)
        .bind(it.required)
        .bind(Json(it.settings.to_json()))
        .bind(it.inserted_at.0)
        .bind(it.updated_at.0)
        .execute(tx)
        .await?;
    bump_settings_version(tx, it.dataset_id).await
}

pub async fn update_question(tx: &mut Tx, it: &Question) -> Result<(), StoreError> {
    let sql = "update questions set title = $2, description = $3, settings = $4, updated_at = $5 where id = $1";
    db::query(sql)
        .bind(it.id.0)
        .bind(&it.title)
        .bind(&it.description)
        .bind(Json(it.settings.to_json()))
        .bind(it.updated_at.0)
        .execute(tx)
        .await?;
    bump_settings_version(tx, it.dataset_id).await
}

pub async fn find_question(tx: &mut Tx, id: QuestionId) -> Result<Option<Question>, StoreError> {
    let sql = format!("select {QUESTION_COLUMNS} from questions where id = $1");
    let row = db::query(&sql).bind(id.0).fetch_optional::<QuestionRow>(tx).await?;
    row.map(Question::try_from).transpose()
}

pub async fn list_questions(tx: &mut Tx, dataset: DatasetId) -> Result<Vec<Question>, StoreError> {
    let sql = format!("select {QUESTION_COLUMNS} from questions where dataset_id = $1 order by inserted_at, id");
    let rows = db::query(&sql).bind(dataset.0).fetch_all::<QuestionRow>(tx).await?;
    rows.into_iter().map(Question::try_from).collect()
}

pub async fn delete_question(tx: &mut Tx, id: QuestionId) -> Result<(), StoreError> {
    delete_setting(tx, "questions", id.0).await
}

// Metadata properties ------------------------------------------------------------------------

pub async fn insert_metadata_property(tx: &mut Tx, it: &MetadataProperty) -> Result<(), StoreError> {
    let sql = format!("insert into metadata_properties ({METADATA_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8)");
    db::query(&sql)
        .bind(it.id.0)
        .bind(it.dataset_id.0)
        .bind(&it.name)
        .bind(&it.title)
        .bind(Json(it.settings.to_json()))
        .bind(it.visible_for_annotators)
        .bind(it.inserted_at.0)
        .bind(it.updated_at.0)
        .execute(tx)
        .await?;
    bump_settings_version(tx, it.dataset_id).await
}

pub async fn update_metadata_property(tx: &mut Tx, it: &MetadataProperty) -> Result<(), StoreError> {
    let sql = "update metadata_properties set title = $2, visible_for_annotators = $3, updated_at = $4 where id = $1";
    db::query(sql)
        .bind(it.id.0)
        .bind(&it.title)
        .bind(it.visible_for_annotators)
        .bind(it.updated_at.0)
        .execute(tx)
        .await?;
    bump_settings_version(tx, it.dataset_id).await
}

pub async fn find_metadata_property(
    tx: &mut Tx,
    id: MetadataPropertyId,
) -> Result<Option<MetadataProperty>, StoreError> {
    let sql = format!("select {METADATA_COLUMNS} from metadata_properties where id = $1");
    let row = db::query(&sql).bind(id.0).fetch_optional::<MetadataPropertyRow>(tx).await?;
    row.map(MetadataProperty::try_from).transpose()
}

pub async fn list_metadata_properties(tx: &mut Tx, dataset: DatasetId) -> Result<Vec<MetadataProperty>, StoreError> {
    let sql =
        format!("select {METADATA_COLUMNS} from metadata_properties where dataset_id = $1 order by inserted_at, id");
    let rows = db::query(&sql).bind(dataset.0).fetch_all::<MetadataPropertyRow>(tx).await?;
    rows.into_iter().map(MetadataProperty::try_from).collect()
}

pub async fn delete_metadata_property(tx: &mut Tx, id: MetadataPropertyId) -> Result<(), StoreError> {
    delete_setting(tx, "metadata_properties", id.0).await
}

// Vector settings ----------------------------------------------------------------------------

pub async fn insert_vector_settings(tx: &mut Tx, it: &VectorSettings) -> Result<(), StoreError> {
    let sql = format!("insert into vector_settings ({VECTOR_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7)");
    db::query(&sql)
        .bind(it.id.0)
        .bind(it.dataset_id.0)
        .bind(&it.name)
        .bind(&it.title)
        .bind(it.dimensions)
        .bind(it.inserted_at.0)
        .bind(it.updated_at.0)
        .execute(tx)
        .await?;
    bump_settings_version(tx, it.dataset_id).await
}

pub async fn update_vector_settings(tx: &mut Tx, it: &VectorSettings) -> Result<(), StoreError> {
    let sql = "update vector_settings set title = $2, updated_at = $3 where id = $1";
    db::query(sql).bind(it.id.0).bind(&it.title).bind(it.updated_at.0).execute(tx).await?;
    bump_settings_version(tx, it.dataset_id).await
}

pub async fn find_vector_settings(tx: &mut Tx, id: VectorSettingsId) -> Result<Option<VectorSettings>, StoreError> {
    let sql = format!("select {VECTOR_COLUMNS} from vector_settings where id = $1");
    let row = db::query(&sql).bind(id.0).fetch_optional::<VectorSettingsRow>(tx).await?;
    Ok(row.map(VectorSettings::from))
}

pub async fn list_vector_settings(tx: &mut Tx, dataset: DatasetId) -> Result<Vec<VectorSettings>, StoreError> {
    let sql = format!("select {VECTOR_COLUMNS} from vector_settings where dataset_id = $1 order by inserted_at, id");
    let rows = db::query(&sql).bind(dataset.0).fetch_all::<VectorSettingsRow>(tx).await?;
    Ok(rows.into_iter().map(VectorSettings::from).collect())
}

pub async fn delete_vector_settings(tx: &mut Tx, id: VectorSettingsId) -> Result<(), StoreError> {
    delete_setting(tx, "vector_settings", id.0).await
}

/// Everything validation of records needs about a dataset, in one call.
pub async fn load_schema(tx: &mut Tx, dataset: DatasetId) -> Result<DatasetSchema, StoreError> {
    Ok(DatasetSchema {
        fields: list_fields(tx, dataset).await?,
        questions: list_questions(tx, dataset).await?,
        metadata_properties: list_metadata_properties(tx, dataset).await?,
        vector_settings: list_vector_settings(tx, dataset).await?,
    })
}
