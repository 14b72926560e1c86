//! A webhook event's `data` is the REST body of the same object, read through the API, with its
//! references expanded as the reference's event schemas have them (argilla-server 2.8,
//! `webhooks/v1/schemas.py`): a record's `dataset_id` becomes its `dataset` (without the REST
//! record's conditional keys), a response's `record_id` and `user_id` its `record` and `user`
//! (without `api_key`), a dataset's `workspace_id` its `workspace` and settings (each without
//! `dataset_id`; the loam-only `responses_visible_for_annotators` is left out). One case per event
//! family: a key added to a REST shape and not to its event, or the other way round, fails here.

use serde_json::{json, Value};

use crate::common::*;
use crate::webhooks::{add_hook, deliver_all, Receiver};

/// `rest` with `key` replaced, in place, by `with` (dropped when `with` is empty).
fn expand(rest: &Value, key: &str, with: Vec<(&str, Value)>) -> Value {
    let mut out = serde_json::Map::new();
    let mut with = Some(with);
    for (name, value) in rest.as_object().unwrap() {
        if name != key {
            out.insert(name.clone(), value.clone());
        } else if let Some(with) = with.take() {
            out.extend(with.into_iter().map(|(name, value)| (name.to_owned(), value)));
        }
    }
    assert!(with.is_none(), "{key} is a key of {rest}");
    Value::Object(out)
}

/// The items of a REST list of settings, as a dataset event nests them.
async fn settings(app: &TestApp, path: &str) -> Value {
    let items = app.read(path).await["items"].as_array().unwrap().clone();
    items.iter().map(|it| expand(it, "dataset_id", vec![])).collect()
}

/// A REST dataset as events carry it: with its workspace and settings, read now.
async fn dataset_data(app: &TestApp, rest: &Value) -> Value {
    let ds = rest["id"].as_str().unwrap();
    let workspace = app.read(&format!("/api/v1/workspaces/{}", rest["workspace_id"].as_str().unwrap())).await;
    let with = vec![
        ("workspace", workspace),
        ("questions", settings(app, &format!("/api/v1/datasets/{ds}/questions")).await),
        ("fields", settings(app, &format!("/api/v1/datasets/{ds}/fields")).await),
        ("metadata_properties", settings(app, &format!("/api/v1/me/datasets/{ds}/metadata-properties")).await),
        ("vectors_settings", settings(app, &format!("/api/v1/datasets/{ds}/vectors-settings")).await),
    ];
    expand(&expand(rest, "responses_visible_for_annotators", vec![]), "workspace_id", with)
}

/// A REST record as events carry it: without its conditional keys, with its dataset.
async fn record_data(app: &TestApp, rest: &Value) -> Value {
    let dataset = app.read(&format!("/api/v1/datasets/{}", rest["dataset_id"].as_str().unwrap())).await;
    let dataset = dataset_data(app, &dataset).await;
    let mut base = rest.clone();
    for key in ["responses", "suggestions", "vectors"] {
        base.as_object_mut().unwrap().remove(key);
    }
    expand(&base, "dataset_id", vec![("dataset", dataset)])
}

/// A REST response as events carry it: with `record` (as given) and its author, read now.
async fn response_data(app: &TestApp, rest: &Value, record: Value) -> Value {
    let user = app.read(&format!("/api/v1/users/{}", rest["user_id"].as_str().unwrap())).await;
    let user = expand(&user, "api_key", vec![]);
    expand(&expand(rest, "record_id", vec![("record", record)]), "user_id", vec![("user", user)])
}

/// Delivers what is queued and returns the `data` of each event of `kind` received since the
/// last call (`seen` counts the events already looked at).
async fn received(app: &TestApp, receiver: &Receiver, seen: &mut usize, kinds: &[&str]) -> Vec<(String, Value)> {
    assert_eq!(deliver_all(app).await.failed, 0);
    let all = receiver.received();
    let new: Vec<(String, Value)> =
        all[*seen..].iter().map(|it| (it.body["type"].as_str().unwrap().to_owned(), it.body["data"].clone())).collect();
    *seen = all.len();
    let got: Vec<&str> = new.iter().map(|(kind, _)| kind.as_str()).collect();
    assert_eq!(got, kinds);
    new
}

#[tokio::test]
async fn every_event_carries_the_rest_body_of_its_object() {
    let app = TestApp::new().await;
    let receiver = Receiver::start(200).await;
    add_hook(&app, &receiver.url, loam_service::WEBHOOK_EVENTS).await;
    let mut seen = 0;
    let ws = app.default_workspace().await;

    // Datasets: created (no settings yet), published (with one of each), updated, below deleted.
    let ds = app.create_dataset(&ws, "payloads").await;
    let got = received(&app, &receiver, &mut seen, &["dataset.created"]).await;
    let rest = app.read(&format!("/api/v1/datasets/{ds}")).await;
    assert_eq!(got[0].1, dataset_data(&app, &rest).await);
    app.add_field(&ds, "text", true).await;
    let label = app.add_question(&ds, "label", true, label_settings(&["a", "b"])).await;
    app.expect("PATCH", &format!("/api/v1/questions/{label}"), Some(json!({"description": "Pick one"})), 200).await;
    app.add_metadata(&ds, "m", json!({"type": "terms"}), true).await;
    let vectors = json!({"name": "emb", "title": "E", "dimensions": 2});
    app.expect("POST", &format!("/api/v1/datasets/{ds}/vectors-settings"), Some(vectors), 201).await;
    app.publish(&ds).await;
    let got = received(&app, &receiver, &mut seen, &["dataset.published"]).await;
    let rest = app.read(&format!("/api/v1/datasets/{ds}")).await;
    let published = dataset_data(&app, &rest).await;
    assert_eq!(published["questions"][0]["description"], "Pick one");
    assert_eq!(got[0].1, published);
    let rest =
        app.expect("PATCH", &format!("/api/v1/datasets/{ds}"), Some(json!({"guidelines": "Be kind"})), 200).await;
    let got = received(&app, &receiver, &mut seen, &["dataset.updated"]).await;
    assert_eq!(got[0].1, dataset_data(&app, &rest).await);

    // Records: created, updated, deleted.
    let item = json!({"fields": {"text": "hi"}, "metadata": {"m": "x"}, "external_id": "e-1",
                      "vectors": {"emb": [0.5, 1.0]}});
    let record = app.log(&ds, vec![item]).await[0]["id"].as_str().unwrap().to_owned();
    let got = received(&app, &receiver, &mut seen, &["record.created"]).await;
    let rest = app.read(&format!("/api/v1/records/{record}")).await;
    assert_eq!(got[0].1, record_data(&app, &rest).await);
    let patch = json!({"metadata": {"m": "y"}});
    let rest = app.expect("PATCH", &format!("/api/v1/records/{record}"), Some(patch), 200).await;
    let got = received(&app, &receiver, &mut seen, &["record.updated"]).await;
    assert_eq!(got[0].1, record_data(&app, &rest).await);

    // Responses: created (completing the record), updated, deleted (making it pending again). A
    // response event carries its record as it stood before the response changed its status; the
    // record events that follow carry it after, in the dataset as the write found it (its
    // `last_activity_at` from before the write).
    let before = record_data(&app, &app.read(&format!("/api/v1/records/{record}")).await).await;
    let body = json!({"values": {"label": {"value": "a"}}, "status": "submitted"});
    let rest = app.expect("POST", &format!("/api/v1/records/{record}/responses"), Some(body), 201).await;
    let kinds = ["response.created", "record.updated", "record.completed"];
    let got = received(&app, &receiver, &mut seen, &kinds).await;
    assert_eq!(got[0].1, response_data(&app, &rest, before.clone()).await);
    let after = record_data(&app, &app.read(&format!("/api/v1/records/{record}")).await).await;
    assert_eq!(after["status"], "completed");
    let completed = with_activity_of(after.clone(), &before);
    assert_eq!((&got[1].1, &got[2].1), (&completed, &completed));
    let response = rest["id"].as_str().unwrap().to_owned();
    let body = json!({"values": {"label": {"value": "b"}}, "status": "submitted"});
    let rest = app.expect("PUT", &format!("/api/v1/responses/{response}"), Some(body), 200).await;
    let got = received(&app, &receiver, &mut seen, &["response.updated"]).await;
    assert_eq!(got[0].1, response_data(&app, &rest, after).await);
    let before = record_data(&app, &app.read(&format!("/api/v1/records/{record}")).await).await;
    let rest = app.expect("DELETE", &format!("/api/v1/responses/{response}"), None, 200).await;
    let got = received(&app, &receiver, &mut seen, &["response.deleted", "record.updated"]).await;
    assert_eq!(got[0].1, response_data(&app, &rest, before.clone()).await);
    let pending = record_data(&app, &app.read(&format!("/api/v1/records/{record}")).await).await;
    let pending = with_activity_of(pending, &before);
    assert_eq!(pending["status"], "pending");
    assert_eq!(got[1].1, pending);

    let rest = app.expect("DELETE", &format!("/api/v1/records/{record}"), None, 200).await;
    let got = received(&app, &receiver, &mut seen, &["record.deleted"]).await;
    assert_eq!(got[0].1, record_data(&app, &rest).await);

    // The deleted dataset is rendered with the settings it had.
    let rest = app.read(&format!("/api/v1/datasets/{ds}")).await;
    let expected = dataset_data(&app, &rest).await;
    let rest = app.expect("DELETE", &format!("/api/v1/datasets/{ds}"), None, 200).await;
    let got = received(&app, &receiver, &mut seen, &["dataset.deleted"]).await;
    assert_eq!(expected, dataset_data_of_deleted(&rest, &expected));
    assert_eq!(got[0].1, expected);
}

/// `record` (as events carry it) in its dataset with the `last_activity_at` of `earlier`'s.
fn with_activity_of(mut record: Value, earlier: &Value) -> Value {
    record["dataset"]["last_activity_at"] = earlier["dataset"]["last_activity_at"].clone();
    record
}

/// The REST body of a deleted dataset, expanded with the workspace and settings read before the
/// deletion (`before`): it can no longer be read through the API.
fn dataset_data_of_deleted(rest: &Value, before: &Value) -> Value {
    let with = ["workspace", "questions", "fields", "metadata_properties", "vectors_settings"]
        .into_iter()
        .map(|key| (key, before[key].clone()))
        .collect();
    expand(&expand(rest, "responses_visible_for_annotators", vec![]), "workspace_id", with)
}
