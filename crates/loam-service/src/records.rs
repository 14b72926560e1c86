//! Records: bulk create and upsert (the SDKs' ingest path), listing, single-record reads and
//! writes, and deletion. Validation runs against the dataset's settings, loaded once per call;
//! a bulk call is all-or-nothing.

use std::collections::{HashMap, HashSet};

use loam_domain::distribution::{Distribution, RecordStatus};
use loam_domain::error::Loc;
use loam_domain::model::{Dataset, DatasetSchema, DatasetStatus, Record, Response, Suggestion, User};
use loam_domain::record::{check_fields, check_metadata, check_vector, FieldRef, MetadataRef};
use loam_domain::settings::QuestionSettings;
use loam_domain::value::{
    check_response, check_suggestion, restore_dropped_ranks, QuestionRef, ResponseStatus, ValueError,
};
use loam_domain::{DatasetId, QuestionId, RecordId, ResponseId, SuggestionId, Timestamp, UserId};
use loam_store::{datasets, records, responses, settings as store_settings, suggestions, users, Tx};
use serde_json::{Map, Value};

use crate::datasets::{managed_dataset, readable_dataset};
use crate::outbox::Outbox;
use crate::policy::{may_attribute, sees_all_responses};
use crate::search::{hide_metadata, record_texts};
use crate::wire::event::Event;
use crate::{now, Error, Result, Service};

/// One response inside a record payload.
#[derive(Clone, Debug)]
pub struct NewResponseItem {
    pub user_id: UserId,
    pub status: ResponseStatus,
    pub values: Option<Value>,
}

/// One suggestion inside a record payload (raw values, validated against the question).
#[derive(Clone, Debug)]
pub struct NewSuggestionItem {
    pub question_id: QuestionId,
    pub value: Value,
    pub score: Option<Value>,
    pub agent: Option<Value>,
    pub kind: Option<Value>,
}

/// A record payload. `fields` / `metadata` are `None` when the key was absent.
#[derive(Clone, Debug, Default)]
pub struct NewRecord {
    pub fields: Option<Value>,
    pub metadata: Option<Value>,
    pub external_id: Option<String>,
    pub responses: Vec<NewResponseItem>,
    pub suggestions: Vec<NewSuggestionItem>,
    pub vectors: Map<String, Value>,
}

#[derive(Clone, Debug, Default)]
pub struct UpsertRecord {
    pub id: Option<RecordId>,
    pub record: NewRecord,
}

/// A partial update of one record (PATCH, legacy bulk PATCH).
#[derive(Clone, Debug, Default)]
pub struct RecordPatch {
    pub fields: Option<Value>,
    /// `Some(Null)` clears.
    pub metadata: Option<Value>,
    /// Replaces all suggestions of the record when present.
    pub suggestions: Option<Vec<NewSuggestionItem>>,
    pub vectors: Option<Map<String, Value>>,
    /// The `external_id` the client sent. A record's external id never changes: sending a
    /// different one for a record that has one is refused rather than ignored (the legacy SDK
    /// sends the record's whole payload back); for a record without one it is ignored.
    pub external_id: Option<String>,
}

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

/// A response that passed validation: author, status, normalised values.
type CheckedResponse = (UserId, ResponseStatus, Option<Value>);

/// A record that passed validation, ready to store.
struct Checked {
    fields: Option<Map<String, Value>>,
    metadata: Option<Option<Map<String, Value>>>,
    suggestions: Vec<Suggestion>,
    vectors: Vec<(loam_domain::VectorSettingsId, Vec<f64>)>,
    responses: Vec<(UserId, ResponseStatus, Option<Value>)>,
}

/// The reason a record is rejected, before it is placed in a bulk message.
enum Reject {
    Schema(loam_domain::SchemaError),
    Reason(String),
}

impl From<ValueError> for Reject {
    fn from(err: ValueError) -> Self {
        match err {
            ValueError::Schema(it) => Reject::Schema(it),
            ValueError::Invalid(it) => Reject::Reason(it.0),
        }
    }
}

/// The largest single field value: room for the largest image data URL the clients accept
/// (5,000,000 characters) and nothing that would make one record dominate memory.
pub const MAX_FIELD_VALUE_BYTES: usize = 5_000_100;

struct Validator<'a> {
    dataset: &'a Dataset,
    schema: &'a DatasetSchema,
    known_users: HashSet<UserId>,
}

impl<'a> Validator<'a> {
    fn field_refs(&self) -> Vec<FieldRef<'a>> {
        self.schema
            .fields
            .iter()
            .map(|it| FieldRef { name: &it.name, required: it.required, settings: &it.settings })
            .collect()
    }

    fn question_refs(&self) -> Vec<QuestionRef<'a>> {
        self.schema
            .questions
            .iter()
            .map(|it| QuestionRef { name: &it.name, required: it.required, settings: &it.settings })
            .collect()
    }

    /// Field values, after a size check: no single value may exceed [`MAX_FIELD_VALUE_BYTES`].
    fn check_fields(&self, fields: &Value) -> Result<Map<String, Value>, Reject> {
        if let Value::Object(map) = fields {
            for (name, value) in map {
                let size = match value {
                    Value::String(text) => text.len(),
                    Value::Null => 0,
                    other => other.to_string().len(),
                };
                if size > MAX_FIELD_VALUE_BYTES {
                    return Err(Reject::Reason(format!(
                        "field '{name}' value is too large: {size} bytes, the maximum is {MAX_FIELD_VALUE_BYTES} bytes"
                    )));
                }
            }
        }
        Ok(check_fields(fields, &self.field_refs())?)
    }

    fn check_metadata(&self, metadata: &Value) -> Result<Option<Map<String, Value>>, Reject> {
        let map = match metadata {
            Value::Null => return Ok(None),
            Value::Object(map) => map,
            _ => {
                return Err(Reject::Schema(loam_domain::SchemaError::new(
                    vec![Loc::from("metadata")],
                    "dict_type",
                    "Input should be a valid dictionary",
                )))
            }
        };
        let props: Vec<MetadataRef<'_>> = self
            .schema
            .metadata_properties
            .iter()
            .map(|it| MetadataRef { name: &it.name, settings: &it.settings })
            .collect();
        check_metadata(map, &props, self.dataset.allow_extra_metadata, &self.dataset.id.to_string())
            .map_err(|e| Reject::Reason(e.0))?;
        Ok(Some(map.clone()))
    }

    fn check_suggestions(
        &self,
        items: &[NewSuggestionItem],
        record: RecordId,
        fields: &Map<String, Value>,
    ) -> Result<Vec<Suggestion>, Reject> {
        let wrap = |reason: String| Reject::Reason(format!("record does not have valid suggestions: {reason}"));
        let mut seen = HashSet::new();
        if !items.iter().all(|it| seen.insert(it.question_id)) {
            return Err(wrap("found duplicate suggestions question IDs".to_owned()));
        }
        let at = now();
        let mut res = Vec::with_capacity(items.len());
        for item in items {
            let Some(question) = self.schema.questions.iter().find(|q| q.id == item.question_id) else {
                return Err(wrap(format!("question id={} does not exists", item.question_id)));
            };
            let suggestion = checked_suggestion(item, question, record, fields, at).map_err(|e| match e {
                ValueError::Schema(it) => Reject::Schema(it),
                ValueError::Invalid(it) => wrap(it.0),
            })?;
            res.push(suggestion);
        }
        Ok(res)
    }

    fn check_vectors(
        &self,
        vectors: &Map<String, Value>,
    ) -> Result<Vec<(loam_domain::VectorSettingsId, Vec<f64>)>, Reject> {
        let mut res = Vec::with_capacity(vectors.len());
        for (name, value) in vectors {
            let settings = self.schema.vector_settings.iter().find(|it| &it.name == name);
            let numbers = check_vector(name, value, settings.map(|it| it.dimensions), &self.dataset.id.to_string())
                .map_err(|e| Reject::Reason(format!("record does not have valid vectors: {}", e.0)))?;
            if let Some(settings) = settings {
                res.push((settings.id, numbers));
            }
        }
        Ok(res)
    }

    fn check_responses(
        &self,
        items: &[NewResponseItem],
        fields: &Map<String, Value>,
    ) -> Result<Vec<(UserId, ResponseStatus, Option<Value>)>, Reject> {
        let questions = self.question_refs();
        let mut seen = HashSet::new();
        let mut res = Vec::with_capacity(items.len());
        for item in items {
            if !seen.insert(item.user_id) {
                return Err(Reject::Schema(loam_domain::SchemaError::value(
                    vec![Loc::from("responses")],
                    format!("'responses' contains several responses for the same user_id='{}'", item.user_id),
                )));
            }
            if !self.known_users.contains(&item.user_id) {
                return Err(Reject::Reason(format!(
                    "record does not have valid responses: user with id {} not found",
                    item.user_id
                )));
            }
            let values =
                check_response(item.values.as_ref(), item.status, &questions, fields).map_err(|e| match e {
                    ValueError::Schema(it) => Reject::Schema(it),
                    ValueError::Invalid(it) => {
                        Reject::Reason(format!("record does not have valid responses: {}", it.0))
                    }
                })?;
            res.push((item.user_id, item.status, values));
        }
        Ok(res)
    }

    /// Checks a payload for a new record (fields required) or an update of `existing`.
    fn check(&self, item: &NewRecord, record: RecordId, existing: Option<&Record>) -> Result<Checked, Reject> {
        let fields = match (&item.fields, existing) {
            (Some(fields), _) => Some(self.check_fields(fields)?),
            (None, None) => Some(check_fields(&Value::Null, &self.field_refs())?),
            (None, Some(_)) => None,
        };
        let metadata = match &item.metadata {
            Some(metadata) => Some(self.check_metadata(metadata)?),
            None => None,
        };
        let empty = Map::new();
        let effective_fields = fields.as_ref().or(existing.map(|it| &it.fields)).unwrap_or(&empty);
        let suggestions = self.check_suggestions(&item.suggestions, record, effective_fields)?;
        let vectors = self.check_vectors(&item.vectors)?;
        let responses = self.check_responses(&item.responses, effective_fields)?;
        Ok(Checked { fields, metadata, suggestions, vectors, responses })
    }
}

/// What a bulk call writes, gathered so that each kind of row reaches the database in
/// multi-row statements rather than one statement per row.
#[derive(Default)]
struct Batch {
    new_records: Vec<Record>,
    suggestions: Vec<Suggestion>,
    vectors: Vec<(RecordId, loam_domain::VectorSettingsId, Vec<f64>)>,
    responses: Vec<(RecordId, Vec<CheckedResponse>)>,
}

impl Batch {
    fn add(&mut self, record: RecordId, res: Checked) {
        self.suggestions.extend(res.suggestions);
        self.vectors.extend(res.vectors.into_iter().map(|(settings, value)| (record, settings, value)));
        if !res.responses.is_empty() {
            self.responses.push((record, res.responses));
        }
    }

    /// Inserts the new records (and their texts into the search index), then suggestions,
    /// vectors and responses, then the statuses of the records that got responses.
    async fn write(self, tx: &mut Tx, ds: &Dataset, schema: &DatasetSchema, at: loam_domain::Timestamp) -> Result<()> {
        let seqs = records::insert_records(tx, &self.new_records).await?;
        let texts: Vec<(i64, Vec<(i64, String)>)> =
            seqs.iter().zip(&self.new_records).map(|(seq, r)| (*seq, record_texts(schema, &r.fields))).collect();
        loam_store::text_index::index_records(tx, &texts).await?;
        suggestions::upsert_suggestions(tx, &self.suggestions).await?;
        records::upsert_vectors(tx, &self.vectors).await?;
        for (record, items) in &self.responses {
            for (user_id, status, values) in items {
                match responses::find_response_of(tx, *record, *user_id).await? {
                    Some(mut response) => {
                        response.status = *status;
                        response.values = values.clone();
                        response.updated_at = at;
                        responses::update_response(tx, &response).await?;
                    }
                    None => {
                        let response = Response {
                            id: ResponseId::new(),
                            record_id: *record,
                            user_id: *user_id,
                            values: values.clone(),
                            status: *status,
                            inserted_at: at,
                            updated_at: at,
                        };
                        responses::insert_response(tx, ds.id, &response).await?;
                    }
                }
                datasets::add_dataset_user(tx, ds.id, *user_id, at).await?;
            }
            recompute_with(tx, ds.distribution, *record).await?;
        }
        if !self.responses.is_empty() {
            datasets::touch_activity(tx, ds.id, at).await?;
        }
        Ok(())
    }
}

/// Views of records a bulk call has just created, built from what it wrote: the reply then needs
/// no second read of them. Records that existed before, or got responses (whose status may
/// change), are read back after the writes.
#[derive(Default)]
struct Known {
    views: HashMap<RecordId, RecordView>,
}

impl Known {
    fn remember(&mut self, record: &Record, res: &Checked, schema: &DatasetSchema) {
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
    async fn views(
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

/// Validates a suggestion for `question` on a record with `fields`, ready to store.
pub(crate) fn checked_suggestion(
    item: &NewSuggestionItem,
    question: &loam_domain::model::Question,
    record: RecordId,
    fields: &Map<String, Value>,
    at: loam_domain::Timestamp,
) -> Result<Suggestion, ValueError> {
    let qref = QuestionRef { name: &question.name, required: question.required, settings: &question.settings };
    let checked =
        check_suggestion(&item.value, item.score.as_ref(), item.agent.as_ref(), item.kind.as_ref(), qref, fields)?;
    Ok(Suggestion {
        id: SuggestionId::new(),
        record_id: record,
        question_id: question.id,
        value: checked.value,
        score: checked.score,
        agent: checked.agent,
        kind: checked.kind,
        inserted_at: at,
        updated_at: at,
    })
}

/// A record about to be created from a checked payload.
fn new_record(
    id: RecordId,
    dataset: DatasetId,
    external_id: Option<String>,
    res: &Checked,
    at: loam_domain::Timestamp,
) -> Record {
    Record {
        id,
        dataset_id: dataset,
        fields: res.fields.clone().unwrap_or_default(),
        metadata: res.metadata.clone().flatten(),
        external_id,
        status: RecordStatus::Pending,
        inserted_at: at,
        updated_at: at,
    }
}

/// The 403 of a response attributed to another user by a caller who is not an owner.
fn attribution_refused(idx: usize, author: UserId, upsert: bool) -> Error {
    let unchanged = if upsert { " (another user's stored response may be sent back unchanged)" } else { "" };
    Error::ForbiddenBecause(format!(
        "Only owners may write responses attributed to other users: the record at position {idx} has a response by user `{author}`{unchanged}"
    ))
}

/// Applies the attribution rule (`policy::may_attribute`) to the checked responses of the upsert
/// item at `idx` (`existing`: the record it updates): a response by another user is refused unless
/// it repeats that user's stored response, status and values, as the v2 SDK sends back the records
/// it read; such a repeat is dropped, so it writes nothing.
async fn keep_attributable(
    tx: &mut Tx,
    actor: &User,
    idx: usize,
    existing: Option<RecordId>,
    items: &mut Vec<CheckedResponse>,
) -> Result<()> {
    let mut kept = Vec::with_capacity(items.len());
    for (author, status, values) in items.drain(..) {
        if may_attribute(actor, author) {
            kept.push((author, status, values));
            continue;
        }
        let stored = match existing {
            Some(record) => responses::find_response_of(tx, record, author).await?,
            None => None,
        };
        let unchanged = stored.is_some_and(|it| it.status == status && same_values(&it.values, &values));
        if !unchanged {
            return Err(attribution_refused(idx, author, true));
        }
    }
    *items = kept;
    Ok(())
}

/// Response values compared as stored: no values, `null` and `{}` all mean "no answers".
fn same_values(a: &Option<Value>, b: &Option<Value>) -> bool {
    let empty = |it: &Option<Value>| match it {
        None | Some(Value::Null) => true,
        Some(Value::Object(map)) => map.is_empty(),
        Some(_) => false,
    };
    (empty(a) && empty(b)) || a == b
}

fn at_position(idx: usize, reject: Reject) -> Error {
    match reject {
        Reject::Reason(reason) => Error::Invalid(format!("Record at position {idx} is not valid because {reason}")),
        Reject::Schema(err) => {
            Error::Schema(vec![err.under(&[Loc::from("body"), Loc::from("items"), Loc::Index(idx)])])
        }
    }
}

fn bare(reject: Reject) -> Error {
    match reject {
        Reject::Reason(reason) => Error::Invalid(reason),
        Reject::Schema(err) => Error::Schema(vec![err.under(&[Loc::from("body")])]),
    }
}

/// The users a payload's responses name, that exist.
async fn known_users(tx: &mut Tx, items: &[&NewResponseItem]) -> Result<HashSet<UserId>> {
    let mut res = HashSet::new();
    let wanted: HashSet<UserId> = items.iter().map(|it| it.user_id).collect();
    for id in wanted {
        if users::find_user(tx, id).await?.is_some() {
            res.insert(id);
        }
    }
    Ok(res)
}

impl Service {
    /// Bulk create (POST …/records/bulk and the legacy POST …/records). `legacy` picks the
    /// legacy wording of the draft-dataset message.
    pub async fn create_records(
        &self,
        actor: &User,
        dataset: DatasetId,
        items: Vec<NewRecord>,
        legacy: bool,
    ) -> Result<Vec<RecordView>> {
        let mut tx = self.store.write().await?;
        let ds = managed_dataset(&mut tx, actor, dataset).await?;
        if ds.status != DatasetStatus::Ready {
            return Err(Error::invalid(if legacy {
                "Records cannot be created for a non published dataset"
            } else {
                "records cannot be created for a non published dataset"
            }));
        }
        for (idx, item) in items.iter().enumerate() {
            if let Some(other) = item.responses.iter().find(|it| !may_attribute(actor, it.user_id)) {
                return Err(attribution_refused(idx, other.user_id, false));
            }
        }
        check_unique_external_ids(items.iter().map(|it| it.external_id.as_deref()))?;
        let external_ids: Vec<&str> = items.iter().filter_map(|it| it.external_id.as_deref()).collect();
        let clashing = records::find_records_by_external_id(&mut tx, dataset, &external_ids).await?;
        if !clashing.is_empty() {
            let clashing: HashSet<&str> = clashing.iter().filter_map(|it| it.external_id.as_deref()).collect();
            let listed: Vec<&str> = external_ids.iter().copied().filter(|it| clashing.contains(it)).collect();
            return Err(Error::invalid(format!("found records with same external ids: {}", listed.join(", "))));
        }
        let schema = store_settings::load_schema(&mut tx, dataset).await?;
        let all_responses: Vec<&NewResponseItem> = items.iter().flat_map(|it| it.responses.iter()).collect();
        let validator =
            Validator { dataset: &ds, schema: &schema, known_users: known_users(&mut tx, &all_responses).await? };
        let mut checked = Vec::with_capacity(items.len());
        for (idx, item) in items.iter().enumerate() {
            let id = RecordId::new();
            let res = validator.check(item, id, None).map_err(|e| at_position(idx, e))?;
            checked.push((id, item.external_id.clone(), res));
        }
        let mut ids = Vec::with_capacity(checked.len());
        let at = now();
        let mut batch = Batch::default();
        let mut known = Known::default();
        for (id, external_id, res) in checked {
            let record = new_record(id, dataset, external_id, &res, at);
            known.remember(&record, &res, &schema);
            batch.add(record.id, res);
            batch.new_records.push(record);
            ids.push(id);
        }
        batch.write(&mut tx, &ds, &schema, at).await?;
        Outbox::open(&mut tx).await?.records(&mut tx, Event::RecordCreated, &ds, &ids).await?;
        let views = known.views(&mut tx, dataset, &ids, &schema).await?;
        tx.commit().await?;
        Ok(views)
    }

    /// Bulk upsert (PUT …/records/bulk): match by id, then external id, else create.
    pub async fn upsert_records(
        &self,
        actor: &User,
        dataset: DatasetId,
        mut items: Vec<UpsertRecord>,
    ) -> Result<Vec<RecordView>> {
        let mut tx = self.store.write().await?;
        let ds = managed_dataset(&mut tx, actor, dataset).await?;
        if ds.status != DatasetStatus::Ready {
            return Err(Error::invalid("records cannot be created for a non published dataset"));
        }
        check_unique_external_ids(items.iter().map(|it| it.record.external_id.as_deref()))?;
        let by_id: HashMap<RecordId, Record> = {
            let ids: Vec<RecordId> = items.iter().filter_map(|it| it.id).collect();
            records::find_records(&mut tx, dataset, &ids).await?.into_iter().map(|it| (it.id, it)).collect()
        };
        let by_external: HashMap<String, Record> = {
            let external: Vec<&str> = items.iter().filter_map(|it| it.record.external_id.as_deref()).collect();
            records::find_records_by_external_id(&mut tx, dataset, &external)
                .await?
                .into_iter()
                .filter_map(|it| it.external_id.clone().map(|key| (key, it)))
                .collect()
        };
        let schema = store_settings::load_schema(&mut tx, dataset).await?;
        let ranking: Vec<&str> = schema
            .questions
            .iter()
            .filter(|q| matches!(q.settings, QuestionSettings::Ranking { .. }))
            .map(|q| q.name.as_str())
            .collect();
        if !ranking.is_empty() {
            // Responses of existing records sent back by the v2 SDK without their ranks.
            for item in &mut items {
                let existing = item
                    .id
                    .and_then(|id| by_id.get(&id))
                    .or_else(|| item.record.external_id.as_ref().and_then(|key| by_external.get(key)))
                    .map(|it| it.id);
                let Some(record) = existing else {
                    continue;
                };
                for response in &mut item.record.responses {
                    let Some(values) = response.values.as_mut() else {
                        continue;
                    };
                    let stored = responses::find_response_of(&mut tx, record, response.user_id).await?;
                    if let Some(stored) = stored.and_then(|it| it.values) {
                        restore_dropped_ranks(values, &stored, &ranking);
                    }
                }
            }
        }
        let all_responses: Vec<&NewResponseItem> = items.iter().flat_map(|it| it.record.responses.iter()).collect();
        let validator =
            Validator { dataset: &ds, schema: &schema, known_users: known_users(&mut tx, &all_responses).await? };
        let mut checked = Vec::with_capacity(items.len());
        for (idx, item) in items.iter().enumerate() {
            let existing = item
                .id
                .and_then(|id| by_id.get(&id))
                .or_else(|| item.record.external_id.as_ref().and_then(|key| by_external.get(key)));
            let id = existing.map(|it| it.id).unwrap_or_default();
            let res = validator.check(&item.record, id, existing).map_err(|e| at_position(idx, e))?;
            checked.push((existing.cloned(), id, item.record.external_id.clone(), res));
        }
        for (idx, (existing, id, _, res)) in checked.iter_mut().enumerate() {
            keep_attributable(&mut tx, actor, idx, existing.is_some().then_some(*id), &mut res.responses).await?;
        }
        let at = now();
        let mut ids = Vec::with_capacity(checked.len());
        let (mut created, mut updated) = (Vec::new(), Vec::new());
        let mut batch = Batch::default();
        let mut known = Known::default();
        for (existing, id, external_id, res) in checked {
            match existing {
                Some(mut record) => {
                    updated.push(id);
                    let mut touched = false;
                    if let Some(fields) = &res.fields {
                        record.fields = fields.clone();
                        touched = true;
                    }
                    if let Some(metadata) = &res.metadata {
                        record.metadata = metadata.clone();
                        touched = true;
                    }
                    if touched {
                        record.updated_at = at;
                        records::update_record(&mut tx, &record).await?;
                    }
                    if res.fields.is_some() {
                        reindex(&mut tx, &schema, &record).await?;
                    }
                }
                None => {
                    created.push(id);
                    let record = new_record(id, dataset, external_id, &res, at);
                    known.remember(&record, &res, &schema);
                    batch.new_records.push(record);
                }
            }
            batch.add(id, res);
            ids.push(id);
        }
        batch.write(&mut tx, &ds, &schema, at).await?;
        let mut outbox = Outbox::open(&mut tx).await?;
        outbox.records(&mut tx, Event::RecordCreated, &ds, &created).await?;
        outbox.records(&mut tx, Event::RecordUpdated, &ds, &updated).await?;
        let views = known.views(&mut tx, dataset, &ids, &schema).await?;
        tx.commit().await?;
        Ok(views)
    }

    /// Writes the suggestions and vectors of a patched record (`replace_suggestions` drops its
    /// other suggestions first).
    async fn store_parts(&self, tx: &mut Tx, record: &Record, res: Checked, replace_suggestions: bool) -> Result<()> {
        if replace_suggestions {
            suggestions::delete_suggestions_of(tx, record.id).await?;
        }
        suggestions::upsert_suggestions(tx, &res.suggestions).await?;
        let vectors: Vec<_> = res.vectors.into_iter().map(|(settings, value)| (record.id, settings, value)).collect();
        records::upsert_vectors(tx, &vectors).await?;
        Ok(())
    }

    /// Re-evaluates a record's status from its submitted responses.
    pub(crate) async fn recompute_status(
        &self,
        tx: &mut Tx,
        dataset: DatasetId,
        record: RecordId,
    ) -> Result<RecordStatus> {
        let ds = crate::datasets::find_dataset(tx, dataset).await?;
        recompute_with(tx, ds.distribution, record).await
    }

    /// A page of a dataset's records, with the dataset's total (owners and managing admins).
    pub async fn list_records(
        &self,
        actor: &User,
        dataset: DatasetId,
        offset: i64,
        limit: i64,
        include: &Include,
    ) -> Result<(Vec<RecordView>, i64)> {
        let mut tx = self.store.read().await?;
        let ds = managed_dataset(&mut tx, actor, dataset).await?;
        let page = records::list_records(&mut tx, dataset, offset, limit).await?;
        let total = records::count_records(&mut tx, dataset).await?;
        let schema = self.schemas.get(&mut tx, &ds).await?;
        let views = hydrate(&mut tx, page, include, None, &schema).await?;
        Ok((views, total))
    }

    /// A record with everything loaded, as `actor` may see it: an annotator gets only their own
    /// responses (every one when the dataset opts in) and only the metadata visible to annotators.
    pub async fn get_record(&self, actor: &User, id: RecordId) -> Result<RecordView> {
        let mut tx = self.store.read().await?;
        let record = find_record(&mut tx, id).await?;
        let ds = readable_dataset(&mut tx, actor, record.dataset_id).await?;
        let schema = self.schemas.get(&mut tx, &ds).await?;
        let only_user = (!sees_all_responses(actor, &ds)).then_some(actor.id);
        let mut views = hydrate(&mut tx, vec![record], &Include::all(), only_user, &schema).await?;
        hide_metadata(views.iter_mut().map(|it| &mut it.record), &schema, actor);
        views.pop().ok_or_else(|| Error::not_found("Record", id))
    }

    pub async fn update_record(&self, actor: &User, id: RecordId, patch: RecordPatch) -> Result<RecordView> {
        let mut tx = self.store.write().await?;
        let record = find_record(&mut tx, id).await?;
        let ds = managed_dataset(&mut tx, actor, record.dataset_id).await?;
        let schema = store_settings::load_schema(&mut tx, ds.id).await?;
        self.apply_patch(&mut tx, &ds, &schema, record, patch).map_err(bare)?.run(self, &mut tx).await?;
        Outbox::open(&mut tx).await?.records(&mut tx, Event::RecordUpdated, &ds, &[id]).await?;
        let mut views = hydrate_ids(&mut tx, ds.id, &[id], &Include::all(), None, &schema).await?;
        tx.commit().await?;
        views.pop().ok_or_else(|| Error::not_found("Record", id))
    }

    /// Legacy bulk PATCH …/records: items name existing records by id.
    pub async fn update_records(
        &self,
        actor: &User,
        dataset: DatasetId,
        items: Vec<(RecordId, RecordPatch)>,
    ) -> Result<()> {
        let mut tx = self.store.write().await?;
        let ds = managed_dataset(&mut tx, actor, dataset).await?;
        let mut seen = HashSet::new();
        if !items.iter().all(|(id, _)| seen.insert(*id)) {
            return Err(Error::invalid("Found duplicate records IDs"));
        }
        let ids: Vec<RecordId> = items.iter().map(|(id, _)| *id).collect();
        let found: HashMap<RecordId, Record> =
            records::find_records(&mut tx, dataset, &ids).await?.into_iter().map(|it| (it.id, it)).collect();
        let missing: Vec<String> = ids.iter().filter(|id| !found.contains_key(id)).map(ToString::to_string).collect();
        if !missing.is_empty() {
            return Err(Error::invalid(format!("Found records that do not exist: {}", missing.join(", "))));
        }
        let schema = store_settings::load_schema(&mut tx, dataset).await?;
        let mut plans = Vec::with_capacity(items.len());
        for (idx, (id, patch)) in items.into_iter().enumerate() {
            let record = found.get(&id).cloned().ok_or_else(|| Error::not_found("Record", id))?;
            plans.push(self.apply_patch(&mut tx, &ds, &schema, record, patch).map_err(|e| at_position(idx, e))?);
        }
        for plan in plans {
            plan.run(self, &mut tx).await?;
        }
        Outbox::open(&mut tx).await?.records(&mut tx, Event::RecordUpdated, &ds, &ids).await?;
        tx.commit().await?;
        Ok(())
    }

    fn apply_patch(
        &self,
        _tx: &mut Tx,
        ds: &Dataset,
        schema: &DatasetSchema,
        record: Record,
        patch: RecordPatch,
    ) -> Result<PatchPlan, Reject> {
        let validator = Validator { dataset: ds, schema, known_users: HashSet::new() };
        if let (Some(sent), Some(stored)) = (&patch.external_id, &record.external_id) {
            if sent != stored {
                return Err(Reject::Reason(format!(
                    "its external_id cannot change (not supported by loam): the record has '{stored}', the update sends '{sent}'"
                )));
            }
        }
        let fields = match &patch.fields {
            Some(fields) => Some(validator.check_fields(fields)?),
            None => None,
        };
        let metadata = match &patch.metadata {
            Some(metadata) => Some(validator.check_metadata(metadata)?),
            None => None,
        };
        let effective = fields.as_ref().unwrap_or(&record.fields).clone();
        let suggestions = match &patch.suggestions {
            Some(items) => Some(validator.check_suggestions(items, record.id, &effective)?),
            None => None,
        };
        let vectors = match &patch.vectors {
            Some(vectors) => validator.check_vectors(vectors)?,
            None => Vec::new(),
        };
        Ok(PatchPlan { schema: schema.clone(), record, fields, metadata, suggestions, vectors })
    }

    pub async fn delete_record(&self, actor: &User, id: RecordId) -> Result<Record> {
        let mut tx = self.store.write().await?;
        let record = find_record(&mut tx, id).await?;
        let ds = managed_dataset(&mut tx, actor, record.dataset_id).await?;
        Outbox::open(&mut tx).await?.record(&mut tx, Event::RecordDeleted, &ds, &record).await?;
        records::delete_records(&mut tx, record.dataset_id, &[id]).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Deletes records of a dataset by id; ids of other datasets are ignored.
    pub async fn delete_records(&self, actor: &User, dataset: DatasetId, ids: &[RecordId]) -> Result<Vec<RecordId>> {
        let mut tx = self.store.write().await?;
        let ds = managed_dataset(&mut tx, actor, dataset).await?;
        // Rendered before the rows go: receivers get the records as they were.
        Outbox::open(&mut tx).await?.records(&mut tx, Event::RecordDeleted, &ds, ids).await?;
        let deleted = records::delete_records(&mut tx, dataset, ids).await?;
        tx.commit().await?;
        Ok(deleted)
    }
}

/// A validated patch, ready to write.
struct PatchPlan {
    schema: DatasetSchema,
    record: Record,
    fields: Option<Map<String, Value>>,
    metadata: Option<Option<Map<String, Value>>>,
    suggestions: Option<Vec<Suggestion>>,
    vectors: Vec<(loam_domain::VectorSettingsId, Vec<f64>)>,
}

impl PatchPlan {
    async fn run(self, service: &Service, tx: &mut Tx) -> Result<()> {
        let mut record = self.record;
        let touched = self.fields.is_some() || self.metadata.is_some();
        let reindexing = self.fields.is_some();
        if let Some(fields) = self.fields {
            record.fields = fields;
        }
        if let Some(metadata) = self.metadata {
            record.metadata = metadata;
        }
        let at = now();
        if touched {
            record.updated_at = at;
            records::update_record(tx, &record).await?;
        }
        if reindexing {
            reindex(tx, &self.schema, &record).await?;
        }
        let replace = self.suggestions.is_some();
        let checked = Checked {
            fields: None,
            metadata: None,
            suggestions: self.suggestions.unwrap_or_default(),
            vectors: self.vectors,
            responses: Vec::new(),
        };
        service.store_parts(tx, &record, checked, replace).await
    }
}

fn check_unique_external_ids<'a>(ids: impl Iterator<Item = Option<&'a str>>) -> Result<()> {
    let mut seen = HashSet::new();
    for id in ids.flatten() {
        if !seen.insert(id) {
            return Err(Error::Schema(vec![loam_domain::SchemaError::value(
                vec![Loc::from("body"), Loc::from("items")],
                "External IDs must be unique",
            )]));
        }
    }
    Ok(())
}

/// Replaces a record's texts in the search index after its fields changed.
async fn reindex(tx: &mut Tx, schema: &DatasetSchema, record: &Record) -> Result<()> {
    let seq = records::find_seq(tx, record.id).await?.ok_or_else(|| Error::not_found("Record", record.id))?;
    loam_store::text_index::unindex_record(tx, seq).await?;
    loam_store::text_index::index_record(tx, seq, &record_texts(schema, &record.fields)).await?;
    Ok(())
}

pub(crate) async fn recompute_with(tx: &mut Tx, distribution: Distribution, record: RecordId) -> Result<RecordStatus> {
    let n_submitted = responses::count_submitted(tx, record).await?;
    let status = distribution.status_for(n_submitted);
    records::set_status(tx, record, status).await?;
    Ok(status)
}

/// `recompute_with`, and the dataset's last activity set to `at` with the same write of the
/// dataset's row: what every response write ends with.
pub(crate) async fn recompute_touching(
    tx: &mut Tx,
    ds: &Dataset,
    record: RecordId,
    at: Timestamp,
) -> Result<RecordStatus> {
    let n_submitted = responses::count_submitted(tx, record).await?;
    let status = ds.distribution.status_for(n_submitted);
    records::set_status_touching(tx, ds.id, record, status, at).await?;
    Ok(status)
}

pub(crate) async fn find_record(tx: &mut Tx, id: RecordId) -> Result<Record> {
    records::find_record(tx, id).await?.ok_or_else(|| Error::not_found("Record", id))
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
