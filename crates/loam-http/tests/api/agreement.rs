//! `GET /api/v1/datasets/{id}/agreement` and `…/agreement/records`: a small dataset of three
//! annotators whose figures were computed by hand (and checked with the reference packages:
//! `krippendorff`, scikit-learn, statsmodels), permissions, and bad input.

use serde_json::{json, Value};

use crate::common::*;

struct Setup {
    app: TestApp,
    ds: String,
    records: Vec<String>,
    annotators: Vec<TestUser>,
    admin: TestUser,
}

/// Records r0..r3; questions `label` (a/b, required), `rating` (1..3), `comment` (text).
/// label:  r0 a a a · r1 a a b · r2 b b b · r3 a b (ann3 discards r3)
/// rating: r0 1 1 2 · r1 3 3 3 · r2 2 3 3 · r3 none
/// comment: ann1 on r0 only. Suggestions of agent `gpt` on label: r0 b, r1 a.
async fn setup() -> Setup {
    let app = TestApp::new().await;
    let ws = app.create_workspace("team").await;
    let ds = app.create_dataset(&ws, "agree").await;
    app.add_field(&ds, "text", true).await;
    let label = app.add_question(&ds, "label", true, label_settings(&["a", "b"])).await;
    app.add_question(
        &ds,
        "rating",
        false,
        json!({"type": "rating", "options": [{"value": 1}, {"value": 2}, {"value": 3}]}),
    )
    .await;
    app.add_question(&ds, "comment", false, json!({"type": "text"})).await;
    app.publish(&ds).await;
    let mut items: Vec<Value> =
        (0..4).map(|i| json!({"fields": {"text": format!("record {i}")}, "external_id": format!("r{i}")})).collect();
    items[0]["suggestions"] = json!([{"question_id": label, "value": "b", "agent": "gpt"}]);
    items[1]["suggestions"] = json!([{"question_id": label, "value": "a", "agent": "gpt"}]);
    let records: Vec<String> =
        app.log(&ds, items).await.iter().map(|it| it["id"].as_str().unwrap().to_owned()).collect();
    let mut annotators = Vec::new();
    for name in ["ann1", "ann2", "ann3"] {
        annotators.push(app.member(name, "annotator", &[&ws]).await);
    }
    let admin = app.member("boss", "admin", &[&ws]).await;
    let labels = [["a", "a", "a"], ["a", "a", "b"], ["b", "b", "b"], ["a", "b", ""]];
    let ratings = [[1, 1, 2], [3, 3, 3], [2, 3, 3]];
    for (r, record) in records.iter().enumerate() {
        for (a, annotator) in annotators.iter().enumerate() {
            let body = if labels[r][a].is_empty() {
                json!({"status": "discarded"})
            } else {
                let mut values = json!({"label": {"value": labels[r][a]}});
                if let Some(row) = ratings.get(r) {
                    values["rating"] = json!({"value": row[a]});
                }
                if r == 0 && a == 0 {
                    values["comment"] = json!({"value": "fine"});
                }
                json!({"status": "submitted", "values": values})
            };
            check(&app.post(&annotator.key, &format!("/api/v1/records/{record}/responses"), body).await, 201);
        }
    }
    Setup { app, ds, records, annotators, admin }
}

fn question<'v>(report: &'v Value, name: &str) -> &'v Value {
    report["questions"].as_array().unwrap().iter().find(|it| it["name"] == name).unwrap()
}

fn metric<'v>(question: &'v Value, name: &str, variant: Option<&str>) -> &'v Value {
    question["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|it| it["name"] == name && it["variant"] == json!(variant))
        .unwrap_or_else(|| panic!("no {name}/{variant:?} in {question}"))
}

#[track_caller]
fn close(value: &Value, want: f64) {
    let got = value.as_f64().unwrap_or_else(|| panic!("not a number: {value}"));
    assert!((got - want).abs() < 1e-9, "got {got}, want {want}");
}

#[tokio::test]
async fn the_report_gives_the_hand_computed_figures() {
    let s = setup().await;
    let report = s.app.expect_as(&s.admin.key, "GET", &format!("/api/v1/datasets/{}/agreement", s.ds), None, 200).await;
    assert_eq!(report["dataset_id"], json!(s.ds));
    assert_eq!(report["records"], 4);
    assert_eq!(report["min_submitted"], 1);
    assert_eq!(report["submitted_per_record"], json!([{"submitted": 2, "records": 1}, {"submitted": 3, "records": 3}]));
    assert_eq!(
        report["annotators"],
        json!([{"username": "ann1", "submitted": 4, "discarded": 0},
               {"username": "ann2", "submitted": 4, "discarded": 0},
               {"username": "ann3", "submitted": 3, "discarded": 1}])
    );

    // Label: o_aa = 4, o_ab = o_ba = 2, o_bb = 3; n_a = 6, n_b = 5; α = 1 − 4 / (60 / 10) = 1/3.
    let label = question(&report, "label");
    assert_eq!(label["type"], "label_selection");
    assert_eq!(label["answered_records"], 4);
    close(&metric(label, "krippendorff_alpha", Some("nominal"))["value"], 1.0 / 3.0);
    let fleiss = metric(label, "fleiss_kappa", None);
    assert_eq!(fleiss["value"], Value::Null);
    assert_eq!(fleiss["reason"], "records have 2 to 3 answers; Fleiss' kappa needs the same number on each");
    // Cohen: ann1/ann2 p_o = 3/4, p_e = 1/2 → 1/2; ann1/ann3 and ann2/ann3 p_o = 2/3, p_e = 4/9 → 2/5.
    let pairs = label["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 3);
    assert_eq!(pairs[0]["annotators"], json!(["ann1", "ann2"]));
    assert_eq!(pairs[0]["records"], 4);
    for (pair, want) in pairs.iter().zip([0.5, 0.4, 0.4]) {
        assert_eq!(pair["metrics"][0]["variant"], "none");
        close(&pair["metrics"][0]["value"], want);
    }
    // Each annotator agrees with the others' unique majority on 2 of the 3 records where there is one.
    for annotator in label["annotators"].as_array().unwrap() {
        close(&annotator["agreement"]["value"], 2.0 / 3.0);
    }
    assert_eq!(label["annotators"][2]["answered"], 3);
    // gpt said b on r0 (majority a) and a on r1 (majority a).
    assert_eq!(label["agents"][0]["agent"], "gpt");
    assert_eq!(label["agents"][0]["records"], 2);
    close(&label["agents"][0]["agreement"]["value"], 0.5);
    // Per-record scores 0, 2/3, 0, 1.
    let bins: Vec<u64> =
        label["disagreement"].as_array().unwrap().iter().map(|it| it["records"].as_u64().unwrap()).collect();
    assert_eq!(bins, vec![2, 0, 0, 0, 0, 0, 1, 0, 0, 1]);

    // Rating: n_1 = 2, n_2 = 2, n_3 = 5. Interval α = 1 − 4 / 13.5 = 19/27; ordinal α = 1 − 32.5 /
    // 110.25 = 311/441; Fleiss over 3 records of 3: (5/9 − 11/27) / (16/27) = 1/4.
    let rating = question(&report, "rating");
    assert_eq!(rating["answered_records"], 3);
    close(&metric(rating, "krippendorff_alpha", Some("interval"))["value"], 19.0 / 27.0);
    close(&metric(rating, "krippendorff_alpha", Some("ordinal"))["value"], 311.0 / 441.0);
    close(&metric(rating, "fleiss_kappa", None)["value"], 0.25);
    let want = [[0.5, 2.0 / 3.0, 0.8], [0.0, 0.25, 0.5], [0.4, 4.0 / 7.0, 8.0 / 11.0]];
    for (pair, want) in rating["pairs"].as_array().unwrap().iter().zip(want) {
        let variants: Vec<&str> =
            pair["metrics"].as_array().unwrap().iter().map(|it| it["variant"].as_str().unwrap()).collect();
        assert_eq!(variants, ["none", "linear", "quadratic"]);
        for (metric, want) in pair["metrics"].as_array().unwrap().iter().zip(want) {
            close(&metric["value"], want);
        }
    }

    // Text: one answer only, so exact match is undefined.
    let comment = question(&report, "comment");
    let exact = metric(comment, "exact_match", None);
    assert_eq!(exact["value"], Value::Null);
    assert_eq!(exact["reason"], "no record has 2 or more answers");
    assert_eq!(comment["pairs"], json!([]));
}

#[tokio::test]
async fn records_come_most_disagreed_first() {
    let s = setup().await;
    let path = format!("/api/v1/datasets/{}/agreement/records?question=label", s.ds);
    let page = s.app.read(&path).await;
    assert_eq!(page["total"], 4);
    let order: Vec<&str> =
        page["items"].as_array().unwrap().iter().map(|it| it["external_id"].as_str().unwrap()).collect();
    // Scores: r3 1, r1 2/3, r0 and r2 0 (ties in insertion order).
    assert_eq!(order, ["r3", "r1", "r0", "r2"]);
    assert_eq!(page["items"][0]["record_id"], json!(s.records[3]));
    assert_eq!(page["items"][0]["submitted"], 2);
    close(&page["items"][1]["disagreement"], 2.0 / 3.0);

    let page = s.app.read(&format!("{path}&limit=1&offset=1")).await;
    assert_eq!(page["total"], 4);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["external_id"], "r1");

    // Only records with 2 or more answers have a score.
    let page = s.app.read(&format!("/api/v1/datasets/{}/agreement/records?question=comment", s.ds)).await;
    assert_eq!(page, json!({"items": [], "total": 0}));
}

#[tokio::test]
async fn annotators_may_not_read_agreement_and_bad_requests_are_refused() {
    let s = setup().await;
    let annotator = &s.annotators[0].key;
    for path in [
        format!("/api/v1/datasets/{}/agreement", s.ds),
        format!("/api/v1/datasets/{}/agreement/records?question=label", s.ds),
    ] {
        let reply = s.app.get(annotator, &path).await;
        check(&reply, 403);
        assert_eq!(reply.1, forbidden());
    }
    let unknown = new_id();
    for path in [
        format!("/api/v1/datasets/{unknown}/agreement"),
        format!("/api/v1/datasets/{unknown}/agreement/records?question=label"),
    ] {
        check(&s.app.get(&s.app.owner.key, &path).await, 404);
    }
    let reply =
        s.app.get(&s.app.owner.key, &format!("/api/v1/datasets/{}/agreement/records?question=nope", s.ds)).await;
    check(&reply, 422);
    assert!(reply.1["detail"].as_str().unwrap().contains("`nope`"), "{}", reply.1);
    let reply = s.app.get(&s.app.owner.key, &format!("/api/v1/datasets/{}/agreement/records", s.ds)).await;
    check(&reply, 422);
    assert!(reply.1["detail"].as_str().unwrap().contains("`question`"), "{}", reply.1);
    let reply = s
        .app
        .get(&s.app.owner.key, &format!("/api/v1/datasets/{}/agreement/records?question=label&limit=0", s.ds))
        .await;
    check(&reply, 422);
}

#[tokio::test]
async fn an_empty_dataset_has_only_undefined_figures() {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.simple_dataset(&ws, "empty").await;
    let report = app.read(&format!("/api/v1/datasets/{ds}/agreement")).await;
    assert_eq!(report["records"], 0);
    assert_eq!(report["submitted_per_record"], json!([]));
    let label = question(&report, "label");
    for metric in label["metrics"].as_array().unwrap() {
        assert_eq!(metric["value"], Value::Null);
        assert!(metric["reason"].is_string(), "{metric}");
    }
}
