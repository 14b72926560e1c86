//! `/api/v1/datasets…`, `/api/v1/me/datasets…`: datasets, publication, progress.

use crate::openapi::{Routes, DATASET_FILTERS};
use axum::extract::{Path, State};
use loam_domain::distribution::Distribution;
use loam_domain::error::Loc;
use loam_domain::model::DatasetStatus;
use loam_domain::schema::Reader;
use loam_service::{DatasetFilter, DatasetPatch, NewDataset};
use serde_json::{Map, Value};

use super::{created, ok, ApiResult};
use crate::error::ApiError;
use crate::extract::{path_id, Auth, Body, QueryPairs};
use crate::AppState;
use loam_service::wire;

pub fn routes(r: Routes) -> Routes {
    r.post("/api/v1/datasets", "Create a dataset (draft)", 201, Some("Dataset"), create)
        .json_body("NewDataset")
        .errors(&[409])
        .get("/api/v1/me/datasets", "Datasets the caller can see", 200, Some("Datasets"), mine)
        .query(DATASET_FILTERS)
        .get("/api/v1/datasets/{dataset_id}", "Get a dataset", 200, Some("Dataset"), get_one)
        .patch(
            "/api/v1/datasets/{dataset_id}",
            "Update a dataset (loam extension: `responses_visible_for_annotators` lets annotators see others' responses on a record read by id)",
            200,
            Some("Dataset"),
            update,
        )
        .json_body("DatasetPatch")
        .errors(&[409])
        .delete("/api/v1/datasets/{dataset_id}", "Delete a dataset and everything in it", 200, Some("Dataset"), delete)
        .put("/api/v1/datasets/{dataset_id}/publish", "Publish a dataset", 200, Some("Dataset"), publish)
        .get("/api/v1/datasets/{dataset_id}/progress", "Record counts by status", 200, Some("Progress"), progress)
        .get(
            "/api/v1/datasets/{dataset_id}/users/progress",
            "Response counts per annotator",
            200,
            Some("UsersProgress"),
            users_progress,
        )
        .get(
            "/api/v1/me/datasets/{dataset_id}/metrics",
            "The caller's response counts",
            200,
            Some("MyMetrics"),
            my_metrics,
        )
}

/// The loam extension key on datasets: annotators reading a record by id see every annotator's
/// responses (`true`) or only their own (`false`, the default). Owners and managing admins set it.
const RESPONSES_VISIBLE: &str = "responses_visible_for_annotators";

fn dict(r: &Reader<'_>, key: &str) -> Result<Option<Map<String, Value>>, ApiError> {
    match r.raw(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map.clone())),
        Some(_) => Err(ApiError::at(&["body", key], "dict_type", "Input should be a valid dictionary")),
    }
}

fn distribution(r: &Reader<'_>) -> Result<Option<Distribution>, ApiError> {
    match r.raw("distribution") {
        None => Ok(None),
        Some(value) => Ok(Some(Distribution::parse(value, &r.at("distribution"))?)),
    }
}

async fn create(State(app): State<AppState>, Auth(actor): Auth, body: Body) -> ApiResult {
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    let new = NewDataset {
        name: r.string("name", 1, 200)?,
        guidelines: r.opt_string("guidelines", 1, 10000)?,
        allow_extra_metadata: r.bool_or("allow_extra_metadata", true)?,
        distribution: distribution(&r)?.unwrap_or_default(),
        metadata: dict(&r, "metadata")?,
        workspace_id: r.uuid("workspace_id")?.into(),
        responses_visible_for_annotators: r.opt_bool_or(RESPONSES_VISIBLE, false)?,
    };
    let ds = app.service.create_dataset(&actor, new).await?;
    Ok(created(wire::dataset(&ds)))
}

async fn mine(State(app): State<AppState>, Auth(actor): Auth, query: QueryPairs) -> ApiResult {
    let status = match query.get("status") {
        None => None,
        Some(raw) => Some(
            DatasetStatus::parse(raw)
                .ok_or_else(|| ApiError::at(&["query", "status"], "enum", "Input should be 'draft' or 'ready'"))?,
        ),
    };
    let filter = DatasetFilter {
        workspace_id: query.uuid("workspace_id")?.map(Into::into),
        name: query.get("name").map(str::to_owned),
        status,
    };
    let items = app.service.my_datasets(&actor, filter).await?;
    Ok(ok(wire::items(items.iter().map(wire::dataset))))
}

async fn get_one(State(app): State<AppState>, Auth(actor): Auth, Path(dataset_id): Path<String>) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let ds = app.service.get_dataset(&actor, id.into()).await?;
    Ok(ok(wire::dataset(&ds)))
}

async fn update(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    body: Body,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    r.non_nullable(&["name", "allow_extra_metadata", "distribution", RESPONSES_VISIBLE])?;
    let patch = DatasetPatch {
        name: r.opt_string("name", 1, 200)?,
        guidelines: if r.has("guidelines") { Some(r.opt_string("guidelines", 1, 10000)?) } else { None },
        allow_extra_metadata: if r.has("allow_extra_metadata") {
            Some(r.bool_or("allow_extra_metadata", true)?)
        } else {
            None
        },
        distribution: distribution(&r)?,
        metadata: if r.has("metadata") { Some(dict(&r, "metadata")?) } else { None },
        responses_visible_for_annotators: if r.has(RESPONSES_VISIBLE) {
            Some(r.bool_or(RESPONSES_VISIBLE, false)?)
        } else {
            None
        },
    };
    let ds = app.service.update_dataset(&actor, id.into(), patch).await?;
    Ok(ok(wire::dataset(&ds)))
}

async fn delete(State(app): State<AppState>, Auth(actor): Auth, Path(dataset_id): Path<String>) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let ds = app.service.delete_dataset(&actor, id.into()).await?;
    Ok(ok(wire::dataset(&ds)))
}

async fn publish(State(app): State<AppState>, Auth(actor): Auth, Path(dataset_id): Path<String>) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let ds = app.service.publish_dataset(&actor, id.into()).await?;
    Ok(ok(wire::dataset(&ds)))
}

async fn progress(State(app): State<AppState>, Auth(actor): Auth, Path(dataset_id): Path<String>) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let res = app.service.dataset_progress(&actor, id.into()).await?;
    Ok(ok(wire::progress(&res)))
}

async fn users_progress(State(app): State<AppState>, Auth(actor): Auth, Path(dataset_id): Path<String>) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let res = app.service.users_progress(&actor, id.into()).await?;
    Ok(ok(wire::users_progress(&res)))
}

async fn my_metrics(State(app): State<AppState>, Auth(actor): Auth, Path(dataset_id): Path<String>) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let res = app.service.my_metrics(&actor, id.into()).await?;
    Ok(ok(wire::my_metrics(&res)))
}
