//! Fields, questions, metadata properties and vector settings of a dataset.

use crate::openapi::Routes;
use axum::extract::{Path, State};
use loam_domain::error::Loc;
use loam_domain::schema::Reader;
use loam_domain::settings::{field_description, FieldSettings, MetadataSettings, QuestionSettings};
use loam_service::{
    FieldPatch, MetadataPropertyPatch, NewField, NewMetadataProperty, NewQuestion, NewVectorSettings, QuestionPatch,
};
use serde_json::Value;

use super::{created, ok, ApiResult};
use crate::error::ApiError;
use crate::extract::{path_id, Auth, Body};
use crate::AppState;
use loam_service::wire;

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/datasets/{dataset_id}/fields", "List fields", 200, Some("Fields"), list_fields)
        .post(
            "/api/v1/datasets/{dataset_id}/fields",
            "Create a field (draft datasets)",
            201,
            Some("Field"),
            create_field,
        )
        .json_body("NewField")
        .errors(&[409])
        .patch(
            "/api/v1/fields/{field_id}",
            "Update a field's title, description or settings",
            200,
            Some("Field"),
            update_field,
        )
        .json_body("FieldPatch")
        .delete("/api/v1/fields/{field_id}", "Delete a field (draft datasets)", 200, Some("Field"), delete_field)
        .get("/api/v1/datasets/{dataset_id}/questions", "List questions", 200, Some("Questions"), list_questions)
        .post(
            "/api/v1/datasets/{dataset_id}/questions",
            "Create a question (draft datasets)",
            201,
            Some("Question"),
            create_question,
        )
        .json_body("NewQuestion")
        .errors(&[409])
        .patch("/api/v1/questions/{question_id}", "Update a question", 200, Some("Question"), update_question)
        .json_body("QuestionPatch")
        .delete(
            "/api/v1/questions/{question_id}",
            "Delete a question (draft datasets)",
            200,
            Some("Question"),
            delete_question,
        )
        .get(
            "/api/v1/me/datasets/{dataset_id}/metadata-properties",
            "List metadata properties visible to the caller",
            200,
            Some("MetadataProperties"),
            list_metadata,
        )
        .post(
            "/api/v1/datasets/{dataset_id}/metadata-properties",
            "Create a metadata property",
            201,
            Some("MetadataProperty"),
            create_metadata,
        )
        .json_body("NewMetadataProperty")
        .errors(&[409])
        .patch(
            "/api/v1/metadata-properties/{metadata_property_id}",
            "Update a metadata property",
            200,
            Some("MetadataProperty"),
            update_metadata,
        )
        .json_body("MetadataPropertyPatch")
        .delete(
            "/api/v1/metadata-properties/{metadata_property_id}",
            "Delete a metadata property",
            200,
            Some("MetadataProperty"),
            delete_metadata,
        )
        .get(
            "/api/v1/metadata-properties/{metadata_property_id}/metrics",
            "Value statistics of a metadata property",
            200,
            Some("MetadataMetrics"),
            metadata_metrics,
        )
        .get(
            "/api/v1/datasets/{dataset_id}/vectors-settings",
            "List vector settings",
            200,
            Some("VectorSettingsList"),
            list_vectors,
        )
        .post(
            "/api/v1/datasets/{dataset_id}/vectors-settings",
            "Create vector settings",
            201,
            Some("VectorSettings"),
            create_vectors,
        )
        .json_body("NewVectorSettings")
        .errors(&[409])
        .patch(
            "/api/v1/vectors-settings/{vector_settings_id}",
            "Rename vector settings",
            200,
            Some("VectorSettings"),
            update_vectors,
        )
        .json_body("VectorSettingsPatch")
        .delete(
            "/api/v1/vectors-settings/{vector_settings_id}",
            "Delete vector settings and their vectors",
            200,
            Some("VectorSettings"),
            delete_vectors,
        )
}

fn title(r: &Reader<'_>) -> Result<String, ApiError> {
    Ok(r.string("title", 1, 500)?)
}

fn settings_value<'a>(r: &Reader<'a>) -> Result<&'a Value, ApiError> {
    r.raw("settings").ok_or_else(|| ApiError::at(&["body", "settings"], "missing", "Field required"))
}

// Fields -------------------------------------------------------------------------------------

async fn list_fields(State(app): State<AppState>, Auth(actor): Auth, Path(dataset_id): Path<String>) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let items = app.service.list_fields(&actor, id.into()).await?;
    Ok(ok(wire::items(items.iter().map(wire::field))))
}

async fn create_field(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    body: Body,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    let new = NewField {
        name: r.string("name", 1, 200)?,
        title: title(&r)?,
        description: field_description(&r, "description")?,
        required: r.opt_bool_or("required", false)?,
        settings: FieldSettings::parse(settings_value(&r)?, &r.at("settings"))?,
    };
    let field = app.service.create_field(&actor, id.into(), new).await?;
    Ok(created(wire::field(&field)))
}

async fn update_field(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(field_id): Path<String>,
    body: Body,
) -> ApiResult {
    let id = path_id(&field_id, "field_id")?;
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    r.non_nullable(&["title", "settings"])?;
    let patch = FieldPatch {
        title: r.opt_string("title", 1, 500)?,
        description: if r.has("description") { Some(field_description(&r, "description")?) } else { None },
        settings: r.raw("settings").cloned(),
    };
    let field = app.service.update_field(&actor, id.into(), patch).await?;
    Ok(ok(wire::field(&field)))
}

async fn delete_field(State(app): State<AppState>, Auth(actor): Auth, Path(field_id): Path<String>) -> ApiResult {
    let id = path_id(&field_id, "field_id")?;
    let field = app.service.delete_field(&actor, id.into()).await?;
    Ok(ok(wire::field(&field)))
}

// Questions ----------------------------------------------------------------------------------

async fn list_questions(State(app): State<AppState>, Auth(actor): Auth, Path(dataset_id): Path<String>) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let items = app.service.list_questions(&actor, id.into()).await?;
    Ok(ok(wire::items(items.iter().map(wire::question))))
}

async fn create_question(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    body: Body,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    let new = NewQuestion {
        name: r.string("name", 1, 200)?,
        title: title(&r)?,
        description: r.opt_string("description", 1, 1000)?,
        required: r.opt_bool_or("required", false)?,
        settings: QuestionSettings::parse(settings_value(&r)?, &r.at("settings"), app.limits)?,
    };
    let question = app.service.create_question(&actor, id.into(), new).await?;
    Ok(created(wire::question(&question)))
}

async fn update_question(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(question_id): Path<String>,
    body: Body,
) -> ApiResult {
    let id = path_id(&question_id, "question_id")?;
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    r.non_nullable(&["title", "settings"])?;
    let patch = QuestionPatch {
        title: r.opt_string("title", 1, 500)?,
        description: if r.has("description") { Some(r.opt_string("description", 1, 1000)?) } else { None },
        settings: r.raw("settings").cloned(),
    };
    let question = app.service.update_question(&actor, id.into(), patch).await?;
    Ok(ok(wire::question(&question)))
}

async fn delete_question(State(app): State<AppState>, Auth(actor): Auth, Path(question_id): Path<String>) -> ApiResult {
    let id = path_id(&question_id, "question_id")?;
    let question = app.service.delete_question(&actor, id.into()).await?;
    Ok(ok(wire::question(&question)))
}

// Metadata properties ------------------------------------------------------------------------

async fn list_metadata(State(app): State<AppState>, Auth(actor): Auth, Path(dataset_id): Path<String>) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let items = app.service.list_metadata_properties(&actor, id.into()).await?;
    Ok(ok(wire::items(items.iter().map(wire::metadata_property))))
}

async fn create_metadata(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    body: Body,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    let new = NewMetadataProperty {
        name: r.string("name", 1, 200)?,
        title: title(&r)?,
        settings: MetadataSettings::parse(settings_value(&r)?, &r.at("settings"))?,
        visible_for_annotators: r.bool_or("visible_for_annotators", true)?,
    };
    let property = app.service.create_metadata_property(&actor, id.into(), new).await?;
    Ok(created(wire::metadata_property(&property)))
}

async fn update_metadata(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(property_id): Path<String>,
    body: Body,
) -> ApiResult {
    let id = path_id(&property_id, "metadata_property_id")?;
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    r.non_nullable(&["title", "visible_for_annotators"])?;
    let patch = MetadataPropertyPatch {
        title: r.opt_string("title", 1, 500)?,
        visible_for_annotators: if r.has("visible_for_annotators") {
            Some(r.bool_or("visible_for_annotators", true)?)
        } else {
            None
        },
    };
    let property = app.service.update_metadata_property(&actor, id.into(), patch).await?;
    Ok(ok(wire::metadata_property(&property)))
}

async fn delete_metadata(State(app): State<AppState>, Auth(actor): Auth, Path(property_id): Path<String>) -> ApiResult {
    let id = path_id(&property_id, "metadata_property_id")?;
    let property = app.service.delete_metadata_property(&actor, id.into()).await?;
    Ok(ok(wire::metadata_property(&property)))
}

async fn metadata_metrics(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(property_id): Path<String>,
) -> ApiResult {
    let id = path_id(&property_id, "metadata_property_id")?;
    let metrics = app.service.metadata_metrics(&actor, id.into()).await?;
    Ok(ok(wire::metadata_metrics(&metrics)))
}

// Vector settings ----------------------------------------------------------------------------

async fn list_vectors(State(app): State<AppState>, Auth(actor): Auth, Path(dataset_id): Path<String>) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let items = app.service.list_vector_settings(&actor, id.into()).await?;
    Ok(ok(wire::items(items.iter().map(wire::vector_settings))))
}

async fn create_vectors(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    body: Body,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    let dimensions = r.int("dimensions")?;
    if dimensions < 1 {
        return Err(ApiError::at(&["body", "dimensions"], "greater_than", "Input should be greater than 0"));
    }
    let new = NewVectorSettings { name: r.string("name", 1, 200)?, title: title(&r)?, dimensions };
    let settings = app.service.create_vector_settings(&actor, id.into(), new).await?;
    Ok(created(wire::vector_settings(&settings)))
}

async fn update_vectors(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(settings_id): Path<String>,
    body: Body,
) -> ApiResult {
    let id = path_id(&settings_id, "vector_settings_id")?;
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    let settings = app.service.update_vector_settings(&actor, id.into(), title(&r)?).await?;
    Ok(ok(wire::vector_settings(&settings)))
}

async fn delete_vectors(State(app): State<AppState>, Auth(actor): Auth, Path(settings_id): Path<String>) -> ApiResult {
    let id = path_id(&settings_id, "vector_settings_id")?;
    let settings = app.service.delete_vector_settings(&actor, id.into()).await?;
    Ok(ok(wire::vector_settings(&settings)))
}
