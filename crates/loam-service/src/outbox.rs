//! The webhook outbox: the events a write transaction reports, queued in that same transaction
//! (`webhook_deliveries`), one row per subscribed webhook. A committed change is therefore always
//! delivered (by whichever replica claims the row, see `delivery.rs`) and a rolled-back one never
//! is. With no enabled webhook subscribed to an event, nothing is rendered or written.

use std::collections::HashMap;

use loam_domain::distribution::RecordStatus;
use loam_domain::model::{Dataset, Record, Response, User, Webhook};
use loam_domain::{DatasetId, RecordId, Timestamp, UserId, WebhookDeliveryId};
use loam_store::{settings as store_settings, webhooks as store, workspaces, Tx};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::{now, Result};

/// The enabled webhooks as one transaction sees them, and the payload parts it already rendered.
pub(crate) struct Outbox {
    hooks: Vec<Webhook>,
    datasets: HashMap<DatasetId, Value>,
    users: HashMap<UserId, Value>,
}

impl Outbox {
    /// Reads the enabled webhooks in `tx` (at most ten small rows).
    pub(crate) async fn open(tx: &mut Tx) -> Result<Self> {
        let hooks = store::list_webhooks(tx).await?.into_iter().filter(|it| it.enabled).collect();
        Ok(Self { hooks, datasets: HashMap::new(), users: HashMap::new() })
    }

    pub(crate) fn wants(&self, event: &str) -> bool {
        self.hooks.iter().any(|it| it.events.iter().any(|e| e == event))
    }

    pub(crate) async fn dataset(&mut self, tx: &mut Tx, event: &str, ds: &Dataset) -> Result<()> {
        if !self.wants(event) {
            return Ok(());
        }
        self.datasets.remove(&ds.id);
        let data = self.dataset_data(tx, ds).await?;
        self.enqueue(tx, event, data).await
    }

    pub(crate) async fn record(&mut self, tx: &mut Tx, event: &str, ds: &Dataset, record: &Record) -> Result<()> {
        if !self.wants(event) {
            return Ok(());
        }
        let data = self.record_data(tx, ds, record).await?;
        self.enqueue(tx, event, data).await
    }

    /// Reports records by id as they now stand in `tx` (read back only when someone listens).
    pub(crate) async fn records(&mut self, tx: &mut Tx, event: &str, ds: &Dataset, ids: &[RecordId]) -> Result<()> {
        if !self.wants(event) || ids.is_empty() {
            return Ok(());
        }
        for record in loam_store::records::find_records(tx, ds.id, ids).await? {
            self.record(tx, event, ds, &record).await?;
        }
        Ok(())
    }

    /// Reports a record's status change after its responses changed: `record.updated`, and
    /// `record.completed` when it just became complete.
    pub(crate) async fn status_changed(
        &mut self,
        tx: &mut Tx,
        ds: &Dataset,
        before: &Record,
        status: RecordStatus,
    ) -> Result<()> {
        if before.status == status || !(self.wants("record.updated") || self.wants("record.completed")) {
            return Ok(());
        }
        let Some(record) = loam_store::records::find_record(tx, before.id).await? else {
            return Ok(());
        };
        self.record(tx, "record.updated", ds, &record).await?;
        if status == RecordStatus::Completed {
            self.record(tx, "record.completed", ds, &record).await?;
        }
        Ok(())
    }

    pub(crate) async fn response(
        &mut self,
        tx: &mut Tx,
        event: &str,
        ds: &Dataset,
        record: &Record,
        response: &Response,
        author: &User,
    ) -> Result<()> {
        if !self.wants(event) {
            return Ok(());
        }
        let record = self.record_data(tx, ds, record).await?;
        let user = self.users.entry(author.id).or_insert_with(|| user_data(author)).clone();
        let data = json!({
            "id": response.id,
            "values": response.values,
            "status": response.status.as_str(),
            "record": record,
            "user": user,
            "inserted_at": response.inserted_at.to_string(),
            "updated_at": response.updated_at.to_string(),
        });
        self.enqueue(tx, event, data).await
    }

    async fn enqueue(&self, tx: &mut Tx, event: &str, data: Value) -> Result<()> {
        let at = now();
        let body = event_body(event, at, data);
        for hook in self.hooks.iter().filter(|it| it.events.iter().any(|e| e == event)) {
            store::insert_delivery(tx, WebhookDeliveryId::new(), hook.id, event, &body, at).await?;
        }
        Ok(())
    }

    async fn record_data(&mut self, tx: &mut Tx, ds: &Dataset, record: &Record) -> Result<Value> {
        let dataset = self.dataset_data(tx, ds).await?;
        Ok(json!({
            "id": record.id,
            "status": record.status.as_str(),
            "fields": record.fields,
            "metadata": record.metadata,
            "external_id": record.external_id,
            "dataset": dataset,
            "inserted_at": record.inserted_at.to_string(),
            "updated_at": record.updated_at.to_string(),
        }))
    }

    /// The dataset with its workspace and settings, rendered once per transaction.
    async fn dataset_data(&mut self, tx: &mut Tx, ds: &Dataset) -> Result<Value> {
        if let Some(it) = self.datasets.get(&ds.id) {
            return Ok(it.clone());
        }
        let workspace = workspaces::find_workspace(tx, ds.workspace_id).await?.map(|ws| {
            json!({"id": ws.id, "name": ws.name, "inserted_at": ws.inserted_at.to_string(),
                   "updated_at": ws.updated_at.to_string()})
        });
        let schema = store_settings::load_schema(tx, ds.id).await?;
        // Fields and questions share their shape: the common keys, a description, whether
        // required, and the settings.
        let described = |common: Map<String, Value>, description: &Option<String>, required: bool, settings: Value| {
            let mut out = common;
            out.insert("description".into(), json!(description));
            out.insert("required".into(), json!(required));
            out.insert("settings".into(), settings);
            Value::Object(out)
        };
        let fields: Vec<Value> = schema
            .fields
            .iter()
            .map(|it| {
                let keys = common(it.id.0, &it.name, &it.title, it.inserted_at, it.updated_at);
                described(keys, &it.description, it.required, it.settings.to_json())
            })
            .collect();
        let questions: Vec<Value> = schema
            .questions
            .iter()
            .map(|it| {
                let keys = common(it.id.0, &it.name, &it.title, it.inserted_at, it.updated_at);
                described(keys, &it.description, it.required, it.settings.to_json())
            })
            .collect();
        let metadata_properties: Vec<Value> = schema
            .metadata_properties
            .iter()
            .map(|it| {
                let mut out = common(it.id.0, &it.name, &it.title, it.inserted_at, it.updated_at);
                out.insert("settings".into(), it.settings.to_json());
                out.insert("visible_for_annotators".into(), json!(it.visible_for_annotators));
                Value::Object(out)
            })
            .collect();
        let vectors_settings: Vec<Value> = schema
            .vector_settings
            .iter()
            .map(|it| {
                let mut out = common(it.id.0, &it.name, &it.title, it.inserted_at, it.updated_at);
                out.insert("dimensions".into(), json!(it.dimensions));
                Value::Object(out)
            })
            .collect();
        let data = json!({
            "id": ds.id,
            "name": ds.name,
            "guidelines": ds.guidelines,
            "allow_extra_metadata": ds.allow_extra_metadata,
            "status": ds.status.as_str(),
            "distribution": ds.distribution.to_json(),
            "metadata": ds.metadata,
            "workspace": workspace,
            "questions": questions,
            "fields": fields,
            "metadata_properties": metadata_properties,
            "vectors_settings": vectors_settings,
            "last_activity_at": ds.last_activity_at.to_string(),
            "inserted_at": ds.inserted_at.to_string(),
            "updated_at": ds.updated_at.to_string(),
        });
        self.datasets.insert(ds.id, data.clone());
        Ok(data)
    }
}

/// The keys every setting (field, question, metadata property, vector settings) shares.
fn common(id: Uuid, name: &str, title: &str, inserted_at: Timestamp, updated_at: Timestamp) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("id".into(), json!(id));
    out.insert("name".into(), json!(name));
    out.insert("title".into(), json!(title));
    out.insert("inserted_at".into(), json!(inserted_at.to_string()));
    out.insert("updated_at".into(), json!(updated_at.to_string()));
    out
}

fn user_data(it: &User) -> Value {
    json!({
        "id": it.id,
        "first_name": it.first_name,
        "last_name": it.last_name,
        "username": it.username,
        "role": it.role.as_str(),
        "inserted_at": it.inserted_at.to_string(),
        "updated_at": it.updated_at.to_string(),
    })
}

/// The body of an event as receivers get it: `{"type", "version", "timestamp", "data"}`.
pub(crate) fn event_body(event: &str, at: Timestamp, data: Value) -> String {
    json!({"type": event, "version": 1, "timestamp": utc_micros(at), "data": data}).to_string()
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ`: always six fraction digits and the zone, unlike the naive
/// timestamps of the API's entities.
fn utc_micros(at: Timestamp) -> String {
    let plain = at.to_string();
    let (seconds, fraction) = plain.split_once('.').unwrap_or((plain.as_str(), "000000"));
    format!("{seconds}.{fraction}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_timestamps_always_have_micros_and_a_zone() {
        assert_eq!(utc_micros(Timestamp(0)), "1970-01-01T00:00:00.000000Z");
        assert_eq!(utc_micros(Timestamp(1_500_000)), "1970-01-01T00:00:01.500000Z");
        assert_eq!(utc_micros(Timestamp(1_000_001)), "1970-01-01T00:00:01.000001Z");
    }

    #[test]
    fn event_body_has_the_standard_keys() {
        let body: Value = serde_json::from_str(&event_body("ping", Timestamp(0), json!({"a": 1}))).unwrap();
        assert_eq!(
            body,
            json!({"type": "ping", "version": 1, "timestamp": "1970-01-01T00:00:00.000000Z", "data": {"a": 1}})
        );
    }
}
