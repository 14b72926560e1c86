//! Records one at a time or by id: listing a dataset's records, reading one as the caller may
//! see it, partial updates (PATCH, the legacy bulk PATCH) and deletes.

use std::collections::{HashMap, HashSet};

use loam_domain::history::HistoryEntry;
use loam_domain::model::{Dataset, DatasetSchema, Record, User};
use loam_domain::{DatasetId, RecordId};
use loam_store::record_history;
use loam_store::{records, settings as store_settings, Tx};

use super::input::RecordPatch;
use super::validate::{at_position, bare, PatchPlan, Validator};
use super::view::{hide_metadata, hydrate, hydrate_ids, Include, RecordView};
use crate::datasets::{managed_dataset, readable_dataset};
use crate::outbox::Outbox;
use loam_domain::review::visible_responses;

use crate::policy::sees_all_responses;
use crate::wire::event::Event;
use crate::{Error, Result, Service};

pub(crate) async fn find_record(tx: &mut Tx, id: RecordId) -> Result<Record> {
    records::find_record(tx, id).await?.ok_or_else(|| Error::not_found("Record", id))
}

/// The validator of partial updates (which name no responses, so no users).
fn patch_validator<'a>(ds: &'a Dataset, schema: &'a DatasetSchema) -> Validator<'a> {
    Validator { dataset: ds, schema, known_users: HashSet::new() }
}

impl Service {
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

    /// A record with everything loaded, as `actor` may see it: an annotator gets their own
    /// response, and the others' submitted ones only once theirs is submitted in a dataset that
    /// opts in (`loam_domain::review::visible_responses`), and only the metadata visible to
    /// annotators.
    pub async fn get_record(&self, actor: &User, id: RecordId) -> Result<RecordView> {
        let mut tx = self.store.read().await?;
        let record = find_record(&mut tx, id).await?;
        let ds = readable_dataset(&mut tx, actor, record.dataset_id).await?;
        let schema = self.schemas.get(&mut tx, &ds).await?;
        let mut views = hydrate(&mut tx, vec![record], &Include::all(), None, &schema).await?;
        for view in &mut views {
            if let Some(list) = view.responses.take() {
                let open = ds.responses_visible_for_annotators;
                view.responses = Some(visible_responses(actor.id, sees_all_responses(actor), open, list));
            }
        }
        hide_metadata(views.iter_mut().map(|it| &mut it.record), &schema, actor);
        views.pop().ok_or_else(|| Error::not_found("Record", id))
    }

    pub async fn update_record(&self, actor: &User, id: RecordId, patch: RecordPatch) -> Result<RecordView> {
        let mut tx = self.store.write().await?;
        let record = find_record(&mut tx, id).await?;
        let ds = managed_dataset(&mut tx, actor, record.dataset_id).await?;
        let schema = store_settings::load_schema(&mut tx, ds.id).await?;
        patch_validator(&ds, &schema)
            .plan_patch(record, &patch)
            .map_err(bare)?
            .write(&mut tx, &schema, actor.id)
            .await?;
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
        let validator = patch_validator(&ds, &schema);
        let mut plans: Vec<PatchPlan> = Vec::with_capacity(items.len());
        for (idx, (id, patch)) in items.into_iter().enumerate() {
            let record = found.get(&id).cloned().ok_or_else(|| Error::not_found("Record", id))?;
            plans.push(validator.plan_patch(record, &patch).map_err(|e| at_position(idx, e))?);
        }
        for plan in plans {
            plan.write(&mut tx, &schema, actor.id).await?;
        }
        Outbox::open(&mut tx).await?.records(&mut tx, Event::RecordUpdated, &ds, &ids).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The changes of a record's field and metadata values, newest first (owners and managing
    /// admins: the history holds metadata hidden from annotators).
    pub async fn record_history(&self, actor: &User, id: RecordId) -> Result<Vec<HistoryEntry>> {
        let mut tx = self.store.read().await?;
        let record = find_record(&mut tx, id).await?;
        managed_dataset(&mut tx, actor, record.dataset_id).await?;
        Ok(record_history::list_history(&mut tx, id).await?)
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
