//! The legacy SDK's query-string filters (model.md §10.8): `response_status`, `metadata` and
//! `sort_by` parameters turned into the filters and sorts of the query model.

use serde_json::Value;

use super::model::{Filter, RecordProperty, Scope, Sort};

/// What a legacy metadata filter needs to know of a property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropertyKind {
    Terms,
    Integer,
    Float,
}

/// Filters and sorts from the legacy `response_status`, `metadata` and `sort_by` parameters.
/// `kind_of` tells a metadata property's type (`None` when the dataset has no such property:
/// filters on it are ignored, sorts by it are refused).
pub fn legacy_query(
    response_status: &[String],
    metadata: &[String],
    sort_by: &[String],
    dataset_id: &str,
    kind_of: impl Fn(&str) -> Option<PropertyKind>,
) -> Result<(Vec<Filter>, Vec<Sort>), crate::Invalid> {
    use crate::Invalid;
    let mut filters = Vec::new();
    if !response_status.is_empty() {
        for status in response_status {
            if !matches!(status.as_str(), "draft" | "submitted" | "discarded" | "pending") {
                return Err(Invalid(format!(
                    "'{status}' is not a valid response status: use draft, submitted, discarded or pending"
                )));
            }
        }
        filters.push(Filter::Terms {
            scope: Scope::ResponseStatus,
            values: response_status.iter().map(|it| Value::String(it.clone())).collect(),
        });
    }
    for raw in metadata {
        let cannot = || Invalid(format!("Cannot parse provided metadata filters: {raw}"));
        let (name, value) = raw.split_once(':').ok_or_else(cannot)?;
        match kind_of(name) {
            None => {}
            Some(PropertyKind::Terms) => {
                let values: Vec<Value> =
                    value.split(',').filter(|it| !it.is_empty()).map(|it| Value::String(it.to_owned())).collect();
                if values.is_empty() {
                    return Err(cannot());
                }
                filters.push(Filter::Terms { scope: Scope::Metadata(name.to_owned()), values });
            }
            Some(PropertyKind::Integer | PropertyKind::Float) => {
                let bounds: serde_json::Map<String, Value> = serde_json::from_str(value).map_err(|_| cannot())?;
                let bound = |key: &str| match bounds.get(key) {
                    None | Some(Value::Null) => Ok(None),
                    Some(v @ Value::Number(_)) => Ok(Some(v.clone())),
                    Some(_) => Err(cannot()),
                };
                let (ge, le) = (bound("ge")?, bound("le")?);
                if ge.is_none() && le.is_none() {
                    return Err(cannot());
                }
                filters.push(Filter::Range { scope: Scope::Metadata(name.to_owned()), ge, le });
            }
        }
    }
    let mut sort = Vec::new();
    for raw in sort_by {
        let (field, order) = match raw.rsplit_once(':') {
            Some((field, order)) => (field, order),
            None => (raw.as_str(), "asc"),
        };
        // The legacy SDK formats its order enum with an f-string, which on Python >= 3.11 renders
        // `SortOrder.desc` rather than `desc` (argilla 1.29 supports 3.8–3.11): accept both.
        let descending = match order {
            "asc" | "SortOrder.asc" => false,
            "desc" | "SortOrder.desc" => true,
            other => {
                return Err(Invalid(format!(
                    "Provided sort order in 'sort_by' query param '{other}' for field '{field}' is not valid."
                )))
            }
        };
        let scope = match field {
            "inserted_at" => Scope::Record(RecordProperty::InsertedAt),
            "updated_at" => Scope::Record(RecordProperty::UpdatedAt),
            _ => match field.strip_prefix("metadata.") {
                Some(name) if kind_of(name).is_some() => Scope::Metadata(name.to_owned()),
                Some(name) => {
                    return Err(Invalid(format!(
                        "Provided metadata property in 'sort_by' query param '{name}' not found in dataset with '{dataset_id}'."
                    )))
                }
                None => {
                    return Err(Invalid(format!(
                        "Provided sort field in 'sort_by' query param '{field}' is not valid. It must be either inserted_at, updated_at or `metadata.metadata-property-name`"
                    )))
                }
            },
        };
        sort.push(Sort { scope, descending });
    }
    Ok((filters, sort))
}
