//! Webhooks: stored subscriptions to server events (owners only).

use base64::Engine;
use loam_domain::model::{User, Webhook};
use loam_domain::WebhookId;
use loam_store::webhooks as store;
use rand::RngCore;

use crate::policy::require_owner;
use crate::{now, Error, Result, Service};

/// The names of the events a webhook can subscribe to (`wire::Event`).
pub const EVENTS: &[&str] = &crate::wire::event::EVENTS;

const MAX_WEBHOOKS: usize = 10;

#[derive(Clone, Debug)]
pub struct NewWebhook {
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct WebhookPatch {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub enabled: Option<bool>,
    /// `Some(None)` clears.
    pub description: Option<Option<String>>,
}

fn new_secret() -> String {
    let mut bytes = [0u8; 64];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

impl Service {
    pub async fn list_webhooks(&self, actor: &User) -> Result<Vec<Webhook>> {
        require_owner(actor)?;
        let mut tx = self.store.read().await?;
        Ok(store::list_webhooks(&mut tx).await?)
    }

    pub async fn create_webhook(&self, actor: &User, new: NewWebhook) -> Result<Webhook> {
        require_owner(actor)?;
        let mut tx = self.store.write().await?;
        if store::list_webhooks(&mut tx).await?.len() >= MAX_WEBHOOKS {
            return Err(Error::invalid("You can't create more than 10 webhooks. Please delete some of them first"));
        }
        let at = now();
        let webhook = Webhook {
            id: WebhookId::new(),
            url: new.url,
            secret: new_secret(),
            events: new.events,
            enabled: true,
            description: new.description,
            inserted_at: at,
            updated_at: at,
        };
        store::insert_webhook(&mut tx, &webhook).await?;
        tx.commit().await?;
        Ok(webhook)
    }

    pub async fn update_webhook(&self, actor: &User, id: WebhookId, patch: WebhookPatch) -> Result<Webhook> {
        let mut tx = self.store.write().await?;
        let mut webhook = store::find_webhook(&mut tx, id).await?.ok_or_else(|| Error::not_found("Webhook", id))?;
        require_owner(actor)?;
        if let Some(url) = patch.url {
            webhook.url = url;
        }
        if let Some(events) = patch.events {
            webhook.events = events;
        }
        if let Some(enabled) = patch.enabled {
            webhook.enabled = enabled;
        }
        if let Some(description) = patch.description {
            webhook.description = description;
        }
        webhook.updated_at = now();
        store::update_webhook(&mut tx, &webhook).await?;
        tx.commit().await?;
        Ok(webhook)
    }

    pub async fn get_webhook(&self, actor: &User, id: WebhookId) -> Result<Webhook> {
        require_owner(actor)?;
        let mut tx = self.store.read().await?;
        store::find_webhook(&mut tx, id).await?.ok_or_else(|| Error::not_found("Webhook", id))
    }

    pub async fn delete_webhook(&self, actor: &User, id: WebhookId) -> Result<Webhook> {
        let mut tx = self.store.write().await?;
        let webhook = store::find_webhook(&mut tx, id).await?.ok_or_else(|| Error::not_found("Webhook", id))?;
        require_owner(actor)?;
        store::delete_webhook(&mut tx, id).await?;
        tx.commit().await?;
        Ok(webhook)
    }
}
