//! `/api/v1/webhooks…` (owners only).

use crate::openapi::Routes;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use loam_domain::error::Loc;
use loam_domain::schema::Reader;
use loam_domain::WebhookId;
use loam_service::{NewWebhook, WebhookPatch, WEBHOOK_EVENTS};
use serde_json::Value;

use super::{created, ok, ApiResult};
use crate::error::ApiError;
use crate::extract::{path_id, Auth, Body};
use crate::AppState;
use loam_service::wire;

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/webhooks", "List webhooks (owners)", 200, Some("Webhooks"), list)
        .post("/api/v1/webhooks", "Create a webhook (owners)", 201, Some("Webhook"), create)
        .json_body("NewWebhook")
        .patch("/api/v1/webhooks/{webhook_id}", "Update a webhook (owners)", 200, Some("Webhook"), update)
        .json_body("WebhookPatch")
        .delete("/api/v1/webhooks/{webhook_id}", "Delete a webhook (owners)", 200, Some("Webhook"), delete)
        .post(
            "/api/v1/webhooks/{webhook_id}/ping",
            "Send a ping event now and wait for the receiver (502 if it does not accept it)",
            204,
            None,
            ping,
        )
        .errors(&[502])
}

/// An http(s) URL with a host; a bare host gets a trailing `/`.
fn parse_url(r: &Reader<'_>) -> Result<String, ApiError> {
    let url = r.string("url", 1, 2083)?;
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| ApiError::at(&["body", "url"], "url_scheme", "URL scheme should be 'http' or 'https'"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(ApiError::at(&["body", "url"], "url_parsing", "Input should be a valid URL, empty host"));
    }
    Ok(if rest.len() == host.len() { format!("{url}/") } else { url })
}

fn parse_events(r: &Reader<'_>) -> Result<Vec<String>, ApiError> {
    let items = r.array("events")?;
    if items.is_empty() {
        return Err(ApiError::at(
            &["body", "events"],
            "too_short",
            "List should have at least 1 item after validation, not 0",
        ));
    }
    let mut events: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let Some(event) = item.as_str().filter(|it| WEBHOOK_EVENTS.contains(it)) else {
            return Err(ApiError::at(
                &["body", "events"],
                "enum",
                format!("Input should be one of {}", WEBHOOK_EVENTS.join(", ")),
            ));
        };
        if events.iter().any(|it| it == event) {
            return Err(ApiError::at(&["body", "events"], "value_error", "Value error, Events must be unique"));
        }
        events.push(event.to_owned());
    }
    Ok(events)
}

async fn list(State(app): State<AppState>, Auth(actor): Auth) -> ApiResult {
    let items = app.service.list_webhooks(&actor).await?;
    Ok(ok(wire::items(items.iter().map(wire::webhook))))
}

async fn create(State(app): State<AppState>, Auth(actor): Auth, body: Body) -> ApiResult {
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    let new = NewWebhook {
        url: parse_url(&r)?,
        events: parse_events(&r)?,
        description: r.opt_string("description", 1, 1000)?,
    };
    let webhook = app.service.create_webhook(&actor, new).await?;
    Ok(created(wire::webhook(&webhook)))
}

async fn update(
    State(app): State<AppState>,
    Auth(actor): Auth,
    Path(webhook_id): Path<String>,
    body: Body,
) -> ApiResult {
    let id = path_id(&webhook_id, "webhook_id")?;
    let loc = [Loc::from("body")];
    let r = Reader::new(body.object()?, &loc);
    r.non_nullable(&["url", "events", "enabled"])?;
    let patch = WebhookPatch {
        url: if r.has("url") { Some(parse_url(&r)?) } else { None },
        events: if r.has("events") { Some(parse_events(&r)?) } else { None },
        enabled: if r.has("enabled") { Some(r.bool_or("enabled", true)?) } else { None },
        description: match r.raw("description") {
            None => None,
            Some(Value::Null) => Some(None),
            Some(_) => Some(r.opt_string("description", 1, 1000)?),
        },
    };
    let webhook = app.service.update_webhook(&actor, WebhookId(id), patch).await?;
    Ok(ok(wire::webhook(&webhook)))
}

async fn delete(State(app): State<AppState>, Auth(actor): Auth, Path(webhook_id): Path<String>) -> ApiResult {
    let id = path_id(&webhook_id, "webhook_id")?;
    let webhook = app.service.delete_webhook(&actor, WebhookId(id)).await?;
    Ok(ok(wire::webhook(&webhook)))
}

/// Sends a `ping` event at once; 204 when the receiver answered 2xx, 502 naming why not.
async fn ping(State(app): State<AppState>, Auth(actor): Auth, Path(webhook_id): Path<String>) -> ApiResult {
    let id = path_id(&webhook_id, "webhook_id")?;
    app.service.ping_webhook(&actor, WebhookId(id), "argilla-server", crate::routes::info::API_VERSION).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}
