//! `GET /api/v1/ui/overview` (a loam extension for the web UI's home): every visible dataset's
//! progress in one reply; the team's figures for owners and admins only; the same numbers as the
//! per-dataset progress endpoints.

use serde_json::{json, Value};

use crate::common::*;

struct World {
    app: TestApp,
    /// In workspace `a`: min_submitted 2, four records answered by ann1 and ann2.
    team: String,
    /// In workspace `b` (the admin is no member), published, one record.
    other: String,
    /// In workspace `a`, never published.
    draft: String,
    ann1: TestUser,
    ann2: TestUser,
    admin: TestUser,
    records: Vec<String>,
}

async fn answer(app: &TestApp, who: &TestUser, record: &str, status: &str) {
    let body = if status == "submitted" {
        json!({"status": status, "values": {"label": {"value": "a"}}})
    } else {
        json!({"status": status})
    };
    let (code, reply) = app.post(&who.key, &format!("/api/v1/records/{record}/responses"), body).await;
    assert_eq!(code, 201, "{reply}");
}

async fn world() -> World {
    let app = TestApp::new().await;
    let a = app.create_workspace("a").await;
    let b = app.create_workspace("b").await;
    let ann1 = app.member("ann1", "annotator", &[&a]).await;
    let ann2 = app.member("ann2", "annotator", &[&a]).await;
    let admin = app.member("admin", "admin", &[&a]).await;
    let team = app.simple_dataset(&a, "team").await;
    let body = json!({"distribution": {"strategy": "overlap", "min_submitted": 2}});
    app.expect("PATCH", &format!("/api/v1/datasets/{team}"), Some(body), 200).await;
    let other = app.simple_dataset(&b, "other").await;
    app.records(&other, 1).await;
    let draft = app.create_dataset(&a, "draft").await;
    let records = app.records(&team, 4).await;
    // r0: two submissions (completed); r1: one (waiting for one more); r2: a draft; r3: a discard.
    answer(&app, &ann1, &records[0], "submitted").await;
    answer(&app, &ann2, &records[0], "submitted").await;
    answer(&app, &ann1, &records[1], "submitted").await;
    answer(&app, &ann2, &records[2], "draft").await;
    answer(&app, &ann1, &records[3], "discarded").await;
    World { app, team, other, draft, ann1, ann2, admin, records }
}

async fn overview(app: &TestApp, key: &str) -> Vec<Value> {
    let (status, body) = app.get(key, "/api/v1/ui/overview").await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

fn item<'a>(items: &'a [Value], dataset: &str) -> &'a Value {
    items.iter().find(|it| it["dataset_id"] == dataset).unwrap()
}

fn ids(items: &[Value]) -> Vec<&str> {
    items.iter().map(|it| it["dataset_id"].as_str().unwrap()).collect()
}

fn counts(submitted: i64, discarded: i64, draft: i64) -> Value {
    json!({"submitted": submitted, "discarded": discarded, "draft": draft})
}

#[tokio::test]
async fn owners_see_the_team_figures_of_every_dataset_equal_to_the_progress_endpoints() {
    let w = world().await;
    let items = overview(&w.app, &w.app.owner.key).await;
    // The datasets and the order of `GET /api/v1/me/datasets`.
    let mine = w.app.read("/api/v1/me/datasets").await;
    let listed: Vec<&str> = mine["items"].as_array().unwrap().iter().map(|it| it["id"].as_str().unwrap()).collect();
    assert_eq!(ids(&items), listed);
    assert_eq!(ids(&items), vec![w.team.as_str(), w.other.as_str(), w.draft.as_str()]);

    let team = item(&items, &w.team);
    assert_eq!(team["status"], "ready");
    assert_eq!(team["min_submitted"], 2);
    assert_eq!(team["records"], json!({"total": 4, "completed": 1, "pending": 3}));
    assert_eq!(team["mine"], counts(0, 0, 0));
    assert_eq!(team["team"]["waiting"], 1);
    assert_eq!(team["team"]["responses"], counts(3, 1, 1));
    assert_eq!(
        team["team"]["annotators"],
        json!([
            {"username": "ann1", "submitted": 2, "discarded": 1, "draft": 0},
            {"username": "ann2", "submitted": 1, "discarded": 0, "draft": 1},
        ])
    );
    // The same numbers as the per-dataset endpoints.
    let progress = w.app.read(&format!("/api/v1/datasets/{}/progress", w.team)).await;
    assert_eq!(
        (progress["total"].clone(), progress["completed"].clone(), progress["pending"].clone()),
        (team["records"]["total"].clone(), team["records"]["completed"].clone(), team["records"]["pending"].clone())
    );
    let users = w.app.read(&format!("/api/v1/datasets/{}/users/progress", w.team)).await;
    for user in users["users"].as_array().unwrap() {
        let name = user["username"].as_str().unwrap();
        let row = team["team"]["annotators"].as_array().unwrap().iter().find(|it| it["username"] == name).unwrap();
        for status in ["submitted", "discarded", "draft"] {
            let sum = user["completed"][status].as_i64().unwrap() + user["pending"][status].as_i64().unwrap();
            assert_eq!(row[status].as_i64().unwrap(), sum, "{name} {status}");
        }
    }

    let other = item(&items, &w.other);
    assert_eq!(other["records"], json!({"total": 1, "completed": 0, "pending": 1}));
    let no_time =
        json!({"total": {"active_ms": 0, "done": 0, "records_per_hour": null, "median_ms": null}, "annotators": []});
    assert_eq!(other["team"], json!({"waiting": 0, "responses": counts(0, 0, 0), "annotators": [], "time": no_time}));
    let draft = item(&items, &w.draft);
    assert_eq!((draft["status"].clone(), draft["records"]["total"].clone()), (json!("draft"), json!(0)));
}

#[tokio::test]
async fn waiting_records_are_the_same_counted_from_either_side() {
    let w = world().await;
    // Pending (3) <= submitted (3): counted from the pending records.
    assert_eq!(item(&overview(&w.app, &w.app.owner.key).await, &w.team)["team"]["waiting"], 1);
    // Pending (8) > submitted (3): counted from the submitted responses.
    w.app.records(&w.team, 5).await;
    let items = overview(&w.app, &w.app.owner.key).await;
    assert_eq!(item(&items, &w.team)["records"], json!({"total": 9, "completed": 1, "pending": 8}));
    assert_eq!(item(&items, &w.team)["team"]["waiting"], 1);
    // The second submission completes r1: nothing waits.
    answer(&w.app, &w.ann2, &w.records[1], "submitted").await;
    let items = overview(&w.app, &w.app.owner.key).await;
    assert_eq!(item(&items, &w.team)["team"]["waiting"], 0);
    assert_eq!(item(&items, &w.team)["records"]["completed"], 2);
    // With min_submitted back to 1, every record with a submission is complete: none waits.
    let body = json!({"distribution": {"strategy": "overlap", "min_submitted": 1}});
    w.app.expect("PATCH", &format!("/api/v1/datasets/{}", w.team), Some(body), 200).await;
    assert_eq!(item(&overview(&w.app, &w.app.owner.key).await, &w.team)["team"]["waiting"], 0);
}

#[tokio::test]
async fn admins_see_the_team_of_their_workspaces_only_and_annotators_their_own_figures() {
    let w = world().await;
    let items = overview(&w.app, &w.admin.key).await;
    assert_eq!(ids(&items), vec![w.team.as_str(), w.draft.as_str()]);
    assert_eq!(item(&items, &w.team)["team"]["responses"], counts(3, 1, 1));

    let items = overview(&w.app, &w.ann1.key).await;
    assert_eq!(ids(&items), vec![w.team.as_str(), w.draft.as_str()]);
    let team = item(&items, &w.team);
    assert_eq!(team["mine"], counts(2, 1, 0));
    assert_eq!(team["team"], Value::Null, "an annotator sees no one else's figures");
    assert_eq!(team["records"], json!({"total": 4, "completed": 1, "pending": 3}));
    assert_eq!(item(&overview(&w.app, &w.ann2.key).await, &w.team)["mine"], counts(1, 0, 1));
    // The same as the caller's metrics endpoint.
    let metrics = w.app.get(&w.ann1.key, &format!("/api/v1/me/datasets/{}/metrics", w.team)).await.1;
    assert_eq!(
        (metrics["responses"]["submitted"].clone(), metrics["responses"]["discarded"].clone()),
        (team["mine"]["submitted"].clone(), team["mine"]["discarded"].clone())
    );

    assert_eq!(w.app.get("not-a-key", "/api/v1/ui/overview").await, (401, unauthorized()));
    assert!(loam_http::openapi_json()["paths"]["/api/v1/ui/overview"]["get"].is_object());
}
