//! The training shapes through `POST /api/v1/datasets/{id}/exports`: `dpo` and `sft` rows of a
//! three-annotator dataset equal a hand computation (consolidation with the strategies in force,
//! the rows the mapping makes, the provenance of each); the inferred mapping; bad mappings.

use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::common::*;

struct Ctx {
    app: TestApp,
    ds: String,
    ann1: TestUser,
    ann2: TestUser,
}

/// Sends an export request; a 200 gives its JSONL rows, anything else the JSON body.
async fn export(app: &TestApp, key: &str, ds: &str, body: Value) -> (u16, Vec<Value>, Value) {
    let path = format!("/api/v1/datasets/{ds}/exports");
    let res = app.router.clone().oneshot(request("POST", &path, key, Some(body))).await.unwrap();
    let status = res.status().as_u16();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    if status == 200 {
        let doc = loam_http::openapi_json();
        loam_http::check_reply(&doc, "POST", &path, status, None).unwrap();
        (status, text.lines().map(|it| serde_json::from_str(it).unwrap()).collect(), Value::Null)
    } else {
        let body: Value = serde_json::from_str(&text).unwrap();
        loam_http::check_reply(&loam_http::openapi_json(), "POST", &path, status, Some(&body)).unwrap();
        (status, Vec::new(), body)
    }
}

/// Fields `prompt`, `response1`, `response2`; a ranking `rank` of the two responses, a rating
/// `quality` (1..5) and a text question `corrected`. Four records, answered one request at a
/// time (so responses follow the annotators' order):
/// - p1: owner ranks response1 first, quality 5, corrects to "fixed by owner"; ann1 response1
///   first, quality 4; ann2 response2 first, quality 3, corrects to "fixed by ann2";
/// - p2: all three rank response2 first; quality 2, 2, 3;
/// - p3: the owner alone ties the two responses, quality 5, no correction;
/// - p4: no response.
async fn setup() -> Ctx {
    let app = TestApp::new().await;
    let ws = app.create_workspace(&unique("ws")).await;
    let ds = app.create_dataset(&ws, "pairs").await;
    for name in ["prompt", "response1", "response2"] {
        app.add_field(&ds, name, true).await;
    }
    app.add_question(&ds, "rank", true, json!({"type": "ranking", "options": options(&["response1", "response2"])}))
        .await;
    let ratings: Vec<Value> = (1..=5).map(|v| json!({"value": v})).collect();
    app.add_question(&ds, "quality", true, json!({"type": "rating", "options": ratings})).await;
    app.add_question(&ds, "corrected", false, json!({"type": "text"})).await;
    app.publish(&ds).await;
    let items = (1..=4)
        .map(|i| {
            json!({"fields": {"prompt": format!("p{i}"), "response1": format!("a{i}"), "response2": format!("b{i}")},
                        "external_id": format!("r{i}")})
        })
        .collect();
    let ids: Vec<String> = app.log(&ds, items).await.iter().map(|it| it["id"].as_str().unwrap().to_owned()).collect();
    let ann1 = app.member(&unique("ann1"), "annotator", &[&ws]).await;
    let ann2 = app.member(&unique("ann2"), "annotator", &[&ws]).await;
    let owner = app.owner.key.clone();
    let first = |best: &str| {
        let other = if best == "response1" { "response2" } else { "response1" };
        json!([{"value": best, "rank": 1}, {"value": other, "rank": 2}])
    };
    let answers = [
        (
            &ids[0],
            owner.as_str(),
            json!({"rank": {"value": first("response1")}, "quality": {"value": 5}, "corrected": {"value": "fixed by owner"}}),
        ),
        (&ids[0], ann1.key.as_str(), json!({"rank": {"value": first("response1")}, "quality": {"value": 4}})),
        (
            &ids[0],
            ann2.key.as_str(),
            json!({"rank": {"value": first("response2")}, "quality": {"value": 3}, "corrected": {"value": "fixed by ann2"}}),
        ),
        (&ids[1], owner.as_str(), json!({"rank": {"value": first("response2")}, "quality": {"value": 2}})),
        (&ids[1], ann1.key.as_str(), json!({"rank": {"value": first("response2")}, "quality": {"value": 2}})),
        (&ids[1], ann2.key.as_str(), json!({"rank": {"value": first("response2")}, "quality": {"value": 3}})),
        (
            &ids[2],
            owner.as_str(),
            json!({"rank": {"value": [{"value": "response1", "rank": 1}, {"value": "response2", "rank": 1}]}, "quality": {"value": 5}}),
        ),
    ];
    for (record, key, values) in answers {
        let path = format!("/api/v1/records/{record}/responses");
        let (status, body) = app.post(key, &path, json!({"values": values, "status": "submitted"})).await;
        assert_eq!(status, 201, "{body}");
    }
    Ctx { app, ds, ann1, ann2 }
}

/// The `loam_strategy` of a row: the strategies in force of `questions`, as the consolidation
/// API reports them.
async fn strategies(c: &Ctx, questions: &[&str]) -> Value {
    let in_force = c.app.read(&format!("/api/v1/datasets/{}/consolidation", c.ds)).await;
    let mut res = serde_json::Map::new();
    for it in in_force["questions"].as_array().unwrap() {
        if questions.contains(&it["name"].as_str().unwrap()) {
            res.insert(it["name"].as_str().unwrap().to_owned(), it["strategy"].clone());
        }
    }
    Value::Object(res)
}

/// The `loam_agreement` of each record by external id: `{question: disagreement}` as the
/// agreement API reports it (null where it lists no score: fewer than two answers).
async fn agreement(c: &Ctx, questions: &[&str]) -> std::collections::BTreeMap<String, Value> {
    let mut res: std::collections::BTreeMap<String, serde_json::Map<String, Value>> = (1..=4)
        .map(|i| (format!("r{i}"), questions.iter().map(|q| ((*q).to_owned(), Value::Null)).collect()))
        .collect();
    for question in questions {
        let page = c.app.read(&format!("/api/v1/datasets/{}/agreement/records?question={question}", c.ds)).await;
        for item in page["items"].as_array().unwrap() {
            let record = res.get_mut(item["external_id"].as_str().unwrap()).unwrap();
            record.insert((*question).to_owned(), item["disagreement"].clone());
        }
    }
    res.into_iter().map(|(k, v)| (k, Value::Object(v))).collect()
}

/// The training columns of each row (provenance but the build id, checked apart).
fn without_build_id(rows: &[Value]) -> Vec<Value> {
    let build = rows[0]["loam_build_id"].clone();
    rows.iter()
        .map(|row| {
            let mut row = row.clone();
            assert_eq!(row["loam_build_id"], build);
            row.as_object_mut().unwrap().remove("loam_build_id");
            row
        })
        .collect()
}

#[tokio::test]
async fn dpo_rows_equal_the_hand_computed_pairs() {
    let c = setup().await;
    let mapping = json!({"prompt": "prompt", "ranking": {"question": "rank"}});
    let (status, rows, body) =
        export(&c.app, &c.app.owner.key, &c.ds, json!({"shape": "dpo", "mapping": mapping, "format": "jsonl"})).await;
    assert_eq!(status, 200, "{body}");
    let all = json!([c.app.owner.username, c.ann1.username, c.ann2.username]);
    let strategy = strategies(&c, &["rank"]).await;
    let agree = agreement(&c, &["rank"]).await;
    // Two of three rankings agree on p1; all three on p2.
    assert_eq!(agree["r2"], json!({"rank": 0.0}));
    assert!(agree["r1"]["rank"].as_f64().unwrap() > 0.0);
    // p1: mean ranks response1 (1+1+2)/3 < response2 (2+2+1)/3; p2: response2 everywhere; p3 is
    // a tie (no row); p4 has no submitted response (left out: below min_submitted).
    let expected = vec![
        json!({"prompt": "p1", "chosen": "a1", "rejected": "b1", "loam_record_id": rows[0]["loam_record_id"],
               "loam_external_id": "r1", "loam_annotators": all, "loam_agreement": agree["r1"], "loam_active_ms": {}, "loam_strategy": strategy,
               "loam_answer_source": "consolidated"}),
        json!({"prompt": "p2", "chosen": "b2", "rejected": "a2", "loam_record_id": rows[1]["loam_record_id"],
               "loam_external_id": "r2", "loam_annotators": all, "loam_agreement": agree["r2"], "loam_active_ms": {}, "loam_strategy": strategy,
               "loam_answer_source": "consolidated"}),
    ];
    assert_eq!(without_build_id(&rows), expected);
    // The key order is the columns' order.
    let keys: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "prompt",
            "chosen",
            "rejected",
            "loam_record_id",
            "loam_external_id",
            "loam_annotators",
            "loam_build_id",
            "loam_agreement",
            "loam_active_ms",
            "loam_strategy",
            "loam_answer_source"
        ]
    );

    // The inferred mapping says the same here, and gives the same rows.
    let inferred = c.app.read(&format!("/api/v1/datasets/{}/exports/mapping?shape=dpo", c.ds)).await;
    assert_eq!(
        (&inferred["shape"], &inferred["prompt"], &inferred["layout"]),
        (&json!("dpo"), &json!("prompt"), &json!("standard"))
    );
    let (_, again, _) = export(&c.app, &c.app.owner.key, &c.ds, json!({"shape": "dpo"})).await;
    assert_eq!(without_build_id(&again), expected);

    // Conversational: the same pairs as messages.
    let body = json!({"shape": "dpo", "mapping": mapping, "layout": "conversational"});
    let (status, rows, _) = export(&c.app, &c.app.owner.key, &c.ds, body).await;
    assert_eq!(status, 200);
    assert_eq!(rows[0]["prompt"], json!([{"role": "user", "content": "p1"}]));
    assert_eq!(rows[0]["chosen"], json!([{"role": "assistant", "content": "a1"}]));
    assert_eq!(rows[1]["rejected"], json!([{"role": "assistant", "content": "a2"}]));
    // A mapping of only options (layout, pairs, margin) is laid over the inferred one.
    let (status, options_only, _) =
        export(&c.app, &c.app.owner.key, &c.ds, json!({"shape": "dpo", "mapping": {"layout": "conversational"}})).await;
    assert_eq!(status, 200);
    assert_eq!(without_build_id(&options_only), without_build_id(&rows));
}

#[tokio::test]
async fn sft_rows_equal_the_hand_computed_completions() {
    let c = setup().await;
    let mapping = json!({"prompt": "prompt", "completion": {"question": "corrected", "field": "response1"},
                         "filter": {"question": "quality", "min": 4}});
    let body = json!({"shape": "sft", "mapping": mapping, "below_min_submitted": "flag"});
    let (status, rows, body) = export(&c.app, &c.app.owner.key, &c.ds, body).await;
    assert_eq!(status, 200, "{body}");
    let strategy = strategies(&c, &["corrected", "quality"]).await;
    let agree = agreement(&c, &["corrected", "quality"]).await;
    let owner = &c.app.owner.username;
    // p1: mean quality 4 keeps it; `corrected` keeps each annotator's text (its default), one row
    // each, with that annotator alone. p2: mean quality 7/3 < 4, no row. p3: quality 5 and no
    // correction, so the field. p4: no answer at all (flagged, but the filter has nothing: no row).
    let row = |prompt: &str, completion: &str, record: &Value, external: &str, annotators: Value| {
        json!({"prompt": prompt, "completion": completion, "loam_record_id": record, "loam_external_id": external,
               "loam_annotators": annotators, "loam_agreement": agree[external], "loam_active_ms": {}, "loam_strategy": strategy,
               "loam_answer_source": "consolidated", "loam_flag": null})
    };
    let expected = vec![
        row("p1", "fixed by owner", &rows[0]["loam_record_id"], "r1", json!([owner])),
        row("p1", "fixed by ann2", &rows[0]["loam_record_id"], "r1", json!([c.ann2.username])),
        row("p3", "a3", &rows[2]["loam_record_id"], "r3", json!([owner])),
    ];
    assert_eq!(without_build_id(&rows), expected);
}

#[tokio::test]
async fn bad_mappings_and_shapes_get_a_422_that_names_the_problem() {
    let c = setup().await;
    let cases = [
        json!({"shape": "dpo", "mapping": {"prompt": "nope", "ranking": {"question": "rank"}}}),
        json!({"shape": "dpo", "mapping": {"prompt": "prompt", "ranking": {"question": "quality"}}}),
        json!({"shape": "sft", "mapping": {"prompt": "prompt", "completion": "response1", "typo": 1}}),
        json!({"shape": "dpo", "mapping": {"prompt": "prompt", "ranking": {"question": "rank"}, "layout": "standard"},
               "layout": "conversational"}),
    ];
    for body in cases {
        let (status, _, reply) = export(&c.app, &c.app.owner.key, &c.ds, body.clone()).await;
        assert_eq!(status, 422, "{body}");
        let text = reply.to_string();
        let names = ["nope", "quality", "typo", "layout"];
        assert!(names.iter().any(|it| text.contains(it)), "{body}: {reply}");
    }
    let (status, body) =
        c.app.get(&c.app.owner.key, &format!("/api/v1/datasets/{}/exports/mapping?shape=records", c.ds)).await;
    assert_eq!(
        (status, body),
        (
            422,
            detail("shape `records` has no mapping: it holds every field, metadata property, response and suggestion")
        )
    );
    let (status, body) = c.app.get(&c.ann1.key, &format!("/api/v1/datasets/{}/exports/mapping?shape=dpo", c.ds)).await;
    assert_eq!((status, body), (403, forbidden()));
    let (status, _) =
        c.app.get(&c.app.owner.key, &format!("/api/v1/datasets/{}/exports/mapping?shape=dpo", new_id())).await;
    assert_eq!(status, 404);
}
