//! Bulk create for imports: the bulk API's validation and write (`validate.rs`, `write.rs`),
//! except that each item stands alone. An item that breaks a rule, or names an external id that
//! is stored already or comes twice, is left out and handed back with its reason; the others
//! are written in one transaction, with their events. Also the same checks without the write,
//! for an import's preview.

use std::collections::{HashMap, HashSet};

use loam_domain::model::{Dataset, DatasetSchema, DatasetStatus, User};
use loam_domain::{DatasetId, RecordId};
use loam_store::{records, Tx};
use serde_json::{json, Map, Value};

use super::input::NewRecord;
use super::validate::{Checked, Validator};
use super::write::{new_record, Batch};
use crate::datasets::{find_dataset, managed_dataset};
use crate::response_write::Locked;
use crate::wire::event::Event;
use crate::{now, Error, Result, Service};

/// What `create_records_each` did with a batch: how many records it wrote, and the items it
/// left out, by the caller's key (a row number), with the reason.
#[derive(Debug, Default)]
pub(crate) struct EachOutcome {
    pub(crate) written: usize,
    pub(crate) refused: Vec<(u64, String)>,
}

/// The dataset an import writes to: the caller must manage it (`None`: the operator), and it
/// must be published.
pub(crate) async fn import_target(tx: &mut Tx, actor: Option<&User>, dataset: DatasetId) -> Result<Dataset> {
    let ds = match actor {
        Some(actor) => managed_dataset(tx, actor, dataset).await?,
        None => find_dataset(tx, dataset).await?,
    };
    if ds.status != DatasetStatus::Ready {
        return Err(Error::invalid("records cannot be created for a non published dataset"));
    }
    Ok(ds)
}

/// Validates each of `items` on its own: the checked record, or the reason it is refused. An
/// external id that `stored` holds, or an earlier item took, is refused.
fn check_each(
    validator: &Validator<'_>,
    items: &[(u64, NewRecord)],
    stored: &HashSet<String>,
) -> Vec<Result<(RecordId, Checked), String>> {
    let mut seen = HashSet::new();
    items
        .iter()
        .map(|(_, item)| {
            if let Some(key) = item.external_id.as_deref() {
                if stored.contains(key) {
                    return Err(format!("a record with external id `{key}` exists already"));
                }
                if !seen.insert(key) {
                    return Err(format!("external id `{key}` comes twice in the file"));
                }
            }
            let id = RecordId::new();
            validator.check(item, id, None).map(|it| (id, it)).map_err(|e| e.to_string())
        })
        .collect()
}

/// The external ids of `items` that the dataset holds already.
async fn stored_external_ids(tx: &mut Tx, dataset: DatasetId, items: &[(u64, NewRecord)]) -> Result<HashSet<String>> {
    let keys: Vec<&str> = items.iter().filter_map(|(_, it)| it.external_id.as_deref()).collect();
    if keys.is_empty() {
        return Ok(HashSet::new());
    }
    let found = records::find_records_by_external_id(tx, dataset, &keys).await?;
    Ok(found.into_iter().filter_map(|it| it.external_id).collect())
}

/// A checked record as it would be stored, as JSON (suggestions and vectors by name).
fn stored_shape(schema: &DatasetSchema, external_id: Option<&str>, checked: &Checked) -> Value {
    let suggestions: Vec<Value> = checked
        .suggestions
        .iter()
        .map(|it| {
            let question = schema.questions.iter().find(|q| q.id == it.question_id).map(|q| q.name.as_str());
            json!({"question": question, "value": it.value, "score": it.score, "agent": it.agent})
        })
        .collect();
    let vectors: Map<String, Value> = checked
        .vectors
        .iter()
        .filter_map(|(id, values)| {
            let name = schema.vector_settings.iter().find(|v| v.id == *id)?.name.clone();
            Some((name, json!(values)))
        })
        .collect();
    json!({
        "fields": checked.fields,
        "metadata": checked.metadata.clone().flatten(),
        "external_id": external_id,
        "suggestions": suggestions,
        "vectors": vectors,
    })
}

impl Service {
    /// Creates the records of `items` in `dataset` as `actor` (`None`: the operator), each item
    /// on its own (see the module doc). Fails as a whole only when the dataset may not take
    /// records or the database fails; then nothing of the batch is written.
    pub(crate) async fn create_records_each(
        &self,
        actor: Option<&User>,
        dataset: DatasetId,
        items: Vec<(u64, NewRecord)>,
    ) -> Result<EachOutcome> {
        let mut tx = self.store.write().await?;
        let ds = import_target(&mut tx, actor, dataset).await?;
        let schema = self.schemas.get(&mut tx, &ds).await?;
        let stored = stored_external_ids(&mut tx, dataset, &items).await?;
        let validator = Validator { dataset: &ds, schema: &schema, known_users: HashSet::new() };
        let checks = check_each(&validator, &items, &stored);
        let mut outcome = EachOutcome::default();
        let at = now();
        let mut batch = Batch::default();
        if let Some(actor) = actor {
            batch.by(actor.id);
        }
        let mut ids = Vec::with_capacity(items.len());
        for ((row, item), check) in items.into_iter().zip(checks) {
            match check {
                Ok((id, res)) => {
                    batch.insert(new_record(id, dataset, item.external_id, &res, at), res);
                    ids.push(id);
                }
                Err(reason) => outcome.refused.push((row, reason)),
            }
        }
        if ids.is_empty() {
            return Ok(outcome);
        }
        let locked = Locked::take(&mut tx, []).await?.with_new(ids.iter().copied());
        let mut outbox = batch.write(&mut tx, &ds, &schema, locked, &HashMap::new(), at).await?;
        outbox.records(&mut tx, Event::RecordCreated, &ds, &ids).await?;
        tx.commit().await?;
        outcome.written = ids.len();
        Ok(outcome)
    }

    /// The checks of [`Service::create_records_each`] without the write: each item as it would
    /// be stored (JSON), or the reason it would be refused.
    pub(crate) async fn check_records_each(
        &self,
        actor: Option<&User>,
        dataset: DatasetId,
        items: &[(u64, NewRecord)],
    ) -> Result<Vec<Result<Value, String>>> {
        let mut tx = self.store.read().await?;
        let ds = import_target(&mut tx, actor, dataset).await?;
        let schema = self.schemas.get(&mut tx, &ds).await?;
        let stored = stored_external_ids(&mut tx, dataset, items).await?;
        let validator = Validator { dataset: &ds, schema: &schema, known_users: HashSet::new() };
        let checks = check_each(&validator, items, &stored);
        Ok(items
            .iter()
            .zip(checks)
            .map(|((_, item), check)| {
                check.map(|(_, checked)| stored_shape(&schema, item.external_id.as_deref(), &checked))
            })
            .collect())
    }
}
