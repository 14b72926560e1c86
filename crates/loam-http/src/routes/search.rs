//! `POST /api/v1/datasets/{id}/records/search` and its `/me/` variant.

use crate::openapi::{Routes, INCLUDE, LEGACY_FILTERS, PAGE};
use axum::extract::{Path, State};
use loam_domain::error::Loc;
use loam_domain::query::parse_search;
use loam_service::SearchAs;

use super::parse::{legacy_params, parse_include};
use super::{reply_with, ApiResult};
use crate::extract::{path_id, Auth, OptionalBody, QueryPairs};
use crate::AppState;
use axum::http::StatusCode;
use loam_service::wire;

pub fn routes(r: Routes) -> Routes {
    r.post(
        "/api/v1/datasets/{dataset_id}/records/search",
        "Search records: text, filters, sort, similarity",
        200,
        Some("SearchPage"),
        search_as_manager,
    )
    .optional_json_body("SearchQuery")
    .query(PAGE)
    .query(&[INCLUDE])
    .query(LEGACY_FILTERS)
    .post(
        "/api/v1/me/datasets/{dataset_id}/records/search",
        "Search records as an annotator sees them: the caller's responses only; annotators can neither see \
         metadata hidden from them nor filter or sort by it (422, as for an unknown property)",
        200,
        Some("SearchPage"),
        search_as_member,
    )
    .optional_json_body("SearchQuery")
    .query(PAGE)
    .query(&[INCLUDE])
    .query(LEGACY_FILTERS)
}

async fn search(
    app: AppState,
    actor: loam_domain::model::User,
    dataset_id: String,
    query: QueryPairs,
    body: OptionalBody,
    as_: SearchAs,
) -> ApiResult {
    let include = parse_include(&query)?;
    let id = path_id(&dataset_id, "dataset_id")?;
    let offset = query.int("offset", 0, 0, None)?;
    let limit = query.int("limit", 50, 1, Some(1000))?;
    let parsed = parse_search(&body.0, &[Loc::from("body")])?;
    let legacy = legacy_params(&query);
    let (hits, total) =
        app.service.search_records(&actor, id.into(), &parsed, offset, limit, &include, as_, &legacy).await?;
    Ok(reply_with(StatusCode::OK, &wire::SearchPage { hits: &hits, total }))
}

async fn search_as_manager(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    query: QueryPairs,
    body: OptionalBody,
) -> ApiResult {
    search(app, actor, dataset_id, query, body, SearchAs::Manager).await
}

async fn search_as_member(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    query: QueryPairs,
    body: OptionalBody,
) -> ApiResult {
    search(app, actor, dataset_id, query, body, SearchAs::Member).await
}
