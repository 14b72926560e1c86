//! `/api/v1/datasets/{dataset_id}/consolidation…` (loam extensions): the consolidation strategy of
//! each question, setting them, and a preview of the finals they give. Owners and the admins of
//! the dataset's workspace.

use axum::extract::{Path, State};
use serde_json::Value;

use super::{ok, ApiResult};
use crate::error::ApiError;
use crate::extract::{path_id, Auth, Body, QueryPairs};
use crate::openapi::{Routes, PAGE};
use crate::AppState;
use loam_service::{finals_page_json, strategies_json};

pub fn routes(r: Routes) -> Routes {
    r.get(
        "/api/v1/datasets/{dataset_id}/consolidation",
        "The consolidation strategy in force for each question (loam extension; owners and workspace admins): \
         the stored one, or the type's default (`default: true`)",
        200,
        Some("ConsolidationStrategies"),
        get_strategies,
    )
    .put(
        "/api/v1/datasets/{dataset_id}/consolidation",
        "Set the consolidation strategies of the named questions (loam extension): `{\"questions\": {\"q\": \
         {\"kind\": …}, \"other\": null}}`; null resets to the default, questions not named keep theirs; \
         all or nothing (422 naming the question and the problem). A random tie break without a seed gets \
         one, stored and shown",
        200,
        Some("ConsolidationStrategies"),
        put_strategies,
    )
    .json_body("ConsolidationChanges")
    .get(
        "/api/v1/datasets/{dataset_id}/consolidation/records",
        "The finals the strategies in force give, per record in insertion order (loam extension): per \
         question a status (`resolved`, `score`, `each`, `unresolved`), a value shaped as a response value \
         holds it (or a number, or one value per annotator) and the reason of an unresolved one",
        200,
        Some("ConsolidationPreview"),
        preview,
    )
    .query(PAGE)
}

async fn get_strategies(State(app): State<AppState>, Auth(actor): Auth, Path(dataset_id): Path<String>) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let list = app.service.consolidation_strategies(&actor, id.into()).await?;
    Ok(ok(strategies_json(&list)))
}

async fn put_strategies(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    body: Body,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let questions = match body.object()?.get("questions") {
        Some(Value::Object(map)) => map,
        Some(_) => return Err(ApiError::at(&["body", "questions"], "dict_type", "Input should be a valid dictionary")),
        None => return Err(ApiError::at(&["body", "questions"], "missing", "Field required")),
    };
    let changes: Vec<(String, Option<Value>)> = questions
        .iter()
        .map(|(name, value)| (name.clone(), if value.is_null() { None } else { Some(value.clone()) }))
        .collect();
    let list = app.service.set_consolidation_strategies(&actor, id.into(), changes).await?;
    Ok(ok(strategies_json(&list)))
}

async fn preview(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    query: QueryPairs,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let offset = query.int("offset", 0, 0, None)?;
    let limit = query.int("limit", 20, 1, Some(1000))?;
    let page = app.service.consolidation_preview(&actor, id.into(), offset, limit).await?;
    Ok(ok(finals_page_json(&page)))
}
