//! Webhooks (api.md §13): owner-only CRUD, URL normalisation, the limit of ten.

use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn webhooks_crud() {
    let app = TestApp::new().await;
    let key = app.owner.key.clone();
    let body = json!({"url": "https://example.com", "events": ["dataset.created", "record.completed"],
                      "description": "mine"});
    let (status, hook) = app.post(&key, "/api/v1/webhooks", body).await;
    assert_eq!(status, 201, "{hook}");
    assert_eq!(hook["url"], "https://example.com/");
    assert_eq!(hook["enabled"], true);
    assert_eq!(hook["events"], json!(["dataset.created", "record.completed"]));
    assert_eq!(hook["description"], "mine");
    assert!(hook["secret"].as_str().unwrap().len() >= 80, "base64 of 64 bytes: {hook}");
    let id = hook["id"].as_str().unwrap().to_owned();
    assert_eq!(app.read("/api/v1/webhooks").await, json!({"items": [hook.clone()]}));

    let path = format!("/api/v1/webhooks/{id}");
    let (status, updated) =
        app.patch(&key, &path, json!({"enabled": false, "description": null, "secret": "ignored", "id": "x"})).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["enabled"], false);
    assert_eq!(updated["description"], Value::Null);
    assert_eq!(updated["secret"], hook["secret"]);
    let (status, res) = app.patch(&key, &path, json!({"url": null, "events": null})).await;
    assert_eq!(status, 422, "{res}");
    assert_eq!(
        res["detail"]["params"]["errors"][0]["msg"],
        "Value error, The following keys must have non-null values: url, events"
    );
    let (status, res) = app.patch(&key, &path, json!({"events": ["dataset.created", "dataset.created"]})).await;
    assert_eq!(status, 422, "{res}");

    let (status, deleted) = app.delete(&key, &path).await;
    assert_eq!(status, 200);
    assert_eq!(deleted["id"], id.as_str());
    let reply = app.delete(&key, &path).await;
    assert_eq!(reply, (404, detail(format!("Webhook with id `{id}` not found"))));
    let reply = app.patch(&key, &path, json!({"enabled": true})).await;
    assert_eq!(reply, (404, detail(format!("Webhook with id `{id}` not found"))));
}

#[tokio::test]
async fn at_most_ten_webhooks() {
    let app = TestApp::new().await;
    for i in 0..10 {
        let body = json!({"url": format!("https://example.com/{i}"), "events": ["response.created"]});
        let (status, res) = app.post(&app.owner.key, "/api/v1/webhooks", body).await;
        assert_eq!(status, 201, "{res}");
    }
    let body = json!({"url": "https://example.com/11", "events": ["response.created"]});
    let reply = app.post(&app.owner.key, "/api/v1/webhooks", body).await;
    assert_eq!(reply, (422, detail("You can't create more than 10 webhooks. Please delete some of them first")));
    assert_eq!(app.read("/api/v1/webhooks").await["items"].as_array().unwrap().len(), 10);
}

/// What a webhook receiver got: one request's headers of interest and its JSON body.
#[derive(Clone, Debug)]
pub(crate) struct Received {
    id: String,
    timestamp: String,
    signature: String,
    raw: String,
    pub(crate) body: Value,
}

/// A local webhook receiver on a free port, answering `status` to every POST.
pub(crate) struct Receiver {
    pub(crate) url: String,
    got: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub(crate) async fn start(status: u16) -> Self {
        use axum::http::{HeaderMap, StatusCode};
        let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = std::sync::Arc::clone(&got);
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, raw: String| {
                let sink = std::sync::Arc::clone(&sink);
                async move {
                    let header =
                        |name: &str| headers.get(name).and_then(|it| it.to_str().ok()).unwrap_or("").to_owned();
                    let body = serde_json::from_str(&raw).unwrap_or(Value::Null);
                    let item = Received {
                        id: header("webhook-id"),
                        timestamp: header("webhook-timestamp"),
                        signature: header("webhook-signature"),
                        raw,
                        body,
                    };
                    sink.lock().unwrap().push(item);
                    StatusCode::from_u16(status).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Receiver { url, got, task }
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    fn events(&self) -> Vec<String> {
        self.received().iter().map(|it| it.body["type"].as_str().unwrap_or("?").to_owned()).collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) async fn add_hook(app: &TestApp, url: &str, events: &[&str]) -> Value {
    let body = json!({"url": url, "events": events});
    let (status, hook) = app.post(&app.owner.key, "/api/v1/webhooks", body).await;
    assert_eq!(status, 201, "{hook}");
    hook
}

/// Runs delivery steps until one finds nothing due.
pub(crate) async fn deliver_all(app: &TestApp) -> loam_service::DeliveryStep {
    let mut total = loam_service::DeliveryStep::default();
    loop {
        let step = app.service.deliver_webhooks_step().await.unwrap();
        if step == loam_service::DeliveryStep::default() {
            return total;
        }
        total.delivered += step.delivered;
        total.failed += step.failed;
    }
}

#[tokio::test]
async fn every_event_reaches_its_subscriber_signed() {
    let app = TestApp::new().await;
    let receiver = Receiver::start(200).await;
    let hook = add_hook(&app, &receiver.url, loam_service::WEBHOOK_EVENTS).await;
    let ws = app.default_workspace().await;
    let ds = app.simple_dataset(&ws, "hooked").await;
    app.expect("PATCH", &format!("/api/v1/datasets/{ds}"), Some(json!({"guidelines": "Be kind"})), 200).await;
    let ids = app.records(&ds, 2).await;
    let body = json!({"values": {"label": {"value": "a"}}, "status": "submitted"});
    let response = app.expect("POST", &format!("/api/v1/records/{}/responses", ids[0]), Some(body), 201).await;
    let body = json!({"values": {"label": {"value": "b"}}, "status": "submitted"});
    app.expect("PUT", &format!("/api/v1/responses/{}", response["id"].as_str().unwrap()), Some(body), 200).await;
    app.expect("DELETE", &format!("/api/v1/responses/{}", response["id"].as_str().unwrap()), None, 200).await;
    app.expect("DELETE", &format!("/api/v1/records/{}", ids[1]), None, 200).await;
    app.expect("DELETE", &format!("/api/v1/datasets/{ds}"), None, 200).await;

    let step = deliver_all(&app).await;
    assert_eq!(step.failed, 0);
    let mut events = receiver.events();
    events.sort();
    let mut expected = vec![
        "dataset.created",
        "dataset.published",
        "dataset.updated",
        "record.created",
        "record.created",
        "response.created",
        "record.updated",
        "record.completed",
        "response.updated",
        "response.deleted",
        "record.updated",
        "record.deleted",
        "dataset.deleted",
    ];
    expected.sort();
    assert_eq!(events, expected);
    assert_eq!(step.delivered, expected.len());

    let received = receiver.received();
    let secret = hook["secret"].as_str().unwrap();
    let mut ids_seen = std::collections::HashSet::new();
    for it in &received {
        assert!(it.id.starts_with("msg_") && ids_seen.insert(it.id.clone()), "unique message ids: {}", it.id);
        let timestamp: i64 = it.timestamp.parse().unwrap();
        let expected = loam_service::sign_webhook(secret, &it.id, timestamp, &it.raw).unwrap();
        assert_eq!(it.signature, expected, "signature of {}", it.body["type"]);
        assert_eq!(it.body["version"], 1);
        assert!(it.body["timestamp"].as_str().unwrap().ends_with('Z'));
    }
    let of = |event: &str| received.iter().find(|it| it.body["type"] == event).unwrap().body["data"].clone();
    let published = of("dataset.published");
    assert_eq!(published["id"], ds.as_str());
    assert_eq!(published["status"], "ready");
    assert_eq!(published["workspace"]["name"], "argilla");
    assert_eq!(published["fields"][0]["name"], "text");
    assert_eq!(published["questions"][0]["name"], "label");
    assert_eq!(of("dataset.updated")["guidelines"], "Be kind");
    let completed = of("record.completed");
    assert_eq!((completed["id"].as_str(), completed["status"].as_str()), (Some(ids[0].as_str()), Some("completed")));
    assert_eq!(completed["dataset"]["id"], ds.as_str());
    let created = of("response.created");
    assert_eq!(created["values"], json!({"label": {"value": "a"}}));
    assert_eq!(created["user"]["username"], "owner");
    assert_eq!(created["record"]["id"], ids[0].as_str());
    assert_eq!(of("record.deleted")["id"], ids[1].as_str());
    assert_eq!(of("dataset.deleted")["name"], "hooked");
    // Nothing is left behind once delivered.
    let hook_id = loam_domain::WebhookId(hook["id"].as_str().unwrap().parse().unwrap());
    let owner = app.service.find_user_by_username("owner").await.unwrap().unwrap();
    assert_eq!(app.service.webhook_deliveries(&owner, hook_id).await.unwrap(), vec![]);
}

#[tokio::test]
async fn only_subscribed_enabled_webhooks_get_events_and_rolled_back_writes_send_nothing() {
    let app = TestApp::new().await;
    let receiver = Receiver::start(200).await;
    add_hook(&app, &receiver.url, &["record.created"]).await;
    let off = add_hook(&app, &receiver.url, &["record.created", "dataset.created"]).await;
    let path = format!("/api/v1/webhooks/{}", off["id"].as_str().unwrap());
    app.expect("PATCH", &path, Some(json!({"enabled": false})), 200).await;
    let ws = app.default_workspace().await;
    let ds = app.simple_dataset(&ws, "quiet").await;
    // One bad item rejects the whole batch: no record, no event.
    let items = json!({"items": [{"fields": {"text": "fine"}}, {"fields": {"nope": "bad"}}]});
    let (status, res) = app.post(&app.owner.key, &format!("/api/v1/datasets/{ds}/records/bulk"), items).await;
    assert_eq!(status, 422, "{res}");
    app.record(&ds, "kept").await;
    deliver_all(&app).await;
    let received = receiver.received();
    assert_eq!(receiver.events(), ["record.created"]);
    assert_eq!(received[0].body["data"]["fields"], json!({"text": "kept"}));
}

#[tokio::test]
async fn a_failing_receiver_keeps_the_delivery_for_a_later_retry() {
    let app = TestApp::new().await;
    let receiver = Receiver::start(500).await;
    let hook = add_hook(&app, &receiver.url, &["dataset.created"]).await;
    let ws = app.default_workspace().await;
    app.create_dataset(&ws, "retry-me").await;
    let step = app.service.deliver_webhooks_step().await.unwrap();
    assert_eq!((step.delivered, step.failed), (0, 1));
    // Backed off: not due again at once.
    assert_eq!(app.service.deliver_webhooks_step().await.unwrap(), loam_service::DeliveryStep::default());
    let hook_id = loam_domain::WebhookId(hook["id"].as_str().unwrap().parse().unwrap());
    let owner = app.service.find_user_by_username("owner").await.unwrap().unwrap();
    let pending = app.service.webhook_deliveries(&owner, hook_id).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].attempts, 1);
    assert_eq!(pending[0].last_error.as_deref(), Some("the receiver answered HTTP 500"));
    assert_eq!(pending[0].failed_at, None);
    assert_eq!(receiver.received().len(), 1);
    // Deleting the webhook drops what it still had queued.
    app.expect("DELETE", &format!("/api/v1/webhooks/{}", hook_id.0), None, 200).await;
    assert_eq!(app.service.webhook_deliveries(&owner, hook_id).await.unwrap(), vec![]);
}

#[tokio::test]
async fn ping_waits_for_the_receiver() {
    let app = TestApp::new().await;
    let receiver = Receiver::start(204).await;
    let hook = add_hook(&app, &receiver.url, &["dataset.created"]).await;
    let path = format!("/api/v1/webhooks/{}/ping", hook["id"].as_str().unwrap());
    let (status, body) = app.post(&app.owner.key, &path, Value::Null).await;
    assert_eq!((status, body), (204, Value::Null));
    let received = receiver.received();
    assert_eq!(received[0].body["type"], "ping");
    assert_eq!(received[0].body["data"]["agent"], "argilla-server");

    // Nobody listens on a port just released.
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/hook", listener.local_addr().unwrap())
    };
    let hook = add_hook(&app, &dead, &["dataset.created"]).await;
    let path = format!("/api/v1/webhooks/{}/ping", hook["id"].as_str().unwrap());
    let (status, body) = app.post(&app.owner.key, &path, Value::Null).await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["detail"], format!("The webhook's receiver at {dead} did not accept the ping: could not connect"));
    let annotator = app.create_user(&unique("ann"), "annotator").await;
    let (status, _) = app.post(&annotator.key, &path, Value::Null).await;
    assert_eq!(status, 403);
}

/// Replicas share the outbox through the database: three services deliver side by side and
/// every event reaches the receiver exactly once.
#[tokio::test]
async fn replicas_deliver_each_event_once() {
    let first = TestApp::new().await;
    let receiver = Receiver::start(200).await;
    add_hook(&first, &receiver.url, &["record.created"]).await;
    let ws = first.default_workspace().await;
    let ds = first.simple_dataset(&ws, "shared").await;
    let n_records = 120;
    first.records(&ds, n_records).await;
    let mut replicas = vec![std::sync::Arc::clone(&first.service)];
    for _ in 0..2 {
        replicas.push(std::sync::Arc::new(open_service(&first._db.url, 4).await));
    }
    let workers = replicas.iter().map(|service| async move {
        let mut delivered = 0;
        loop {
            let step = service.deliver_webhooks_step().await.unwrap();
            if step == loam_service::DeliveryStep::default() {
                return delivered;
            }
            assert_eq!(step.failed, 0);
            delivered += step.delivered;
        }
    });
    let per_replica = futures::future::join_all(workers).await;
    assert_eq!(per_replica.iter().sum::<usize>(), n_records, "{per_replica:?}");
    let received = receiver.received();
    let mut ids: Vec<&str> = received.iter().map(|it| it.body["data"]["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((received.len(), ids.len()), (n_records, n_records));
}
