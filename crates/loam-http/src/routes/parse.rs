//! The request parsers the record routes share: the `include` and `ids` query parameters, the
//! legacy SDK's filter parameters, and the record, response, suggestion and patch items of bulk
//! bodies. Shared by `records.rs`, `responses.rs` and `search.rs`, so that none of them reaches
//! into another.

use loam_domain::error::Loc;
use loam_domain::schema::{object, Reader};
use loam_domain::value::ResponseStatus;
use loam_domain::{RecordId, SchemaError};
use loam_service::{Include, LegacyParams, NewRecord, NewResponseItem, NewSuggestionItem, RecordPatch, VectorsInclude};
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::extract::{Body, QueryPairs};

const INCLUDE_FORM: &str =
    "'include' query parameter must be of the form 'key1,key2,key3' or 'key:value1,value2,value3'";

/// Parses the repeatable `include` parameter (api.md §10.1).
pub(crate) fn parse_include(query: &QueryPairs) -> Result<Include, ApiError> {
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

pub(crate) fn parse_record(value: &Value, loc: &[Loc]) -> Result<(Option<RecordId>, NewRecord), SchemaError> {
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
pub(crate) fn parse_items<T>(
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

pub(crate) fn parse_patch(value: &Value, loc: &[Loc]) -> Result<RecordPatch, SchemaError> {
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

/// The legacy SDK's filter parameters, from the query string.
pub(crate) fn legacy_params(query: &QueryPairs) -> LegacyParams {
    let all = |key: &str| query.all(key).into_iter().map(str::to_owned).collect();
    LegacyParams { response_status: all("response_status"), metadata: all("metadata"), sort_by: all("sort_by") }
}
