//! Records search: resolves a [`SearchQuery`] against the dataset's settings (unknown names are
//! 422s that name the problem), runs it in the store, and scores similarity queries by an exact
//! cosine scan of the candidates.

use std::borrow::Cow;
use std::sync::Arc;

use loam_domain::model::{DatasetSchema, MetadataProperty, Question, User};
use loam_domain::query::{
    legacy_query, Filter, PropertyKind, RecordProperty, Scope, SearchQuery, SimilarityOrder, SuggestionProperty,
    TextMatch,
};
use loam_domain::settings::{MetadataSettings, QuestionSettings};
use loam_domain::{DatasetId, RecordId, Timestamp, VectorSettingsId};
use loam_store::search::{self as store_search, Bound, Condition, RecordQuery, SortKey, Target, VectorVersion};
use loam_store::{records, Tx};
use serde_json::Value;

use crate::datasets::{managed_dataset, readable_dataset};
use crate::policy::sees_hidden_metadata;
use crate::records::{hide_metadata, hydrate_ids, Include, RecordView};
use crate::similarity::VectorCache;
use crate::vector_set::{cosine, cosine_with_stored, unit_f32, Ranked, TopK, VectorSet};
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

fn metadata_not_found(name: &str, dataset: DatasetId) -> Error {
    Error::invalid(format!("MetadataProperty not found filtering by name={name}, dataset_id={dataset}"))
}

fn question_not_found(name: &str, dataset: DatasetId) -> Error {
    Error::invalid(format!("Question not found filtering by name={name}, dataset_id={dataset}"))
}

/// Whether a target compares numerically, so string terms like "3" are read as numbers.
fn numeric(target: &Target, schema: &DatasetSchema) -> bool {
    match target {
        Target::Metadata(_, numeric) => *numeric,
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

/// Whether the metadata property compares numbers.
fn numeric_property(property: &MetadataProperty) -> bool {
    !matches!(property.settings, MetadataSettings::Terms { .. })
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
        Scope::Metadata(name) => {
            let property = find_property(schema, name, dataset)?;
            Target::Metadata(property.name.clone(), numeric_property(property))
        }
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

/// The settings as `actor` may use them: for an annotator, without the metadata properties hidden
/// from annotators, so a filter, sort or legacy parameter naming one is answered exactly as one
/// naming a property that does not exist (nothing tells the property is there).
pub(crate) fn schema_seen_by<'a>(schema: &'a DatasetSchema, actor: &User) -> Cow<'a, DatasetSchema> {
    if sees_hidden_metadata(actor) || schema.metadata_properties.iter().all(|it| it.visible_for_annotators) {
        return Cow::Borrowed(schema);
    }
    let mut res = schema.clone();
    res.metadata_properties.retain(|it| it.visible_for_annotators);
    Cow::Owned(res)
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
        let ds = match as_ {
            SearchAs::Manager => managed_dataset(&mut tx, actor, dataset).await?,
            SearchAs::Member => readable_dataset(&mut tx, actor, dataset).await?,
        };
        let cached = self.schemas.get(&mut tx, &ds).await?;
        let schema = schema_seen_by(&cached, actor);
        let extended;
        let query = if legacy.is_empty() {
            query
        } else {
            extended = with_legacy(query, legacy, &schema, dataset)?;
            &extended
        };
        let mut resolved = resolve(query, &schema, dataset, actor, as_)?;
        resolved.submitted_completes = ds.distribution.min_submitted <= 1;
        let (hits, total): (Vec<(RecordId, Option<f64>)>, i64) = match &query.vector {
            Some(vector) => similar(&self.vectors, &mut tx, dataset, &schema, &resolved, vector, offset, limit).await?,
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
        hide_metadata(views.iter_mut().map(|it| &mut it.record), &schema, actor);
        let scored = views.into_iter().zip(hits.iter().map(|(_, score)| *score)).collect();
        Ok((scored, total))
    }
}

/// Candidates the in-memory f32 scan hands to the exact rescoring beyond the `k` asked for, so
/// that neighbours closer than f32 rounding cannot push a true top-k vector out.
pub(crate) const RESCORE_MARGIN: usize = 64;

/// The similarity search of model.md §10.7: cosine over the filtered candidates. Scores are
/// computed from the stored f64 vectors; which vectors to score comes from the in-memory copy of
/// the vector setting when it is current and fits the budget (through its approximate index
/// when it has one, see `ann.rs`), and from a scan of the database otherwise. Ties rank the earlier-inserted record first.
#[allow(clippy::too_many_arguments)]
async fn similar(
    cache: &VectorCache,
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
    let k = k as usize;
    let scored = match vector_set(cache, tx, settings.id, settings.dimensions as usize).await? {
        Some(set) => {
            let candidates = if resolved.text.is_none() && resolved.conditions.is_empty() {
                None
            } else {
                let seqs = store_search::matching_seqs(tx, dataset, resolved).await?;
                Some(set.positions_of(&seqs))
            };
            let query = unit_f32(reference.iter().copied());
            // The approximate index answers only unfiltered searches: a filter's candidates are
            // scanned exactly (there are fewer of them, and a graph walk may miss them all).
            let index = if candidates.is_none() { cache.index_for(settings.id, &set) } else { None };
            let scan = set.clone();
            let picked = tokio::task::spawn_blocking(move || {
                let wanted = k + RESCORE_MARGIN;
                index
                    .and_then(|index| crate::ann::search(&index, &scan, &query, wanted, exclude))
                    .unwrap_or_else(|| scan.top_k(&query, wanted, candidates.as_deref(), exclude))
            })
            .await
            .map_err(|e| Error::Failed(format!("similarity scan: {e}")))?;
            rescore(tx, &set, &picked, settings.id, &reference, k).await?
        }
        None => {
            let mut best = TopK::new(k);
            let mut ids = std::collections::HashMap::new();
            let reference_norm2: f64 = reference.iter().map(|x| x * x).sum();
            store_search::scan_vectors(tx, dataset, resolved, settings.id, |seq, id, bytes| {
                if Some(id) != exclude {
                    let score = cosine_with_stored(&reference, reference_norm2, bytes);
                    best.offer(seq as u64, score);
                    ids.insert(seq as u64, id);
                }
            })
            .await?;
            best.into_sorted().into_iter().filter_map(|it| Some((*ids.get(&it.position)?, it.score))).collect()
        }
    };
    let total = scored.len() as i64;
    let page = scored.into_iter().skip(offset as usize).map(|(id, cosine)| (id, Some((1.0 + cosine) / 2.0))).collect();
    Ok((page, total))
}

/// The in-memory copy of a vector setting's vectors at its current version: held, brought up to
/// date from an older held copy with only the vectors written since, read whole now, or `None`
/// when it would not fit the cache's budget.
async fn vector_set(
    cache: &VectorCache,
    tx: &mut Tx,
    settings: VectorSettingsId,
    dims: usize,
) -> Result<Option<Arc<VectorSet>>> {
    let version = store_search::vector_version(tx, settings).await?.unwrap_or(VectorVersion { current: 0, removed: 0 });
    if let Some(set) = cache.get(settings, version.current) {
        return Ok(Some(set));
    }
    let _loading = cache.loading.lock().await;
    if let Some(set) = cache.get(settings, version.current) {
        return Ok(Some(set));
    }
    // A held copy from before the latest writes, with no removal since: read only what they wrote.
    let held = cache.held(settings).filter(|it| it.version >= version.removed && it.version < version.current);
    if let Some(held) = held {
        let mut set = VectorSet::clone(&held);
        set.version = version.current;
        let mut in_place = true;
        store_search::stream_vectors(tx, settings, Some(held.version), |seq, id, bytes| {
            in_place = in_place && set.apply(seq, id, bytes);
        })
        .await?;
        if in_place && cache.fits(set.len(), dims) {
            let set = Arc::new(set);
            cache.insert(settings, set.clone());
            cache.change_loads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return Ok(Some(set));
        }
    }
    let n = store_search::count_vectors(tx, settings).await?.max(0) as usize;
    if !cache.fits(n, dims) {
        return Ok(None);
    }
    let mut set = VectorSet::new(version.current, dims, n);
    store_search::stream_vectors(tx, settings, None, |seq, id, bytes| set.push(seq, id, bytes)).await?;
    let set = Arc::new(set);
    cache.insert(settings, set.clone());
    cache.whole_loads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Ok(Some(set))
}

/// The best `k` of `picked` (positions in `set`) by exact cosine of their stored vectors, best
/// first, ties by position; a record deleted meanwhile is left out.
async fn rescore(
    tx: &mut Tx,
    set: &VectorSet,
    picked: &[Ranked],
    settings: VectorSettingsId,
    reference: &[f64],
    k: usize,
) -> Result<Vec<(RecordId, f64)>> {
    let ids: Vec<RecordId> = picked.iter().map(|it| set.id(it.position as usize)).collect();
    let stored: std::collections::HashMap<RecordId, Vec<f64>> = records::list_vectors(tx, &ids)
        .await?
        .into_iter()
        .filter(|it| it.vector_settings_id == settings)
        .map(|it| (it.record_id, it.value))
        .collect();
    let mut best = TopK::new(k);
    for it in picked {
        if let Some(value) = stored.get(&set.id(it.position as usize)) {
            best.offer(it.position, cosine(reference, value));
        }
    }
    Ok(best.into_sorted().into_iter().map(|it| (set.id(it.position as usize), it.score)).collect())
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
                // The reference's `total` counts values (each record's distinct terms), not terms.
                let total = values.iter().map(|(_, n)| n).sum();
                MetadataMetrics::Terms { total, values }
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
