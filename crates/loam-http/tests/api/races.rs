//! Response writes racing each other on the same records, on either engine (PostgreSQL with
//! `LOAM_TEST_POSTGRES`): every path that changes responses or statuses takes the records' row
//! locks (`response_write.rs`), so the status each record ends with counts every committed
//! submission, and the events queued in the outbox say so. Without the locks, two writers on
//! PostgreSQL each count only their own submission and both leave the record pending.

use futures::future::join_all;
use serde_json::{json, Value};

use crate::common::*;

const RECORDS: usize = 20;

struct Ctx {
    app: TestApp,
    ds: String,
    annotators: Vec<TestUser>,
    records: Vec<String>,
    hook: loam_domain::WebhookId,
}

/// A dataset needing `min_submitted` submissions, `n_annotators` annotators, [`RECORDS`] records
/// and a webhook subscribed to response and record events.
async fn setup(min_submitted: u32, n_annotators: usize) -> Ctx {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.simple_dataset(&ws, "raced").await;
    set_min_submitted(&app, &ds, min_submitted).await;
    let mut annotators = Vec::new();
    for i in 0..n_annotators {
        annotators.push(app.member(&format!("racer-{i}"), "annotator", &[&ws]).await);
    }
    let records = app.records(&ds, RECORDS).await;
    let events = ["response.created", "response.updated", "record.updated", "record.completed"];
    let (status, hook) = app
        .post(&app.owner.key, "/api/v1/webhooks", json!({"url": "https://example.com/hook", "events": events}))
        .await;
    assert_eq!(status, 201, "{hook}");
    let hook = loam_domain::WebhookId(hook["id"].as_str().unwrap().parse().unwrap());
    Ctx { app, ds, annotators, records, hook }
}

async fn set_min_submitted(app: &TestApp, ds: &str, n: u32) {
    let body = json!({"distribution": {"strategy": "overlap", "min_submitted": n}});
    let (status, res) = app.patch(&app.owner.key, &format!("/api/v1/datasets/{ds}"), body).await;
    assert_eq!(status, 200, "{res}");
}

fn submitted() -> Value {
    json!({"status": "submitted", "values": {"label": {"value": "a"}}})
}

impl Ctx {
    /// The status of every record, in order.
    async fn statuses(&self) -> Vec<String> {
        let list = self.app.list_records(&self.ds).await;
        let by_id: std::collections::HashMap<&str, &str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|it| (it["id"].as_str().unwrap(), it["status"].as_str().unwrap()))
            .collect();
        self.records.iter().map(|id| by_id[id.as_str()].to_owned()).collect()
    }

    /// The queued events (not yet delivered): (event, its `data`).
    async fn events(&self) -> Vec<(String, Value)> {
        let owner = self.app.service.find_user_by_username("owner").await.unwrap().unwrap();
        let rows = self.app.service.webhook_deliveries(&owner, self.hook).await.unwrap();
        rows.into_iter()
            .map(|it| {
                let body: Value = serde_json::from_str(&it.body).unwrap();
                (it.event, body["data"].clone())
            })
            .collect()
    }

    /// A submission of `annotator` to every record, each its own request.
    fn submit_all(&self, annotator: usize) -> Vec<impl std::future::Future<Output = Reply> + '_> {
        let key = self.annotators[annotator].key.clone();
        self.records
            .iter()
            .map(move |record| {
                let (app, key) = (&self.app, key.clone());
                let path = format!("/api/v1/records/{record}/responses");
                async move { app.post(&key, &path, submitted()).await }
            })
            .collect()
    }
}

#[tokio::test]
async fn a_bulk_upsert_with_responses_racing_single_submits_ends_with_the_right_statuses_and_events() {
    let c = setup(2, 2).await;
    let (first, second) = (&c.annotators[0], &c.annotators[1]);
    // The owner upserts every record with the first annotator's submission while the second
    // annotator submits to each record on their own.
    let items: Vec<Value> = c
        .records
        .iter()
        .map(|id| {
            json!({"id": id, "responses": [{"user_id": first.id, "status": "submitted",
                                                  "values": {"label": {"value": "b"}}}]})
        })
        .collect();
    let path = format!("/api/v1/datasets/{}/records/bulk", c.ds);
    let bulk = c.app.put(&c.app.owner.key, &path, json!({"items": items}));
    let (bulk, singles) = futures::join!(bulk, join_all(c.submit_all(1)));
    assert_eq!(bulk.0, 200, "{}", bulk.1);
    for reply in &singles {
        assert_eq!(reply.0, 201, "{}", reply.1);
    }
    assert_eq!(c.statuses().await, vec!["completed"; RECORDS], "two submissions complete every record");

    let events = c.events().await;
    // Every response is announced once, from either path, naming its record and author.
    let mut created: Vec<(String, String)> = events
        .iter()
        .filter(|(event, _)| event == "response.created")
        .map(|(_, data)| {
            let record = data["record"]["id"].as_str().unwrap().to_owned();
            (record, data["user"]["username"].as_str().unwrap().to_owned())
        })
        .collect();
    created.sort();
    let mut expected: Vec<(String, String)> = c
        .records
        .iter()
        .flat_map(|id| [(id.clone(), first.username.clone()), (id.clone(), second.username.clone())])
        .collect();
    expected.sort();
    assert_eq!(created, expected);
    assert!(events.iter().all(|(event, _)| event != "response.updated"), "no response existed before");
    // Whichever write came second announced the record as completed: the single submit with
    // `record.completed`, the bulk upsert with the `record.updated` that carries the status.
    for id in &c.records {
        let announced = events.iter().any(|(event, data)| {
            data["id"] == id.as_str()
                && data["status"] == "completed"
                && (event == "record.completed" || event == "record.updated")
        });
        assert!(announced, "record {id} was never announced as completed: {events:?}");
    }
}

#[tokio::test]
async fn removing_a_user_while_others_submit_leaves_exact_statuses() {
    let c = setup(2, 3).await;
    // The first annotator has submitted to every record: one submission each, still pending.
    for reply in join_all(c.submit_all(0)).await {
        assert_eq!(reply.0, 201, "{}", reply.1);
    }
    assert_eq!(c.statuses().await, vec!["pending"; RECORDS]);
    // The owner deletes that annotator while the second one submits to every record: whatever
    // the order, each record ends with one submission, so pending.
    let gone = c.annotators[0].id.clone();
    let path = format!("/api/v1/users/{gone}");
    let remove = c.app.delete(&c.app.owner.key, &path);
    let (removed, singles) = futures::join!(remove, join_all(c.submit_all(1)));
    assert_eq!(removed.0, 200, "{}", removed.1);
    for reply in &singles {
        assert_eq!(reply.0, 201, "{}", reply.1);
    }
    assert_eq!(c.statuses().await, vec!["pending"; RECORDS], "the removed user's submissions no longer count");
    // A third submission completes them all again.
    for reply in join_all(c.submit_all(2)).await {
        assert_eq!(reply.0, 201, "{}", reply.1);
    }
    assert_eq!(c.statuses().await, vec!["completed"; RECORDS]);
}

#[tokio::test]
async fn raising_min_submitted_while_others_submit_leaves_exact_statuses() {
    let c = setup(2, 2).await;
    for reply in join_all(c.submit_all(0)).await {
        assert_eq!(reply.0, 201, "{}", reply.1);
    }
    // Three submissions are asked for while the second annotator submits: two is not enough,
    // whichever commits first.
    let raise = set_min_submitted(&c.app, &c.ds, 3);
    let (_, singles) = futures::join!(raise, join_all(c.submit_all(1)));
    for reply in &singles {
        assert_eq!(reply.0, 201, "{}", reply.1);
    }
    assert_eq!(c.statuses().await, vec!["pending"; RECORDS], "two submissions of three asked for");
    set_min_submitted(&c.app, &c.ds, 2).await;
    assert_eq!(c.statuses().await, vec!["completed"; RECORDS]);
}
