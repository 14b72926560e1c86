//! Consolidation strategies (loam extension): defaults, setting them all or nothing, a deleted
//! question taking its strategy along, who may, and the preview's finals against hand computation.

use serde_json::{json, Value};

use crate::common::{locs, options, TestApp, TestUser};

struct Ctx {
    app: TestApp,
    ws: String,
    ds: String,
    ids: Value,
}

/// A dataset with a text field and four questions: `label` (a, b, c; required), `quality`
/// (rating 1..5), `fix` (text), `rank` (ranking x, y); published when `publish`.
async fn setup(publish: bool) -> Ctx {
    let app = TestApp::new().await;
    let ws = app.create_workspace("team").await;
    let ds = app.create_dataset(&ws, "reviews").await;
    app.add_field(&ds, "text", true).await;
    let label = app
        .add_question(&ds, "label", true, json!({"type": "label_selection", "options": options(&["a", "b", "c"])}))
        .await;
    let scale: Vec<Value> = (1..=5).map(|it| json!({"value": it})).collect();
    let rating = json!({"type": "rating", "options": scale});
    let quality = app.add_question(&ds, "quality", false, rating).await;
    let fix = app.add_question(&ds, "fix", false, json!({"type": "text"})).await;
    let rank = app.add_question(&ds, "rank", false, json!({"type": "ranking", "options": options(&["x", "y"])})).await;
    if publish {
        app.publish(&ds).await;
    }
    let ids = json!({"label": label, "quality": quality, "fix": fix, "rank": rank});
    Ctx { app, ws, ds, ids }
}

impl Ctx {
    fn path(&self) -> String {
        format!("/api/v1/datasets/{}/consolidation", self.ds)
    }

    async fn strategies(&self) -> Value {
        self.app.read(&self.path()).await
    }

    async fn put(&self, body: Value, expected: u16) -> Value {
        self.app.expect("PUT", &self.path(), Some(body), expected).await
    }

    async fn respond(&self, user: &TestUser, record: &str, values: Value, status: &str) {
        let values: serde_json::Map<String, Value> =
            values.as_object().unwrap().iter().map(|(k, v)| (k.clone(), json!({"value": v}))).collect();
        let body = json!({"values": values, "status": status});
        let path = format!("/api/v1/records/{record}/responses");
        self.app.expect_as(&user.key, "POST", &path, Some(body), 201).await;
    }
}

/// The `strategy` and `default` of question `name` in a GET reply.
fn of(reply: &Value, name: &str) -> (Value, bool) {
    let item = reply["questions"].as_array().unwrap().iter().find(|it| it["name"] == name).unwrap();
    (item["strategy"].clone(), item["default"].as_bool().unwrap())
}

#[tokio::test]
async fn defaults_then_a_round_trip_with_a_stored_seed_and_resets() {
    let c = setup(false).await;
    let got = c.strategies().await;
    assert_eq!(
        got,
        json!({"questions": [
            {"name": "label", "type": "label_selection", "strategy": {"kind": "majority", "tie_break": "unresolved"}, "default": true},
            {"name": "quality", "type": "rating", "strategy": {"kind": "mean", "rounding": "none"}, "default": true},
            {"name": "fix", "type": "text", "strategy": {"kind": "all"}, "default": true},
            {"name": "rank", "type": "ranking", "strategy": {"kind": "mean_rank"}, "default": true},
        ]})
    );

    let set = c
        .put(
            json!({"questions": {
                "label": {"kind": "majority", "tie_break": "random"},
                "fix": {"kind": "by_rating", "question": "quality", "pick": "lowest"},
            }}),
            200,
        )
        .await;
    let (label, default) = of(&set, "label");
    assert!(!default);
    let seed = label["seed"].as_u64().expect("the server chose a seed and shows it");
    assert!(seed < (1 << 53));
    assert_eq!(label, json!({"kind": "majority", "tie_break": "random", "seed": seed}));
    assert_eq!(
        of(&set, "fix"),
        (json!({"kind": "by_rating", "question": "quality", "pick": "lowest", "tie_break": "first"}), false)
    );
    assert!(of(&set, "quality").1, "questions not named keep theirs");
    assert_eq!(c.strategies().await, set, "GET shows what PUT stored, seed included");

    // Named again with another strategy, and null: back to the default; the others stay.
    let set = c.put(json!({"questions": {"quality": {"kind": "max"}, "label": null}}), 200).await;
    assert_eq!(of(&set, "label"), (json!({"kind": "majority", "tie_break": "unresolved"}), true));
    assert_eq!(of(&set, "quality"), (json!({"kind": "max"}), false));
    assert!(!of(&set, "fix").1);
    // An explicit seed is kept as given.
    let set = c.put(json!({"questions": {"label": {"kind": "majority", "tie_break": "random", "seed": 7}}}), 200).await;
    assert_eq!(of(&set, "label").0, json!({"kind": "majority", "tie_break": "random", "seed": 7}));
}

#[tokio::test]
async fn refusals_name_the_question_and_the_problem_and_change_nothing() {
    let c = setup(false).await;
    c.put(json!({"questions": {"quality": {"kind": "median", "rounding": "half_even"}}}), 200).await;
    let before = c.strategies().await;
    let cases = [
        (
            json!({"questions": {"nope": {"kind": "majority"}}}),
            "question 'nope' does not exist in this dataset (its questions: 'label', 'quality', 'fix', 'rank')",
        ),
        (
            json!({"questions": {"label": {"kind": "mean"}}}),
            "question 'label': kind 'mean' does not fit a label_selection question (its kinds: 'majority')",
        ),
        (
            json!({"questions": {"rank": {"kind": "majority"}}}),
            "question 'rank': kind 'majority' does not fit a ranking question (its kinds: 'mean_rank', 'borda')",
        ),
        (
            json!({"questions": {"quality": {"kind": "mean", "rounding": "sideways"}}}),
            "question 'quality': 'rounding' must be one of 'none', 'half_up', 'half_even', 'floor', 'ceil', 'nearest_option', not \"sideways\"",
        ),
        (
            json!({"questions": {"fix": {"kind": "by_rating", "question": "label"}}}),
            "question 'fix': 'question' must name a rating question of the dataset; 'label' is none",
        ),
        // All or nothing: a good change beside a bad one is not stored either.
        (
            json!({"questions": {"quality": {"kind": "min"}, "label": {"kind": "majority", "tie_break": "random", "seed": -3}}}),
            "question 'label': 'seed' must be an integer from 0 to 9007199254740991",
        ),
    ];
    for (body, detail) in cases {
        let res = c.put(body, 422).await;
        assert_eq!(res["detail"], json!(detail));
        assert_eq!(c.strategies().await, before, "nothing changed after {detail}");
    }
    // The body's shape.
    let res = c.put(json!({"questions": ["label"]}), 422).await;
    assert_eq!(locs(&res), [json!(["body", "questions"])]);
    let res = c.put(json!({}), 422).await;
    assert_eq!(locs(&res), [json!(["body", "questions"])]);
    assert_eq!(c.strategies().await, before);
}

#[tokio::test]
async fn a_deleted_question_takes_its_strategy_and_its_dependents_fall_back() {
    let c = setup(false).await;
    c.put(
        json!({"questions": {
            "rank": {"kind": "borda"},
            "fix": {"kind": "by_rating", "question": "quality"},
            "quality": {"kind": "min"},
        }}),
        200,
    )
    .await;
    for name in ["rank", "quality"] {
        let id = c.ids[name].as_str().unwrap();
        c.app.expect("DELETE", &format!("/api/v1/questions/{id}"), None, 200).await;
    }
    let got = c.strategies().await;
    let names: Vec<&str> = got["questions"].as_array().unwrap().iter().map(|it| it["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["label", "fix"]);
    assert_eq!(of(&got, "fix"), (json!({"kind": "all"}), true), "its rating question is gone: the default again");
    // A new question of the old name starts from its default, not the deleted one's strategy.
    let rating = json!({"type": "rating", "options": [{"value": 1}, {"value": 2}]});
    c.app.add_question(&c.ds, "quality", false, rating).await;
    assert_eq!(of(&c.strategies().await, "quality"), (json!({"kind": "mean", "rounding": "none"}), true));
}

#[tokio::test]
async fn owners_and_workspace_admins_only() {
    let c = setup(true).await;
    let other_ws = c.app.create_workspace("elsewhere").await;
    let annotator = c.app.member("ann", "annotator", &[&c.ws]).await;
    let admin = c.app.member("adm", "admin", &[&c.ws]).await;
    let outsider = c.app.member("out", "admin", &[&other_ws]).await;
    let paths = [c.path(), format!("{}/records", c.path())];
    let body = json!({"questions": {"quality": {"kind": "max"}}});
    for key in [&annotator.key, &outsider.key] {
        for path in &paths {
            c.app.expect_as(key, "GET", path, None, 403).await;
        }
        c.app.expect_as(key, "PUT", &paths[0], Some(body.clone()), 403).await;
    }
    assert!(of(&c.strategies().await, "quality").1, "a refused PUT stored nothing");
    for path in &paths {
        c.app.expect_as(&admin.key, "GET", path, None, 200).await;
    }
    c.app.expect_as(&admin.key, "PUT", &paths[0], Some(body.clone()), 200).await;
    let unknown = crate::common::new_id();
    for path in ["", "/records"] {
        c.app.expect("GET", &format!("/api/v1/datasets/{unknown}/consolidation{path}"), None, 404).await;
    }
    c.app.expect("PUT", &format!("/api/v1/datasets/{unknown}/consolidation"), Some(body), 404).await;
}

#[tokio::test]
async fn the_preview_gives_hand_computed_finals() {
    let c = setup(true).await;
    let distribution = json!({"distribution": {"strategy": "overlap", "min_submitted": 2}});
    c.app.expect("PATCH", &format!("/api/v1/datasets/{}", c.ds), Some(distribution), 200).await;
    let people = [
        c.app.member("alice", "annotator", &[&c.ws]).await,
        c.app.member("bob", "annotator", &[&c.ws]).await,
        c.app.member("cid", "annotator", &[&c.ws]).await,
    ];
    let items = vec![json!({"fields": {"text": "one"}, "external_id": "r1"}), json!({"fields": {"text": "two"}})];
    let records: Vec<String> =
        c.app.log(&c.ds, items).await.iter().map(|it| it["id"].as_str().unwrap().to_owned()).collect();
    let given = [
        json!({"label": "a", "quality": 2, "fix": "A", "rank": [{"value": "x", "rank": 1}, {"value": "y", "rank": 2}]}),
        json!({"label": "b", "quality": 4, "fix": "B", "rank": [{"value": "y", "rank": 1}, {"value": "x", "rank": 2}]}),
        json!({"label": "a", "quality": 4, "fix": "C", "rank": [{"value": "x", "rank": 1}, {"value": "y", "rank": 2}]}),
    ];
    for (user, values) in people.iter().zip(given) {
        c.respond(user, &records[0], values, "submitted").await;
    }
    // The second record: one submitted answer, one draft (not counted).
    c.respond(&people[0], &records[1], json!({"label": "c"}), "submitted").await;
    c.respond(&people[1], &records[1], json!({"label": "b", "quality": 5}), "draft").await;

    let preview = format!("{}/records", c.path());
    let page = c.app.read(&preview).await;
    assert_eq!(page["total"], 2);
    let first = &page["items"][0];
    assert_eq!(first["record_id"], json!(records[0]));
    assert_eq!(first["external_id"], "r1");
    assert_eq!(first["submitted"], 3);
    assert_eq!(first["complete"], true);
    // Defaults: label a (2 of 3); quality mean (2+4+4)/3; fix every text; rank x mean 4/3, y 5/3.
    assert_eq!(first["finals"]["label"], json!({"status": "resolved", "value": "a", "reason": null}));
    let mean = first["finals"]["quality"]["value"].as_f64().unwrap();
    assert_eq!(first["finals"]["quality"]["status"], "score");
    assert!((mean - 10.0 / 3.0).abs() < 1e-12, "{mean}");
    assert_eq!(
        first["finals"]["fix"],
        json!({"status": "each", "reason": null, "value": [
            {"username": "alice", "value": "A"}, {"username": "bob", "value": "B"}, {"username": "cid", "value": "C"}]})
    );
    assert_eq!(
        first["finals"]["rank"],
        json!({"status": "resolved", "reason": null, "value": [{"value": "x", "rank": 1}, {"value": "y", "rank": 2}]})
    );
    let second = &page["items"][1];
    assert_eq!((second["submitted"].clone(), second["external_id"].clone()), (json!(1), Value::Null));
    assert_eq!(second["complete"], false, "1 submitted answer, 2 wanted: flagged");
    assert_eq!(second["finals"]["label"]["value"], "c");
    assert_eq!(
        second["finals"]["quality"],
        json!({"status": "unresolved", "value": null, "reason": "no submitted answer"})
    );

    // The guides' three annotators under each rating strategy, and texts chosen by rating.
    for (strategy, expected) in [
        (json!({"kind": "majority"}), json!(4)),
        (json!({"kind": "mean", "rounding": "half_up"}), json!(3)),
        (json!({"kind": "min"}), json!(2)),
        (json!({"kind": "max"}), json!(4)),
    ] {
        let body = json!({"questions": {"quality": strategy, "fix": {"kind": "by_rating", "question": "quality"}}});
        c.put(body, 200).await;
        let page = c.app.read(&format!("{preview}?limit=1")).await;
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        assert_eq!(page["items"][0]["finals"]["quality"]["value"], expected);
        assert_eq!(page["items"][0]["finals"]["fix"]["value"], "B", "bob's 4 is the first highest");
    }
    c.put(json!({"questions": {"fix": {"kind": "by_rating", "question": "quality", "pick": "lowest"}}}), 200).await;
    let page = c.app.read(&format!("{preview}?offset=0&limit=1")).await;
    assert_eq!(page["items"][0]["finals"]["fix"]["value"], "A");

    // Paging: the second record alone, then past the end.
    let page = c.app.read(&format!("{preview}?offset=1&limit=5")).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["record_id"], json!(records[1]));
    let page = c.app.read(&format!("{preview}?offset=2")).await;
    assert_eq!(page, json!({"items": [], "total": 2}));
}
