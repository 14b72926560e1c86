//! Task distribution under concurrency (model.md §9): record status, dataset progress and users
//! progress stay exact when many annotators answer the same records at once.

use std::collections::BTreeMap;

use futures::future::join_all;
use serde_json::{json, Value};

use crate::common::*;

const ANNOTATORS: usize = 20;
const RECORDS: usize = 5;

/// Who answers which record how: (annotator, record, status).
fn plan() -> Vec<(usize, usize, &'static str)> {
    let mut plan = Vec::new();
    // r0: three drafts only.
    plan.extend((0..3).map(|a| (a, 0, "draft")));
    // r1: one submission, six discards.
    plan.push((3, 1, "submitted"));
    plan.extend((4..10).map(|a| (a, 1, "discarded")));
    // r2: exactly two submissions and a draft.
    plan.extend([(10, 2, "submitted"), (11, 2, "submitted"), (12, 2, "draft")]);
    // r3: everybody submits.
    plan.extend((0..ANNOTATORS).map(|a| (a, 3, "submitted")));
    // r4: nobody answers.
    plan
}

struct Ctx {
    app: TestApp,
    ds: String,
    annotators: Vec<TestUser>,
    records: Vec<String>,
}

async fn setup() -> Ctx {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.simple_dataset(&ws, "ds").await;
    let (status, res) = app
        .patch(
            &app.owner.key,
            &format!("/api/v1/datasets/{ds}"),
            json!({"distribution": {"strategy": "overlap", "min_submitted": 2}}),
        )
        .await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["distribution"], json!({"strategy": "overlap", "min_submitted": 2}));
    let mut annotators = Vec::new();
    for i in 0..ANNOTATORS {
        annotators.push(app.member(&format!("annotator-{i:02}"), "annotator", &[&ws]).await);
    }
    let records = app.records(&ds, RECORDS).await;
    Ctx { app, ds, annotators, records }
}

impl Ctx {
    async fn set_min_submitted(&self, n: u32) {
        let body = json!({"distribution": {"strategy": "overlap", "min_submitted": n}});
        let (status, res) = self.app.patch(&self.app.owner.key, &format!("/api/v1/datasets/{}", self.ds), body).await;
        assert_eq!(status, 200, "{res}");
    }

    /// Each record's status, in record order.
    async fn statuses(&self) -> Vec<String> {
        let list = self.app.list_records(&self.ds).await;
        let by_id: BTreeMap<String, String> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|it| (it["id"].as_str().unwrap().to_owned(), it["status"].as_str().unwrap().to_owned()))
            .collect();
        // A single-record read agrees with the listing.
        for id in &self.records {
            let one = self.app.read(&format!("/api/v1/records/{id}")).await;
            assert_eq!(one["status"].as_str(), by_id.get(id).map(String::as_str), "{id}");
        }
        self.records.iter().map(|id| by_id[id].clone()).collect()
    }

    /// Submitted responses per record, as stored.
    async fn submitted_counts(&self) -> Vec<usize> {
        let list = self.app.list_records(&self.ds).await;
        let by_id: BTreeMap<String, usize> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|it| {
                let n = it["responses"].as_array().unwrap().iter().filter(|r| r["status"] == "submitted").count();
                (it["id"].as_str().unwrap().to_owned(), n)
            })
            .collect();
        self.records.iter().map(|id| by_id[id]).collect()
    }

    /// Checks statuses, progress and users progress against `plan` with `min_submitted`.
    async fn check(&self, plan: &[(usize, usize, &str)], min_submitted: usize) {
        let mut submitted = [0usize; RECORDS];
        for &(_, r, status) in plan {
            if status == "submitted" {
                submitted[r] += 1;
            }
        }
        let expected: Vec<&str> =
            submitted.iter().map(|&n| if n >= min_submitted { "completed" } else { "pending" }).collect();
        assert_eq!(self.submitted_counts().await, submitted, "stored submissions");
        assert_eq!(self.statuses().await, expected, "record statuses with min_submitted={min_submitted}");

        let completed = expected.iter().filter(|it| **it == "completed").count();
        let progress = self.app.read(&format!("/api/v1/datasets/{}/progress", self.ds)).await;
        assert_eq!(progress["total"], RECORDS);
        assert_eq!(progress["completed"], completed);
        assert_eq!(progress["pending"], RECORDS - completed);

        // Users progress: every annotator with a response, in creation order.
        let mut users = Vec::new();
        for (a, user) in self.annotators.iter().enumerate() {
            let mut counts = json!({
                "username": user.username,
                "completed": {"submitted": 0, "discarded": 0, "draft": 0},
                "pending": {"submitted": 0, "discarded": 0, "draft": 0},
            });
            let mine: Vec<_> = plan.iter().filter(|(who, _, _)| *who == a).collect();
            if mine.is_empty() {
                continue;
            }
            for &&(_, r, status) in &mine {
                let n = &mut counts[expected[r]][status];
                *n = json!(n.as_u64().unwrap() + 1);
            }
            users.push(counts);
        }
        let users_progress = self.app.read(&format!("/api/v1/datasets/{}/users/progress", self.ds)).await;
        assert_eq!(users_progress, json!({"users": users}), "users progress with min_submitted={min_submitted}");

        // Each annotator's Pending queue as the web UI asks for it: pending records they have not
        // answered. Its total is counted the fast way; the page is the general query.
        let queue = json!({"filters": {"and": [
            {"type": "terms", "scope": {"entity": "response", "property": "status"}, "values": ["pending"]},
            {"type": "terms", "scope": {"entity": "record", "property": "status"}, "values": ["pending"]},
        ]}});
        let path = format!("/api/v1/me/datasets/{}/records/search?limit=50", self.ds);
        for (a, user) in self.annotators.iter().enumerate() {
            let expected: Vec<&String> = (0..RECORDS)
                .filter(|r| expected[*r] == "pending" && !plan.iter().any(|(who, rr, _)| *who == a && rr == r))
                .map(|r| &self.records[r])
                .collect();
            let res = self.app.expect_as(&user.key, "POST", &path, Some(queue.clone()), 200).await;
            let mut got: Vec<&str> =
                res["items"].as_array().unwrap().iter().map(|it| it["record"]["id"].as_str().unwrap()).collect();
            got.sort();
            let mut want: Vec<&str> = expected.iter().map(|it| it.as_str()).collect();
            want.sort();
            assert_eq!(
                (got, res["total"].as_u64().unwrap() as usize),
                (want, expected.len()),
                "queue of annotator {a}"
            );
        }
    }
}

#[tokio::test]
async fn concurrent_submissions_give_exact_statuses_and_progress() {
    let c = setup().await;
    let plan = plan();

    // Everybody at once, through the router.
    let replies = join_all(plan.iter().map(|&(a, r, status)| {
        let app = &c.app;
        let key = c.annotators[a].key.clone();
        let path = format!("/api/v1/records/{}/responses", c.records[r]);
        let body = if status == "submitted" {
            json!({"status": status, "values": {"label": {"value": "a"}}})
        } else {
            json!({"status": status})
        };
        async move { app.post(&key, &path, body).await }
    }))
    .await;
    for (reply, step) in replies.iter().zip(&plan) {
        assert_eq!(reply.0, 201, "{step:?}: {}", reply.1);
    }
    c.check(&plan, 2).await;

    // Progress lists every annotator that answered (order of first response is a race).
    let progress = c.app.read(&format!("/api/v1/datasets/{}/progress", c.ds)).await;
    let mut names: Vec<String> = progress["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|it| {
            assert_eq!(it.as_object().unwrap().len(), 1, "only a username: {it}");
            it["username"].as_str().unwrap().to_owned()
        })
        .collect();
    names.sort();
    let all: Vec<String> = c.annotators.iter().map(|it| it.username.clone()).collect();
    assert_eq!(names, all);

    // Metrics of one annotator: 5 records, their own responses.
    let (_, metrics) = c.app.get(&c.annotators[3].key, &format!("/api/v1/me/datasets/{}/metrics", c.ds)).await;
    assert_eq!(
        metrics,
        json!({"records": {"count": 5},
               "responses": {"total": 5, "count": 2, "submitted": 2, "discarded": 0, "draft": 0, "pending": 3}})
    );
}

#[tokio::test]
async fn changing_min_submitted_reevaluates_statuses() {
    let c = setup().await;
    let plan = plan();
    for &(a, r, status) in &plan {
        let body = json!({"status": status, "values": {"label": {"value": "b"}}});
        let reply =
            c.app.post(&c.annotators[a].key, &format!("/api/v1/records/{}/responses", c.records[r]), body).await;
        check(&reply, 201);
    }
    c.check(&plan, 2).await;
    c.set_min_submitted(1).await;
    c.check(&plan, 1).await;
    c.set_min_submitted(21).await;
    c.check(&plan, 21).await;
    c.set_min_submitted(20).await;
    c.check(&plan, 20).await;
    c.set_min_submitted(2).await;
    c.check(&plan, 2).await;
}

#[tokio::test]
async fn concurrent_updates_and_deletes_flip_records_back_to_pending() {
    let c = setup().await;
    let mut plan = plan();
    let replies = join_all(plan.iter().map(|&(a, r, status)| {
        let app = &c.app;
        let key = c.annotators[a].key.clone();
        let path = format!("/api/v1/records/{}/responses", c.records[r]);
        let body = json!({"status": status, "values": {"label": {"value": "a"}}});
        async move { app.post(&key, &path, body).await }
    }))
    .await;
    let ids: Vec<String> = replies
        .iter()
        .map(|(status, res)| {
            assert_eq!(*status, 201, "{res}");
            res["id"].as_str().unwrap().to_owned()
        })
        .collect();
    c.check(&plan, 2).await;

    // Deleting one of r2's two submissions makes it pending again.
    let r2_first = plan.iter().position(|&(a, r, _)| (a, r) == (10, 2)).unwrap();
    let (status, deleted) = c.app.delete(&c.annotators[10].key, &format!("/api/v1/responses/{}", ids[r2_first])).await;
    assert_eq!(status, 200, "{deleted}");
    plan.remove(r2_first);
    let ids: Vec<String> = ids.into_iter().enumerate().filter(|(i, _)| *i != r2_first).map(|(_, id)| id).collect();
    c.check(&plan, 2).await;

    // All but one of r3's submissions turn into discards, concurrently: r3 becomes pending.
    let r3: Vec<usize> = (0..plan.len()).filter(|&i| plan[i].1 == 3 && plan[i].0 != 0).collect();
    let replies = join_all(r3.iter().map(|&i| {
        let app = &c.app;
        let key = c.annotators[plan[i].0].key.clone();
        let path = format!("/api/v1/responses/{}", ids[i]);
        async move { app.put(&key, &path, json!({"status": "discarded"})).await }
    }))
    .await;
    for reply in &replies {
        check(reply, 200);
    }
    for &i in &r3 {
        plan[i].2 = "discarded";
    }
    c.check(&plan, 2).await;

    // ...and back, concurrently, while other annotators delete their r1 discards.
    let r1: Vec<usize> = (0..plan.len()).filter(|&i| plan[i].1 == 1 && plan[i].2 == "discarded").collect();
    let updates = r3.iter().map(|&i| {
        let app = &c.app;
        let key = c.annotators[plan[i].0].key.clone();
        let path = format!("/api/v1/responses/{}", ids[i]);
        async move { app.put(&key, &path, json!({"status": "submitted", "values": {"label": {"value": "b"}}})).await }
    });
    let deletes = r1.iter().map(|&i| {
        let app = &c.app;
        let key = c.annotators[plan[i].0].key.clone();
        let path = format!("/api/v1/responses/{}", ids[i]);
        async move { app.delete(&key, &path).await }
    });
    let (updated, deleted) = futures::join!(join_all(updates), join_all(deletes));
    for reply in updated.iter().chain(&deleted) {
        check(reply, 200);
    }
    for &i in &r3 {
        plan[i].2 = "submitted";
    }
    let plan: Vec<_> = plan.into_iter().enumerate().filter(|(i, _)| !r1.contains(i)).map(|(_, it)| it).collect();
    c.check(&plan, 2).await;
    let statuses: Vec<Value> = c.statuses().await.into_iter().map(Value::from).collect();
    assert_eq!(statuses, ["pending", "pending", "pending", "completed", "pending"]);
}
