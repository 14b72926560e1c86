//! Records as callers receive them: what to load with them ([`Include`]), the loading itself
//! (responses, suggestions and vectors of a page in one query each), and what an annotator may
//! not see of their metadata. The search use case hydrates its hits here too.

use std::collections::HashMap;

use loam_domain::model::{DatasetSchema, Record, Response, Suggestion, User};
use loam_domain::{DatasetId, RecordId, UserId};
use loam_store::{records, responses, suggestions, Tx};

use super::validate::Checked;
use crate::policy::sees_hidden_metadata;
use crate::Result;

#[derive(Clone, Debug, Default, PartialEq)]
pub enum VectorsInclude {
    #[default]
    None,
    All,
    Named(Vec<String>),
}

/// What to load with records.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Include {
    pub responses: bool,
    pub suggestions: bool,
    pub vectors: VectorsInclude,
}

impl Include {
    pub fn all() -> Self {
        Self { responses: true, suggestions: true, vectors: VectorsInclude::All }
    }
}

/// A record with what was asked to be loaded with it (`None` = not loaded).
#[derive(Clone, Debug)]
pub struct RecordView {
    pub record: Record,
    pub responses: Option<Vec<Response>>,
    pub suggestions: Option<Vec<Suggestion>>,
    pub vectors: Option<Vec<(String, Vec<f64>)>>,
}

/// Removes from records what `actor` may not see of their metadata: for an annotator, every key
/// without a property visible to annotators (hidden properties, and keys of no property at all,
/// which the reference shows to owners and admins only).
pub(crate) fn hide_metadata<'a>(records: impl Iterator<Item = &'a mut Record>, schema: &DatasetSchema, actor: &User) {
    if sees_hidden_metadata(actor) {
        return;
    }
    for record in records {
        if let Some(metadata) = &mut record.metadata {
            metadata
                .retain(|key, _| schema.metadata_properties.iter().any(|p| &p.name == key && p.visible_for_annotators));
        }
    }
}

/// Views of records a bulk call has just created, built from what it wrote: the reply then needs
/// no second read of them. Records that existed before, or got responses (whose status may
/// change), are read back after the writes.
#[derive(Default)]
pub(super) struct Known {
    views: HashMap<RecordId, RecordView>,
}

impl Known {
    pub(super) fn remember(&mut self, record: &Record, res: &Checked, schema: &DatasetSchema) {
        if !res.responses.is_empty() {
            return;
        }
        let names: HashMap<_, &str> = schema.vector_settings.iter().map(|it| (it.id, it.name.as_str())).collect();
        let vectors = res
            .vectors
            .iter()
            .filter_map(|(settings, value)| names.get(settings).map(|name| ((*name).to_owned(), value.clone())))
            .collect();
        let view = RecordView {
            record: record.clone(),
            responses: Some(Vec::new()),
            suggestions: Some(res.suggestions.clone()),
            vectors: Some(vectors),
        };
        self.views.insert(record.id, view);
    }

    /// The views of `ids`, in order: remembered ones as they are, the rest read back.
    pub(super) async fn views(
        mut self,
        tx: &mut Tx,
        dataset: DatasetId,
        ids: &[RecordId],
        schema: &DatasetSchema,
    ) -> Result<Vec<RecordView>> {
        let missing: Vec<RecordId> = ids.iter().copied().filter(|id| !self.views.contains_key(id)).collect();
        for view in hydrate_ids(tx, dataset, &missing, &Include::all(), None, schema).await? {
            self.views.insert(view.record.id, view);
        }
        Ok(ids.iter().filter_map(|id| self.views.remove(id)).collect())
    }
}

/// Loads records by id (keeping the order of `ids`) and hydrates them.
pub(crate) async fn hydrate_ids(
    tx: &mut Tx,
    dataset: DatasetId,
    ids: &[RecordId],
    include: &Include,
    only_user: Option<UserId>,
    schema: &DatasetSchema,
) -> Result<Vec<RecordView>> {
    let mut by_id: HashMap<RecordId, Record> =
        records::find_records(tx, dataset, ids).await?.into_iter().map(|it| (it.id, it)).collect();
    let ordered: Vec<Record> = ids.iter().filter_map(|id| by_id.remove(id)).collect();
    hydrate(tx, ordered, include, only_user, schema).await
}

/// Attaches responses (of `only_user` when given), suggestions and vectors as `include` asks.
pub(crate) async fn hydrate(
    tx: &mut Tx,
    page: Vec<Record>,
    include: &Include,
    only_user: Option<UserId>,
    schema: &DatasetSchema,
) -> Result<Vec<RecordView>> {
    let ids: Vec<RecordId> = page.iter().map(|it| it.id).collect();
    let mut responses_of: HashMap<RecordId, Vec<Response>> = HashMap::new();
    if include.responses {
        for response in responses::list_responses(tx, &ids, only_user).await? {
            responses_of.entry(response.record_id).or_default().push(response);
        }
    }
    let mut suggestions_of: HashMap<RecordId, Vec<Suggestion>> = HashMap::new();
    if include.suggestions {
        for suggestion in suggestions::list_suggestions(tx, &ids).await? {
            suggestions_of.entry(suggestion.record_id).or_default().push(suggestion);
        }
    }
    let mut vectors_of: HashMap<RecordId, Vec<(String, Vec<f64>)>> = HashMap::new();
    if include.vectors != VectorsInclude::None {
        let names: HashMap<_, &str> = schema.vector_settings.iter().map(|it| (it.id, it.name.as_str())).collect();
        for vector in records::list_vectors(tx, &ids).await? {
            let Some(name) = names.get(&vector.vector_settings_id) else {
                continue;
            };
            let wanted = match &include.vectors {
                VectorsInclude::Named(wanted) => wanted.iter().any(|it| it == name),
                _ => true,
            };
            if wanted {
                vectors_of.entry(vector.record_id).or_default().push(((*name).to_owned(), vector.value));
            }
        }
    }
    Ok(page
        .into_iter()
        .map(|record| {
            let id = record.id;
            RecordView {
                record,
                responses: include.responses.then(|| responses_of.remove(&id).unwrap_or_default()),
                suggestions: include.suggestions.then(|| suggestions_of.remove(&id).unwrap_or_default()),
                vectors: (include.vectors != VectorsInclude::None).then(|| vectors_of.remove(&id).unwrap_or_default()),
            }
        })
        .collect())
}
