//! Records search: resolves a [`SearchQuery`] against the dataset's settings (unknown names are
//! 422s that name the problem), runs it in the store, and scores similarity queries by an exact
//! cosine scan of the candidates.

use std::cmp::Ordering;

use loam_domain::model::{DatasetSchema, MetadataProperty, Question, Record, User};
use loam_domain::query::{
    legacy_query, Filter, PropertyKind, RecordProperty, Scope, SearchQuery, SimilarityOrder, SuggestionProperty,
    TextMatch,
};
use loam_domain::settings::{FieldSettings, MetadataSettings, QuestionSettings};
use loam_domain::{DatasetId, RecordId, Role, Timestamp};
use loam_store::search::{self as store_search, Bound, Condition, RecordQuery, SortKey, Target};
use loam_store::{records, settings as store_settings, Tx};
use serde_json::{Map, Value};

use crate::datasets::{managed_dataset, readable_dataset};
use crate::records::{hydrate_ids, Include, RecordView};
use crate::{Error, Result, Service};

/// The legacy SDK's query-string filters (`response_status`, `metadata`, `sort_by`).
#[derive(Clone, Debug, Default)]
pub struct LegacyParams {
    pub response_status: Vec<String>,
    pub metadata: Vec<String>,
    pub sort_by: Vec<String>,
}

impl LegacyParams {
    pub fn is_empty(&self) -> bool {
        self.response_status.is_empty() && self.metadata.is_empty() && self.sort_by.is_empty()
    }
}

/// Adds the legacy parameters' filters and sorts to `query`.
fn with_legacy(
    query: &SearchQuery,
    legacy: &LegacyParams,
    schema: &DatasetSchema,
    dataset: DatasetId,
) -> Result<SearchQuery> {
    let kind_of = |name: &str| {
        schema.metadata_properties.iter().find(|p| p.name == name).map(|p| match p.settings {
            MetadataSettings::Terms { .. } => PropertyKind::Terms,
            MetadataSettings::Integer { .. } => PropertyKind::Integer,
            MetadataSettings::Float { .. } => PropertyKind::Float,
        })
    };
    let (filters, sort) =
        legacy_query(&legacy.response_status, &legacy.metadata, &legacy.sort_by, &dataset.to_string(), kind_of)?;
    let mut res = query.clone();
    res.filters.extend(filters);
    res.sort.extend(sort);
    Ok(res)
}

/// The most hits a similarity search computes.
pub const MAX_SIMILAR: i64 = 1000;

/// Which records endpoint is asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchAs {
    /// `POST /datasets/{id}/records/search` (owners and managing admins; all responses).
    Manager,
    /// `POST /me/datasets/{id}/records/search` (any member; the caller's responses only).
    Member,
}

/// Field text that the index holds for one field value.
pub(crate) fn field_text(settings: &FieldSettings, value: &Value) -> Option<String> {
    match (settings, value) {
        (FieldSettings::Text { .. }, Value::String(text)) => Some(text.clone()),
        (FieldSettings::Chat { .. }, Value::Array(messages)) => {
            let parts: Vec<&str> = messages.iter().filter_map(|m| m.get("content").and_then(Value::as_str)).collect();
            Some(parts.join("\n"))
        }
        (FieldSettings::Custom { .. }, Value::Object(_)) => Some(value.to_string()),
        _ => None,
    }
}

/// The `(ordinal, text)` pairs of a record, for the text index.
pub(crate) fn record_texts(schema: &DatasetSchema, fields: &Map<String, Value>) -> Vec<(i64, String)> {
    schema
        .fields
        .iter()
        .enumerate()
        .filter_map(|(ordinal, field)| {
            let text = field_text(&field.settings, fields.get(&field.name)?)?;
            Some((ordinal as i64, text))
        })
        .collect()
}

fn metadata_not_found(name: &str, dataset: DatasetId) -> Error {
    Error::invalid(format!("MetadataProperty not found filtering by name={name}, dataset_id={dataset}"))
}

fn question_not_found(name: &str, dataset: DatasetId) -> Error {
    Error::invalid(format!("Question not found filtering by name={name}, dataset_id={dataset}"))
}

/// Whether a target compares numerically, so string terms like "3" are read as numbers.
fn numeric(target: &Target, schema: &DatasetSchema) -> bool {
    match target {
        Target::Metadata(name) => schema
            .metadata_properties
            .iter()
            .any(|p| &p.name == name && !matches!(p.settings, MetadataSettings::Terms { .. })),
        Target::SuggestionValue(q) => {
            schema.questions.iter().any(|it| it.id.0 == *q && matches!(it.settings, QuestionSettings::Rating { .. }))
        }
        Target::ResponseValue(name) => {
            schema.questions.iter().any(|it| &it.name == name && matches!(it.settings, QuestionSettings::Rating { .. }))
        }
        Target::SuggestionScore(_) => true,
        _ => false,
    }
}

fn find_question<'a>(schema: &'a DatasetSchema, name: &str, dataset: DatasetId) -> Result<&'a Question> {
    schema.questions.iter().find(|it| it.name == name).ok_or_else(|| question_not_found(name, dataset))
}

fn find_property<'a>(schema: &'a DatasetSchema, name: &str, dataset: DatasetId) -> Result<&'a MetadataProperty> {
    schema.metadata_properties.iter().find(|it| it.name == name).ok_or_else(|| metadata_not_found(name, dataset))
}

fn target(scope: &Scope, schema: &DatasetSchema, dataset: DatasetId) -> Result<Target> {
    Ok(match scope {
        Scope::Record(RecordProperty::Id) => Target::RecordId,
        Scope::Record(RecordProperty::ExternalId) => Target::ExternalId,
        Scope::Record(RecordProperty::Status) => Target::Status,
        Scope::Record(RecordProperty::InsertedAt) => Target::InsertedAt,
        Scope::Record(RecordProperty::UpdatedAt) => Target::UpdatedAt,
        Scope::Metadata(name) => Target::Metadata(find_property(schema, name, dataset)?.name.clone()),
        Scope::Suggestion { question, property } => {
            let q = find_question(schema, question, dataset)?.id.0;
            match property {
                SuggestionProperty::Value => Target::SuggestionValue(q),
                SuggestionProperty::Score => Target::SuggestionScore(q),
                SuggestionProperty::Agent => Target::SuggestionAgent(q),
                SuggestionProperty::Type => Target::SuggestionType(q),
            }
        }
        Scope::ResponseValue { question } => {
            Target::ResponseValue(find_question(schema, question, dataset)?.name.clone())
        }
        Scope::ResponseStatus => Target::ResponseStatus,
    })
}

fn bound(value: &Option<Value>, target: &Target) -> Result<Option<Bound>> {
    let Some(value) = value else { return Ok(None) };
    let is_time = matches!(target, Target::InsertedAt | Target::UpdatedAt);
    let number = match value {
        Value::Number(n) => n.as_f64(),
        Value::String(text) if is_time => Timestamp::parse(text).map(|it| it.0 as f64),
        Value::String(text) => text.parse::<f64>().ok(),
        _ => None,
    };
    number.map(|it| Some(Bound::Number(it))).ok_or_else(|| {
        Error::invalid(format!("range bound {value} is not a valid {}", if is_time { "date" } else { "number" }))
    })
}

fn coerce_terms(values: &[Value], target: &Target, schema: &DatasetSchema) -> Vec<Value> {
    if !numeric(target, schema) {
        return values
            .iter()
            .map(|it| match it {
                Value::String(_) => it.clone(),
                other => Value::String(other.to_string()),
            })
            .collect();
    }
    values
        .iter()
        .map(|it| match it {
            Value::String(text) => text.parse::<f64>().map(Value::from).unwrap_or_else(|_| it.clone()),
            other => other.clone(),
        })
        .collect()
}

fn resolve(
    query: &SearchQuery,
    schema: &DatasetSchema,
    dataset: DatasetId,
    actor: &User,
    as_: SearchAs,
) -> Result<RecordQuery> {
    let mut res = RecordQuery::default();
    if as_ == SearchAs::Member {
        res.only_user = Some(actor.id);
    }
    if let Some(text) = &query.text {
        if let Some(field) = &text.field {
            let ordinal = schema
                .fields
                .iter()
                .position(|it| &it.name == field)
                .ok_or_else(|| Error::invalid(format!("Field `{field}` not found in dataset `{dataset}`.")))?;
            res.field_ordinal = Some(ordinal as i64);
        }
        // A query with no searchable term matches nothing rather than everything.
        res.text = Some(TextMatch::parse(&text.q));
    }
    for filter in &query.filters {
        res.conditions.push(match filter {
            Filter::Terms { scope, values } => {
                let target = target(scope, schema, dataset)?;
                let values = coerce_terms(values, &target, schema);
                Condition::Terms(target, values)
            }
            Filter::Range { scope, ge, le } => {
                let target = target(scope, schema, dataset)?;
                Condition::Range(target.clone(), bound(ge, &target)?, bound(le, &target)?)
            }
        });
    }
    for sort in &query.sort {
        res.sort.push(SortKey { target: target(&sort.scope, schema, dataset)?, descending: sort.descending });
    }
    if as_ == SearchAs::Member && query.sort.is_empty() && query.text.is_none() {
        let bytes = actor.id.0.as_bytes();
        res.shuffle_salt = Some(i64::from(u32::from_le_bytes([bytes[12], bytes[13], bytes[14], bytes[15]])));
    }
    Ok(res)
}

#[cfg(test)]
fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let (mut dot, mut na, mut nb) = (0f64, 0f64, 0f64);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 {
        return 0.0;
    }
    dot / (na.sqrt() * nb.sqrt())
}

/// Hides metadata an annotator may not see: keys without a visible property.
fn visible_metadata(record: &mut Record, schema: &DatasetSchema) {
    if let Some(metadata) = &mut record.metadata {
        metadata.retain(|key, _| schema.metadata_properties.iter().any(|p| &p.name == key && p.visible_for_annotators));
    }
}

impl Service {
    /// Searches a dataset's records; returns (record, score) pairs in order and the total.
    #[allow(clippy::too_many_arguments)]
    pub async fn search_records(
        &self,
        actor: &User,
        dataset: DatasetId,
        query: &SearchQuery,
        offset: i64,
        limit: i64,
        include: &Include,
        as_: SearchAs,
        legacy: &LegacyParams,
    ) -> Result<(Vec<(RecordView, Option<f64>)>, i64)> {
        let mut tx = self.store.read().await?;
        match as_ {
            SearchAs::Manager => managed_dataset(&mut tx, actor, dataset).await?,
            SearchAs::Member => readable_dataset(&mut tx, actor, dataset).await?,
        };
        let schema = store_settings::load_schema(&mut tx, dataset).await?;
        let extended;
        let query = if legacy.is_empty() {
            query
        } else {
            extended = with_legacy(query, legacy, &schema, dataset)?;
            &extended
        };
        let resolved = resolve(query, &schema, dataset, actor, as_)?;
        let (hits, total): (Vec<(RecordId, Option<f64>)>, i64) = match &query.vector {
            Some(vector) => similar(&mut tx, dataset, &schema, &resolved, vector, offset, limit).await?,
            None => {
                let (hits, total) = store_search::search_records(&mut tx, dataset, &resolved, offset, limit).await?;
                let default_score = if query.sort.is_empty() { Some(1.0) } else { None };
                let hits = hits
                    .into_iter()
                    .map(|hit| (hit.record_id, if query.sort.is_empty() { hit.score.or(default_score) } else { None }))
                    .collect();
                (hits, total)
            }
        };
        let ids: Vec<RecordId> = hits.iter().map(|(id, _)| *id).collect();
        let only_user = (as_ == SearchAs::Member).then_some(actor.id);
        let mut views = hydrate_ids(&mut tx, dataset, &ids, include, only_user, &schema).await?;
        if as_ == SearchAs::Member && actor.role == Role::Annotator {
            for view in &mut views {
                visible_metadata(&mut view.record, &schema);
            }
        }
        let scored = views.into_iter().zip(hits.iter().map(|(_, score)| *score)).collect();
        Ok((scored, total))
    }
}

/// The similarity search of model.md §10.7: exact cosine over the filtered candidates.
async fn similar(
    tx: &mut Tx,
    dataset: DatasetId,
    schema: &DatasetSchema,
    resolved: &RecordQuery,
    vector: &loam_domain::query::VectorQuery,
    offset: i64,
    limit: i64,
) -> Result<(Vec<(RecordId, Option<f64>)>, i64)> {
    let settings = schema
        .vector_settings
        .iter()
        .find(|it| it.name == vector.name)
        .ok_or_else(|| Error::invalid(format!("Vector `{}` not found in dataset `{dataset}`.", vector.name)))?;
    let mut exclude = None;
    let mut reference = match (&vector.value, vector.record_id) {
        (Some(value), _) => {
            if value.len() as i64 != settings.dimensions {
                return Err(Error::invalid(format!(
                    "Vector value for vector `{}` must have {} elements, got {} elements",
                    vector.name,
                    settings.dimensions,
                    value.len()
                )));
            }
            value.clone()
        }
        (None, Some(record_id)) => {
            let record_id = RecordId(record_id);
            let record =
                records::find_record(tx, record_id).await?.filter(|it| it.dataset_id == dataset).ok_or_else(|| {
                    Error::invalid(format!("Record with id `{record_id}` not found in dataset `{dataset}`."))
                })?;
            exclude = Some(record.id);
            let stored = records::list_vectors(tx, &[record.id]).await?;
            stored.into_iter().find(|it| it.vector_settings_id == settings.id).map(|it| it.value).ok_or_else(|| {
                Error::MissingVector(format!(
                    "Record `{record_id}` does not have a vector for vector settings `{}`",
                    vector.name
                ))
            })?
        }
        (None, None) => return Err(Error::invalid("a similarity query needs a vector value or a record id")),
    };
    if vector.order == SimilarityOrder::LeastSimilar {
        for it in &mut reference {
            *it = -*it;
        }
    }
    let k = (offset + limit).min(MAX_SIMILAR);
    if offset >= k {
        return Ok((Vec::new(), 0));
    }
    let mut best = TopK::new(k as usize);
    let reference_norm2: f64 = reference.iter().map(|x| x * x).sum();
    store_search::scan_vectors(tx, dataset, resolved, settings.id, |id, bytes| {
        if Some(id) != exclude {
            best.offer(id, (1.0 + cosine_with_stored(&reference, reference_norm2, bytes)) / 2.0);
        }
    })
    .await?;
    let scored = best.into_sorted();
    let total = scored.len() as i64;
    let page = scored.into_iter().skip(offset as usize).map(|(id, score)| (id, Some(score))).collect();
    Ok((page, total))
}

/// The `k` best-scored candidates of a scan, held in a heap of `k` entries whatever the number of
/// candidates. Ties keep scan order (the earlier candidate ranks first), as a stable sort would.
struct TopK {
    k: usize,
    seen: u64,
    /// A min-heap on rank: its top is the entry the next better candidate evicts.
    heap: std::collections::BinaryHeap<std::cmp::Reverse<Ranked>>,
}

/// Ranked by score, then by earlier scan position.
struct Ranked {
    score: f64,
    position: u64,
    id: RecordId,
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score.total_cmp(&other.score).then_with(|| other.position.cmp(&self.position))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked {}

impl TopK {
    fn new(k: usize) -> Self {
        Self { k, seen: 0, heap: std::collections::BinaryHeap::with_capacity(k + 1) }
    }

    fn offer(&mut self, id: RecordId, score: f64) {
        let it = Ranked { score, position: self.seen, id };
        self.seen += 1;
        if self.k == 0 {
            return;
        }
        if self.heap.len() < self.k {
            self.heap.push(std::cmp::Reverse(it));
        } else if self.heap.peek().is_some_and(|worst| it > worst.0) {
            self.heap.pop();
            self.heap.push(std::cmp::Reverse(it));
        }
    }

    /// Best first.
    fn into_sorted(self) -> Vec<(RecordId, f64)> {
        let mut all: Vec<Ranked> = self.heap.into_iter().map(|it| it.0).collect();
        all.sort_by(|a, b| b.cmp(a));
        all.into_iter().map(|it| (it.id, it.score)).collect()
    }
}

/// [`cosine`] of `reference` (whose squared norm is given) and a vector as stored: little-endian
/// f64s, read in place.
fn cosine_with_stored(reference: &[f64], reference_norm2: f64, stored: &[u8]) -> f64 {
    let (mut dot, mut nb) = (0f64, 0f64);
    for (x, chunk) in reference.iter().zip(stored.chunks_exact(8)) {
        let y = f64::from_le_bytes(<[u8; 8]>::try_from(chunk).unwrap_or_default());
        dot += x * y;
        nb += y * y;
    }
    if reference_norm2 == 0.0 || nb == 0.0 {
        return 0.0;
    }
    dot / (reference_norm2.sqrt() * nb.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_vectors_score_like_decoded_ones() {
        let reference = [0.3, -1.5, 2.0, 0.0];
        let stored = [1.0, 0.25, -0.75, 4.0];
        let bytes: Vec<u8> = stored.iter().flat_map(|x: &f64| x.to_le_bytes()).collect();
        let norm2: f64 = reference.iter().map(|x| x * x).sum();
        assert_eq!(cosine_with_stored(&reference, norm2, &bytes), cosine(&reference, &stored));
        assert_eq!(cosine_with_stored(&reference, norm2, &[0u8; 32]), 0.0);
    }

    #[test]
    fn top_k_keeps_the_best_and_breaks_ties_by_scan_order() {
        let ids: Vec<RecordId> = (0..6).map(|_| RecordId::new()).collect();
        let scores = [0.5, 0.9, 0.5, 0.1, 0.9, 0.7];
        // The oracle: a stable sort of everything, best first, cut at k.
        for k in 0..=7 {
            let mut top = TopK::new(k);
            for (id, score) in ids.iter().zip(scores) {
                top.offer(*id, score);
            }
            let mut oracle: Vec<(RecordId, f64)> = ids.iter().copied().zip(scores).collect();
            oracle.sort_by(|a, b| b.1.total_cmp(&a.1));
            oracle.truncate(k);
            assert_eq!(top.into_sorted(), oracle, "k = {k}");
        }
    }

    #[test]
    fn cosine_of_known_vectors() {
        assert!((cosine(&[1.0, 0.0], &[1.0, 0.0]) - 1.0).abs() < 1e-6);
        assert!(cosine(&[1.0, 0.0], &[0.0, 1.0]).abs() < 1e-6);
        assert!((cosine(&[1.0, 0.0], &[-1.0, 0.0]) + 1.0).abs() < 1e-6);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
    }

    #[test]
    fn chat_and_custom_fields_are_indexed_as_text() {
        let chat = FieldSettings::Chat { use_markdown: true };
        let value = serde_json::json!([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]);
        assert_eq!(field_text(&chat, &value).as_deref(), Some("hi\nhello"));
        assert_eq!(field_text(&FieldSettings::Image, &serde_json::json!("http://x/y.png")), None);
    }
}

/// Statistics of one metadata property over its dataset (the UI's filter ranges and term lists).
#[derive(Clone, Debug, PartialEq)]
pub enum MetadataMetrics {
    Terms { total: i64, values: Vec<(Value, i64)> },
    Integer { min: Option<i64>, max: Option<i64> },
    Float { min: Option<f64>, max: Option<f64> },
}

impl Service {
    pub async fn metadata_metrics(&self, actor: &User, id: loam_domain::MetadataPropertyId) -> Result<MetadataMetrics> {
        let property = self.get_metadata_property(actor, id).await?;
        let mut tx = self.store.read().await?;
        Ok(match property.settings {
            MetadataSettings::Terms { .. } => {
                let values = store_search::metadata_term_counts(&mut tx, property.dataset_id, &property.name).await?;
                MetadataMetrics::Terms { total: values.len() as i64, values }
            }
            MetadataSettings::Integer { .. } => {
                let (min, max) = store_search::metadata_range(&mut tx, property.dataset_id, &property.name).await?;
                MetadataMetrics::Integer { min: min.map(|it| it.round() as i64), max: max.map(|it| it.round() as i64) }
            }
            MetadataSettings::Float { .. } => {
                let (min, max) = store_search::metadata_range(&mut tx, property.dataset_id, &property.name).await?;
                let round = |it: f64| (it * 100_000.0).round() / 100_000.0;
                MetadataMetrics::Float { min: min.map(round), max: max.map(round) }
            }
        })
    }
}
