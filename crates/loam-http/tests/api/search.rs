//! Records search (api.md §10.3–10.4, model.md §10): text, filters on every scope, sorting,
//! pagination with totals, the `/me` variant, and similarity against a brute-force oracle.

use serde_json::{json, Value};

use crate::common::*;

struct Fixture {
    app: TestApp,
    ds: String,
    ids: Vec<String>,
    label_q: String,
    ann: TestUser,
}

/// Five records with text, metadata (terms `src`, integer `n`, float `f`), a `label`
/// suggestion with score and agent on some, a 2-d vector `emb`, and responses.
async fn fixture() -> Fixture {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ann = app.member("ann", "annotator", &[&ws]).await;
    let ds = app.create_dataset(&ws, "search").await;
    app.add_field(&ds, "text", true).await;
    app.add_field(&ds, "notes", false).await;
    let label_q = app.add_question(&ds, "label", true, label_settings(&["a", "b"])).await;
    app.add_question(
        &ds,
        "stars",
        false,
        json!({"type": "rating", "options": [{"value": 1}, {"value": 2}, {"value": 3}]}),
    )
    .await;
    app.add_metadata(&ds, "src", json!({"type": "terms", "values": null}), true).await;
    app.add_metadata(&ds, "n", json!({"type": "integer"}), true).await;
    app.add_metadata(&ds, "f", json!({"type": "float"}), false).await;
    let body = json!({"name": "emb", "title": "emb", "dimensions": 2});
    app.expect("POST", &format!("/api/v1/datasets/{ds}/vectors-settings"), Some(body), 201).await;
    app.publish(&ds).await;
    let owner = app.read("/api/v1/me").await["id"].as_str().unwrap().to_owned();
    let sugg = |value: &str, score: f64, agent: &str| json!([{"question_id": label_q, "value": value, "score": score, "agent": agent}]);
    let items = vec![
        json!({"fields": {"text": "SQL injection in the login form", "notes": "critical"}, "metadata": {"src": "web", "n": 5, "f": 0.5},
               "suggestions": sugg("a", 0.2, "judge-1"), "vectors": {"emb": [1.0, 0.0]}, "external_id": "r0",
               "responses": [{"user_id": owner, "status": "submitted", "values": {"label": {"value": "a"}, "stars": {"value": 3}}}]}),
        json!({"fields": {"text": "A café that serves crème brûlée"}, "metadata": {"src": ["web", "book"], "n": 1, "f": 2.5},
               "suggestions": sugg("b", 0.9, "judge-2"), "vectors": {"emb": [0.0, 1.0]}, "external_id": "r1"}),
        json!({"fields": {"text": "Preventing injection attacks with prepared statements"}, "metadata": {"src": "book", "n": 9},
               "suggestions": sugg("a", 0.25, "judge-1"), "vectors": {"emb": [0.7, 0.7]}, "external_id": "r2",
               "responses": [{"user_id": owner, "status": "discarded"}]}),
        json!({"fields": {"text": "Party time 🎉 with friends"}, "metadata": {"src": "chat"}, "external_id": "r3",
               "vectors": {"emb": [-1.0, 0.0]}}),
        json!({"fields": {"text": "nothing to see"}, "external_id": "r4"}),
    ];
    let ids = app.log(&ds, items).await.iter().map(|it| it["id"].as_str().unwrap().to_owned()).collect();
    Fixture { app, ds, ids, label_q, ann }
}

impl Fixture {
    async fn search(&self, body: Value) -> (u16, Value) {
        self.app.post(&self.app.owner.key, &format!("/api/v1/datasets/{}/records/search?limit=50", self.ds), body).await
    }

    /// Ids of the hits, in order, and the total.
    async fn hits(&self, body: Value) -> (Vec<usize>, i64) {
        let (status, res) = self.search(body.clone()).await;
        assert_eq!(status, 200, "{body} -> {res}");
        let order = res["items"]
            .as_array()
            .unwrap()
            .iter()
            // Records created after the fixture count as `usize::MAX`.
            .map(|it| self.ids.iter().position(|id| id == it["record"]["id"].as_str().unwrap()).unwrap_or(usize::MAX))
            .collect();
        (order, res["total"].as_i64().unwrap())
    }

    async fn filtered(&self, filters: Value) -> Vec<usize> {
        let (mut order, total) = self.hits(json!({"filters": {"and": filters}})).await;
        assert_eq!(total as usize, order.len());
        order.sort();
        order
    }
}

fn terms(scope: Value, values: Value) -> Value {
    json!({"type": "terms", "scope": scope, "values": values})
}

fn range(scope: Value, ge: Value, le: Value) -> Value {
    json!({"type": "range", "scope": scope, "ge": ge, "le": le})
}

#[tokio::test]
async fn text_queries_match_rank_and_scope_to_a_field() {
    let f = fixture().await;
    let (order, total) = f.hits(json!({"query": {"text": {"q": "injection"}}})).await;
    assert_eq!(total, 2);
    assert_eq!(order.iter().copied().collect::<std::collections::BTreeSet<_>>(), [0, 2].into());
    // Pages of a text match carry the total of all of them, also past the last match.
    let page = |offset: i64| format!("/api/v1/datasets/{}/records/search?offset={offset}&limit=1", f.ds);
    for (offset, items) in [(0, 1), (1, 1), (2, 0), (10, 0)] {
        let body = json!({"query": {"text": {"q": "injection"}}});
        let res = f.app.expect("POST", &page(offset), Some(body), 200).await;
        assert_eq!(
            (res["items"].as_array().unwrap().len(), res["total"].clone()),
            (items, json!(2)),
            "offset {offset}"
        );
    }
    // AND by default, OR with |, negation, phrase, prefix, accents folded.
    assert_eq!(f.hits(json!({"query": {"text": {"q": "injection login"}}})).await.0, vec![0]);
    assert_eq!(f.hits(json!({"query": {"text": {"q": "login | friends"}}})).await.1, 2);
    assert_eq!(f.hits(json!({"query": {"text": {"q": "injection -login"}}})).await.0, vec![2]);
    assert_eq!(f.hits(json!({"query": {"text": {"q": "\"prepared statements\""}}})).await.0, vec![2]);
    assert_eq!(f.hits(json!({"query": {"text": {"q": "prep*"}}})).await.0, vec![2]);
    assert_eq!(f.hits(json!({"query": {"text": {"q": "creme brulee"}}})).await.0, vec![1]);
    // A field-scoped query looks only there.
    assert_eq!(f.hits(json!({"query": {"text": {"q": "critical", "field": "notes"}}})).await.0, vec![0]);
    assert!(f.hits(json!({"query": {"text": {"q": "critical", "field": "text"}}})).await.0.is_empty());
    let (status, res) = f.search(json!({"query": {"text": {"q": "x", "field": "nope"}}})).await;
    assert_eq!(status, 422);
    assert_eq!(res["detail"], format!("Field `nope` not found in dataset `{}`.", f.ds));
    // Scores are relevance, present and positive.
    let (_, res) = f.search(json!({"query": {"text": {"q": "injection"}}})).await;
    assert!(res["items"][0]["query_score"].as_f64().unwrap() > 0.0);
}

#[tokio::test]
async fn filters_on_every_scope() {
    let f = fixture().await;
    let md = |name: &str| json!({"entity": "metadata", "metadata_property": name});
    assert_eq!(f.filtered(json!([terms(md("src"), json!(["web"]))])).await, vec![0, 1]);
    assert_eq!(f.filtered(json!([terms(md("src"), json!(["book", "chat"]))])).await, vec![1, 2, 3]);
    assert_eq!(f.filtered(json!([range(md("n"), json!(2), json!(9))])).await, vec![0, 2]);
    assert_eq!(f.filtered(json!([range(md("n"), json!(5), Value::Null)])).await, vec![0, 2]);
    assert_eq!(f.filtered(json!([range(md("f"), json!(1.0), json!(3.0))])).await, vec![1]);
    assert_eq!(f.filtered(json!([terms(md("n"), json!(["5"]))])).await, vec![0], "numeric terms coerce");
    let status = json!({"entity": "record", "property": "status"});
    assert_eq!(f.filtered(json!([terms(status.clone(), json!(["completed"]))])).await, vec![0]);
    assert_eq!(f.filtered(json!([terms(status, json!(["pending"]))])).await, vec![1, 2, 3, 4]);
    let ext = json!({"entity": "record", "property": "external_id"});
    assert_eq!(f.filtered(json!([terms(ext, json!(["r3", "r4", "zz"]))])).await, vec![3, 4]);
    let sugg = |property: &str| json!({"entity": "suggestion", "question": "label", "property": property});
    assert_eq!(f.filtered(json!([terms(sugg("value"), json!(["a"]))])).await, vec![0, 2]);
    assert_eq!(f.filtered(json!([range(sugg("score"), Value::Null, json!(0.3))])).await, vec![0, 2]);
    assert_eq!(f.filtered(json!([terms(sugg("agent"), json!(["judge-2"]))])).await, vec![1]);
    let rstatus = json!({"entity": "response", "property": "status"});
    assert_eq!(f.filtered(json!([terms(rstatus.clone(), json!(["submitted"]))])).await, vec![0]);
    assert_eq!(f.filtered(json!([terms(rstatus.clone(), json!(["discarded", "pending"]))])).await, vec![1, 2, 3, 4]);
    let rvalue = json!({"entity": "response", "question": "stars"});
    assert_eq!(f.filtered(json!([range(rvalue, json!(3), json!(3))])).await, vec![0]);
    // Combinations are ANDed, and text narrows filters.
    let both = json!([terms(md("src"), json!(["web", "book"])), range(md("n"), json!(4), Value::Null)]);
    assert_eq!(f.filtered(both).await, vec![0, 2]);
    let (order, _) = f
        .hits(json!({"query": {"text": {"q": "injection"}}, "filters": {"and": [terms(md("src"), json!(["book"]))]}}))
        .await;
    assert_eq!(order, vec![2]);
    // Timestamps compare as dates.
    let inserted = json!({"entity": "record", "property": "inserted_at"});
    assert_eq!(f.filtered(json!([range(inserted.clone(), json!("2000-01-01"), Value::Null)])).await.len(), 5);
    assert!(f.filtered(json!([range(inserted, json!("2999-01-01"), Value::Null)])).await.is_empty());
}

#[tokio::test]
async fn unknown_names_and_bad_shapes_are_422_naming_the_problem() {
    let f = fixture().await;
    let (status, res) = f.search(json!({"filters": {"and": [terms(json!({"entity": "metadata", "metadata_property": "nope"}), json!(["x"]))]}})).await;
    assert_eq!(status, 422);
    assert_eq!(res["detail"], format!("MetadataProperty not found filtering by name=nope, dataset_id={}", f.ds));
    let (status, res) = f
        .search(json!({"filters": {"and": [terms(json!({"entity": "suggestion", "question": "nope"}), json!(["x"]))]}}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(res["detail"], format!("Question not found filtering by name=nope, dataset_id={}", f.ds));
    for bad in [
        json!({"filters": {"and": []}}),
        json!({"filters": {"and": [{"type": "between"}]}}),
        json!({"filters": {"and": [terms(json!({"entity": "response"}), json!(["x"]))]}}),
        json!({"sort": [{"scope": {"entity": "record", "property": "nope"}}]}),
        json!({"query": {"vector": {"name": "emb"}}}),
    ] {
        let (status, res) = f.search(bad.clone()).await;
        assert_eq!(status, 422, "{bad} -> {res}");
        assert_eq!(code(&res), "argilla.api.errors::ValidationError", "{bad} -> {res}");
    }
    let (status, _) =
        f.app.post(&f.app.owner.key, &format!("/api/v1/datasets/{}/records/search?limit=1001", f.ds), json!({})).await;
    assert_eq!(status, 422, "limit over the maximum");
}

#[tokio::test]
async fn sorting_pagination_and_totals() {
    let f = fixture().await;
    let by_n =
        |order: &str| json!({"sort": [{"scope": {"entity": "metadata", "metadata_property": "n"}, "order": order}]});
    // Missing values sort last in both directions; ties keep insertion order.
    assert_eq!(f.hits(by_n("asc")).await.0, vec![1, 0, 2, 3, 4]);
    assert_eq!(f.hits(by_n("desc")).await.0, vec![2, 0, 1, 3, 4]);
    let (_, res) = f.search(by_n("asc")).await;
    assert!(res["items"][0]["query_score"].is_null(), "sorted searches are not scored");
    let mut seen = Vec::new();
    for offset in [0, 2, 4] {
        let path = format!("/api/v1/datasets/{}/records/search?offset={offset}&limit=2", f.ds);
        let (status, page) = f.app.post(&f.app.owner.key, &path, by_n("desc")).await;
        assert_eq!(status, 200);
        assert_eq!(page["total"], 5);
        seen.extend(page["items"].as_array().unwrap().iter().map(|it| it["record"]["external_id"].clone()));
    }
    assert_eq!(seen, vec![json!("r2"), json!("r0"), json!("r1"), json!("r3"), json!("r4")]);
}

#[tokio::test]
async fn the_me_search_sees_only_the_callers_responses_and_visible_metadata() {
    let f = fixture().await;
    let path = format!("/api/v1/me/datasets/{}/records/search?include=responses&limit=50", f.ds);
    let pending =
        json!({"filters": {"and": [terms(json!({"entity": "response", "property": "status"}), json!(["pending"]))]}});
    let (status, res) = f.app.post(&f.ann.key, &path, pending.clone()).await;
    assert_eq!(status, 200, "{res}");
    assert_eq!(res["total"], 5, "the annotator has answered nothing");
    for item in res["items"].as_array().unwrap() {
        assert_eq!(item["record"]["responses"], json!([]));
        let metadata = item["record"]["metadata"].as_object().cloned().unwrap_or_default();
        assert!(!metadata.contains_key("f"), "hidden metadata stays hidden: {metadata:?}");
    }
    // Submitting one takes it out of the annotator's pending queue.
    let record = &f.ids[4];
    let body = json!({"status": "submitted", "values": {"label": {"value": "b"}}});
    f.app.expect_as(&f.ann.key, "POST", &format!("/api/v1/records/{record}/responses"), Some(body), 201).await;
    let (_, res) = f.app.post(&f.ann.key, &path, pending).await;
    assert_eq!(res["total"], 4);
    // The default order is a stable shuffle.
    let (_, a) = f.app.post(&f.ann.key, &path, json!({})).await;
    let (_, b) = f.app.post(&f.ann.key, &path, json!({})).await;
    assert_eq!(a["items"], b["items"]);
    // Annotators cannot use the managers' search.
    assert_eq!(f.app.post(&f.ann.key, &format!("/api/v1/datasets/{}/records/search", f.ds), json!({})).await.0, 403);
}

fn cosine_score(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    (1.0 + dot / (na * nb)) / 2.0
}

#[tokio::test]
async fn similarity_orders_like_a_brute_force_oracle() {
    let f = fixture().await;
    let vectors: Vec<(usize, [f64; 2])> = vec![(0, [1.0, 0.0]), (1, [0.0, 1.0]), (2, [0.7, 0.7]), (3, [-1.0, 0.0])];
    let query = [0.9, 0.3];
    let mut oracle: Vec<(usize, f64)> = vectors.iter().map(|(i, v)| (*i, cosine_score(&query, v))).collect();
    oracle.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap());
    let (status, res) = f.search(json!({"query": {"vector": {"name": "emb", "value": query}}})).await;
    assert_eq!(status, 200, "{res}");
    let got: Vec<(usize, f64)> = res["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|it| {
            let idx = f.ids.iter().position(|id| id == it["record"]["id"].as_str().unwrap()).unwrap();
            (idx, it["query_score"].as_f64().unwrap())
        })
        .collect();
    assert_eq!(got.iter().map(|it| it.0).collect::<Vec<_>>(), oracle.iter().map(|it| it.0).collect::<Vec<_>>());
    for ((_, a), (_, b)) in got.iter().zip(&oracle) {
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    }
    assert_eq!(res["total"], 4, "records without a vector are not candidates");
    // least_similar reverses the order; by record excludes the record itself; filters apply.
    let (order, _) =
        f.hits(json!({"query": {"vector": {"name": "emb", "value": query, "order": "least_similar"}}})).await;
    assert_eq!(order, oracle.iter().rev().map(|it| it.0).collect::<Vec<_>>());
    let (order, total) = f.hits(json!({"query": {"vector": {"name": "emb", "record_id": f.ids[0]}}})).await;
    assert_eq!((order, total), (vec![2, 1, 3], 3));
    let filtered = json!({"query": {"vector": {"name": "emb", "value": query}},
        "filters": {"and": [terms(json!({"entity": "metadata", "metadata_property": "src"}), json!(["book"]))]}});
    assert_eq!(f.hits(filtered).await.0, vec![2, 1]);
    // Errors: a record without that vector (its own shape), a wrong length, an unknown name.
    let (status, res) = f.search(json!({"query": {"vector": {"name": "emb", "record_id": f.ids[4]}}})).await;
    assert_eq!(status, 422);
    assert_eq!(res["code"], "missing_vector");
    let (status, res) = f.search(json!({"query": {"vector": {"name": "emb", "value": [1.0, 2.0, 3.0]}}})).await;
    assert_eq!(status, 422, "{res}");
    let (status, res) = f.search(json!({"query": {"vector": {"name": "nope", "value": [1.0, 2.0]}}})).await;
    assert_eq!(
        (status, res["detail"].clone()),
        (422, json!(format!("Vector `nope` not found in dataset `{}`.", f.ds)))
    );
    let _ = &f.label_q;
}

#[tokio::test]
async fn writes_are_searchable_at_once_and_deletes_leave_the_results() {
    let f = fixture().await;
    let id = f.app.record(&f.ds, "a brand new zeppelin").await;
    assert_eq!(f.hits(json!({"query": {"text": {"q": "zeppelin"}}})).await.1, 1);
    // Changing the text re-indexes it.
    let patch = json!({"fields": {"text": "now about airships"}});
    f.app.expect("PATCH", &format!("/api/v1/records/{id}"), Some(patch), 200).await;
    assert_eq!(f.hits(json!({"query": {"text": {"q": "zeppelin"}}})).await.1, 0);
    assert_eq!(f.hits(json!({"query": {"text": {"q": "airships"}}})).await.1, 1);
    // A bulk call that fails stores nothing, so nothing new is searchable.
    let bad = json!({"items": [{"fields": {"text": "ghost entry"}}, {"fields": {"nope": "x"}}]});
    assert_eq!(f.app.post(&f.app.owner.key, &format!("/api/v1/datasets/{}/records/bulk", f.ds), bad).await.0, 422);
    assert_eq!(f.hits(json!({"query": {"text": {"q": "ghost"}}})).await.1, 0);
    f.app.expect("DELETE", &format!("/api/v1/records/{id}"), None, 200).await;
    assert_eq!(f.hits(json!({"query": {"text": {"q": "airships"}}})).await.1, 0);
}

#[tokio::test]
async fn legacy_query_parameters_filter_and_sort_listings() {
    let f = fixture().await;
    let list = |query: &str| format!("/api/v1/datasets/{}/records?limit=50&{query}", f.ds);
    let external = |res: &Value| -> Vec<String> {
        res["items"].as_array().unwrap().iter().map(|it| it["external_id"].as_str().unwrap().to_owned()).collect()
    };
    let res = f.app.read(&list("response_status=pending")).await;
    assert_eq!((external(&res), res["total"].clone()), (vec!["r1".into(), "r3".into(), "r4".into()], json!(3)));
    let res = f.app.read(&list("response_status=submitted&response_status=discarded")).await;
    assert_eq!(external(&res), vec!["r0", "r2"]);
    let res = f.app.read(&list("metadata=src:web,chat")).await;
    assert_eq!(external(&res), vec!["r0", "r1", "r3"]);
    let res = f.app.read(&list("metadata=n:%7B%22ge%22%3A2%7D&sort_by=metadata.n:desc")).await;
    assert_eq!((external(&res), res["total"].clone()), (vec!["r2".into(), "r0".into()], json!(2)));
    let res = f.app.read(&list("metadata=unknown:x")).await;
    assert_eq!(res["total"], 5, "filters on unknown properties are ignored");
    let res = f.app.read(&format!("/api/v1/datasets/{}/records?sort_by=inserted_at:desc&limit=2", f.ds)).await;
    assert_eq!((external(&res), res["total"].clone()), (vec!["r4".into(), "r3".into()], json!(5)));
    for bad in [
        "sort_by=title",
        "sort_by=metadata.nope",
        "sort_by=inserted_at:up",
        "metadata=n:notjson",
        "response_status=maybe",
    ] {
        let (status, res) = f.app.get(&f.app.owner.key, &list(bad)).await;
        assert_eq!(status, 422, "{bad}: {res}");
    }
}

#[tokio::test]
async fn the_me_queue_pages_through_every_record_exactly_once() {
    let f = fixture().await;
    let more: Vec<Value> = (0..15).map(|i| json!({"fields": {"text": format!("extra {i}")}})).collect();
    f.app.log(&f.ds, more).await;
    for (user, limit) in [(&f.ann, 2), (&f.app.owner, 3), (&f.ann, 7)] {
        let mut seen = Vec::new();
        for offset in (0..24).step_by(limit) {
            let path = format!("/api/v1/me/datasets/{}/records/search?offset={offset}&limit={limit}", f.ds);
            let (status, page) = f.app.post(&user.key, &path, json!({})).await;
            assert_eq!(status, 200, "{page}");
            assert_eq!(page["total"], 20);
            seen.extend(
                page["items"].as_array().unwrap().iter().map(|it| it["record"]["id"].as_str().unwrap().to_owned()),
            );
        }
        let distinct: std::collections::BTreeSet<_> = seen.iter().cloned().collect();
        assert_eq!((seen.len(), distinct.len()), (20, 20), "limit {limit}: {seen:?}");
    }
}

/// Pages of a sorted search, concatenated: (record index, total of each page).
async fn sorted_pages(app: &TestApp, ds: &str, ids: &[String], body: &Value) -> (Vec<usize>, Vec<i64>) {
    let (mut order, mut totals) = (Vec::new(), Vec::new());
    for offset in (0..1300).step_by(100) {
        let path = format!("/api/v1/datasets/{ds}/records/search?offset={offset}&limit=100");
        let (status, res) = app.post(&app.owner.key, &path, body.clone()).await;
        assert_eq!(status, 200, "{body}: {res}");
        totals.push(res["total"].as_i64().unwrap());
        order.extend(
            res["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|it| ids.iter().position(|id| id == it["record"]["id"].as_str().unwrap()).unwrap()),
        );
    }
    (order, totals)
}

/// Large enough that a sort by one metadata key walks that key's index (over a thousand
/// matches), and small enough that some filters sort every match instead: both give the order of
/// an oracle, page after page, with ties and records lacking the key.
#[tokio::test]
async fn metadata_sorts_page_like_an_oracle_with_ties_and_missing_values() {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.create_dataset(&ws, "sorted").await;
    app.add_field(&ds, "text", true).await;
    app.add_question(&ds, "label", true, label_settings(&["a", "b"])).await;
    app.add_metadata(&ds, "score", json!({"type": "float"}), true).await;
    app.add_metadata(&ds, "group", json!({"type": "terms", "values": null}), true).await;
    app.publish(&ds).await;
    let n = 1200;
    // Eleven distinct scores (many ties); every 50th record has none.
    let score = |i: usize| -> Option<f64> { (!i.is_multiple_of(50)).then(|| (i * 37 % 11) as f64 / 2.0) };
    let group = |i: usize| ["a", "b", "c"][i % 3];
    let mut ids = Vec::new();
    for chunk in (0..n).collect::<Vec<_>>().chunks(200) {
        let items = chunk
            .iter()
            .map(|i| {
                let mut metadata = json!({"group": group(*i)});
                if let Some(s) = score(*i) {
                    metadata["score"] = json!(s);
                }
                json!({"fields": {"text": format!("record {i}")}, "metadata": metadata})
            })
            .collect();
        ids.extend(app.log(&ds, items).await.iter().map(|it| it["id"].as_str().unwrap().to_owned()));
    }
    let sort = |property: &str, order: &str| json!([{"scope": {"entity": "metadata", "metadata_property": property}, "order": order}]);
    let in_range =
        json!({"type": "range", "scope": {"entity": "metadata", "metadata_property": "score"}, "ge": 0.5, "le": 100});
    let in_groups =
        json!({"type": "terms", "scope": {"entity": "metadata", "metadata_property": "group"}, "values": ["a", "b"]});
    // The oracle: the key's order, ties by insertion order; records without the key last, in
    // insertion order.
    let oracle = |keep: &dyn Fn(usize) -> bool, key: &dyn Fn(usize) -> Option<String>, descending: bool| {
        let mut with: Vec<usize> = (0..n).filter(|i| keep(*i) && key(*i).is_some()).collect();
        let mut without: Vec<usize> = (0..n).filter(|i| keep(*i) && key(*i).is_none()).collect();
        with.sort_by(|a, b| if descending { key(*b).cmp(&key(*a)) } else { key(*a).cmp(&key(*b)) }.then(a.cmp(b)));
        without.sort();
        with.extend(without);
        with
    };
    let score_key = |i: usize| score(i).map(|s| format!("{:08.2}", s));
    let group_key = |i: usize| Some(group(i).to_owned());
    let ranged = |i: usize| score(i).is_some_and(|s| s >= 0.5);
    let cases: Vec<(Value, Vec<usize>)> = vec![
        (json!({"sort": sort("score", "desc")}), oracle(&|_| true, &score_key, true)),
        (json!({"sort": sort("score", "asc")}), oracle(&|_| true, &score_key, false)),
        (json!({"filters": {"and": [in_range]}, "sort": sort("score", "asc")}), oracle(&ranged, &score_key, false)),
        (json!({"filters": {"and": [in_range]}, "sort": sort("group", "desc")}), oracle(&ranged, &group_key, true)),
        (
            json!({"filters": {"and": [in_range, in_groups]}, "sort": sort("score", "desc")}),
            oracle(&|i| ranged(i) && group(i) != "c", &score_key, true),
        ),
    ];
    for (body, expected) in cases {
        let (order, totals) = sorted_pages(&app, &ds, &ids, &body).await;
        assert_eq!(order, expected, "{body}");
        assert!(totals.iter().all(|it| *it == expected.len() as i64), "{body}: totals {totals:?}");
    }
}

/// Hits of a search, page by page (7 a page, and one page past the end): (external id, score)
/// and the totals.
async fn text_pages(app: &TestApp, ds: &str, body: &Value) -> (Vec<(String, f64)>, Vec<i64>) {
    let (mut hits, mut totals) = (Vec::new(), Vec::new());
    for offset in [0, 7, 14, 21, 70] {
        let path = format!("/api/v1/datasets/{ds}/records/search?offset={offset}&limit=7");
        let (status, res) = app.post(&app.owner.key, &path, body.clone()).await;
        assert_eq!(status, 200, "{body} -> {res}");
        totals.push(res["total"].as_i64().unwrap());
        for it in res["items"].as_array().unwrap() {
            hits.push((it["record"]["external_id"].as_str().unwrap().to_owned(), it["query_score"].as_f64().unwrap()));
        }
    }
    (hits, totals)
}

/// A dataset logged alone (its text matches are ranked and counted in the text index's rowid
/// range of its own) answers text searches exactly like one whose records interleave with another
/// dataset's (the general query, a record read per match): same order, scores, ties and totals,
/// with and without metadata filters, and the other dataset's records never show.
#[tokio::test]
async fn text_search_over_a_datasets_own_seq_range_equals_the_general_query() {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let mut datasets = Vec::new();
    for name in ["alone", "mixed", "other"] {
        let ds = app.create_dataset(&ws, name).await;
        app.add_field(&ds, "text", true).await;
        app.add_field(&ds, "notes", false).await;
        app.add_question(&ds, "label", true, label_settings(&["a", "b"])).await;
        app.add_metadata(&ds, "src", json!({"type": "terms", "values": null}), true).await;
        app.add_metadata(&ds, "n", json!({"type": "integer"}), true).await;
        app.publish(&ds).await;
        datasets.push(ds);
    }
    let words = ["injection", "café", "login", "form", "token", "東京", "🎉", "attack"];
    let item = |i: usize| {
        let text: Vec<&str> = (0..1 + i % 5).map(|j| words[(i * 3 + j * 5) % words.len()]).collect();
        let src = if i.is_multiple_of(3) { json!(["web", "book"]) } else { json!(["web", "chat", "book"][i % 3]) };
        let mut it = json!({"fields": {"text": text.join(" ")}, "external_id": format!("e{i}"),
                            "metadata": {"src": src, "n": i % 7}});
        if i.is_multiple_of(4) {
            it["fields"]["notes"] = json!(format!("{} notes", words[i % words.len()]));
        }
        it
    };
    let other = |i: usize| {
        json!({"fields": {"text": format!("injection café login {i}")}, "external_id": format!("o{i}"),
               "metadata": {"src": "web", "n": 3}})
    };
    // "mixed" and "other" take turns; "alone" gets the same items in one go, afterwards.
    for round in 0..3 {
        app.log(&datasets[1], (round * 20..round * 20 + 20).map(item).collect()).await;
        app.log(&datasets[2], (round * 5..round * 5 + 5).map(other).collect()).await;
    }
    app.log(&datasets[0], (0..60).map(item).collect()).await;
    let queries = [
        json!({"q": "injection"}),
        json!({"q": "cafe"}),
        json!({"q": "login form"}),
        json!({"q": "\"login form\""}),
        json!({"q": "東京"}),
        json!({"q": "inj*"}),
        json!({"q": "injection", "field": "notes"}),
        json!({"q": "nowhere"}),
    ];
    let web = json!({"type": "terms", "scope": {"entity": "metadata", "metadata_property": "src"}, "values": ["web"]});
    let small = json!({"type": "range", "scope": {"entity": "metadata", "metadata_property": "n"}, "ge": 1, "le": 4});
    let mut bodies: Vec<Value> = queries.iter().map(|q| json!({"query": {"text": q}})).collect();
    for q in &queries[..3] {
        bodies.push(json!({"query": {"text": q}, "filters": {"and": [web]}}));
        bodies.push(json!({"query": {"text": q}, "filters": {"and": [web, small]}}));
    }
    for query in &bodies {
        let alone = text_pages(&app, &datasets[0], query).await;
        let mixed = text_pages(&app, &datasets[1], query).await;
        assert_eq!(alone, mixed, "{query}");
        assert!(alone.0.iter().all(|(id, _)| id.starts_with('e')), "{query}: another dataset's record");
        let distinct: std::collections::HashSet<&String> = alone.0.iter().map(|it| &it.0).collect();
        assert_eq!(distinct.len() as i64, alone.1[0], "{query}: the pages hold every match once");
        assert!(alone.0.windows(2).all(|w| w[0].1 >= w[1].1), "{query}: best first");
    }
    assert!(text_pages(&app, &datasets[0], &bodies[0]).await.1[0] > 10);
    let filtered = text_pages(&app, &datasets[0], &bodies[queries.len() + 1]).await.1[0];
    assert!(filtered > 3 && filtered < text_pages(&app, &datasets[0], &bodies[0]).await.1[0]);
}
