//! Pairwise preference (issue 22, loam extensions): switching a published dataset to pairwise
//! creates ordinary label questions and their pairing; an existing label question can be marked
//! and unmarked; the web UI's `loam_shown` is stored per (response, question), refused for a
//! question that is not pairwise or an order other than ab / ba, and never shown to the SDKs;
//! `…/pairwise/answers` reads the answers back with their shown order.

use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::common::*;

struct World {
    app: TestApp,
    ds: String,
    records: Vec<String>,
    ann: TestUser,
}

/// A published dataset as distilabel's `PreferenceToArgilla` makes it: a prompt, two generations,
/// one rating question per generation; an annotator member.
async fn world() -> World {
    let app = TestApp::new().await;
    let ws = app.create_workspace(&unique("ws")).await;
    let ann = app.member(&unique("ann"), "annotator", &[&ws]).await;
    let ds = app.create_dataset(&ws, "pref").await;
    for field in ["instruction", "generations-0", "generations-1"] {
        app.add_field(&ds, field, true).await;
    }
    for rating in ["generations-0-rating", "generations-1-rating"] {
        app.add_question(
            &ds,
            rating,
            false,
            json!({"type": "rating", "options": [{"value": 1}, {"value": 2}, {"value": 3}]}),
        )
        .await;
    }
    app.add_question(&ds, "label", true, label_settings(&["x", "y"])).await;
    app.publish(&ds).await;
    let items = (0..3)
        .map(|i| json!({"fields": {"instruction": format!("q{i}"), "generations-0": "a", "generations-1": "b"}}))
        .collect();
    let records = app.log(&ds, items).await.iter().map(|it| it["id"].as_str().unwrap().to_owned()).collect();
    World { app, ds, records, ann }
}

fn switch_body() -> Value {
    json!({"name": "preference", "title": "Which response is better?", "description": null,
           "a": "generations-0", "b": "generations-1", "tie": true, "both_bad": true, "strength": true,
           "required": true, "ratings": {"a": "generations-0-rating", "b": "generations-1-rating"}})
}

async fn switched() -> (World, Value) {
    let w = world().await;
    let reply = w.app.post(&w.app.owner.key, &format!("/api/v1/datasets/{}/pairwise", w.ds), switch_body()).await;
    check(&reply, 201);
    (w, reply.1)
}

fn without_ids(mut it: Value) -> Value {
    it["question_id"] = json!("…");
    if it["strength"].is_object() {
        it["strength"]["question_id"] = json!("…");
    }
    it
}

#[tokio::test]
async fn switching_a_published_dataset_creates_label_questions_and_the_pairing() {
    let (w, created) = switched().await;
    assert_eq!(
        without_ids(created.clone()),
        json!({"question": "preference", "question_id": "…", "a": "generations-0", "b": "generations-1",
               "outcomes": {"a": "A", "b": "B", "tie": "tie", "both_bad": "both_bad"},
               "strength": {"question": "preference-strength", "question_id": "…",
                            "levels": ["slight", "clear", "strong"]},
               "ratings": {"a": "generations-0-rating", "b": "generations-1-rating"}})
    );
    // To the SDKs: two ordinary label questions.
    let questions = w.app.read(&format!("/api/v1/datasets/{}/questions", w.ds)).await;
    let find = |name: &str| questions["items"].as_array().unwrap().iter().find(|q| q["name"] == name).unwrap().clone();
    let preference = find("preference");
    assert_eq!(preference["id"], created["question_id"]);
    assert_eq!(preference["required"], true);
    assert_eq!(preference["settings"]["type"], "label_selection");
    let labels: Vec<(&str, &str)> = preference["settings"]["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["value"].as_str().unwrap(), o["text"].as_str().unwrap()))
        .collect();
    assert_eq!(labels, [("A", "A is better"), ("B", "B is better"), ("tie", "Tie"), ("both_bad", "Both are bad")]);
    let strength = find("preference-strength");
    assert_eq!(strength["required"], false);
    assert_eq!(strength["id"], created["strength"]["question_id"]);

    // Anyone who reads the dataset lists the pairings (the web UI needs them).
    let (status, listed) = w.app.get(&w.ann.key, &format!("/api/v1/datasets/{}/pairwise", w.ds)).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed, json!({"items": [created]}));

    // The same name again is a conflict; ordinary question creation stays refused once published.
    let again = w.app.post(&w.app.owner.key, &format!("/api/v1/datasets/{}/pairwise", w.ds), switch_body()).await;
    check(&again, 409);
    let body = json!({"name": "other", "title": "t", "settings": label_settings(&["a", "b"])});
    check(&w.app.post(&w.app.owner.key, &format!("/api/v1/datasets/{}/questions", w.ds), body).await, 422);
}

#[tokio::test]
async fn a_bad_switch_is_refused_naming_the_problem_and_creates_nothing() {
    let w = world().await;
    let path = format!("/api/v1/datasets/{}/pairwise", w.ds);
    let cases: &[(&str, Value, &str)] = &[
        ("b", json!("generations-0"), "must differ"),
        ("b", json!("nope"), "'nope' is not a field"),
        ("ratings", json!({"a": "generations-0-rating", "b": "missing"}), "`ratings.b`: 'missing'"),
        ("ratings", json!({"a": "generations-0-rating", "b": "label"}), "not a rating question"),
    ];
    for (key, value, needle) in cases {
        let mut body = switch_body();
        body[*key] = value.clone();
        let (status, reply) = w.app.post(&w.app.owner.key, &path, body).await;
        assert_eq!(status, 422, "{reply}");
        assert!(reply["detail"].as_str().unwrap().contains(needle), "{reply} should name {needle}");
    }
    let mut body = switch_body();
    body["name"] = json!("label");
    check(&w.app.post(&w.app.owner.key, &path, body).await, 409);
    let (status, reply) = w.app.post(&w.app.owner.key, &path, json!({"name": "p", "a": "generations-0"})).await;
    assert_eq!(status, 422, "{reply}");
    assert_eq!(locs(&reply), vec![json!(["body", "b"])]);
    // Annotators may not switch.
    check(&w.app.post(&w.ann.key, &path, switch_body()).await, 403);
    let questions = w.app.read(&format!("/api/v1/datasets/{}/questions", w.ds)).await;
    assert_eq!(questions["items"].as_array().unwrap().len(), 3, "nothing was created: {questions}");
    assert_eq!(w.app.read(&path).await, json!({"items": []}));
}

#[tokio::test]
async fn the_shown_order_is_stored_per_response_and_read_back_with_the_answers() {
    let (w, created) = switched().await;
    let ann = &w.ann;
    let values = |value: &str, strength: &str| json!({"preference": {"value": value}, "preference-strength": {"value": strength}, "label": {"value": "x"}});
    let body = json!({"status": "submitted", "values": values("A", "clear"), "loam_shown": {"preference": "ba"}});
    let reply = w.app.post(&ann.key, &format!("/api/v1/records/{}/responses", w.records[0]), body).await;
    check(&reply, 201);
    // The SDKs' response shape does not change.
    let keys: Vec<&str> = reply.1.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["id", "values", "status", "record_id", "user_id", "inserted_at", "updated_at"]);
    assert_eq!(reply.1["values"], values("A", "clear"));
    let response = reply.1["id"].as_str().unwrap().to_owned();

    // The bulk save carries it too; a save without it keeps what was recorded.
    let bulk = json!({"items": [
        {"record_id": w.records[1], "status": "draft", "values": values("tie", "slight"), "loam_shown": {"preference": "ab"}},
        {"record_id": w.records[2], "status": "submitted", "values": values("B", "strong")},
    ]});
    let reply = w.app.post(&ann.key, "/api/v1/me/responses/bulk", bulk).await;
    check(&reply, 200);
    assert!(reply.1["items"].as_array().unwrap().iter().all(|it| it["error"].is_null()), "{}", reply.1);

    let answers_path = format!("/api/v1/datasets/{}/pairwise/answers?question=preference", w.ds);
    let expected = |first_shown: &str| {
        json!({"items": [
            {"record_id": w.records[0], "user_id": ann.id, "username": ann.username, "status": "submitted",
             "value": "A", "strength": "clear", "shown": first_shown},
            {"record_id": w.records[1], "user_id": ann.id, "username": ann.username, "status": "draft",
             "value": "tie", "strength": "slight", "shown": "ab"},
            {"record_id": w.records[2], "user_id": ann.id, "username": ann.username, "status": "submitted",
             "value": "B", "strength": "strong", "shown": null},
        ]})
    };
    assert_eq!(w.app.read(&answers_path).await, expected("ba"));
    // `question` may be left out: the dataset has one pairwise question.
    assert_eq!(w.app.read(&format!("/api/v1/datasets/{}/pairwise/answers", w.ds)).await, expected("ba"));

    // An update records the order of its own save.
    let body = json!({"status": "submitted", "values": values("A", "clear"), "loam_shown": {"preference": "ab"}});
    check(&w.app.put(&ann.key, &format!("/api/v1/responses/{response}"), body).await, 200);
    assert_eq!(w.app.read(&answers_path).await, expected("ab"));

    // Refused whole: a question that is not pairwise, an order other than ab / ba.
    let body = json!({"status": "submitted", "values": values("B", "clear"), "loam_shown": {"label": "ba"}});
    let (status, reply) = w.app.put(&ann.key, &format!("/api/v1/responses/{response}"), body).await;
    assert_eq!(status, 422, "{reply}");
    assert!(reply["detail"].as_str().unwrap().contains("'label' is not a pairwise question"), "{reply}");
    let body = json!({"status": "submitted", "values": values("B", "clear"), "loam_shown": {"preference": "left"}});
    let (status, reply) = w.app.put(&ann.key, &format!("/api/v1/responses/{response}"), body).await;
    assert_eq!(status, 422, "{reply}");
    assert_eq!(locs(&reply), vec![json!(["body", "loam_shown", "preference"])]);
    assert_eq!(w.app.read(&answers_path).await, expected("ab"), "a refused save changes nothing");

    // Answers are for managers; an unknown question is a 404.
    check(&w.app.get(&ann.key, &answers_path).await, 403);
    let path = format!("/api/v1/datasets/{}/pairwise/answers?question=label", w.ds);
    check(&w.app.get(&w.app.owner.key, &path).await, 404);

    // Deleting the response deletes its shown order.
    check(&w.app.delete(&ann.key, &format!("/api/v1/responses/{response}")).await, 200);
    let answers = w.app.read(&answers_path).await;
    assert_eq!(answers["items"].as_array().unwrap().len(), 2);
    let _ = created;
}

#[tokio::test]
async fn an_existing_label_question_is_marked_and_unmarked() {
    let w = world().await;
    let owner = &w.app.owner.key;
    let path = format!("/api/v1/datasets/{}/pairwise/label", w.ds);
    let body = json!({"a": "generations-0", "b": "generations-1", "outcomes": {"a": "y", "b": "x"},
                      "strength": null, "ratings": null});
    let (status, marked) = w.app.put(owner, &path, body.clone()).await;
    assert_eq!(status, 200, "{marked}");
    assert_eq!(
        without_ids(marked.clone()),
        json!({"question": "label", "question_id": "…", "a": "generations-0", "b": "generations-1",
               "outcomes": {"a": "y", "b": "x", "tie": null, "both_bad": null}, "strength": null, "ratings": null})
    );
    let list_path = format!("/api/v1/datasets/{}/pairwise", w.ds);
    assert_eq!(w.app.read(&list_path).await, json!({"items": [marked.clone()]}));

    // Outcome values must be labels of the question; the question must exist and be a label one.
    let mut bad = body.clone();
    bad["outcomes"]["tie"] = json!("z");
    let (status, reply) = w.app.put(owner, &path, bad).await;
    assert_eq!(status, 422, "{reply}");
    assert!(reply["detail"].as_str().unwrap().contains("`outcomes.tie`: 'z' is not a label"), "{reply}");
    let mut bad = body.clone();
    bad["strength"] = json!({"question": "generations-0-rating"});
    check(&w.app.put(owner, &path, bad).await, 422);
    check(
        &w.app.put(owner, &format!("/api/v1/datasets/{}/pairwise/generations-0-rating", w.ds), body.clone()).await,
        422,
    );
    check(&w.app.put(owner, &format!("/api/v1/datasets/{}/pairwise/nope", w.ds), body.clone()).await, 404);
    check(&w.app.put(&w.ann.key, &path, body.clone()).await, 403);

    // Unmarking replies the pairing it had; the question stays.
    check(&w.app.delete(&w.ann.key, &path).await, 403);
    let (status, removed) = w.app.delete(owner, &path).await;
    assert_eq!(status, 200, "{removed}");
    assert_eq!(removed, marked);
    assert_eq!(w.app.read(&list_path).await, json!({"items": []}));
    check(&w.app.delete(owner, &path).await, 404);
    let questions = w.app.read(&format!("/api/v1/datasets/{}/questions", w.ds)).await;
    assert!(questions["items"].as_array().unwrap().iter().any(|q| q["name"] == "label"));
}

/// The switched world answered by the annotator with the order they saw: r0 A shown ab (the
/// first side), r1 B shown ab (the second), r2 A shown ba (the second).
async fn answered() -> World {
    let (w, _) = switched().await;
    for (record, value, shown) in [(0, "A", "ab"), (1, "B", "ab"), (2, "A", "ba")] {
        let body = json!({"status": "submitted", "loam_shown": {"preference": shown},
                          "values": {"preference": {"value": value}, "label": {"value": "x"}}});
        check(&w.app.post(&w.ann.key, &format!("/api/v1/records/{}/responses", w.records[record]), body).await, 201);
    }
    w
}

fn verdict(record: &str, shown: &str, value: &str) -> Value {
    json!({"record_id": record, "question": "preference", "agent": "judge", "shown": shown, "value": value, "score": 0.5})
}

#[tokio::test]
async fn the_judge_audit_recovers_agreement_position_bias_and_flips() {
    let w = answered().await;
    let owner = &w.app.owner.key;
    let path = format!("/api/v1/datasets/{}/pairwise/judgements", w.ds);
    let r = &w.records;
    // The judge: r0 A shown ab and B shown ba (the first side both times: a flip); r1 B in both
    // orders; r2 A shown ab only.
    let items = vec![
        verdict(&r[0], "ab", "A"),
        verdict(&r[0], "ba", "B"),
        verdict(&r[1], "ab", "B"),
        verdict(&r[1], "ba", "B"),
        verdict(&r[2], "ab", "A"),
    ];
    let reply = w.app.post(owner, &path, json!({"items": items})).await;
    check(&reply, 200);
    assert_eq!(reply.1, json!({"stored": 5}));
    // distilabel's judge rated r0's generations 3 and 1: a pick of A shown ab.
    for (question, value) in [("generations-0-rating", 3), ("generations-1-rating", 1)] {
        let questions = w.app.read(&format!("/api/v1/datasets/{}/questions", w.ds)).await;
        let id = questions["items"].as_array().unwrap().iter().find(|q| q["name"] == question).unwrap()["id"].clone();
        let body = json!({"question_id": id, "value": value, "agent": "gpt"});
        let (status, reply) = w.app.put(owner, &format!("/api/v1/records/{}/suggestions", r[0]), body).await;
        assert!(status == 201 || status == 200, "{reply}");
    }

    let (status, audit) = w.app.get(owner, &format!("/api/v1/datasets/{}/agreement/judges", w.ds)).await;
    assert_eq!(status, 200, "{audit}");
    let questions = audit["questions"].as_array().unwrap();
    assert_eq!(questions.len(), 1, "only the question with agents and people: {audit}");
    let q = &questions[0];
    assert_eq!(
        (q["question"].as_str(), q["kind"].as_str(), q["pairwise"].as_bool()),
        (Some("preference"), Some("label_selection"), Some(true))
    );
    let figure = |it: &Value| (it["value"].as_f64(), it["n"].as_u64());
    let agents = q["agents"].as_array().unwrap();
    let gpt = &agents[0];
    assert_eq!(gpt["agent"], "gpt");
    assert_eq!(figure(&gpt["agreement"]), (Some(1.0), Some(1)));
    assert_eq!(figure(&gpt["first_shown"]), (Some(1.0), Some(1)));
    assert_eq!(gpt["flips"]["value"], Value::Null);
    assert_eq!(gpt["flips"]["reason"], "no record judged in both orders");
    let judge = &agents[1];
    assert_eq!((judge["agent"].as_str(), judge["records"].as_u64()), (Some("judge"), Some(3)));
    // Its ab verdicts A, B, A against the people's A, B, A.
    assert_eq!(figure(&judge["agreement"]), (Some(1.0), Some(3)));
    // A/B verdicts picking the first side: r0 ab, r0 ba, r1 ba, r2 ab: 4 of 5.
    assert_eq!(figure(&judge["first_shown"]), (Some(0.8), Some(5)));
    // Wilson 95 % for 4 of 5 (statsmodels): 0.3755 .. 0.9638.
    assert!((judge["first_shown"]["low"].as_f64().unwrap() - 0.3755).abs() < 1e-3, "{judge}");
    assert!((judge["first_shown"]["high"].as_f64().unwrap() - 0.9638).abs() < 1e-3, "{judge}");
    assert_eq!(figure(&judge["flips"]), (Some(0.5), Some(2)));
    // The annotator picked the first side once in three.
    let people = &q["annotators_first_shown"];
    assert_eq!(people["n"], 3);
    assert!((people["value"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);

    // Refused whole, naming the item; annotators may do neither.
    let bad = |item: Value| json!({"items": [verdict(&r[0], "ab", "A"), item]});
    for (item, needle) in [
        (verdict(&r[0], "ab", "C"), "items[1]: 'C' is not an outcome label"),
        (
            json!({"record_id": r[0], "question": "label", "agent": "j", "shown": "ab", "value": "x"}),
            "items[1]: 'label' is not a pairwise question",
        ),
        (verdict(&new_id(), "ab", "A"), "is not a record of dataset"),
    ] {
        let (status, reply) = w.app.post(owner, &path, bad(item)).await;
        assert_eq!(status, 422, "{reply}");
        assert!(reply["detail"].as_str().unwrap().contains(needle), "{reply} should say {needle}");
    }
    let (status, reply) = w.app.post(owner, &path, bad(verdict(&r[0], "left", "A"))).await;
    assert_eq!(status, 422, "{reply}");
    assert_eq!(locs(&reply), vec![json!(["body", "items", 1, "shown"])]);
    check(&w.app.post(&w.ann.key, &path, json!({"items": [verdict(&r[0], "ab", "A")]})).await, 403);
    check(&w.app.get(&w.ann.key, &format!("/api/v1/datasets/{}/agreement/judges", w.ds)).await, 403);
}

/// The rows of a JSONL export of `shape` (the inferred mapping) as the owner.
async fn export_rows(w: &World, shape: &str) -> Vec<Value> {
    let path = format!("/api/v1/datasets/{}/exports", w.ds);
    let body = json!({"shape": shape, "format": "jsonl"});
    let res = w.app.router.clone().oneshot(request("POST", &path, &w.app.owner.key, Some(body))).await.unwrap();
    let status = res.status().as_u16();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    assert_eq!(status, 200, "{text}");
    text.lines().map(|it| serde_json::from_str(it).unwrap()).collect()
}

#[tokio::test]
async fn dpo_and_kto_rows_come_from_the_pairwise_answers() {
    let w = answered().await;
    let mapping = w.app.read(&format!("/api/v1/datasets/{}/exports/mapping?shape=dpo", w.ds)).await;
    assert_eq!(mapping["pairwise"]["question"], "preference", "{mapping}");
    // r0 A, r1 B, r2 A; every record's generations are "a" (field a) and "b" (field b).
    let dpo = export_rows(&w, "dpo").await;
    let picked: Vec<(&str, &str, &str)> = dpo
        .iter()
        .map(|it| (it["prompt"].as_str().unwrap(), it["chosen"].as_str().unwrap(), it["rejected"].as_str().unwrap()))
        .collect();
    assert_eq!(picked, [("q0", "a", "b"), ("q1", "b", "a"), ("q2", "a", "b")]);
    // Provenance: the order the annotator saw, the strength (unanswered), whether the first judge
    // agrees (none yet).
    let provenance: Vec<(Value, Value, Value)> = dpo
        .iter()
        .map(|it| (it["loam_shown"].clone(), it["loam_strength"].clone(), it["loam_judge_agrees"].clone()))
        .collect();
    let ann = w.ann.username.as_str();
    assert_eq!(
        provenance,
        [
            (json!({ann: "ab"}), Value::Null, Value::Null),
            (json!({ann: "ab"}), Value::Null, Value::Null),
            (json!({ann: "ba"}), Value::Null, Value::Null)
        ]
    );
    // A judge agreeing on r0 (shown ab) and disagreeing on r1 (shown ba only).
    let r = &w.records;
    let items = json!({"items": [verdict(&r[0], "ab", "A"), verdict(&r[1], "ba", "A")]});
    check(&w.app.post(&w.app.owner.key, &format!("/api/v1/datasets/{}/pairwise/judgements", w.ds), items).await, 200);
    let agrees: Vec<Value> = export_rows(&w, "dpo").await.iter().map(|it| it["loam_judge_agrees"].clone()).collect();
    assert_eq!(agrees, [json!(true), json!(false), Value::Null]);
    let kto = export_rows(&w, "kto").await;
    let labelled: Vec<(&str, &str, bool)> = kto
        .iter()
        .map(|it| (it["prompt"].as_str().unwrap(), it["completion"].as_str().unwrap(), it["label"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        labelled,
        [
            ("q0", "a", true),
            ("q0", "b", false),
            ("q1", "a", false),
            ("q1", "b", true),
            ("q2", "a", true),
            ("q2", "b", false)
        ]
    );
}

#[tokio::test]
async fn a_judges_verdict_changes_the_exports_build_id() {
    // The verdicts change `loam_judge_agrees` without touching records, responses or suggestions:
    // the build id must change with them, or two different files would claim one build.
    let w = answered().await;
    let before = export_rows(&w, "dpo").await;
    assert_eq!(export_rows(&w, "dpo").await[0]["loam_build_id"], before[0]["loam_build_id"], "same data, same id");
    let path = format!("/api/v1/datasets/{}/pairwise/judgements", w.ds);
    let reply = w.app.post(&w.app.owner.key, &path, json!({"items": [verdict(&w.records[0], "ab", "B")]})).await;
    check(&reply, 200);
    let after = export_rows(&w, "dpo").await;
    assert_ne!(before[0]["loam_build_id"], after[0]["loam_build_id"], "a verdict changes the build id");
}
