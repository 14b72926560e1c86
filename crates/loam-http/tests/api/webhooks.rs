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
