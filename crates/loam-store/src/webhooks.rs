//! Webhooks: stored subscriptions, and the outbox of their deliveries (migration 0004). What is
//! sent, and when, is the service's concern; this module only keeps the rows.

use crate::db::Json;
use loam_domain::model::{Webhook, WebhookDelivery};
use loam_domain::{Timestamp, WebhookDeliveryId, WebhookId};
use uuid::Uuid;

use crate::dialect::Dialect;
use crate::rows::{DeliveryRow, WebhookRow};
use crate::{db, StoreError, Tx};

const COLUMNS: &str = "id, url, secret, events, enabled, description, inserted_at, updated_at";

pub async fn insert_webhook(tx: &mut Tx, w: &Webhook) -> Result<(), StoreError> {
    let sql = format!("insert into webhooks ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8)");
    db::query(&sql)
        .bind(w.id.0)
        .bind(&w.url)
        .bind(&w.secret)
        .bind(Json(&w.events))
        .bind(w.enabled)
        .bind(&w.description)
        .bind(w.inserted_at.0)
        .bind(w.updated_at.0)
        .execute(tx)
        .await?;
    Ok(())
}

pub async fn update_webhook(tx: &mut Tx, w: &Webhook) -> Result<(), StoreError> {
    let sql =
        "update webhooks set url = $2, events = $3, enabled = $4, description = $5, updated_at = $6 where id = $1";
    db::query(sql)
        .bind(w.id.0)
        .bind(&w.url)
        .bind(Json(&w.events))
        .bind(w.enabled)
        .bind(&w.description)
        .bind(w.updated_at.0)
        .execute(tx)
        .await?;
    Ok(())
}

pub async fn find_webhook(tx: &mut Tx, id: WebhookId) -> Result<Option<Webhook>, StoreError> {
    let sql = format!("select {COLUMNS} from webhooks where id = $1");
    let row = db::query(&sql).bind(id.0).fetch_optional::<WebhookRow>(tx).await?;
    Ok(row.map(Webhook::from))
}

pub async fn list_webhooks(tx: &mut Tx) -> Result<Vec<Webhook>, StoreError> {
    let sql = format!("select {COLUMNS} from webhooks order by inserted_at, id");
    let rows = db::query(&sql).fetch_all::<WebhookRow>(tx).await?;
    Ok(rows.into_iter().map(Webhook::from).collect())
}

pub async fn delete_webhook(tx: &mut Tx, id: WebhookId) -> Result<(), StoreError> {
    db::query("delete from webhooks where id = $1").bind(id.0).execute(tx).await?;
    Ok(())
}

pub async fn insert_delivery(
    tx: &mut Tx,
    id: WebhookDeliveryId,
    webhook: WebhookId,
    event: &str,
    body: &str,
    at: Timestamp,
) -> Result<(), StoreError> {
    let sql = "insert into webhook_deliveries (id, webhook_id, event, body, attempts, next_attempt_at, inserted_at) \
               values ($1, $2, $3, $4, 0, $5, $5)";
    db::query(sql).bind(id.0).bind(webhook.0).bind(event).bind(body).bind(at.0).execute(tx).await?;
    Ok(())
}

/// Whether any delivery is due at `now` (a read, so idle replicas poll without writing).
pub async fn has_due_deliveries(tx: &mut Tx, now: Timestamp) -> Result<bool, StoreError> {
    let sql = "select id from webhook_deliveries where failed_at is null and next_attempt_at <= $1 limit 1";
    let row = db::query(sql).bind(now.0).fetch_optional::<Uuid>(tx).await?;
    Ok(row.is_some())
}

/// Claims up to `limit` deliveries due at `now` (oldest first): counts the attempt and moves
/// their next attempt to `lease_until`, so no other replica takes them while this one sends. On
/// PostgreSQL, rows another transaction is claiming are skipped (`FOR UPDATE SKIP LOCKED`), so
/// replicas polling together split the work instead of queueing on each other; SQLite runs one
/// write transaction at a time anyway.
pub async fn claim_deliveries(
    tx: &mut Tx,
    now: Timestamp,
    lease_until: Timestamp,
    limit: i64,
) -> Result<Vec<WebhookDelivery>, StoreError> {
    let lock = Dialect::of(tx).skip_locked();
    let sql = format!(
        "update webhook_deliveries set attempts = attempts + 1, next_attempt_at = $2 \
         where id in (select id from webhook_deliveries where failed_at is null and next_attempt_at <= $1 \
                      order by next_attempt_at, id limit $3 {lock}) \
         returning id, webhook_id, event, body, attempts, last_error, failed_at"
    );
    let mut rows = db::query(&sql).bind(now.0).bind(lease_until.0).bind(limit).fetch_all::<DeliveryRow>(tx).await?;
    rows.sort_by_key(|it| it.id);
    Ok(rows.into_iter().map(WebhookDelivery::from).collect())
}

/// A delivery that reached its receiver is done.
pub async fn delete_delivery(tx: &mut Tx, id: WebhookDeliveryId) -> Result<(), StoreError> {
    db::query("delete from webhook_deliveries where id = $1").bind(id.0).execute(tx).await?;
    Ok(())
}

/// Records a failed attempt: try again at `next_attempt_at`, or, when that is `None`, give up
/// (`failed_at` = `at`).
pub async fn delivery_failed(
    tx: &mut Tx,
    id: WebhookDeliveryId,
    error: &str,
    next_attempt_at: Option<Timestamp>,
    at: Timestamp,
) -> Result<(), StoreError> {
    let sql = match next_attempt_at {
        Some(_) => "update webhook_deliveries set last_error = $2, next_attempt_at = $3 where id = $1",
        None => "update webhook_deliveries set last_error = $2, failed_at = $3 where id = $1",
    };
    let when = next_attempt_at.unwrap_or(at);
    db::query(sql).bind(id.0).bind(error).bind(when.0).execute(tx).await?;
    Ok(())
}

/// Forgets deliveries that gave up before `before`; returns how many.
pub async fn purge_failed_deliveries(tx: &mut Tx, before: Timestamp) -> Result<u64, StoreError> {
    let n = db::query("delete from webhook_deliveries where failed_at < $1").bind(before.0).execute(tx).await?;
    Ok(n)
}

/// The deliveries of one webhook, oldest first, pending and failed (for tests and diagnostics).
pub async fn list_deliveries(tx: &mut Tx, webhook: WebhookId) -> Result<Vec<WebhookDelivery>, StoreError> {
    let sql = "select id, webhook_id, event, body, attempts, last_error, failed_at from webhook_deliveries \
               where webhook_id = $1 order by id";
    let rows = db::query(sql).bind(webhook.0).fetch_all::<DeliveryRow>(tx).await?;
    Ok(rows.into_iter().map(WebhookDelivery::from).collect())
}
