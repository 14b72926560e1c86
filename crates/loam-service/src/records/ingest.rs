//! The SDKs' ingest paths: bulk create (POST …/records/bulk, the legacy POST …/records) and bulk
//! upsert (PUT …/records/bulk). All-or-nothing: every item is validated before anything is
//! written, and the records that get responses are locked first (`response_write.rs`).

use std::collections::{HashMap, HashSet};

use loam_domain::model::{DatasetStatus, Record, User};
use loam_domain::settings::QuestionSettings;
use loam_domain::value::restore_dropped_ranks;
use loam_domain::{DatasetId, RecordId, UserId};
use loam_store::records::Texts;
use loam_store::{records, responses, settings as store_settings, users, Tx};

use super::input::{NewRecord, NewResponseItem, UpsertRecord};
use super::validate::{at_position, check_unique_external_ids, same_values, CheckedResponse, Validator};
use super::view::{Known, RecordView};
use super::write::{new_record, Batch};
use crate::datasets::managed_dataset;
use crate::policy::may_attribute;
use crate::response_write::Locked;
use crate::wire::event::Event;
use crate::{now, Error, Result, Service};

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

/// The users a payload's responses name, that exist.
async fn known_users(tx: &mut Tx, items: &[&NewResponseItem]) -> Result<HashMap<UserId, User>> {
    let mut res = HashMap::new();
    let wanted: HashSet<UserId> = items.iter().map(|it| it.user_id).collect();
    for id in wanted {
        if let Some(user) = users::find_user(tx, id).await? {
            res.insert(id, user);
        }
    }
    Ok(res)
}

/// The records of `dataset` an upsert names, by id and by external id.
async fn find_existing(
    tx: &mut Tx,
    dataset: DatasetId,
    items: &[UpsertRecord],
) -> Result<(HashMap<RecordId, Record>, HashMap<String, Record>)> {
    let ids: Vec<RecordId> = items.iter().filter_map(|it| it.id).collect();
    let by_id = records::find_records(tx, dataset, &ids).await?.into_iter().map(|it| (it.id, it)).collect();
    let external: Vec<&str> = items.iter().filter_map(|it| it.record.external_id.as_deref()).collect();
    let by_external = records::find_records_by_external_id(tx, dataset, &external)
        .await?
        .into_iter()
        .filter_map(|it| it.external_id.clone().map(|key| (key, it)))
        .collect();
    Ok((by_id, by_external))
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
        let users = known_users(&mut tx, &all_responses).await?;
        let validator = Validator { dataset: &ds, schema: &schema, known_users: users.keys().copied().collect() };
        let mut checked = Vec::with_capacity(items.len());
        for (idx, item) in items.iter().enumerate() {
            let id = RecordId::new();
            let res = validator.check(item, id, None).map_err(|e| at_position(idx, e))?;
            checked.push((id, item.external_id.clone(), res));
        }
        let mut ids = Vec::with_capacity(checked.len());
        let at = now();
        let mut batch = Batch::default();
        batch.by(actor.id);
        let mut known = Known::default();
        for (id, external_id, res) in checked {
            let record = new_record(id, dataset, external_id, &res, at);
            known.remember(&record, &res, &schema);
            batch.insert(record, res);
            ids.push(id);
        }
        let locked = Locked::take(&mut tx, []).await?.with_new(ids.iter().copied());
        let mut outbox = batch.write(&mut tx, &ds, &schema, locked, &users, at).await?;
        outbox.records(&mut tx, Event::RecordCreated, &ds, &ids).await?;
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
        let (mut by_id, mut by_external) = find_existing(&mut tx, dataset, &items).await?;
        // The existing records' row locks before anything is written (in id order, see
        // `response_write.rs`), and the records read again under them where another writer may
        // have come first (PostgreSQL), so what is checked and written is what concurrent
        // response writers leave.
        let existing: Vec<RecordId> = by_id.keys().chain(by_external.values().map(|it| &it.id)).copied().collect();
        let locked = Locked::take(&mut tx, existing.iter().copied()).await?;
        if locked.may_be_stale() {
            (by_id, by_external) = find_existing(&mut tx, dataset, &items).await?;
        }
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
        let users = known_users(&mut tx, &all_responses).await?;
        let validator = Validator { dataset: &ds, schema: &schema, known_users: users.keys().copied().collect() };
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
        batch.by(actor.id);
        let mut known = Known::default();
        for (existing, id, external_id, res) in checked {
            match existing {
                Some(mut record) => {
                    updated.push(id);
                    let texts = match (&res.fields, &res.metadata) {
                        (Some(_), _) => Some(Texts::Rewrite),
                        (None, Some(_)) => Some(Texts::Keep),
                        (None, None) => None,
                    };
                    if let Some(fields) = &res.fields {
                        record.fields = fields.clone();
                    }
                    if let Some(metadata) = &res.metadata {
                        record.metadata = metadata.clone();
                    }
                    if texts.is_some() {
                        record.updated_at = at;
                    }
                    batch.update(record, texts, res);
                }
                None => {
                    created.push(id);
                    let record = new_record(id, dataset, external_id, &res, at);
                    known.remember(&record, &res, &schema);
                    batch.insert(record, res);
                }
            }
            ids.push(id);
        }
        let locked = locked.with_new(created.iter().copied());
        let mut outbox = batch.write(&mut tx, &ds, &schema, locked, &users, at).await?;
        outbox.records(&mut tx, Event::RecordCreated, &ds, &created).await?;
        outbox.records(&mut tx, Event::RecordUpdated, &ds, &updated).await?;
        let views = known.views(&mut tx, dataset, &ids, &schema).await?;
        tx.commit().await?;
        Ok(views)
    }
}
