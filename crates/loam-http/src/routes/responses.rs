//! Responses and suggestions of single records.

use crate::openapi::{Routes, IDS};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use loam_domain::error::Loc;
use loam_domain::pairwise::parse_shown;
use loam_domain::schema::{object, Reader};
use loam_domain::time_on_task::{check_active_ms, ActiveTimeError};
use loam_domain::value::ResponseStatus;
use loam_domain::{RecordId, ResponseId, SchemaError, SuggestionId};
use loam_service::{BulkResponseItem, ResponseSave};
use serde_json::{json, Value};

use super::parse::{parse_ids, parse_suggestion_item};
use super::{created, ok, reply, ApiResult};
use crate::error::ApiError;
use crate::extract::{path_id, Auth, Body, QueryPairs};
use crate::AppState;
use loam_service::wire;

pub fn routes(r: Routes) -> Routes {
    r.post("/api/v1/records/{record_id}/responses", "Respond to a record", 201, Some("Response"), create)
        .json_body("NewResponse")
        .errors(&[409])
        .put("/api/v1/responses/{response_id}", "Replace a response", 200, Some("Response"), update)
        .json_body("NewResponse")
        .errors(&[409])
        .delete("/api/v1/responses/{response_id}", "Delete a response", 200, Some("Response"), delete)
        .post(
            "/api/v1/me/responses/bulk",
            "Save the caller's responses to many records",
            200,
            Some("BulkResponses"),
            bulk,
        )
        .json_body("MyResponses")
        .get(
            "/api/v1/records/{record_id}/suggestions",
            "List a record's suggestions",
            200,
            Some("Suggestions"),
            list_suggestions,
        )
        .put(
            "/api/v1/records/{record_id}/suggestions",
            "Create or replace a suggestion",
            201,
            Some("Suggestion"),
            upsert_suggestion,
        )
        .json_body("NewSuggestion")
        .also(200, Some("Suggestion"))
        .delete(
            "/api/v1/records/{record_id}/suggestions",
            "Delete suggestions of a record by id",
            204,
            None,
            delete_suggestions,
        )
        .query(&[IDS])
        .delete(
            "/api/v1/suggestions/{suggestion_id}",
            "Delete a suggestion",
            200,
            Some("Suggestion"),
            delete_suggestion,
        )
        .get(
            "/api/v1/datasets/{dataset_id}/records/search/suggestions/options",
            "Suggestion agents per question",
            200,
            Some("SuggestionOptions"),
            suggestion_options,
        )
}

/// A save's status and values, and the loam extensions `loam_active_ms` (time on task: the
/// active milliseconds the web UI measured since its last save of the record; the SDKs never send
/// it; a negative, fractional or larger than `MAX_ACTIVE_MS_PER_SAVE` time refuses the save, 422)
/// and `loam_shown` (the order each pairwise question's pair was shown in; a value other than
/// `ab` / `ba` refuses the save, 422).
fn parse_save(value: &Value, loc: &[Loc]) -> Result<ResponseSave, SchemaError> {
    let obj = object(value, loc)?;
    let r = Reader::new(obj, loc);
    let status = match r.raw("status") {
        Some(Value::String(text)) => ResponseStatus::parse(text),
        None => return Err(SchemaError::new(r.at("status"), "missing", "Field required")),
        _ => None,
    }
    .ok_or_else(|| SchemaError::new(r.at("status"), "enum", "Input should be 'draft', 'submitted' or 'discarded'"))?;
    let active_ms = check_active_ms(r.raw(ACTIVE_MS)).map_err(|err| {
        let kind = match err {
            ActiveTimeError::NotAnInteger => "int_type",
            ActiveTimeError::Negative => "greater_than_equal",
            ActiveTimeError::TooLarge => "less_than_equal",
        };
        SchemaError::new(r.at(ACTIVE_MS), kind, err.message())
    })?;
    let shown = parse_shown(r.raw(SHOWN), &r.at(SHOWN))?;
    Ok(ResponseSave { status, values: r.raw("values").cloned(), active_ms, shown })
}

/// The request key of time on task.
const ACTIVE_MS: &str = "loam_active_ms";
/// The request key of the order the web UI showed each pairwise question's pair in
/// (`{"<question name>": "ab" | "ba"}`, `loam_domain::pairwise`; the SDKs never send it).
const SHOWN: &str = "loam_shown";

async fn create(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(record_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let id = path_id(&record_id, "record_id")?;
    let save = parse_save(&body.0, &[Loc::from("body")])?;
    let flow = super::leases::flow_of(&headers);
    let response = app.service.create_response_in(flow, &actor, RecordId(id), save).await?;
    Ok(created(wire::response(&response)))
}

async fn update(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(response_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let id = path_id(&response_id, "response_id")?;
    let save = parse_save(&body.0, &[Loc::from("body")])?;
    let flow = super::leases::flow_of(&headers);
    let response = app.service.update_response_in(flow, &actor, ResponseId(id), save).await?;
    Ok(ok(wire::response(&response)))
}

async fn delete(State(app): State<AppState>, Auth(actor): Auth, Path(response_id): Path<String>) -> ApiResult {
    let id = path_id(&response_id, "response_id")?;
    let response = app.service.delete_response(&actor, ResponseId(id)).await?;
    Ok(ok(wire::response(&response)))
}

async fn bulk(State(app): State<AppState>, Auth(actor): Auth, headers: HeaderMap, body: Body) -> ApiResult {
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    let raw = r.array("items")?;
    if raw.is_empty() || raw.len() > 100 {
        return Err(ApiError::at(&["body", "items"], "too_long", "List should have between 1 and 100 items"));
    }
    let mut items = Vec::with_capacity(raw.len());
    for (idx, item) in raw.iter().enumerate() {
        let item_loc = vec![Loc::from("body"), Loc::from("items"), Loc::Index(idx)];
        let ResponseSave { status, values, active_ms, shown } = parse_save(item, &item_loc)?;
        let record_id = Reader::new(object(item, &item_loc)?, &item_loc).uuid("record_id")?;
        items.push(BulkResponseItem { record_id: RecordId(record_id), status, values, active_ms, shown });
    }
    let outcomes = app.service.bulk_my_responses_in(super::leases::flow_of(&headers), &actor, items).await?;
    let rendered: Vec<Value> = outcomes
        .into_iter()
        .map(|outcome| match outcome {
            Ok(response) => json!({"item": wire::response(&response), "error": null}),
            Err(err) => {
                let detail = match err {
                    loam_service::Error::Forbidden => {
                        "argilla.api.errors::ForbiddenOperationError(detail=Operation not allowed)".to_owned()
                    }
                    other => other.to_string(),
                };
                json!({"item": null, "error": {"detail": detail}})
            }
        })
        .collect();
    Ok(ok(json!({"items": rendered})))
}

async fn list_suggestions(State(app): State<AppState>, Auth(actor): Auth, Path(record_id): Path<String>) -> ApiResult {
    let id = path_id(&record_id, "record_id")?;
    let items = app.service.list_record_suggestions(&actor, RecordId(id)).await?;
    Ok(ok(wire::items(items.iter().map(wire::suggestion))))
}

async fn upsert_suggestion(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(record_id): Path<String>,
    body: Body,
) -> ApiResult {
    let id = path_id(&record_id, "record_id")?;
    let item = parse_suggestion_item(&body.0, &[Loc::from("body")])?;
    let (suggestion, was_created) = app.service.upsert_suggestion(&actor, RecordId(id), item).await?;
    let status = if was_created { StatusCode::CREATED } else { StatusCode::OK };
    Ok(reply(status, wire::suggestion(&suggestion)))
}

async fn delete_suggestions(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(record_id): Path<String>,
    query: QueryPairs,
) -> ApiResult {
    let id = path_id(&record_id, "record_id")?;
    let ids: Vec<SuggestionId> = parse_ids(&query, 100, "suggestions")?.into_iter().map(SuggestionId).collect();
    app.service.delete_record_suggestions(&actor, RecordId(id), &ids).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn delete_suggestion(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(suggestion_id): Path<String>,
) -> ApiResult {
    let id = path_id(&suggestion_id, "suggestion_id")?;
    let suggestion = app.service.delete_suggestion(&actor, SuggestionId(id)).await?;
    Ok(ok(wire::suggestion(&suggestion)))
}

async fn suggestion_options(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(dataset_id): Path<String>,
) -> ApiResult {
    let id = path_id(&dataset_id, "dataset_id")?;
    let options = app.service.suggestion_agents(&actor, id.into()).await?;
    let items: Vec<Value> = options
        .into_iter()
        .map(|(qid, name, agents)| json!({"question": {"id": qid, "name": name}, "agents": agents}))
        .collect();
    Ok(ok(json!({"items": items})))
}
