//! Webhooks (stored subscriptions; delivery is the service's concern).

use loam_domain::model::Webhook;
use loam_domain::WebhookId;
use sqlx::types::Json;

use crate::rows::WebhookRow;
use crate::{on_tx, StoreError, Tx};

const COLUMNS: &str = "id, url, secret, events, enabled, description, inserted_at, updated_at";

pub async fn insert_webhook(tx: &mut Tx, w: &Webhook) -> Result<(), StoreError> {
    let sql = format!("insert into webhooks ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8)");
    on_tx!(tx, |c| sqlx::query(&sql)
        .bind(w.id.0)
        .bind(&w.url)
        .bind(&w.secret)
        .bind(Json(&w.events))
        .bind(w.enabled)
        .bind(&w.description)
        .bind(w.inserted_at.0)
        .bind(w.updated_at.0)
        .execute(c)
        .await
        .map(|it| it.rows_affected()))?;
    Ok(())
}

pub async fn update_webhook(tx: &mut Tx, w: &Webhook) -> Result<(), StoreError> {
    let sql =
        "update webhooks set url = $2, events = $3, enabled = $4, description = $5, updated_at = $6 where id = $1";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(w.id.0)
        .bind(&w.url)
        .bind(Json(&w.events))
        .bind(w.enabled)
        .bind(&w.description)
        .bind(w.updated_at.0)
        .execute(c)
        .await
        .map(|it| it.rows_affected()))?;
    Ok(())
}

pub async fn find_webhook(tx: &mut Tx, id: WebhookId) -> Result<Option<Webhook>, StoreError> {
    let sql = format!("select {COLUMNS} from webhooks where id = $1");
    let row = on_tx!(tx, |c| sqlx::query_as::<_, WebhookRow>(&sql).bind(id.0).fetch_optional(c).await)?;
    Ok(row.map(Webhook::from))
}

pub async fn list_webhooks(tx: &mut Tx) -> Result<Vec<Webhook>, StoreError> {
    let sql = format!("select {COLUMNS} from webhooks order by inserted_at, id");
    let rows = on_tx!(tx, |c| sqlx::query_as::<_, WebhookRow>(&sql).fetch_all(c).await)?;
    Ok(rows.into_iter().map(Webhook::from).collect())
}

pub async fn delete_webhook(tx: &mut Tx, id: WebhookId) -> Result<(), StoreError> {
    on_tx!(tx, |c| sqlx::query("delete from webhooks where id = $1")
        .bind(id.0)
        .execute(c)
        .await
        .map(|it| it.rows_affected()))?;
    Ok(())
}
