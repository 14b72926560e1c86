//! Records: bulk create / upsert, listing, single-record reads and writes, deletion, and the
//! legacy bulk endpoints (`POST` / `PATCH …/records`).

use crate::openapi::{Routes, IDS, INCLUDE, LEGACY_FILTERS, PAGE};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use loam_domain::error::Loc;
use loam_domain::schema::{object, Reader};
use loam_domain::RecordId;
use loam_service::{SearchAs, UpsertRecord};

use super::parse::{legacy_params, parse_ids, parse_include, parse_items, parse_patch, parse_record};
use super::{ok, reply_with, ApiResult};
use crate::extract::{path_id, Auth, Body, QueryPairs};
use crate::AppState;
use loam_service::wire;

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/datasets/{dataset_id}/records", "List records with a total", 200, Some("RecordPage"), list)
        .query(PAGE)
        .query(&[INCLUDE])
        .query(LEGACY_FILTERS)
        .post(
            "/api/v1/datasets/{dataset_id}/records",
            "Create records (legacy SDK); responses attributed to another user: owners only (403)",
            204,
            None,
            legacy_create,
        )
        .json_body("LegacyNewRecords")
        .patch("/api/v1/datasets/{dataset_id}/records", "Update records (legacy SDK)", 204, None, legacy_update)
        .json_body("LegacyRecordUpdates")
        .delete("/api/v1/datasets/{dataset_id}/records", "Delete records by id", 204, None, delete_many)
        .query(&[IDS])
        .post(
            "/api/v1/datasets/{dataset_id}/records/bulk",
            "Create records, all or nothing; responses attributed to another user: owners only (403)",
            201,
            Some("Records"),
            bulk_create,
        )
        .json_body("NewRecords")
        .put(
            "/api/v1/datasets/{dataset_id}/records/bulk",
            "Create or update records, all or nothing; responses attributed to another user: owners only (403), \
             except another user's stored response sent back unchanged (not rewritten)",
            200,
            Some("Records"),
            bulk_upsert,
        )
        .json_body("UpsertRecords")
        .get(
            "/api/v1/records/{record_id}",
            "Get a record with responses, suggestions and vectors; annotators get their own responses only \
             (every one if the dataset sets responses_visible_for_annotators) and metadata visible to annotators only",
            200,
            Some("Record"),
            get_one,
        )
        .query(&[INCLUDE])
        .patch("/api/v1/records/{record_id}", "Update a record", 200, Some("Record"), update)
        .json_body("RecordPatch")
        .delete("/api/v1/records/{record_id}", "Delete a record", 200, Some("Record"), delete)
}

async fn list(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    query: QueryPairs,
) -> ApiResult {
    let include = parse_include(&query)?;
    let id = path_id(&dataset_id, "dataset_id")?;
    let offset = query.int("offset", 0, 0, None)?;
    let limit = query.int("limit", 50, 1, Some(1000))?;
    let legacy = legacy_params(&query);
    let (views, total) = if legacy.is_empty() {
        app.service.list_records(&actor, id.into(), offset, limit, &include).await?
    } else {
        // The legacy SDK filters and sorts listings with query parameters: answer from search,
        // with the number of matches as the total.
        let everything = loam_domain::query::SearchQuery::default();
        let (hits, total) = app
            .service
            .search_records(&actor, id.into(), &everything, offset, limit, &include, SearchAs::Manager, &legacy)
            .await?;
        (hits.into_iter().map(|(view, _)| view).collect(), total)
    };
    Ok(reply_with(StatusCode::OK, &wire::RecordPage { items: &views, total }))
}

async fn bulk_create(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    body: Body,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let items = parse_items(&body, 500, |v, loc| parse_record(v, loc).map(|(_, record)| record))?;
    let views = app.service.create_records(&actor, id.into(), items, false).await?;
    Ok(reply_with(StatusCode::CREATED, &wire::RecordItems(&views)))
}

async fn bulk_upsert(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    body: Body,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let items = parse_items(&body, 500, |v, loc| parse_record(v, loc).map(|(id, record)| UpsertRecord { id, record }))?;
    let views = app.service.upsert_records(&actor, id.into(), items).await?;
    Ok(reply_with(StatusCode::OK, &wire::RecordItems(&views)))
}

async fn legacy_create(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    body: Body,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let items = parse_items(&body, 1000, |v, loc| parse_record(v, loc).map(|(_, record)| record))?;
    app.service.create_records(&actor, id.into(), items, true).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn legacy_update(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    body: Body,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let items = parse_items(&body, 1000, |v, loc| {
        let obj = object(v, loc)?;
        let record_id = Reader::new(obj, loc).uuid("id")?;
        // The legacy SDK sends each record's whole payload: `fields` are applied like the single
        // record PATCH does (validated, replaced), never dropped.
        Ok((RecordId(record_id), parse_patch(v, loc)?))
    })?;
    app.service.update_records(&actor, id.into(), items).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn delete_many(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
    query: QueryPairs,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let ids: Vec<RecordId> = parse_ids(&query, 100, "records")?.into_iter().map(RecordId).collect();
    app.service.delete_records(&actor, id.into(), &ids).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn get_one(State(app): State<AppState>, Auth(actor): Auth, Path(record_id): Path<String>) -> ApiResult {
    let id = path_id(&record_id, "record_id")?;
    let view = app.service.get_record(&actor, RecordId(id)).await?;
    Ok(ok(wire::record(&view)))
}

async fn update(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(record_id): Path<String>,
    body: Body,
) -> ApiResult {
    let id = path_id(&record_id, "record_id")?;
    let patch = parse_patch(&body.0, &[Loc::from("body")])?;
    let view = app.service.update_record(&actor, RecordId(id), patch).await?;
    Ok(ok(wire::record(&view)))
}

async fn delete(State(app): State<AppState>, Auth(actor): Auth, Path(record_id): Path<String>) -> ApiResult {
    let id = path_id(&record_id, "record_id")?;
    let record = app.service.delete_record(&actor, RecordId(id)).await?;
    Ok(ok(wire::record_base(&record)))
}
