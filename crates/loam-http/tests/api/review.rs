//! Review and adjudication (issue 20, loam extensions): reviewers marked by owners, the review
//! queue (disagreement and sample rules), each kind of decision with its final answer and audit
//! trail, a return to an annotator and their resubmission back in the queue, who may do what, bad
//! input, and the exports preferring the final answer.

use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::common::*;

struct World {
    app: TestApp,
    ws: String,
    ds: String,
    admin: TestUser,
    ann1: TestUser,
    ann2: TestUser,
    /// Marked as a reviewer of `ws`.
    rev: TestUser,
    /// r0: ann1 `a`, ann2 `b` (they differ); r1: both `a`; r2: ann1 `a` alone; r3: no answer.
    records: Vec<String>,
}

async fn world() -> World {
    let app = TestApp::new().await;
    let ws = app.create_workspace(&unique("ws")).await;
    let admin = app.member(&unique("adm"), "admin", &[&ws]).await;
    let ann1 = app.member(&unique("ann1"), "annotator", &[&ws]).await;
    let ann2 = app.member(&unique("ann2"), "annotator", &[&ws]).await;
    let rev = app.member(&unique("rev"), "annotator", &[&ws]).await;
    let ds = app.create_dataset(&ws, "review").await;
    app.add_field(&ds, "text", true).await;
    app.add_question(&ds, "label", true, label_settings(&["a", "b"])).await;
    app.add_question(&ds, "note", false, json!({"type": "text"})).await;
    app.publish(&ds).await;
    let items = (0..4).map(|i| json!({"fields": {"text": format!("t{i}")}, "external_id": format!("r{i}")})).collect();
    let records: Vec<String> =
        app.log(&ds, items).await.iter().map(|it| it["id"].as_str().unwrap().to_owned()).collect();
    for (record, user, label) in [(0, &ann1, "a"), (0, &ann2, "b"), (1, &ann1, "a"), (1, &ann2, "a"), (2, &ann1, "a")] {
        let body = json!({"status": "submitted", "values": {"label": {"value": label}}});
        app.expect_as(&user.key, "POST", &format!("/api/v1/records/{}/responses", records[record]), Some(body), 201)
            .await;
    }
    app.expect("PUT", &format!("/api/v1/workspaces/{ws}/reviewers/{}", rev.id), None, 200).await;
    World { app, ws, ds, admin, ann1, ann2, rev, records }
}

impl World {
    fn queue(&self) -> String {
        format!("/api/v1/datasets/{}/review/queue", self.ds)
    }

    fn review(&self, record: usize) -> String {
        format!("/api/v1/records/{}/review", self.records[record])
    }

    async fn queue_ids(&self, key: &str) -> Vec<(String, String)> {
        let page = self.app.expect_as(key, "GET", &self.queue(), None, 200).await;
        assert_eq!(page["total"].as_u64().unwrap() as usize, page["items"].as_array().unwrap().len());
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|it| (it["external_id"].as_str().unwrap().to_owned(), it["reason"].as_str().unwrap().to_owned()))
            .collect()
    }

    async fn decide(&self, key: &str, record: usize, body: Value, status: u16) -> Value {
        self.app.expect_as(key, "POST", &self.review(record), Some(body), status).await
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

#[tokio::test]
async fn the_queue_holds_disagreements_or_a_deterministic_sample() {
    let w = world().await;
    let key = w.rev.key.clone();
    assert_eq!(w.queue_ids(&key).await, pairs(&[("r0", "disagreement")]));
    let rule = w.app.expect_as(&key, "GET", &format!("/api/v1/datasets/{}/review/rule", w.ds), None, 200).await;
    assert_eq!((rule["mode"].as_str(), rule["threshold"].as_f64()), (Some("disagreement"), Some(0.0)));

    let path = format!("/api/v1/datasets/{}/review/rule", w.ds);
    let rule = w.app.expect_as(&w.admin.key, "PUT", &path, Some(json!({"mode": "sample", "rate": 1.0})), 200).await;
    assert!(rule["seed"].as_u64().is_some(), "a seed is drawn: {rule}");
    // Every record with min_submitted (1) submitted answers; r3 has none.
    assert_eq!(w.queue_ids(&key).await, pairs(&[("r0", "sampled"), ("r1", "sampled"), ("r2", "sampled")]));
    let half = json!({"mode": "sample", "rate": 0.5, "seed": 12345});
    w.app.expect("PUT", &path, Some(half.clone()), 200).await;
    let first = w.queue_ids(&key).await;
    w.app.expect("PUT", &path, Some(half), 200).await;
    assert_eq!(w.queue_ids(&key).await, first, "the same seed gives the same sample");

    // A threshold above the disagreement of r0 (1.0 for two different labels) is refused at 1.
    for bad in [json!({"mode": "disagreement", "threshold": 1}), json!({"mode": "sample"}), json!({"mode": "x"})] {
        w.app.expect("PUT", &path, Some(bad), 422).await;
    }
    w.app.expect("PUT", &path, Some(json!({"mode": "disagreement", "threshold": 0.5})), 200).await;
    assert_eq!(w.queue_ids(&key).await, pairs(&[("r0", "disagreement")]));
    // Paging.
    let page = w.app.expect_as(&key, "GET", &format!("{}?offset=1&limit=5", w.queue()), None, 200).await;
    assert_eq!((page["items"].as_array().unwrap().len(), page["total"].as_u64()), (0, Some(1)));
}

#[tokio::test]
async fn each_decision_sets_the_final_answer_and_joins_the_audit_trail() {
    let w = world().await;
    let key = w.rev.key.clone();
    let seen = w.app.expect_as(&key, "GET", &w.review(0), None, 200).await;
    assert_eq!(seen["responses"].as_array().unwrap().len(), 2);
    let names: Vec<&str> =
        seen["responses"].as_array().unwrap().iter().map(|r| r["username"].as_str().unwrap()).collect();
    assert_eq!(names, vec![w.ann1.username.as_str(), w.ann2.username.as_str()]);
    assert_eq!(seen["final_answer"], Value::Null);
    assert_eq!(seen["consolidated"]["label"]["status"], json!("unresolved"), "a tie: {seen}");

    // Accept one annotator's answer.
    let res = w.decide(&key, 0, json!({"action": "accept_response", "user_id": w.ann2.id}), 200).await;
    let fin = &res["final_answer"];
    assert_eq!((fin["source"].as_str(), fin["source_user_id"].as_str()), (Some("response"), Some(w.ann2.id.as_str())));
    assert_eq!(fin["values"], json!({"label": {"value": "b"}}));
    assert_eq!(fin["decided_by_username"].as_str(), Some(w.rev.username.as_str()));
    assert!(w.queue_ids(&key).await.is_empty(), "decided records leave the queue");

    // A tie has no consolidated answer to accept; nothing changes.
    let err = w.decide(&key, 0, json!({"action": "accept_consolidated"}), 422).await;
    assert!(err["detail"].as_str().unwrap().contains("`label`"), "{err}");
    // Bad own answers are refused, the final answer stays.
    w.decide(&key, 0, json!({"action": "own", "values": {"label": {"value": "zzz"}}}), 422).await;
    w.decide(&key, 0, json!({"action": "own", "values": {"note": {"value": "no label"}}}), 422).await;
    w.decide(&key, 0, json!({"action": "own"}), 422).await;
    w.decide(&key, 0, json!({"action": "accept_response", "user_id": w.rev.id}), 422).await;
    w.decide(&key, 0, json!({"action": "maybe"}), 422).await;
    w.decide(&key, 0, json!({"action": "accept_response", "user_id": "not-a-uuid"}), 422).await;
    // Write their own.
    let own = json!({"label": {"value": "a"}, "note": {"value": "reviewed"}});
    let res = w.decide(&key, 0, json!({"action": "own", "values": own}), 200).await;
    assert_eq!((res["final_answer"]["source"].as_str(), &res["final_answer"]["values"]), (Some("own"), &own));
    // Accept the consolidated answer (r1: both said `a`), as an admin.
    let res = w.decide(&w.admin.key, 1, json!({"action": "accept_consolidated"}), 200).await;
    assert_eq!(res["final_answer"]["values"], json!({"label": {"value": "a"}}));
    assert_eq!(res["final_answer"]["source"], json!("consolidated"));

    // The audit trail, read back: every action in order, with who and what.
    let trail = w.app.read(&w.review(0)).await["events"].clone();
    let actions: Vec<&str> = trail.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["accept_response", "own"]);
    assert_eq!(trail[0]["user_id"].as_str(), Some(w.ann2.id.as_str()));
    assert_eq!(trail[0]["values"], json!({"label": {"value": "b"}}));
    assert_eq!(trail[1]["actor_username"].as_str(), Some(w.rev.username.as_str()));
    assert_eq!(trail[1]["values"], own);
    // The responses themselves are untouched.
    let record = w.app.read(&format!("/api/v1/records/{}", w.records[0])).await;
    let statuses: Vec<&str> =
        record["responses"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, vec!["submitted", "submitted"]);
}

#[tokio::test]
async fn a_return_goes_to_the_annotator_and_their_resubmission_back_to_review() {
    let w = world().await;
    let key = w.rev.key.clone();
    w.decide(&key, 0, json!({"action": "return", "user_id": w.ann2.id, "comment": "  "}), 422).await;
    w.decide(&key, 3, json!({"action": "return", "user_id": w.ann2.id, "comment": "why?"}), 422).await;
    w.decide(&key, 0, json!({"action": "return", "user_id": w.ann2.id}), 422).await;
    let res =
        w.decide(&key, 0, json!({"action": "return", "user_id": w.ann2.id, "comment": "Read it again"}), 200).await;
    assert_eq!(res["returns"][0]["open"], json!(true));
    assert_eq!(res["events"][0]["comment"], json!("Read it again"));
    assert!(w.queue_ids(&key).await.is_empty(), "a record waiting on its annotator leaves the queue");

    // What the annotator (and the SDKs) see: their response is a draft again, values kept.
    let mine = w.app.expect_as(&w.ann2.key, "GET", &format!("/api/v1/records/{}", w.records[0]), None, 200).await;
    let response = mine["responses"][0].clone();
    assert_eq!((response["status"].as_str(), &response["values"]), (Some("draft"), &json!({"label": {"value": "b"}})));
    let path = format!("/api/v1/me/datasets/{}/review/returned", w.ds);
    let returned = w.app.expect_as(&w.ann2.key, "GET", &path, None, 200).await;
    assert_eq!(returned["items"][0]["record_id"].as_str(), Some(w.records[0].as_str()));
    assert_eq!(returned["items"][0]["comment"], json!("Read it again"));
    assert_eq!(returned["items"][0]["returned_by"].as_str(), Some(w.rev.username.as_str()));
    let others = w.app.expect_as(&w.ann1.key, "GET", &path, None, 200).await;
    assert_eq!(others["items"], json!([]));

    // The annotator resubmits: back in the queue, whatever the rule; no longer returned.
    let body = json!({"status": "submitted", "values": {"label": {"value": "a"}}});
    let id = response["id"].as_str().unwrap();
    w.app.expect_as(&w.ann2.key, "PUT", &format!("/api/v1/responses/{id}"), Some(body), 200).await;
    assert_eq!(w.queue_ids(&key).await, pairs(&[("r0", "resubmitted")]));
    assert_eq!(w.app.expect_as(&w.ann2.key, "GET", &path, None, 200).await["items"], json!([]));
    let res = w.app.expect_as(&key, "GET", &w.review(0), None, 200).await;
    assert_eq!(res["returns"][0]["open"], json!(false));
    assert_eq!(res["consolidated"]["label"]["value"], json!("a"), "both now say a: {res}");
    // Deciding closes it.
    w.decide(&key, 0, json!({"action": "accept_consolidated"}), 200).await;
    assert!(w.queue_ids(&key).await.is_empty());
    let actions: Vec<String> = w.app.read(&w.review(0)).await["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(actions, vec!["return", "accept_consolidated"]);
}

#[tokio::test]
async fn only_reviewers_review_and_only_owners_mark_them() {
    let w = world().await;
    let app = &w.app;
    // Annotators who are not reviewers: 403 everywhere.
    for (method, path) in
        [("GET", w.queue()), ("GET", w.review(0)), ("GET", format!("/api/v1/datasets/{}/review/rule", w.ds))]
    {
        let body = app.expect_as(&w.ann1.key, method, &path, None, 403).await;
        assert_eq!(body, forbidden());
    }
    w.decide(&w.ann1.key, 0, json!({"action": "accept_consolidated"}), 403).await;
    // Reviewers only in their workspace.
    let other_ws = app.create_workspace(&unique("other")).await;
    app.add_member(&other_ws, &w.rev).await;
    let other = app.simple_dataset(&other_ws, "elsewhere").await;
    app.expect_as(&w.rev.key, "GET", &format!("/api/v1/datasets/{other}/review/queue"), None, 403).await;
    let mine = app.expect_as(&w.rev.key, "GET", "/api/v1/me/review/workspaces", None, 200).await;
    assert_eq!(mine["workspaces"], json!([w.ws]));
    assert_eq!(
        app.expect_as(&w.ann1.key, "GET", "/api/v1/me/review/workspaces", None, 200).await["workspaces"],
        json!([])
    );
    // Reviewers do not set the rule; admins of the workspace do.
    let path = format!("/api/v1/datasets/{}/review/rule", w.ds);
    app.expect_as(&w.rev.key, "PUT", &path, Some(json!({"mode": "disagreement"})), 403).await;

    // Marking: owners only; annotators who are members only.
    let mark = |user: &str| format!("/api/v1/workspaces/{}/reviewers/{user}", w.ws);
    app.expect_as(&w.admin.key, "PUT", &mark(&w.ann1.id), None, 403).await;
    app.expect("PUT", &mark(&w.admin.id), None, 422).await;
    let outsider = app.create_user(&unique("out"), "annotator").await;
    app.expect("PUT", &mark(&outsider.id), None, 422).await;
    app.expect("PUT", &mark(&new_id()), None, 404).await;
    let listed = app.expect_as(&w.admin.key, "GET", &format!("/api/v1/workspaces/{}/reviewers", w.ws), None, 200).await;
    assert_eq!(listed["items"][0]["username"].as_str(), Some(w.rev.username.as_str()));
    app.expect("PUT", &mark(&w.rev.id), None, 200).await;
    app.expect("DELETE", &mark(&w.rev.id), None, 200).await;
    app.expect("DELETE", &mark(&w.rev.id), None, 404).await;
    app.expect_as(&w.rev.key, "GET", &w.queue(), None, 403).await;
    app.expect_as(&w.ann2.key, "GET", &w.review(0), None, 403).await;
}

/// Sends an export request; its JSONL rows.
async fn export_rows(app: &TestApp, ds: &str, body: Value) -> Vec<Value> {
    let path = format!("/api/v1/datasets/{ds}/exports");
    let res = app.router.clone().oneshot(request("POST", &path, &app.owner.key, Some(body))).await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap().lines().map(|it| serde_json::from_str(it).unwrap()).collect()
}

#[tokio::test]
async fn exports_prefer_the_final_answer_and_say_so() {
    let app = TestApp::new().await;
    let ws = app.create_workspace(&unique("ws")).await;
    let ds = app.create_dataset(&ws, "pairs").await;
    for name in ["prompt", "a", "b"] {
        app.add_field(&ds, name, true).await;
    }
    app.add_question(&ds, "choice", true, label_settings(&["a", "b"])).await;
    app.publish(&ds).await;
    let items = (0..2)
        .map(|i| json!({"fields": {"prompt": format!("p{i}"), "a": format!("A{i}"), "b": format!("B{i}")}, "external_id": format!("r{i}")}))
        .collect();
    let ids: Vec<String> = app.log(&ds, items).await.iter().map(|it| it["id"].as_str().unwrap().to_owned()).collect();
    let ann1 = app.member(&unique("ann1"), "annotator", &[&ws]).await;
    let ann2 = app.member(&unique("ann2"), "annotator", &[&ws]).await;
    // r0: a tie (no consolidated answer); r1: both choose a.
    for (record, user, label) in [(0, &ann1, "a"), (0, &ann2, "b"), (1, &ann1, "a"), (1, &ann2, "a")] {
        let body = json!({"status": "submitted", "values": {"choice": {"value": label}}});
        app.expect_as(&user.key, "POST", &format!("/api/v1/records/{}/responses", ids[record]), Some(body), 201).await;
    }
    let mapping = json!({"prompt": "prompt", "choice": {"question": "choice", "options": {"a": "a", "b": "b"}}});
    let dpo = json!({"shape": "dpo", "format": "jsonl", "mapping": mapping});
    let before = export_rows(&app, &ds, dpo.clone()).await;
    assert_eq!(before.len(), 1, "the tie gives no row: {before:?}");
    assert_eq!((&before[0]["chosen"], &before[0]["loam_answer_source"]), (&json!("A1"), &json!("consolidated")));

    // The reviewer decides r0 for b, and overrules r1 with b too.
    for id in &ids {
        let body = json!({"action": "own", "values": {"choice": {"value": "b"}}});
        app.expect("POST", &format!("/api/v1/records/{id}/review"), Some(body), 200).await;
    }
    let after = export_rows(&app, &ds, dpo).await;
    let got: Vec<(&Value, &Value, &Value)> =
        after.iter().map(|r| (&r["chosen"], &r["rejected"], &r["loam_answer_source"])).collect();
    assert_eq!(got, vec![(&json!("B0"), &json!("A0"), &json!("final")), (&json!("B1"), &json!("A1"), &json!("final"))]);
    assert_ne!(before[0]["loam_build_id"], after[0]["loam_build_id"], "a final answer changes the build id");

    let records = export_rows(&app, &ds, json!({"shape": "records", "format": "jsonl"})).await;
    for row in &records {
        assert_eq!(row["loam_answer_source"], json!("final"));
        assert_eq!(row["loam_final_answer"], json!({"choice": {"value": "b"}}));
    }
}

#[tokio::test]
async fn annotators_see_others_submitted_answers_only_after_submitting_in_the_open_mode() {
    let w = world().await;
    let app = &w.app;
    let ann3 = app.member(&unique("ann3"), "annotator", &[&w.ws]).await;
    let read = |user: &TestUser, record: usize| {
        let path = format!("/api/v1/records/{}", w.records[record]);
        let key = user.key.clone();
        async move {
            let body = app.expect_as(&key, "GET", &path, None, 200).await;
            let mut authors: Vec<String> = body["responses"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["user_id"].as_str().unwrap().to_owned())
                .collect();
            authors.sort();
            authors
        }
    };
    let sorted = |list: &[&str]| {
        let mut list: Vec<String> = list.iter().map(|it| (*it).to_owned()).collect();
        list.sort();
        list
    };
    // r2: ann1 submitted `a`; ann2 keeps a draft.
    let draft = json!({"status": "draft", "values": {"label": {"value": "b"}}});
    let path = format!("/api/v1/records/{}/responses", w.records[2]);
    app.expect_as(&w.ann2.key, "POST", &path, Some(draft), 201).await;
    // Blind (the default): only their own, submitted or not.
    assert_eq!(read(&w.ann1, 2).await, sorted(&[&w.ann1.id]));
    assert_eq!(read(&w.ann2, 2).await, sorted(&[&w.ann2.id]));

    let key = "responses_visible_for_annotators";
    app.expect("PATCH", &format!("/api/v1/datasets/{}", w.ds), Some(json!({key: true})), 200).await;
    // Open, after submitting: the others' submitted answers, never their drafts.
    assert_eq!(read(&w.ann1, 2).await, sorted(&[&w.ann1.id]), "ann2's draft stays hidden");
    assert_eq!(read(&w.ann1, 0).await, sorted(&[&w.ann1.id, &w.ann2.id]));
    // Open, before submitting: only their own draft, or nothing.
    assert_eq!(read(&w.ann2, 2).await, sorted(&[&w.ann2.id]));
    assert_eq!(read(&ann3, 0).await, Vec::<String>::new());
    // Managers see everything.
    assert_eq!(read(&w.admin, 2).await, sorted(&[&w.ann1.id, &w.ann2.id]));
}

#[tokio::test]
async fn loam_db_copy_carries_reviewers_rules_final_answers_returns_and_the_audit_trail() {
    let Some(admin) = loam_store::testing::postgres_server() else {
        eprintln!("skipped here: runs in the PostgreSQL pass (LOAM_TEST_POSTGRES unset)");
        return;
    };
    let w = world().await;
    let key = w.rev.key.clone();
    w.app
        .expect(
            "PUT",
            &format!("/api/v1/datasets/{}/review/rule", w.ds),
            Some(json!({"mode": "disagreement", "threshold": 0.1})),
            200,
        )
        .await;
    w.decide(&key, 1, json!({"action": "accept_consolidated"}), 200).await;
    w.decide(&key, 0, json!({"action": "return", "user_id": w.ann2.id, "comment": "again"}), 200).await;
    let before = (w.app.read(&w.review(0)).await, w.app.read(&w.review(1)).await);
    let target = TestApp::on(loam_store::testing::ScratchDb::postgres(&admin).await, Some(w.app.owner.clone())).await;
    let counts = w.app.service.copy_into(&target.service).await.unwrap();
    for table in ["workspace_reviewers", "review_rules", "final_answers", "review_returns"] {
        assert!(counts.contains(&(table, 1)), "{table}: {counts:?}");
    }
    assert!(counts.contains(&("review_events", 2)), "{counts:?}");
    let after = (target.read(&w.review(0)).await, target.read(&w.review(1)).await);
    assert_eq!(before, after);
    let rule = target.read(&format!("/api/v1/datasets/{}/review/rule", w.ds)).await;
    assert_eq!(rule["threshold"], json!(0.1));
    let reviewers = target.read(&format!("/api/v1/workspaces/{}/reviewers", w.ws)).await;
    assert_eq!(reviewers["items"][0]["user_id"].as_str(), Some(w.rev.id.as_str()));
}
