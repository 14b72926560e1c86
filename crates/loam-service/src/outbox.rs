//! The webhook outbox: the events a write transaction reports, queued in that same transaction
//! (`webhook_deliveries`), one row per subscribed webhook. A committed change is therefore always
//! delivered (by whichever replica claims the row, see `delivery.rs`) and a rolled-back one never
//! is. With no enabled webhook subscribed to an event, nothing is rendered or written. What is
//! rendered (each event's `data` and its envelope) is the wire module's (`wire/event.rs`).

use std::collections::HashMap;

use loam_domain::distribution::RecordStatus;
use loam_domain::model::{Dataset, Record, Response, User, Webhook};
use loam_domain::{DatasetId, RecordId, UserId, WebhookDeliveryId};
use loam_store::{settings as store_settings, webhooks as store, workspaces, Tx};
use serde_json::Value;

use crate::wire::event::{dataset_event, event_body, record_event, response_event, user_event, Event};
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

    pub(crate) fn wants(&self, event: Event) -> bool {
        self.hooks.iter().any(|it| subscribed(it, event))
    }

    pub(crate) async fn dataset(&mut self, tx: &mut Tx, event: Event, ds: &Dataset) -> Result<()> {
        if !self.wants(event) {
            return Ok(());
        }
        self.datasets.remove(&ds.id);
        let data = self.dataset_data(tx, ds).await?;
        self.enqueue(tx, event, data).await
    }

    pub(crate) async fn record(&mut self, tx: &mut Tx, event: Event, ds: &Dataset, record: &Record) -> Result<()> {
        if !self.wants(event) {
            return Ok(());
        }
        let data = self.record_data(tx, ds, record).await?;
        self.enqueue(tx, event, data).await
    }

    /// Reports records by id as they now stand in `tx` (read back only when someone listens).
    pub(crate) async fn records(&mut self, tx: &mut Tx, event: Event, ds: &Dataset, ids: &[RecordId]) -> Result<()> {
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
        if before.status == status || !(self.wants(Event::RecordUpdated) || self.wants(Event::RecordCompleted)) {
            return Ok(());
        }
        let Some(record) = loam_store::records::find_record(tx, before.id).await? else {
            return Ok(());
        };
        self.record(tx, Event::RecordUpdated, ds, &record).await?;
        if status == RecordStatus::Completed {
            self.record(tx, Event::RecordCompleted, ds, &record).await?;
        }
        Ok(())
    }

    pub(crate) async fn response(
        &mut self,
        tx: &mut Tx,
        event: Event,
        ds: &Dataset,
        record: &Record,
        response: &Response,
        author: &User,
    ) -> Result<()> {
        if !self.wants(event) {
            return Ok(());
        }
        let record = self.record_data(tx, ds, record).await?;
        let user = self.users.entry(author.id).or_insert_with(|| user_event(author)).clone();
        let data = response_event(response, record, user);
        self.enqueue(tx, event, data).await
    }

    async fn enqueue(&self, tx: &mut Tx, event: Event, data: Value) -> Result<()> {
        let at = now();
        let body = event_body(event.name(), at, data);
        for hook in self.hooks.iter().filter(|it| subscribed(it, event)) {
            store::insert_delivery(tx, WebhookDeliveryId::new(), hook.id, event.name(), &body, at).await?;
        }
        Ok(())
    }

    async fn record_data(&mut self, tx: &mut Tx, ds: &Dataset, record: &Record) -> Result<Value> {
        let dataset = self.dataset_data(tx, ds).await?;
        Ok(record_event(record, dataset))
    }

    /// The dataset with its workspace and settings, rendered once per transaction.
    async fn dataset_data(&mut self, tx: &mut Tx, ds: &Dataset) -> Result<Value> {
        if let Some(it) = self.datasets.get(&ds.id) {
            return Ok(it.clone());
        }
        let workspace = workspaces::find_workspace(tx, ds.workspace_id).await?;
        let schema = store_settings::load_schema(tx, ds.id).await?;
        let data = dataset_event(ds, workspace.as_ref(), &schema);
        self.datasets.insert(ds.id, data.clone());
        Ok(data)
    }
}

/// Whether `hook` subscribes to `event`.
fn subscribed(hook: &Webhook, event: Event) -> bool {
    hook.events.iter().any(|it| it == event.name())
}
