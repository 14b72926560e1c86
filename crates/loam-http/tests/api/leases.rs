//! Leases of the web UI's Pending queue (issue 20): capacity, skips, renewals and releases,
//! expiry taken over (a service with one-second leases on the same database), the 409 of a
//! leased submit that would overfill a record, permissions and bad input; and a write without
//! the `X-Loam-Lease` header answered as before.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use axum::Router;
use serde_json::{json, Value};

use crate::common::*;

struct Ctx {
    app: TestApp,
    ds: String,
    records: Vec<String>,
    a: TestUser,
    b: TestUser,
    c: TestUser,
}

async fn setup(min_submitted: u32, n_records: usize) -> Ctx {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.simple_dataset(&ws, &unique("leases")).await;
    let body = json!({"distribution": {"strategy": "overlap", "min_submitted": min_submitted}});
    app.expect("PATCH", &format!("/api/v1/datasets/{ds}"), Some(body), 200).await;
    let records = app.records(&ds, n_records).await;
    let a = app.member("ann-a", "annotator", &[&ws]).await;
    let b = app.member("ann-b", "annotator", &[&ws]).await;
    let c = app.member("ann-c", "annotator", &[&ws]).await;
    Ctx { app, ds, records, a, b, c }
}

/// A request as `key`, with the web UI's lease header when `leased`.
fn req(method: &str, path: &str, key: &str, body: Option<Value>, leased: bool) -> Request<Body> {
    let mut req = request(method, path, key, body);
    if leased {
        req.headers_mut().insert("x-loam-lease", "1".parse().unwrap());
    }
    req
}

impl Ctx {
    async fn next_on(&self, router: &Router, who: &TestUser, after: Option<&str>) -> Value {
        let body = after.map(|id| json!({"after": id}));
        let reply = send_to(router, req("POST", &self.next_path(), &who.key, body, false)).await;
        check(&reply, 200);
        reply.1
    }

    async fn next(&self, who: &TestUser, after: Option<&str>) -> Value {
        self.next_on(&self.app.router, who, after).await
    }

    fn next_path(&self) -> String {
        format!("/api/v1/me/datasets/{}/records/next", self.ds)
    }

    /// The caller's response, created through the web UI's flow (`leased`) or directly.
    async fn answer(&self, who: &TestUser, record: &str, status: &str, leased: bool) -> (u16, Value) {
        let body = json!({"status": status, "values": {"label": {"value": "a"}}});
        let path = format!("/api/v1/records/{record}/responses");
        send_to(&self.app.router, req("POST", &path, &who.key, Some(body), leased)).await
    }

    async fn submitted(&self, record: &str) -> usize {
        let res = self.app.read(&format!("/api/v1/records/{record}?include=responses")).await;
        res["responses"].as_array().unwrap().iter().filter(|it| it["status"] == "submitted").count()
    }
}

fn record_of(reply: &Value) -> &str {
    reply["record"]["id"].as_str().unwrap_or("<none>")
}

#[tokio::test]
async fn offers_a_record_to_no_more_annotators_than_it_needs() {
    let ctx = setup(2, 3).await;
    let first = ctx.next(&ctx.a, None).await;
    assert_eq!(record_of(&first), ctx.records[0]);
    assert_eq!(first["lease"]["record_id"], json!(ctx.records[0]));
    assert_eq!(first["lease"]["duration_seconds"], json!(300));
    assert_eq!(first["held_by_others"], json!(0));
    // The reply carries the record as the /me search does: the caller's responses, suggestions.
    assert_eq!(first["record"]["fields"]["text"], json!("record 0"));
    assert_eq!(first["record"]["responses"], json!([]));
    assert_eq!(first["record"]["suggestions"], json!([]));
    // Two places: b gets the same record, c the next one.
    assert_eq!(record_of(&ctx.next(&ctx.b, None).await), ctx.records[0]);
    assert_eq!(record_of(&ctx.next(&ctx.c, None).await), ctx.records[1]);
    // Asked again (a reload), a gets the record they hold, renewed.
    let again = ctx.next(&ctx.a, None).await;
    assert_eq!(record_of(&again), ctx.records[0]);
    assert!(again["lease"]["expires_at"].as_str() >= first["lease"]["expires_at"].as_str());
    // A skip looks past the record (and releases it): a gets r1 (one place left beside c).
    assert_eq!(record_of(&ctx.next(&ctx.a, Some(&ctx.records[0])).await), ctx.records[1]);
    // c skips r1: past it, r2.
    assert_eq!(record_of(&ctx.next(&ctx.c, Some(&ctx.records[1])).await), ctx.records[2]);
    // A skip past the last record wraps to the first free one.
    assert_eq!(record_of(&ctx.next(&ctx.c, Some(&ctx.records[2])).await), ctx.records[0]);
}

#[tokio::test]
async fn a_submit_releases_the_lease_and_answered_records_are_never_offered_again() {
    let ctx = setup(2, 2).await;
    assert_eq!(record_of(&ctx.next(&ctx.a, None).await), ctx.records[0]);
    assert_eq!(record_of(&ctx.next(&ctx.b, None).await), ctx.records[0]);
    let (status, res) = ctx.answer(&ctx.a, &ctx.records[0], "submitted", true).await;
    assert_eq!(status, 201, "{res}");
    // a's place became a submitted answer: 1 submitted + b's lease = 2, so c gets r1.
    assert_eq!(record_of(&ctx.next(&ctx.c, None).await), ctx.records[1]);
    // a asks again: r0 is answered by them, r1 has one place left.
    assert_eq!(record_of(&ctx.next(&ctx.a, None).await), ctx.records[1]);
    // A draft keeps the lease (the record stays a's to finish): b finds no other record.
    let (status, _) = ctx.answer(&ctx.a, &ctx.records[1], "draft", true).await;
    assert_eq!(status, 201);
    let (status, _) = ctx.answer(&ctx.b, &ctx.records[0], "submitted", true).await;
    assert_eq!(status, 201);
    let b_next = ctx.next(&ctx.b, None).await;
    assert_eq!(b_next["record"], Value::Null);
    assert_eq!(b_next["lease"], Value::Null);
    assert_eq!(b_next["held_by_others"], json!(1));
    // a discards: released, and r1 (one submitted? none: c holds it) has a place for b.
    let mine = ctx.app.read(&format!("/api/v1/records/{}?include=responses", ctx.records[1])).await;
    let response_id = mine["responses"][0]["id"].as_str().unwrap().to_owned();
    let body = json!({"status": "discarded"});
    let reply =
        send_to(&ctx.app.router, req("PUT", &format!("/api/v1/responses/{response_id}"), &ctx.a.key, Some(body), true))
            .await;
    check(&reply, 200);
    assert_eq!(record_of(&ctx.next(&ctx.b, None).await), ctx.records[1]);
    // r0 is complete: nobody is offered it.
    assert_eq!(ctx.submitted(&ctx.records[0]).await, 2);
    let c_next = ctx.next(&ctx.c, Some(&ctx.records[1])).await;
    assert_eq!(record_of(&c_next), ctx.records[1]);
}

#[tokio::test]
async fn nothing_free_says_how_many_others_hold_and_a_release_frees_one() {
    let ctx = setup(1, 2).await;
    assert_eq!(record_of(&ctx.next(&ctx.a, None).await), ctx.records[0]);
    assert_eq!(record_of(&ctx.next(&ctx.b, None).await), ctx.records[1]);
    let none = ctx.next(&ctx.c, None).await;
    assert_eq!(none, json!({"record": null, "lease": null, "held_by_others": 2}));
    let path = format!("/api/v1/me/records/{}/lease", ctx.records[0]);
    check(&ctx.app.call("DELETE", &path, &ctx.a.key, None).await, 204);
    // Releasing again is no error.
    check(&ctx.app.call("DELETE", &path, &ctx.a.key, None).await, 204);
    assert_eq!(record_of(&ctx.next(&ctx.c, None).await), ctx.records[0]);
    // a's renewal now fails: c holds the only place.
    let reply = ctx.app.call("PUT", &path, &ctx.a.key, None).await;
    check(&reply, 409);
    assert_eq!(
        reply.1,
        detail("Others are annotating this record now, as many as it still needs; it comes back if they do not finish")
    );
    // c renews theirs.
    let reply = ctx.app.call("PUT", &path, &ctx.c.key, None).await;
    check(&reply, 200);
    assert_eq!(reply.1["record_id"], json!(ctx.records[0]));
    assert_eq!(reply.1["duration_seconds"], json!(300));
}

/// Another replica of the app's database whose leases last one second.
async fn short_lease_replica(app: &TestApp) -> Router {
    let service = loam_service::Service::open(
        &loam_service::StoreConfig { url: app._db.url.clone(), max_connections: 4 },
        loam_service::ServiceConfig {
            token_secret: TOKEN_SECRET.as_bytes().to_vec(),
            token_ttl_secs: 86400,
            limits: Default::default(),
            vector_cache_bytes: 0,
            ann_min_vectors: 0,
            sign_in: Default::default(),
            lease_term: loam_domain::lease::LeaseTerm::new(1).unwrap(),
        },
    )
    .await
    .unwrap();
    loam_http::router(loam_http::AppState {
        service: Arc::new(service),
        http: Arc::new(loam_http::HttpConfig::default()),
        limits: Default::default(),
    })
}

#[tokio::test]
async fn an_expired_lease_is_taken_over_and_its_late_submit_refused() {
    let ctx = setup(1, 1).await;
    let short = short_lease_replica(&ctx.app).await;
    let first = ctx.next_on(&short, &ctx.a, None).await;
    assert_eq!(record_of(&first), ctx.records[0]);
    assert_eq!(first["lease"]["duration_seconds"], json!(1));
    let none = ctx.next(&ctx.b, None).await;
    assert_eq!(none["held_by_others"], json!(1));
    tokio::time::sleep(Duration::from_millis(1300)).await;
    // No sweeper: the expired row is simply not counted.
    assert_eq!(record_of(&ctx.next(&ctx.b, None).await), ctx.records[0]);
    let (status, _) = ctx.answer(&ctx.b, &ctx.records[0], "submitted", true).await;
    assert_eq!(status, 201);
    // a comes back to the open record: the web UI's submit is refused, nothing stored.
    let (status, res) = ctx.answer(&ctx.a, &ctx.records[0], "submitted", true).await;
    assert_eq!(status, 409, "{res}");
    assert_eq!(
        res,
        detail(format!(
            "Record with id `{}` already has the 1 submitted responses it needs (others answered it meanwhile); \
             your answer was not submitted",
            ctx.records[0]
        ))
    );
    assert_eq!(ctx.submitted(&ctx.records[0]).await, 1);
    // A draft through the web UI is still fine (it adds no submitted answer).
    let (status, _) = ctx.answer(&ctx.a, &ctx.records[0], "draft", true).await;
    assert_eq!(status, 201);
    // And a's renewal says why it is over.
    let reply = ctx.app.call("PUT", &format!("/api/v1/me/records/{}/lease", ctx.records[0]), &ctx.a.key, None).await;
    check(&reply, 409);
}

#[tokio::test]
async fn writes_without_the_header_are_answered_as_before() {
    let ctx = setup(1, 1).await;
    let (status, _) = ctx.answer(&ctx.a, &ctx.records[0], "submitted", false).await;
    assert_eq!(status, 201);
    // An SDK-style write on a completed record: stored, as the reference server does.
    let (status, res) = ctx.answer(&ctx.b, &ctx.records[0], "submitted", false).await;
    assert_eq!(status, 201, "{res}");
    assert_eq!(res["status"], json!("submitted"));
    assert_eq!(ctx.submitted(&ctx.records[0]).await, 2);
    // Changing one's own submitted answer through the web UI adds nothing: allowed.
    let id = res["id"].as_str().unwrap();
    let body = json!({"status": "submitted", "values": {"label": {"value": "b"}}});
    let reply =
        send_to(&ctx.app.router, req("PUT", &format!("/api/v1/responses/{id}"), &ctx.b.key, Some(body), true)).await;
    check(&reply, 200);
    // The bulk write of the web UI keeps the rule per item.
    let body =
        json!({"items": [{"record_id": ctx.records[0], "status": "submitted", "values": {"label": {"value": "a"}}}]});
    let reply =
        send_to(&ctx.app.router, req("POST", "/api/v1/me/responses/bulk", &ctx.c.key, Some(body.clone()), true)).await;
    check(&reply, 200);
    assert!(reply.1["items"][0]["error"]["detail"].as_str().unwrap().contains("already has the 1 submitted responses"));
    let reply = send_to(&ctx.app.router, req("POST", "/api/v1/me/responses/bulk", &ctx.c.key, Some(body), false)).await;
    check(&reply, 200);
    assert_eq!(reply.1["items"][0]["error"], Value::Null);
    assert_eq!(ctx.submitted(&ctx.records[0]).await, 3);
}

#[tokio::test]
async fn permissions_and_bad_input() {
    let ctx = setup(1, 1).await;
    let other_ws = ctx.app.create_workspace("elsewhere").await;
    let stranger = ctx.app.member("stranger", "annotator", &[&other_ws]).await;
    let reply = ctx.app.call("POST", &ctx.next_path(), &stranger.key, None).await;
    check(&reply, 403);
    assert_eq!(reply.1, forbidden());
    let lease = format!("/api/v1/me/records/{}/lease", ctx.records[0]);
    check(&ctx.app.call("PUT", &lease, &stranger.key, None).await, 403);
    check(&ctx.app.call("DELETE", &lease, &stranger.key, None).await, 403);
    check(&ctx.app.call("POST", &ctx.next_path(), BAD_KEY, None).await, 401);
    // Owners may take leases like annotators.
    assert_eq!(record_of(&ctx.next(&ctx.app.owner, None).await), ctx.records[0]);
    // Unknown dataset and record: 404; bad ids: 422.
    let missing = new_id();
    let reply = ctx.app.call("POST", &format!("/api/v1/me/datasets/{missing}/records/next"), &ctx.a.key, None).await;
    check(&reply, 404);
    check(&ctx.app.call("PUT", &format!("/api/v1/me/records/{missing}/lease"), &ctx.a.key, None).await, 404);
    check(&ctx.app.call("DELETE", &format!("/api/v1/me/records/{missing}/lease"), &ctx.a.key, None).await, 404);
    let reply = ctx.app.call("POST", "/api/v1/me/datasets/nope/records/next", &ctx.a.key, None).await;
    check(&reply, 422);
    assert_eq!(locs(&reply.1), vec![json!(["path", "dataset_id"])]);
    let reply = ctx.app.call("POST", &ctx.next_path(), &ctx.a.key, Some(json!({"after": "nope"}))).await;
    check(&reply, 422);
    assert_eq!(locs(&reply.1), vec![json!(["body", "after"])]);
    let reply = ctx.app.call("POST", &ctx.next_path(), &ctx.a.key, Some(json!([1]))).await;
    check(&reply, 422);
    // A skip of a record that is not the dataset's: 404, nothing leased.
    let reply = ctx.app.call("POST", &ctx.next_path(), &ctx.a.key, Some(json!({"after": missing}))).await;
    check(&reply, 404);
    let owner_next = ctx.next(&ctx.app.owner, None).await;
    assert_eq!(record_of(&owner_next), ctx.records[0]);
    // Answered records cannot be renewed.
    let (status, _) = ctx.answer(&ctx.b, &ctx.records[0], "discarded", true).await;
    assert_eq!(status, 201);
    let reply = ctx.app.call("PUT", &lease, &ctx.b.key, None).await;
    check(&reply, 409);
    assert_eq!(reply.1, detail("You already answered this record; it is no longer leased to you"));
    let _ = &ctx.c;
}
