//! Time on task (issue 20): the active time the web UI sends with each response save
//! (`loam_active_ms`, a loam extension) is summed per (record, annotator); owners and admins see
//! each annotator's and the team's active time, records done, records per hour and median time
//! per record on the home's overview and the dataset's live progress; exports carry it in
//! `loam_active_ms`. Bad values are refused whole (422) and store nothing; the SDKs' response
//! shape never carries it.

use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::common::*;

struct World {
    app: TestApp,
    ds: String,
    records: Vec<String>,
    ann1: TestUser,
    ann2: TestUser,
}

fn submitted() -> Value {
    json!({"label": {"value": "a"}})
}

/// ann1: r0 a draft (10 s) then submitted (5 s) = 15 s done; r1 submitted (30 s); r2 a draft
/// (7 s, not done). ann2: r0 submitted in bulk (20 s); r3 discarded by PUT after a draft with
/// no time (40 s). Expected: ann1 52 s active, 2 done, median 22.5 s; ann2 60 s, 2 done, median
/// 30 s; the team 112 s, 4 done, median 25 s.
async fn world() -> World {
    let app = TestApp::new().await;
    let ws = app.create_workspace(&unique("ws")).await;
    let ann1 = app.member(&unique("ann1"), "annotator", &[&ws]).await;
    let ann2 = app.member(&unique("ann2"), "annotator", &[&ws]).await;
    let ds = app.simple_dataset(&ws, "timed").await;
    let records = app.records(&ds, 4).await;
    let post = |who: &TestUser, record: &str, body: Value| {
        let (key, path) = (who.key.clone(), format!("/api/v1/records/{record}/responses"));
        let app = &app;
        async move { app.post(&key, &path, body).await }
    };
    let draft = post(&ann1, &records[0], json!({"status": "draft", "loam_active_ms": 10_000})).await;
    check(&draft, 201);
    let id = draft.1["id"].as_str().unwrap().to_owned();
    let body = json!({"status": "submitted", "values": submitted(), "loam_active_ms": 5_000});
    check(&app.put(&ann1.key, &format!("/api/v1/responses/{id}"), body).await, 200);
    let body = json!({"status": "submitted", "values": submitted(), "loam_active_ms": 30_000});
    check(&post(&ann1, &records[1], body).await, 201);
    check(&post(&ann1, &records[2], json!({"status": "draft", "loam_active_ms": 7_000})).await, 201);
    let bulk = json!({"items": [{"record_id": records[0], "status": "submitted", "values": submitted(), "loam_active_ms": 20_000}]});
    let reply = app.post(&ann2.key, "/api/v1/me/responses/bulk", bulk).await;
    check(&reply, 200);
    assert_eq!(reply.1["items"][0]["error"], Value::Null, "{}", reply.1);
    let draft = post(&ann2, &records[3], json!({"status": "draft"})).await;
    check(&draft, 201);
    let id = draft.1["id"].as_str().unwrap().to_owned();
    let body = json!({"status": "discarded", "loam_active_ms": 40_000});
    check(&app.put(&ann2.key, &format!("/api/v1/responses/{id}"), body).await, 200);
    World { app, ds, records, ann1, ann2 }
}

fn figures(active_ms: i64, done: i64, median_ms: f64) -> Value {
    json!({
        "active_ms": active_ms,
        "done": done,
        "records_per_hour": done as f64 * 3_600_000.0 / active_ms as f64,
        "median_ms": median_ms,
    })
}

fn expected_time(w: &World) -> Value {
    let mut ann1 = figures(52_000, 2, 22_500.0);
    ann1["username"] = json!(w.ann1.username);
    let mut ann2 = figures(60_000, 2, 30_000.0);
    ann2["username"] = json!(w.ann2.username);
    json!({"total": figures(112_000, 4, 25_000.0), "annotators": [ann1, ann2]})
}

#[tokio::test]
async fn time_is_summed_per_annotator_with_throughput_on_both_progress_replies() {
    let w = world().await;
    let owner = &w.app.owner.key;
    let (status, overview) = w.app.get(owner, "/api/v1/ui/overview").await;
    assert_eq!(status, 200, "{overview}");
    let item = overview["items"].as_array().unwrap().iter().find(|it| it["dataset_id"] == w.ds.as_str()).unwrap();
    assert_eq!(item["team"]["time"], expected_time(&w));
    let (status, progress) = w.app.get(owner, &format!("/api/v1/ui/datasets/{}/progress", w.ds)).await;
    assert_eq!(status, 200, "{progress}");
    assert_eq!(progress["time"], expected_time(&w));

    // Annotators see their own figures only: no team, no time.
    let (_, mine) = w.app.get(&w.ann1.key, "/api/v1/ui/overview").await;
    let item = mine["items"].as_array().unwrap().iter().find(|it| it["dataset_id"] == w.ds.as_str()).unwrap();
    assert_eq!(item["team"], Value::Null);
    let (_, progress) = w.app.get(&w.ann1.key, &format!("/api/v1/ui/datasets/{}/progress", w.ds)).await;
    assert_eq!(progress["time"], Value::Null);
}

#[tokio::test]
async fn the_sdks_response_shape_never_carries_the_time() {
    let w = world().await;
    let (status, record) = w.app.get(&w.ann1.key, &format!("/api/v1/records/{}?include=responses", w.records[1])).await;
    assert_eq!(status, 200, "{record}");
    let response = record["responses"][0].as_object().unwrap();
    let keys: Vec<&str> = response.keys().map(String::as_str).collect();
    assert_eq!(keys, ["id", "values", "status", "record_id", "user_id", "inserted_at", "updated_at"]);
    // A save without the key changes nothing of the time.
    let id = response["id"].as_str().unwrap();
    let body = json!({"status": "submitted", "values": {"label": {"value": "b"}}});
    check(&w.app.put(&w.ann1.key, &format!("/api/v1/responses/{id}"), body).await, 200);
    let progress = w.app.read(&format!("/api/v1/ui/datasets/{}/progress", w.ds)).await;
    assert_eq!(progress["time"], expected_time(&w));
}

#[tokio::test]
async fn undoing_a_response_keeps_the_time_spent_and_answering_again_adds_to_it() {
    let w = world().await;
    let record = w.app.read(&format!("/api/v1/records/{}?include=responses", w.records[1])).await;
    let id = record["responses"][0]["id"].as_str().unwrap();
    check(&w.app.delete(&w.ann1.key, &format!("/api/v1/responses/{id}")).await, 200);
    let progress = w.app.read(&format!("/api/v1/ui/datasets/{}/progress", w.ds)).await;
    // r1 is no longer done: ann1 has 52 s over one done record (r0, 15 s).
    let ann1 = &progress["time"]["annotators"][0];
    assert_eq!(
        (ann1["active_ms"].clone(), ann1["done"].clone(), ann1["median_ms"].clone()),
        (json!(52_000), json!(1), json!(15_000.0))
    );
    let body = json!({"status": "submitted", "values": submitted(), "loam_active_ms": 2_000});
    check(&w.app.post(&w.ann1.key, &format!("/api/v1/records/{}/responses", w.records[1]), body).await, 201);
    let progress = w.app.read(&format!("/api/v1/ui/datasets/{}/progress", w.ds)).await;
    let ann1 = &progress["time"]["annotators"][0];
    assert_eq!(
        (ann1["active_ms"].clone(), ann1["done"].clone(), ann1["median_ms"].clone()),
        (json!(54_000), json!(2), json!(23_500.0))
    );
}

#[tokio::test]
async fn bad_times_are_refused_whole_and_store_nothing() {
    let w = world().await;
    let path = format!("/api/v1/records/{}/responses", w.records[3]);
    let cases = [
        (json!(-1), "greater_than_equal"),
        (json!(3_600_001), "less_than_equal"),
        (json!(u64::MAX), "less_than_equal"),
        (json!(1.5), "int_type"),
        (json!("12"), "int_type"),
    ];
    for (value, kind) in cases {
        let body = json!({"status": "submitted", "values": submitted(), "loam_active_ms": value});
        let (status, reply) = w.app.post(&w.ann1.key, &path, body).await;
        assert_eq!(status, 422, "{value}: {reply}");
        assert_eq!(locs(&reply), vec![json!(["body", "loam_active_ms"])], "{reply}");
        assert_eq!(reply["detail"]["params"]["errors"][0]["type"], kind, "{reply}");
    }
    // Bulk: the whole request is refused, naming the item.
    let bulk = json!({"items": [
        {"record_id": w.records[3], "status": "submitted", "values": submitted(), "loam_active_ms": 5},
        {"record_id": w.records[2], "status": "submitted", "values": submitted(), "loam_active_ms": -5},
    ]});
    let (status, reply) = w.app.post(&w.ann1.key, "/api/v1/me/responses/bulk", bulk).await;
    assert_eq!(status, 422, "{reply}");
    assert_eq!(locs(&reply), vec![json!(["body", "items", 1, "loam_active_ms"])]);
    // Nothing was written: no response of ann1 on r3, the figures as they were.
    let record = w.app.read(&format!("/api/v1/records/{}?include=responses", w.records[3])).await;
    assert!(record["responses"].as_array().unwrap().iter().all(|it| it["user_id"] != w.ann1.id.as_str()));
    let progress = w.app.read(&format!("/api/v1/ui/datasets/{}/progress", w.ds)).await;
    assert_eq!(progress["time"], expected_time(&w));
    // The limits themselves are accepted.
    let body = json!({"status": "submitted", "values": submitted(), "loam_active_ms": 0});
    check(&w.app.post(&w.ann1.key, &path, body).await, 201);
}

#[tokio::test]
async fn exports_carry_the_time_per_annotator_in_loam_active_ms() {
    let w = world().await;
    let path = format!("/api/v1/datasets/{}/exports", w.ds);
    let body = json!({"shape": "records", "format": "jsonl"});
    let res = w.app.router.clone().oneshot(request("POST", &path, &w.app.owner.key, Some(body))).await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let rows: Vec<Value> = text.lines().map(|it| serde_json::from_str(it).unwrap()).collect();
    let times: Vec<Value> = rows.iter().map(|it| it["loam_active_ms"].clone()).collect();
    let (a, b) = (w.ann1.username.as_str(), w.ann2.username.as_str());
    assert_eq!(times, vec![json!({a: 15_000, b: 20_000}), json!({a: 30_000}), json!({a: 7_000}), json!({b: 40_000})]);
}

#[tokio::test]
async fn admins_of_the_workspace_see_the_time_too() {
    let w = world().await;
    let ws = w.app.read(&format!("/api/v1/datasets/{}", w.ds)).await["workspace_id"].as_str().unwrap().to_owned();
    let admin = w.app.member(&unique("admin"), "admin", &[&ws]).await;
    let (status, progress) = w.app.get(&admin.key, &format!("/api/v1/ui/datasets/{}/progress", w.ds)).await;
    assert_eq!(status, 200);
    assert_eq!(progress["time"], expected_time(&w));
    let (_, overview) = w.app.get(&admin.key, "/api/v1/ui/overview").await;
    let item = overview["items"].as_array().unwrap().iter().find(|it| it["dataset_id"] == w.ds.as_str()).unwrap();
    assert_eq!(item["team"]["time"]["total"], figures(112_000, 4, 25_000.0));
}
