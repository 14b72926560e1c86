//! The query model of a records search and its parser from the request body (api.md §10.3):
//! text, vector, filters and sort, each with the limits and messages of the reference.

use serde_json::Value;

use crate::error::{Loc, SchemaError};
use crate::schema::{object, Reader};

#[derive(Clone, Debug, PartialEq)]
pub struct TextQuery {
    pub q: String,
    pub field: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimilarityOrder {
    MostSimilar,
    LeastSimilar,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VectorQuery {
    pub name: String,
    pub record_id: Option<uuid::Uuid>,
    pub value: Option<Vec<f64>>,
    pub order: SimilarityOrder,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordProperty {
    Id,
    ExternalId,
    Status,
    InsertedAt,
    UpdatedAt,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuggestionProperty {
    Value,
    Score,
    Agent,
    Type,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Scope {
    Record(RecordProperty),
    Metadata(String),
    Suggestion {
        question: String,
        property: SuggestionProperty,
    },
    /// The value of a question's responses.
    ResponseValue {
        question: String,
    },
    ResponseStatus,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    Terms { scope: Scope, values: Vec<Value> },
    Range { scope: Scope, ge: Option<Value>, le: Option<Value> },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sort {
    pub scope: Scope,
    pub descending: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchQuery {
    pub text: Option<TextQuery>,
    pub vector: Option<VectorQuery>,
    pub filters: Vec<Filter>,
    pub sort: Vec<Sort>,
}

const MAX_FILTERS: usize = 50;
const MAX_TERMS: usize = 250;
const MAX_SORT: usize = 10;

fn err(loc: Vec<Loc>, kind: &'static str, msg: impl Into<String>) -> SchemaError {
    SchemaError::new(loc, kind, msg)
}

fn with(loc: &[Loc], key: impl Into<Loc>) -> Vec<Loc> {
    let mut res = loc.to_vec();
    res.push(key.into());
    res
}

fn parse_scope(value: &Value, loc: &[Loc]) -> Result<Scope, SchemaError> {
    let obj = object(value, loc)?;
    let r = Reader::new(obj, loc);
    let entity = r.string("entity", 1, 100)?;
    match entity.as_str() {
        "record" => {
            let property = match r.string("property", 1, 100)?.as_str() {
                "id" => RecordProperty::Id,
                "external_id" => RecordProperty::ExternalId,
                "status" => RecordProperty::Status,
                "inserted_at" => RecordProperty::InsertedAt,
                "updated_at" => RecordProperty::UpdatedAt,
                _ => {
                    return Err(err(
                        r.at("property"),
                        "literal_error",
                        "Input should be 'id', 'external_id', 'status', 'inserted_at' or 'updated_at'",
                    ))
                }
            };
            Ok(Scope::Record(property))
        }
        "metadata" => Ok(Scope::Metadata(r.string("metadata_property", 1, 200)?)),
        "suggestion" => {
            let question = r.string("question", 1, 200)?;
            let property = match r.opt_string("property", 1, 100)?.as_deref() {
                None | Some("value") => SuggestionProperty::Value,
                Some("score") => SuggestionProperty::Score,
                Some("agent") => SuggestionProperty::Agent,
                Some("type") => SuggestionProperty::Type,
                Some(_) => {
                    return Err(err(
                        r.at("property"),
                        "literal_error",
                        "Input should be 'value', 'score', 'agent' or 'type'",
                    ))
                }
            };
            Ok(Scope::Suggestion { question, property })
        }
        "response" => {
            let question = r.opt_string("question", 1, 200)?;
            let property = r.opt_string("property", 1, 100)?;
            match (question, property.as_deref()) {
                (Some(question), None | Some("value")) => Ok(Scope::ResponseValue { question }),
                (None, Some("status")) => Ok(Scope::ResponseStatus),
                _ => Err(SchemaError::value(
                    loc.to_vec(),
                    "a response scope needs either a 'question' or the property 'status'",
                )),
            }
        }
        _ => Err(err(
            r.at("entity"),
            "union_tag_invalid",
            "Input should be 'record', 'metadata', 'suggestion' or 'response'",
        )),
    }
}

fn parse_filter(value: &Value, loc: &[Loc]) -> Result<Filter, SchemaError> {
    let obj = object(value, loc)?;
    let r = Reader::new(obj, loc);
    let scope = parse_scope(r.raw("scope").unwrap_or(&Value::Null), &r.at("scope"))?;
    match r.raw("type").and_then(Value::as_str) {
        Some("terms") => {
            let items = r.array("values")?;
            if items.is_empty() || items.len() > MAX_TERMS {
                return Err(err(
                    r.at("values"),
                    "too_long",
                    format!("List should have between 1 and {MAX_TERMS} items"),
                ));
            }
            let mut values = Vec::with_capacity(items.len());
            for (idx, item) in items.iter().enumerate() {
                match item {
                    Value::String(_) | Value::Number(_) | Value::Bool(_) => values.push(item.clone()),
                    _ => return Err(err(with(&r.at("values"), idx), "string_type", "Input should be a valid string")),
                }
            }
            Ok(Filter::Terms { scope, values })
        }
        Some("range") => {
            let bound = |key: &str| -> Result<Option<Value>, SchemaError> {
                match r.raw(key) {
                    None | Some(Value::Null) => Ok(None),
                    Some(v @ (Value::Number(_) | Value::String(_))) => Ok(Some(v.clone())),
                    Some(_) => Err(err(r.at(key), "float_type", "Input should be a valid number or date")),
                }
            };
            let (ge, le) = (bound("ge")?, bound("le")?);
            if ge.is_none() && le.is_none() {
                return Err(SchemaError::value(loc.to_vec(), "One of 'ge' or 'le' values must be specified"));
            }
            if let (Some(Value::Number(a)), Some(Value::Number(b))) = (&ge, &le) {
                if a.as_f64() > b.as_f64() {
                    return Err(SchemaError::value(loc.to_vec(), "'ge' must have a value less than or equal to 'le'"));
                }
            }
            Ok(Filter::Range { scope, ge, le })
        }
        _ => Err(err(r.at("type"), "union_tag_invalid", "Input should be 'terms' or 'range'")),
    }
}

/// Parses the body of `POST …/records/search` (`loc` is `["body"]`).
pub fn parse_search(value: &Value, loc: &[Loc]) -> Result<SearchQuery, SchemaError> {
    let mut res = SearchQuery::default();
    if value.is_null() {
        return Ok(res);
    }
    let obj = object(value, loc)?;
    let r = Reader::new(obj, loc);
    if let Some(query) = r.raw("query").filter(|it| !it.is_null()) {
        let qloc = r.at("query");
        let qobj = object(query, &qloc)?;
        let qr = Reader::new(qobj, &qloc);
        if let Some(text) = qr.raw("text").filter(|it| !it.is_null()) {
            let tloc = qr.at("text");
            let tr = Reader::new(object(text, &tloc)?, &tloc);
            res.text = Some(TextQuery { q: tr.string("q", 1, 10_000)?, field: tr.opt_string("field", 1, 200)? });
        }
        if let Some(vector) = qr.raw("vector").filter(|it| !it.is_null()) {
            let vloc = qr.at("vector");
            let vr = Reader::new(object(vector, &vloc)?, &vloc);
            let value = match vr.raw("value") {
                None | Some(Value::Null) => None,
                Some(Value::Array(items)) => {
                    let mut numbers = Vec::with_capacity(items.len());
                    for (idx, item) in items.iter().enumerate() {
                        let number = item.as_f64().ok_or_else(|| {
                            err(with(&vr.at("value"), idx), "float_type", "Input should be a valid number")
                        })?;
                        numbers.push(number);
                    }
                    Some(numbers)
                }
                Some(_) => return Err(err(vr.at("value"), "list_type", "Input should be a valid list")),
            };
            let record_id = vr.opt_uuid("record_id")?;
            match (&value, &record_id) {
                (Some(v), None) if !v.is_empty() => {}
                (None, Some(_)) => {}
                _ => {
                    return Err(SchemaError::value(
                        vloc.clone(),
                        "Either 'value' (a non-empty list) or 'record_id' must be provided, not both",
                    ))
                }
            }
            let order = match vr.raw("order").and_then(Value::as_str) {
                None | Some("most_similar") => SimilarityOrder::MostSimilar,
                Some("least_similar") => SimilarityOrder::LeastSimilar,
                Some(_) => {
                    return Err(err(vr.at("order"), "enum", "Input should be 'most_similar' or 'least_similar'"))
                }
            };
            res.vector = Some(VectorQuery { name: vr.string("name", 1, 200)?, record_id, value, order });
        }
    }
    if let Some(filters) = r.raw("filters").filter(|it| !it.is_null()) {
        let floc = r.at("filters");
        let fr = Reader::new(object(filters, &floc)?, &floc);
        let items = fr.array("and")?;
        if items.is_empty() || items.len() > MAX_FILTERS {
            return Err(err(fr.at("and"), "too_long", format!("List should have between 1 and {MAX_FILTERS} items")));
        }
        for (idx, item) in items.iter().enumerate() {
            res.filters.push(parse_filter(item, &with(&fr.at("and"), idx))?);
        }
    }
    if let Some(sort) = r.raw("sort").filter(|it| !it.is_null()) {
        let items = r.array("sort")?;
        if items.is_empty() || items.len() > MAX_SORT {
            return Err(err(r.at("sort"), "too_long", format!("List should have between 1 and {MAX_SORT} items")));
        }
        let _ = sort;
        for (idx, item) in items.iter().enumerate() {
            let sloc = with(&r.at("sort"), idx);
            let sr = Reader::new(object(item, &sloc)?, &sloc);
            let scope = parse_scope(sr.raw("scope").unwrap_or(&Value::Null), &sr.at("scope"))?;
            let descending = match sr.raw("order").and_then(Value::as_str) {
                None | Some("asc") => false,
                Some("desc") => true,
                Some(_) => return Err(err(sr.at("order"), "enum", "Input should be 'asc' or 'desc'")),
            };
            res.sort.push(Sort { scope, descending });
        }
    }
    Ok(res)
}
