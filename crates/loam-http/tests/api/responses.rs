//! Responses (api.md §11) and their validation per question type (model.md §8).

use serde_json::{json, Value};

use crate::common::*;

const TEXT: &str = "héllo wörld"; // 11 code points, 13 bytes

struct Ctx {
    app: TestApp,
    ws: String,
    ds: String,
}

/// A published dataset: fields `text` (required) and `extra`; questions `label` (required,
/// a/b), `text_q`, `rating` (1..3), `multi` (a/b/c), `ranking` (x/y/z), `span` (on `extra`,
/// labels p/q, no overlaps).
async fn setup() -> Ctx {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.create_dataset(&ws, "ds").await;
    app.add_field(&ds, "text", true).await;
    app.add_field(&ds, "extra", false).await;
    app.add_question(&ds, "label", true, label_settings(&["a", "b"])).await;
    app.add_question(&ds, "text_q", false, json!({"type": "text"})).await;
    app.add_question(
        &ds,
        "rating",
        false,
        json!({"type": "rating", "options": [{"value": 1}, {"value": 2}, {"value": 3}]}),
    )
    .await;
    app.add_question(
        &ds,
        "multi",
        false,
        json!({"type": "multi_label_selection", "options": options(&["a", "b", "c"])}),
    )
    .await;
    app.add_question(&ds, "ranking", false, json!({"type": "ranking", "options": options(&["x", "y", "z"])})).await;
    app.add_question(&ds, "span", false, json!({"type": "span", "field": "extra", "options": options(&["p", "q"])}))
        .await;
    app.publish(&ds).await;
    Ctx { app, ws, ds }
}

impl Ctx {
    /// `n` records with both fields set.
    async fn records(&self, n: usize) -> Vec<String> {
        let items = (0..n).map(|_| json!({"fields": {"text": TEXT, "extra": TEXT}})).collect();
        self.app.log(&self.ds, items).await.iter().map(|it| it["id"].as_str().unwrap().to_owned()).collect()
    }

    async fn respond(&self, key: &str, record: &str, body: Value) -> Reply {
        self.app.post(key, &format!("/api/v1/records/{record}/responses"), body).await
    }
}

/// `{"label": {"value": "a"}}` plus `extra` as `{"<q>": {"value": v}}`.
fn with_label(question: &str, value: Value) -> Value {
    json!({"label": {"value": "a"}, question: {"value": value}})
}

#[tokio::test]
async fn valid_responses_are_stored_normalised() {
    let c = setup().await;
    let cases: Vec<(&str, Value, Value)> = vec![
        ("submitted", json!({"label": {"value": "b"}}), json!({"label": {"value": "b"}})),
        ("submitted", with_label("text_q", json!("free text")), with_label("text_q", json!("free text"))),
        ("submitted", with_label("rating", json!(3)), with_label("rating", json!(3))),
        ("submitted", with_label("multi", json!(["c", "a"])), with_label("multi", json!(["c", "a"]))),
        (
            "submitted",
            with_label(
                "ranking",
                json!([{"value": "y", "rank": 1}, {"value": "x", "rank": 2}, {"value": "z", "rank": 2}]),
            ),
            with_label(
                "ranking",
                json!([{"value": "y", "rank": 1}, {"value": "x", "rank": 2}, {"value": "z", "rank": 2}]),
            ),
        ),
        // Drafts may be partial and rankless.
        (
            "draft",
            json!({"ranking": {"value": [{"value": "x"}]}}),
            json!({"ranking": {"value": [{"value": "x", "rank": null}]}}),
        ),
        (
            "submitted",
            with_label(
                "span",
                json!([{"label": "p", "start": 0, "end": 5, "note": "dropped"}, {"label": "q", "start": 6, "end": 11, "score": 0.25}]),
            ),
            // The legacy SDK's per-span score is kept.
            with_label(
                "span",
                json!([{"label": "p", "start": 0, "end": 5}, {"label": "q", "start": 6, "end": 11, "score": 0.25}]),
            ),
        ),
        ("submitted", with_label("span", json!([])), with_label("span", json!([]))),
        ("discarded", json!({"rating": {"value": 1}}), json!({"rating": {"value": 1}})),
    ];
    let records = c.records(cases.len() + 2).await;
    for (i, (status, values, stored)) in cases.into_iter().enumerate() {
        let body = json!({"status": status, "values": values});
        let (code, res) = c.respond(&c.app.owner.key, &records[i], body.clone()).await;
        assert_eq!(code, 201, "{body}: {res}");
        assert_eq!(res["values"], stored, "{body}");
        assert_eq!(res["status"], status);
        let record = c.app.read(&format!("/api/v1/records/{}", records[i])).await;
        assert_eq!(record["responses"][0]["values"], stored, "{body}");
    }
    // Drafts and discards need no values at all.
    let n = records.len();
    for (record, status) in [(&records[n - 2], "draft"), (&records[n - 1], "discarded")] {
        let (code, res) = c.respond(&c.app.owner.key, record, json!({"status": status})).await;
        assert_eq!(code, 201, "{res}");
        assert_eq!(res["values"], Value::Null);
        let mut keys: Vec<&str> = res.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["id", "inserted_at", "record_id", "status", "updated_at", "user_id", "values"]);
        assert_eq!(res["user_id"], c.app.owner.id.as_str());
        assert_eq!(res["record_id"], record.as_str());
    }
}

#[tokio::test]
async fn invalid_responses_get_the_reference_messages() {
    let c = setup().await;
    let sub = |values: Value| json!({"status": "submitted", "values": values});
    let draft = |values: Value| json!({"status": "draft", "values": values});
    let cases: Vec<(Value, &str)> = vec![
        // Response level, in order.
        (json!({"status": "submitted"}), "missing response values for submitted response"),
        (sub(json!({})), "missing response values for submitted response"),
        (sub(json!({"text_q": {"value": "x"}})), "missing response value for required question with name='label'"),
        (sub(json!({"label": {"value": "a"}, "nope": {"value": "x"}})), "found response value for non configured question with name='nope'"),
        (draft(json!({"nope": {"value": "x"}})), "found response value for non configured question with name='nope'"),
        // text
        (sub(with_label("text_q", json!(5))), "text question expects a text value, found <class 'int'>"),
        (sub(with_label("text_q", json!(["a"]))), "text question expects a text value, found <class 'list'>"),
        // label_selection
        (sub(json!({"label": {"value": "z"}})), "'z' is not a valid label for label selection question.\nValid labels are: ['a', 'b']"),
        (sub(json!({"label": {"value": 1}})), "1 is not a valid label for label selection question.\nValid labels are: ['a', 'b']"),
        // rating
        (sub(with_label("rating", json!(7))), "7 is not a valid rating for rating question.\nValid ratings are: [1, 2, 3]"),
        (sub(with_label("rating", json!("3"))), "'3' is not a valid rating for rating question.\nValid ratings are: [1, 2, 3]"),
        // multi_label_selection
        (sub(with_label("multi", json!("a"))), "multi label selection questions expects a list of values, found <class 'str'>"),
        (sub(with_label("multi", json!([]))), "multi label selection questions expects a list of values, found empty list"),
        (sub(with_label("multi", json!(["a", "a"]))), "multi label selection questions expect a list of unique values, but duplicates were found"),
        (sub(with_label("multi", json!(["y", "a", "x"]))), "['x', 'y'] are not valid labels for multi label selection question.\nValid labels are: ['a', 'b', 'c']"),
        // ranking
        (sub(with_label("ranking", json!("x"))), "ranking question expects a list of values, found <class 'str'>"),
        (sub(with_label("ranking", json!([{"value": "x", "rank": 1}, {"value": "y", "rank": 2}]))),
         "ranking question expects a list containing 3 values, found a list of 2 values"),
        (sub(with_label("ranking", json!([{"value": "x", "rank": 1}, {"value": "y", "rank": 4}, {"value": "z", "rank": 2}]))),
         "[4] are not valid ranks for ranking question.\nValid ranks are: [1, 2, 3]"),
        (sub(with_label("ranking", json!([{"value": "x"}, {"value": "y"}, {"value": "z"}]))),
         "[None] are not valid ranks for ranking question.\nValid ranks are: [1, 2, 3]"),
        (draft(json!({"ranking": {"value": [{"value": "w"}]}})),
         "['w'] are not valid values for ranking question.\nValid values are: ['x', 'y', 'z']"),
        (draft(json!({"ranking": {"value": [{"value": "x"}, {"value": "x"}]}})),
         "ranking question expects a list of unique values, but duplicates were found"),
        // span
        (sub(with_label("span", json!("p"))), "span question expects a list of values, found <class 'str'>"),
        (sub(with_label("span", json!([{"label": "p", "start": 11, "end": 12}]))),
         "span question response value `start` must have a value lower than record field `extra` length that is `11`"),
        (sub(with_label("span", json!([{"label": "p", "start": 0, "end": 12}]))),
         "span question response value `end` must have a value lower or equal than record field `extra` length that is `11`"),
        (sub(with_label("span", json!([{"label": "r", "start": 0, "end": 2}]))),
         "undefined label 'r' for span question.\nValid labels are: ['p', 'q']"),
        (sub(with_label("span", json!([{"label": "p", "start": 0, "end": 5}, {"label": "q", "start": 3, "end": 8}]))),
         "overlapping values found between spans at index idx=0 and idx=1"),
    ];
    let records = c.records(1).await;
    for (body, msg) in cases {
        let reply = c.respond(&c.app.owner.key, &records[0], body.clone()).await;
        assert_eq!(reply, (422, detail(msg)), "{body}");
    }
    // A span needs its field on the record.
    let only_text = c.app.record(&c.ds, TEXT).await;
    let reply = c
        .respond(&c.app.owner.key, &only_text, json!({"status": "submitted", "values": with_label("span", json!([]))}))
        .await;
    assert_eq!(reply, (422, detail("span question requires record to have field `extra`")));

    // Nothing was stored.
    let record = c.app.read(&format!("/api/v1/records/{}", records[0])).await;
    assert_eq!(record["responses"], json!([]));
    assert_eq!(record["status"], "pending");
}

#[tokio::test]
async fn unparseable_response_values_are_coded_422() {
    let c = setup().await;
    let records = c.records(1).await;
    let cases = [
        json!({"status": "submitted", "values": with_label("rating", json!(3.0))}),
        json!({"status": "submitted", "values": with_label("text_q", json!(true))}),
        json!({"status": "submitted", "values": with_label("text_q", json!({"a": 1}))}),
        json!({"status": "submitted", "values": {"label": "a"}}),
        json!({"status": "submitted", "values": {"label": {"val": "a"}}}),
        json!({"status": "submitted", "values": ["a"]}),
        json!({"status": "maybe", "values": {"label": {"value": "a"}}}),
        json!({"values": {"label": {"value": "a"}}}),
        json!({"status": "submitted", "values": with_label("span", json!([{"label": "p", "start": 3, "end": 2}]))}),
        json!({"status": "submitted", "values": with_label("span", json!([{"label": "p", "start": -1, "end": 2}]))}),
        json!("submitted"),
    ];
    for body in cases {
        let (status, res) = c.respond(&c.app.owner.key, &records[0], body.clone()).await;
        assert_eq!(status, 422, "{body}: {res}");
        assert_eq!(code(&res), "argilla.api.errors::ValidationError", "{body}: {res}");
    }
    let record = c.app.read(&format!("/api/v1/records/{}", records[0])).await;
    assert_eq!(record["responses"], json!([]));
}

#[tokio::test]
async fn one_response_per_user_and_record() {
    let c = setup().await;
    let ann = c.app.member("ann", "annotator", &[&c.ws]).await;
    let record = &c.records(1).await[0];
    let body = json!({"status": "draft", "values": {"label": {"value": "a"}}});
    let (status, first) = c.respond(&ann.key, record, body.clone()).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["user_id"], ann.id.as_str(), "created for the caller");
    let reply = c.respond(&ann.key, record, body.clone()).await;
    assert_eq!(
        reply,
        (
            409,
            detail(format!("Response already exists for record with id `{record}` and by user with id `{}`", ann.id))
        )
    );
    // Another user may answer.
    assert_eq!(c.respond(&c.app.owner.key, record, body).await.0, 201);
    let missing = new_id();
    let reply = c.respond(&ann.key, &missing, json!({"status": "draft"})).await;
    assert_eq!(reply, (404, detail(format!("Record with id `{missing}` not found"))));
}

#[tokio::test]
async fn update_and_delete_a_response() {
    let c = setup().await;
    let ann = c.app.member("ann", "annotator", &[&c.ws]).await;
    let record = &c.records(1).await[0];
    let (_, res) = c.respond(&ann.key, record, json!({"status": "draft", "values": {"rating": {"value": 1}}})).await;
    let id = res["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/responses/{id}");

    // Values replace entirely.
    let (status, updated) =
        c.app.put(&ann.key, &path, json!({"status": "submitted", "values": {"label": {"value": "b"}}})).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["values"], json!({"label": {"value": "b"}}));
    assert_eq!(updated["status"], "submitted");
    assert_eq!(updated["id"], id.as_str());
    assert_eq!(updated["user_id"], ann.id.as_str());
    assert_eq!(c.app.read(&format!("/api/v1/records/{record}")).await["status"], "completed");

    // An owner updating keeps the author.
    let (status, by_owner) = c.app.put(&c.app.owner.key, &path, json!({"status": "discarded"})).await;
    assert_eq!(status, 200);
    assert_eq!(by_owner["user_id"], ann.id.as_str());
    assert_eq!(by_owner["values"], Value::Null);
    assert_eq!(c.app.read(&format!("/api/v1/records/{record}")).await["status"], "pending");

    let before = c.app.read(&format!("/api/v1/records/{record}")).await;
    let reply = c.app.put(&ann.key, &path, json!({"status": "submitted"})).await;
    assert_eq!(reply, (422, detail("missing response values for submitted response")));
    let reply = c.app.put(&ann.key, &path, json!({"status": "submitted", "values": {"label": {"value": "z"}}})).await;
    assert_eq!(reply.0, 422);
    assert_eq!(c.app.read(&format!("/api/v1/records/{record}")).await, before);

    let (status, deleted) = c.app.delete(&ann.key, &path).await;
    assert_eq!(status, 200);
    assert_eq!(deleted["id"], id.as_str());
    let reply = c.app.delete(&ann.key, &path).await;
    assert_eq!(reply, (404, detail(format!("Response with id `{id}` not found"))));
    let reply = c.app.put(&ann.key, &path, json!({"status": "draft"})).await;
    assert_eq!(reply, (404, detail(format!("Response with id `{id}` not found"))));
}

#[tokio::test]
async fn bulk_responses_upsert_the_callers_responses_item_by_item() {
    let c = setup().await;
    let ann = c.app.member("ann", "annotator", &[&c.ws]).await;
    let records = c.records(2).await;
    let other_ws = c.app.create_workspace("other").await;
    let foreign_ds = c.app.simple_dataset(&other_ws, "foreign").await;
    let foreign = c.app.record(&foreign_ds, "x").await;
    let missing = new_id();

    // A first draft, then the bulk upserts it.
    c.respond(&ann.key, &records[0], json!({"status": "draft"})).await;
    let body = json!({"items": [
        {"record_id": records[0], "status": "submitted", "values": {"label": {"value": "a"}}},
        {"record_id": records[1], "status": "submitted", "values": {"label": {"value": "nope"}}},
        {"record_id": missing, "status": "draft", "values": null},
        {"record_id": foreign, "status": "draft", "values": null},
    ]});
    let (status, res) = c.app.post(&ann.key, "/api/v1/me/responses/bulk", body).await;
    assert_eq!(status, 200, "{res}");
    let items = res["items"].as_array().unwrap();
    assert_eq!(items[0]["error"], Value::Null);
    assert_eq!(items[0]["item"]["status"], "submitted");
    assert_eq!(items[0]["item"]["user_id"], ann.id.as_str());
    assert_eq!(items[1]["item"], Value::Null);
    assert_eq!(
        items[1]["error"],
        json!({"detail": "'nope' is not a valid label for label selection question.\nValid labels are: ['a', 'b']"})
    );
    assert_eq!(items[2]["error"], json!({"detail": format!("Record with id `{missing}` not found")}));
    assert_eq!(
        items[3]["error"],
        json!({"detail": "argilla.api.errors::ForbiddenOperationError(detail=Operation not allowed)"})
    );
    let first = c.app.read(&format!("/api/v1/records/{}", records[0])).await;
    assert_eq!(first["responses"].as_array().unwrap().len(), 1, "upserted, not added");
    assert_eq!(first["status"], "completed");
    let second = c.app.read(&format!("/api/v1/records/{}", records[1])).await;
    assert_eq!(second["responses"], json!([]));

    for body in [json!({"items": []}), json!({}), json!({"items": [{"record_id": "x", "status": "draft"}]})] {
        let (status, res) = c.app.post(&ann.key, "/api/v1/me/responses/bulk", body.clone()).await;
        assert_eq!(status, 422, "{body}: {res}");
    }
}
