//! Webhook delivery: every replica runs [`Service::deliver_webhooks_step`] in a loop; each step
//! claims due rows of the outbox through the database (so one replica sends each event, and a
//! replica that dies mid-send leaves its claim to expire and another to retry), sends them
//! signed the Standard Webhooks way, and records the outcome: delivered rows are deleted, failed
//! ones retried with exponential backoff until [`MAX_ATTEMPTS`], then kept as failed.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use loam_domain::model::{User, Webhook, WebhookDelivery};
use loam_domain::{Timestamp, WebhookDeliveryId, WebhookId};
use loam_store::webhooks as store;
use serde_json::json;
use sha2::Sha256;

use crate::policy::require_owner;
use crate::wire::event::event_body;
use crate::{now, Error, Result, Service};

/// How long one send may take before it counts as failed.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(20);
/// A claim outlives the send timeout, so a live replica's claim never expires under it.
const LEASE: Duration = Duration::from_secs(60);
/// Attempts before a delivery is given up (the waits between them add up to about three hours).
pub const MAX_ATTEMPTS: i64 = 14;
/// Deliveries claimed, and sent concurrently, per step.
const BATCH: i64 = 16;
/// Failed deliveries are kept this long for diagnosis.
const KEEP_FAILED: Duration = Duration::from_secs(7 * 24 * 3600);

/// What one step did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryStep {
    pub delivered: usize,
    pub failed: usize,
}

impl Service {
    /// Claims the deliveries due now, sends them, and records the outcomes. Cheap when nothing
    /// is due: one read, no write transaction.
    pub async fn deliver_webhooks_step(&self) -> Result<DeliveryStep> {
        let at = now();
        {
            let mut tx = self.store.read().await?;
            if !store::has_due_deliveries(&mut tx, at).await? {
                return Ok(DeliveryStep::default());
            }
        }
        let (claimed, hooks) = {
            let mut tx = self.store.write().await?;
            let claimed = store::claim_deliveries(&mut tx, at, later(at, LEASE), BATCH).await?;
            let hooks = store::list_webhooks(&mut tx).await?;
            tx.commit().await?;
            (claimed, hooks)
        };
        let sends = claimed.iter().map(|delivery| {
            let hook = hooks.iter().find(|it| it.id == delivery.webhook_id);
            async move {
                match hook {
                    // Disabled since the event was queued: its receiver asked for nothing more.
                    Some(hook) if hook.enabled => self.send(hook, delivery.id, &delivery.body).await.map(Some),
                    _ => Ok(None),
                }
            }
        });
        let outcomes = futures::future::join_all(sends).await;
        let mut step = DeliveryStep::default();
        let at = now();
        let mut tx = self.store.write().await?;
        for (delivery, outcome) in claimed.iter().zip(outcomes) {
            match outcome {
                Ok(sent) => {
                    step.delivered += usize::from(sent.is_some());
                    store::delete_delivery(&mut tx, delivery.id).await?;
                }
                Err(error) => {
                    step.failed += 1;
                    let retry = retry_at(delivery, at);
                    if retry.is_none() {
                        tracing::warn!(delivery = %delivery.id, %error, "webhook delivery given up");
                    }
                    store::delivery_failed(&mut tx, delivery.id, &error, retry, at).await?;
                }
            }
        }
        store::purge_failed_deliveries(&mut tx, earlier(at, KEEP_FAILED)).await?;
        tx.commit().await?;
        Ok(step)
    }

    /// `POST /webhooks/{id}/ping`: sends a `ping` event now and waits for the answer.
    pub async fn ping_webhook(&self, actor: &User, id: WebhookId, agent: &str, version: &str) -> Result<()> {
        let hook = self.get_webhook(actor, id).await?;
        let body = event_body("ping", now(), json!({"agent": agent, "version": version}));
        self.send(&hook, WebhookDeliveryId::new(), &body).await.map_err(|error| {
            Error::Upstream(format!("The webhook's receiver at {} did not accept the ping: {error}", hook.url))
        })
    }

    /// The deliveries of a webhook still pending or given up (owners; tests and diagnostics).
    pub async fn webhook_deliveries(&self, actor: &User, id: WebhookId) -> Result<Vec<WebhookDelivery>> {
        require_owner(actor)?;
        let mut tx = self.store.read().await?;
        Ok(store::list_deliveries(&mut tx, id).await?)
    }

    /// One signed POST; `Err` carries a short reason (status or transport error).
    async fn send(&self, hook: &Webhook, message: WebhookDeliveryId, body: &str) -> std::result::Result<(), String> {
        let message_id = format!("msg_{}", message.0.simple());
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let signature = sign(&hook.secret, &message_id, timestamp, body)?;
        let res = self
            .http
            .post(&hook.url)
            .header("content-type", "application/json")
            .header("webhook-id", &message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body.to_owned())
            .send()
            .await
            .map_err(|err| transport_error(&err))?;
        if res.status().is_success() {
            Ok(())
        } else {
            Err(format!("the receiver answered HTTP {}", res.status().as_u16()))
        }
    }
}

/// Standard Webhooks: `v1,` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")), the key
/// being the base64-decoded secret (a `whsec_` prefix, if any, is not part of it).
pub fn sign(secret: &str, message_id: &str, timestamp: i64, body: &str) -> std::result::Result<String, String> {
    let key = B64
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|_| "the webhook's secret is not base64".to_owned())?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|_| "the webhook's secret is unusable".to_owned())?;
    mac.update(format!("{message_id}.{timestamp}.{body}").as_bytes());
    Ok(format!("v1,{}", B64.encode(mac.finalize().into_bytes())))
}

/// When to try a failed delivery again (2 s, 4 s, 8 s … capped at an hour), or `None` to give up.
fn retry_at(delivery: &WebhookDelivery, at: Timestamp) -> Option<Timestamp> {
    if delivery.attempts >= MAX_ATTEMPTS {
        return None;
    }
    let wait = 2u64.saturating_pow(u32::try_from(delivery.attempts.max(1)).unwrap_or(u32::MAX)).min(3600);
    Some(later(at, Duration::from_secs(wait)))
}

fn transport_error(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        format!("no answer within {} s", SEND_TIMEOUT.as_secs())
    } else if err.is_connect() {
        "could not connect".to_owned()
    } else {
        format!("request failed: {err}")
    }
}

fn later(at: Timestamp, by: Duration) -> Timestamp {
    Timestamp(at.0.saturating_add(i64::try_from(by.as_micros()).unwrap_or(i64::MAX)))
}

fn earlier(at: Timestamp, by: Duration) -> Timestamp {
    Timestamp(at.0.saturating_sub(i64::try_from(by.as_micros()).unwrap_or(i64::MAX)))
}

/// The HTTP client webhook deliveries go out with.
pub(crate) fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(SEND_TIMEOUT)
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("loam-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_standard_webhooks() {
        // The key is the decoded secret; the signed message is "{id}.{timestamp}.{body}".
        let secret = B64.encode(b"key");
        let sig = sign(&secret, "msg_1", 1_700_000_000, "{}").unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(b"key").unwrap();
        mac.update(b"msg_1.1700000000.{}");
        assert_eq!(sig, format!("v1,{}", B64.encode(mac.finalize().into_bytes())));
        assert_eq!(sign(&format!("whsec_{secret}"), "msg_1", 1_700_000_000, "{}").unwrap(), sig);
        assert!(sign("not base64!", "msg_1", 0, "{}").is_err());
    }

    #[test]
    fn signature_matches_the_standard_webhooks_example() {
        let sig = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            r#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn retries_back_off_then_give_up() {
        let delivery = |attempts| WebhookDelivery {
            id: WebhookDeliveryId(uuid::Uuid::nil()),
            webhook_id: WebhookId(uuid::Uuid::nil()),
            event: "ping".into(),
            body: String::new(),
            attempts,
            last_error: None,
            failed_at: None,
        };
        let at = Timestamp(0);
        assert_eq!(retry_at(&delivery(1), at), Some(Timestamp(2_000_000)));
        assert_eq!(retry_at(&delivery(3), at), Some(Timestamp(8_000_000)));
        assert_eq!(retry_at(&delivery(11), at), Some(Timestamp(2_048_000_000)));
        assert_eq!(retry_at(&delivery(12), at), Some(Timestamp(3_600_000_000)));
        assert_eq!(retry_at(&delivery(MAX_ATTEMPTS - 1), at), Some(Timestamp(3_600_000_000)));
        assert_eq!(retry_at(&delivery(MAX_ATTEMPTS), at), None);
    }
}
