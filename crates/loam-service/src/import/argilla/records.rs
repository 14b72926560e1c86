//! A batch of records of the server read (`GET /api/v1/datasets/{id}/records` items with
//! responses, suggestions and vectors), written in one transaction through the record write
//! (rows, text and metadata indexes, counts, vectors), the suggestions' upsert and the response
//! write (`response_write.rs`: statuses recomputed, activity, events), with the ids and
//! timestamps they had. Records already there are left as they are; of their responses and
//! suggestions only the missing ones are added (a user's response, a question's suggestion).
//! A record loam's rules refuse is reported with the reason; the others are written.

use std::collections::{HashMap, HashSet};

use loam_domain::distribution::RecordStatus;
use loam_domain::model::{DatasetStatus, Record, User};
use loam_domain::value::ResponseStatus;
use loam_domain::{DatasetId, QuestionId, RecordId, ResponseId, SuggestionId, UserId};
use loam_store::records::RecordWrites;
use loam_store::{datasets, records, responses, settings as store_settings, suggestions, users, Tx};
use serde_json::{Map, Value};

use super::{rejection_text, timestamp, uuid_of, RowCounts, UserMap};
use crate::records::{Checked, NewRecord, NewResponseItem, NewSuggestionItem, Validator};
use crate::response_write::{Locked, ResponseWrites, StatusEvents};
use crate::settings::Kept;
use crate::wire::event::Event;
use crate::{Error, Result, Service};

/// What became of a batch of records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordsImport {
    pub created: usize,
    /// Records that were there already (by id).
    pub present: usize,
    /// Responses, suggestions and vectors written (new records' and the missing ones of records
    /// that were there).
    pub responses: usize,
    pub suggestions: usize,
    pub vectors: usize,
    /// (record id or position, reason) of each record refused.
    pub refused: Vec<(String, String)>,
}

/// One source record, read into what the validator takes, with what it had beside.
struct Item<'a> {
    id: RecordId,
    raw: &'a Value,
    record: NewRecord,
    /// Source ids and timestamps of its responses (by loam author) and suggestions (by question).
    response_ids: HashMap<UserId, Kept<ResponseId>>,
    suggestion_ids: HashMap<QuestionId, Kept<SuggestionId>>,
}

fn kept_of<I: From<uuid::Uuid>>(raw: &Value) -> Option<Kept<I>> {
    let id = uuid_of(raw, "id").ok()?;
    Some(Kept { id: I::from(id), inserted_at: timestamp(raw, "inserted_at"), updated_at: timestamp(raw, "updated_at") })
}

fn read_item<'a>(raw: &'a Value, users: &UserMap) -> std::result::Result<Item<'a>, String> {
    let id = RecordId(uuid_of(raw, "id")?);
    let mut record = NewRecord {
        fields: Some(raw.get("fields").cloned().unwrap_or(Value::Null)),
        metadata: raw.get("metadata").cloned().filter(|it| !it.is_null()),
        external_id: raw.get("external_id").and_then(Value::as_str).map(str::to_owned),
        ..NewRecord::default()
    };
    let mut response_ids = HashMap::new();
    for response in raw.get("responses").and_then(Value::as_array).into_iter().flatten() {
        let source_user = UserId(uuid_of(response, "user_id")?);
        let user_id = users.get(&source_user).copied().unwrap_or(source_user);
        let status = response.get("status").and_then(Value::as_str).unwrap_or("");
        let status = ResponseStatus::parse(status).ok_or_else(|| format!("a response has the status `{status}`"))?;
        if let Some(kept) = kept_of(response) {
            response_ids.insert(user_id, kept);
        }
        let values = response.get("values").cloned().filter(|it| !it.is_null());
        record.responses.push(NewResponseItem { user_id, status, values });
    }
    let mut suggestion_ids = HashMap::new();
    for suggestion in raw.get("suggestions").and_then(Value::as_array).into_iter().flatten() {
        let question_id = QuestionId(uuid_of(suggestion, "question_id")?);
        if let Some(kept) = kept_of(suggestion) {
            suggestion_ids.insert(question_id, kept);
        }
        let given = |key: &str| suggestion.get(key).cloned().filter(|it| !it.is_null());
        record.suggestions.push(NewSuggestionItem {
            question_id,
            value: suggestion.get("value").cloned().unwrap_or(Value::Null),
            score: given("score"),
            agent: given("agent"),
            kind: given("type"),
        });
    }
    if let Some(vectors) = raw.get("vectors").and_then(Value::as_object) {
        record.vectors = vectors.clone();
    }
    Ok(Item { id, raw, record, response_ids, suggestion_ids })
}

impl Service {
    /// Imports a batch of records into `dataset` (imported before), in one transaction.
    /// `users` maps the source's user ids to loam's.
    pub async fn import_argilla_records(
        &self,
        dataset: DatasetId,
        raw: &[Value],
        users: &UserMap,
        dry_run: bool,
    ) -> Result<RecordsImport> {
        let mut res = RecordsImport::default();
        let mut items = Vec::with_capacity(raw.len());
        for (idx, it) in raw.iter().enumerate() {
            match read_item(it, users) {
                Ok(item) => items.push(item),
                Err(reason) => {
                    let name = it.get("id").and_then(Value::as_str).map_or_else(|| format!("#{idx}"), str::to_owned);
                    res.refused.push((name, reason));
                }
            }
        }
        let mut tx = self.store.write().await?;
        let ds = datasets::find_dataset(&mut tx, dataset).await?.ok_or_else(|| Error::not_found("Dataset", dataset))?;
        if ds.status != DatasetStatus::Ready {
            for item in items {
                res.refused.push((item.id.to_string(), "the dataset is not published in loam".to_owned()));
            }
            return Ok(res);
        }
        let ids: Vec<RecordId> = items.iter().map(|it| it.id).collect();
        let existing: HashMap<RecordId, Record> =
            records::find_records(&mut tx, dataset, &ids).await?.into_iter().map(|it| (it.id, it)).collect();
        let locked = Locked::take(&mut tx, existing.keys().copied()).await?;
        let existing: HashMap<RecordId, Record> = if locked.may_be_stale() {
            records::find_records(&mut tx, dataset, &ids).await?.into_iter().map(|it| (it.id, it)).collect()
        } else {
            existing
        };
        let schema = store_settings::load_schema(&mut tx, dataset).await?;
        let authors = known_users(&mut tx, &items).await?;
        let validator = Validator { dataset: &ds, schema: &schema, known_users: authors.keys().copied().collect() };
        let external: Vec<&str> = items
            .iter()
            .filter(|it| !existing.contains_key(&it.id))
            .filter_map(|it| it.record.external_id.as_deref())
            .collect();
        let taken: HashSet<String> = records::find_records_by_external_id(&mut tx, dataset, &external)
            .await?
            .into_iter()
            .filter_map(|it| it.external_id)
            .collect();
        let present: Vec<RecordId> = existing.keys().copied().collect();
        let have_responses: HashSet<(RecordId, UserId)> = responses::list_responses(&mut tx, &present, None)
            .await?
            .into_iter()
            .map(|it| (it.record_id, it.user_id))
            .collect();
        let have_suggestions: HashSet<(RecordId, QuestionId)> = suggestions::list_suggestions(&mut tx, &present)
            .await?
            .into_iter()
            .map(|it| (it.record_id, it.question_id))
            .collect();
        let mut batch_external = HashSet::new();
        let mut writes = RecordWrites::default();
        let mut new_suggestions = Vec::new();
        let mut new_responses: Vec<(Record, Checked, HashMap<UserId, Kept<ResponseId>>)> = Vec::new();
        let mut created = Vec::new();
        for mut item in items {
            let name = item.id.to_string();
            let found = existing.get(&item.id);
            if found.is_none() {
                if let Some(key) = item.record.external_id.as_deref() {
                    if taken.contains(key) || !batch_external.insert(key.to_owned()) {
                        res.refused.push((
                            name,
                            format!("loam has another record with the external id `{key}` in this dataset"),
                        ));
                        continue;
                    }
                }
            }
            if let Some(record) = found {
                // Only what is missing: responses of users without one, suggestions of questions
                // without one. Fields, metadata and vectors stay as they are.
                item.record.fields = None;
                item.record.metadata = None;
                item.record.vectors = Map::new();
                item.record.responses.retain(|it| !have_responses.contains(&(record.id, it.user_id)));
                item.record.suggestions.retain(|it| !have_suggestions.contains(&(record.id, it.question_id)));
                res.present += 1;
                if item.record.responses.is_empty() && item.record.suggestions.is_empty() {
                    continue;
                }
            }
            let mut checked = match validator.check(&item.record, item.id, found) {
                Ok(checked) => checked,
                Err(rejection) => {
                    if found.is_some() {
                        res.present -= 1;
                    }
                    res.refused.push((name, rejection_text(&rejection)));
                    continue;
                }
            };
            for suggestion in &mut checked.suggestions {
                if let Some(kept) = item.suggestion_ids.get(&suggestion.question_id) {
                    suggestion.id = kept.id;
                    suggestion.inserted_at = kept.inserted_at;
                    suggestion.updated_at = kept.updated_at;
                }
            }
            res.suggestions += checked.suggestions.len();
            res.responses += checked.responses.len();
            res.vectors += checked.vectors.len();
            new_suggestions.append(&mut checked.suggestions);
            let record = match found {
                Some(record) => record.clone(),
                None => {
                    let record = Record {
                        id: item.id,
                        dataset_id: dataset,
                        fields: checked.fields.clone().unwrap_or_default(),
                        metadata: checked.metadata.clone().flatten(),
                        external_id: item.record.external_id.clone(),
                        status: RecordStatus::Pending,
                        inserted_at: timestamp(item.raw, "inserted_at"),
                        updated_at: timestamp(item.raw, "updated_at"),
                    };
                    writes.vectors(record.id, std::mem::take(&mut checked.vectors));
                    writes.insert(record.clone());
                    created.push(record.id);
                    res.created += 1;
                    record
                }
            };
            if !checked.responses.is_empty() {
                new_responses.push((record, checked, item.response_ids));
            }
        }
        if dry_run {
            return Ok(res);
        }
        writes.write(&mut tx, &schema).await?;
        suggestions::upsert_suggestions(&mut tx, &new_suggestions).await?;
        let locked = locked.with_new(created.iter().copied());
        let mut response_writes = ResponseWrites::new(&mut tx, &ds, locked, ds.last_activity_at).await?;
        for (record, checked, kept) in &new_responses {
            for (user_id, status, values) in &checked.responses {
                let author = authors.get(user_id).ok_or_else(|| Error::not_found("User", user_id))?;
                let kept = kept.get(user_id).copied();
                response_writes.put_kept(&mut tx, record, author, None, *status, values.clone(), kept).await?;
            }
        }
        let mut outbox = response_writes.finish(&mut tx, StatusEvents::ByCaller).await?;
        outbox.records(&mut tx, Event::RecordCreated, &ds, &created).await?;
        tx.commit().await?;
        Ok(res)
    }

    /// A dataset's rows in loam, counted (what the import compares with the server it read).
    pub async fn imported_row_counts(&self, dataset: DatasetId) -> Result<RowCounts> {
        let mut tx = self.store.read().await?;
        Ok(loam_store::imported::row_counts(&mut tx, dataset).await?)
    }
}

/// The users the items' responses name that exist in loam.
async fn known_users(tx: &mut Tx, items: &[Item<'_>]) -> Result<HashMap<UserId, User>> {
    let wanted: HashSet<UserId> =
        items.iter().flat_map(|it| it.record.responses.iter().map(|response| response.user_id)).collect();
    let mut res = HashMap::new();
    for id in wanted {
        if let Some(user) = users::find_user(tx, id).await? {
            res.insert(id, user);
        }
    }
    Ok(res)
}
