//! Records: bulk create / upsert, listing, single-record reads and writes, deletion, and the
//! legacy bulk endpoints (`POST` / `PATCH …/records`).

use crate::openapi::{Routes, IDS, INCLUDE, LEGACY_FILTERS, PAGE};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use loam_domain::error::Loc;
use loam_domain::schema::{object, Reader};
use loam_domain::value::ResponseStatus;
use loam_domain::{RecordId, SchemaError};
use loam_service::{
    Include, NewRecord, NewResponseItem, NewSuggestionItem, RecordPatch, SearchAs, UpsertRecord, VectorsInclude,
};
use serde_json::{Map, Value};

use super::{ok, reply_with, ApiResult};
use crate::dto;
use crate::error::ApiError;
use crate::extract::{path_id, Auth, Body, QueryPairs};
use crate::AppState;

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

const INCLUDE_FORM: &str =
    "'include' query parameter must be of the form 'key1,key2,key3' or 'key:value1,value2,value3'";

/// Parses the repeatable `include` parameter (api.md §10.1).
pub fn parse_include(query: &QueryPairs) -> Result<Include, ApiError> {
    let mut include = Include::default();
    let mut all_vectors = false;
    let mut named: Vec<String> = Vec::new();
    for raw in query.all("include") {
        if let Some((key, values)) = raw.split_once(':') {
            if key != "vectors" {
                return Err(ApiError::unprocessable(format!(
                    "'{key}' is not a valid include key: use 'vectors:name1,name2'"
                )));
            }
            let names: Vec<&str> = values.split(',').map(str::trim).collect();
            if names.iter().any(|it| it.is_empty()) {
                return Err(ApiError::unprocessable(INCLUDE_FORM));
            }
            named.extend(names.into_iter().map(str::to_owned));
            continue;
        }
        for key in raw.split(',').map(str::trim) {
            match key {
                "responses" => include.responses = true,
                "suggestions" => include.suggestions = true,
                "vectors" => all_vectors = true,
                "" => return Err(ApiError::unprocessable(INCLUDE_FORM)),
                other => {
                    return Err(ApiError::unprocessable(format!(
                        "'{other}' is not a valid include key; valid keys are 'responses', 'suggestions', 'vectors'"
                    )))
                }
            }
        }
    }
    if all_vectors && !named.is_empty() {
        return Err(ApiError::unprocessable(
            "'include' query param cannot have both 'vectors' and 'vectors:vector_settings_name_1,vectors_settings_name_2,...'",
        ));
    }
    include.vectors = if all_vectors {
        VectorsInclude::All
    } else if named.is_empty() {
        VectorsInclude::None
    } else {
        VectorsInclude::Named(named)
    };
    Ok(include)
}

fn list_items<'a>(r: &Reader<'a>, key: &str) -> Result<Option<&'a Vec<Value>>, SchemaError> {
    match r.raw(key) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => r.array(key).map(Some),
    }
}

fn parse_response_item(value: &Value, loc: &[Loc]) -> Result<NewResponseItem, SchemaError> {
    let obj = object(value, loc)?;
    let r = Reader::new(obj, loc);
    let status = match r.raw("status") {
        Some(Value::String(text)) => ResponseStatus::parse(text),
        _ => None,
    }
    .ok_or_else(|| SchemaError::new(r.at("status"), "enum", "Input should be 'draft', 'submitted' or 'discarded'"))?;
    Ok(NewResponseItem { user_id: r.uuid("user_id")?.into(), status, values: r.raw("values").cloned() })
}

pub(crate) fn parse_suggestion_item(value: &Value, loc: &[Loc]) -> Result<NewSuggestionItem, SchemaError> {
    let obj = object(value, loc)?;
    let r = Reader::new(obj, loc);
    let value = r.raw("value").cloned().ok_or_else(|| SchemaError::new(r.at("value"), "missing", "Field required"))?;
    Ok(NewSuggestionItem {
        question_id: r.uuid("question_id")?.into(),
        value,
        score: r.raw("score").cloned(),
        agent: r.raw("agent").cloned(),
        kind: r.raw("type").cloned(),
    })
}

fn parse_suggestions(r: &Reader<'_>) -> Result<Option<Vec<NewSuggestionItem>>, SchemaError> {
    let Some(items) = list_items(r, "suggestions")? else {
        return Ok(None);
    };
    let base = r.at("suggestions");
    let mut res = Vec::with_capacity(items.len());
    for (idx, item) in items.iter().enumerate() {
        let mut loc = base.clone();
        loc.push(Loc::Index(idx));
        res.push(parse_suggestion_item(item, &loc)?);
    }
    Ok(Some(res))
}

fn parse_vectors(r: &Reader<'_>) -> Result<Option<Map<String, Value>>, SchemaError> {
    match r.raw("vectors") {
        None | Some(Value::Null) => Ok(None),
        Some(_) => r.object("vectors").map(|it| Some(it.clone())),
    }
}

fn parse_record(value: &Value, loc: &[Loc]) -> Result<(Option<RecordId>, NewRecord), SchemaError> {
    let obj = object(value, loc)?;
    let r = Reader::new(obj, loc);
    let external_id = match r.raw("external_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(_) => return Err(SchemaError::new(r.at("external_id"), "string_type", "Input should be a valid string")),
    };
    let mut responses = Vec::new();
    if let Some(items) = list_items(&r, "responses")? {
        let base = r.at("responses");
        for (idx, item) in items.iter().enumerate() {
            let mut loc = base.clone();
            loc.push(Loc::Index(idx));
            responses.push(parse_response_item(item, &loc)?);
        }
    }
    let record = NewRecord {
        fields: r.raw("fields").cloned(),
        metadata: r.raw("metadata").cloned(),
        external_id,
        responses,
        suggestions: parse_suggestions(&r)?.unwrap_or_default(),
        vectors: parse_vectors(&r)?.unwrap_or_default(),
    };
    Ok((r.opt_uuid("id")?.map(RecordId), record))
}

/// The `items` of a bulk body, each parsed by `parse`, within `1..=max`.
fn parse_items<T>(
    body: &Body,
    max: usize,
    parse: impl Fn(&Value, &[Loc]) -> Result<T, SchemaError>,
) -> Result<Vec<T>, ApiError> {
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    let items = r.array("items")?;
    if items.is_empty() {
        return Err(ApiError::at(
            &["body", "items"],
            "too_short",
            "List should have at least 1 item after validation, not 0",
        ));
    }
    if items.len() > max {
        return Err(ApiError::at(
            &["body", "items"],
            "too_long",
            format!("List should have at most {max} items after validation, not {}", items.len()),
        ));
    }
    let base = r.at("items");
    let mut res = Vec::with_capacity(items.len());
    for (idx, item) in items.iter().enumerate() {
        let mut loc = base.clone();
        loc.push(Loc::Index(idx));
        res.push(parse(item, &loc)?);
    }
    Ok(res)
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
    let legacy = super::search::legacy_params(&query);
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
    Ok(reply_with(StatusCode::OK, &dto::RecordPage { items: &views, total }))
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
    Ok(reply_with(StatusCode::CREATED, &dto::RecordItems(&views)))
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
    Ok(reply_with(StatusCode::OK, &dto::RecordItems(&views)))
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

fn parse_patch(value: &Value, loc: &[Loc]) -> Result<RecordPatch, SchemaError> {
    let obj = object(value, loc)?;
    let r = Reader::new(obj, loc);
    let external_id = match r.raw("external_id") {
        Some(Value::String(text)) => Some(text.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    Ok(RecordPatch {
        fields: r.raw("fields").cloned(),
        metadata: r.raw("metadata").cloned(),
        suggestions: parse_suggestions(&r)?,
        vectors: parse_vectors(&r)?,
        external_id,
    })
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

/// Parses `ids=a,b,c` (1..=max ids).
pub(crate) fn parse_ids(query: &QueryPairs, max: usize, what: &str) -> Result<Vec<uuid::Uuid>, ApiError> {
    let Some(raw) = query.get("ids") else {
        return Err(ApiError::at(&["query", "ids"], "missing", "Field required"));
    };
    let ids: Vec<uuid::Uuid> = raw
        .split(',')
        .map(|it| uuid::Uuid::parse_str(it.trim()))
        .collect::<Result<_, _>>()
        .map_err(|_| ApiError::unprocessable("Invalid UUID format"))?;
    if ids.len() > max {
        return Err(ApiError::unprocessable(format!("Cannot delete more than {max} {what} at once")));
    }
    Ok(ids)
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
    Ok(ok(dto::record(&view)))
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
    Ok(ok(dto::record(&view)))
}

async fn delete(State(app): State<AppState>, Auth(actor): Auth, Path(record_id): Path<String>) -> ApiResult {
    let id = path_id(&record_id, "record_id")?;
    let record = app.service.delete_record(&actor, RecordId(id)).await?;
    Ok(ok(dto::record_base(&record)))
}
