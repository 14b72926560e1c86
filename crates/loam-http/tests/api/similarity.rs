//! Similarity search answered from the in-memory vector copy (`loam-service/src/similarity.rs`):
//! the same hits and scores as a scan of the database and a brute-force oracle, and every
//! replica sees a committed vector write at its next search, never a rolled-back one; the
//! approximate index (`loam-service/src/ann.rs`) agrees with them and follows writes too.

use axum::Router;
use serde_json::{json, Value};

use crate::common::*;

const DIMS: usize = 16;

/// Deterministic vectors (xorshift); every 9th repeats the one before it (ties), record 5 is
/// zero, and every 11th record has no vector.
fn vector(i: usize) -> Option<Vec<f64>> {
    if i % 11 == 10 {
        return None;
    }
    if i == 5 {
        return Some(vec![0.0; DIMS]);
    }
    let i = if i % 9 == 8 { i - 1 } else { i };
    let mut state = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    Some(
        (0..DIMS)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % 2001) as f64 / 1000.0 - 1.0
            })
            .collect(),
    )
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let (na, nb) = (a.iter().map(|x| x * x).sum::<f64>().sqrt(), b.iter().map(|x| x * x).sum::<f64>().sqrt());
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na * nb)
    }
}

struct Fixture {
    app: TestApp,
    ds: String,
    ids: Vec<String>,
}

async fn fixture(n: usize) -> Fixture {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.create_dataset(&ws, "similar").await;
    app.add_field(&ds, "text", true).await;
    app.add_question(&ds, "label", true, label_settings(&["a", "b"])).await;
    app.add_metadata(&ds, "half", json!({"type": "terms", "values": null}), true).await;
    let body = json!({"name": "emb", "title": "emb", "dimensions": DIMS});
    app.expect("POST", &format!("/api/v1/datasets/{ds}/vectors-settings"), Some(body), 201).await;
    app.publish(&ds).await;
    let mut ids = Vec::new();
    for chunk in (0..n).collect::<Vec<_>>().chunks(200) {
        let items = chunk
            .iter()
            .map(|i| {
                let mut item = json!({"fields": {"text": format!("record {i} {}", if i % 3 == 0 { "three" } else { "other" })},
                                      "metadata": {"half": if i % 2 == 0 { "even" } else { "odd" }}});
                if let Some(v) = vector(*i) {
                    item["vectors"] = json!({"emb": v});
                }
                item
            })
            .collect();
        ids.extend(app.log(&ds, items).await.iter().map(|it| it["id"].as_str().unwrap().to_owned()));
    }
    Fixture { app, ds, ids }
}

/// Hits of a search through `router`: (record index, or usize::MAX for records made later;
/// score), and the total.
async fn hits(f: &Fixture, router: &Router, query: Value, params: &str) -> (Vec<(usize, f64)>, i64) {
    let path = format!("/api/v1/datasets/{}/records/search?{params}", f.ds);
    let (status, res) = send_to(router, request("POST", &path, &f.app.owner.key, Some(query.clone()))).await;
    assert_eq!(status, 200, "{query} -> {res}");
    let items = res["items"].as_array().unwrap();
    let hits = items
        .iter()
        .map(|it| {
            let id = it["record"]["id"].as_str().unwrap();
            (f.ids.iter().position(|it| it == id).unwrap_or(usize::MAX), it["query_score"].as_f64().unwrap())
        })
        .collect();
    (hits, res["total"].as_i64().unwrap())
}

/// The searches compared between ways of answering: by a vector both ways, a later page, by a
/// record's vector, duplicated vectors (ties), with a metadata filter and with a text query.
fn query_cases(f: &Fixture) -> Vec<(Value, &'static str)> {
    let query = vector(1001);
    let by_value = |order: &str| json!({"query": {"vector": {"name": "emb", "value": query, "order": order}}});
    let odd = json!({"and": [{"type": "terms", "scope": {"entity": "metadata", "metadata_property": "half"}, "values": ["odd"]}]});
    vec![
        (by_value("most_similar"), "limit=50"),
        (by_value("least_similar"), "limit=50"),
        (by_value("most_similar"), "offset=40&limit=25"),
        (json!({"query": {"vector": {"name": "emb", "record_id": f.ids[7]}}}), "limit=50"),
        (json!({"query": {"vector": {"name": "emb", "value": vector(7)}}}), "limit=2"),
        (json!({"query": {"vector": {"name": "emb", "value": query}}, "filters": odd}), "limit=50"),
        (json!({"query": {"vector": {"name": "emb", "value": query}, "text": {"q": "three"}}}), "limit=50"),
    ]
}

#[tokio::test]
async fn answers_from_memory_match_a_database_scan_and_a_brute_force_oracle() {
    let f = fixture(450).await;
    let scan = f.app.replica(0).await;
    let query: Vec<f64> = vector(1001).unwrap();
    let by_value = |order: &str| json!({"query": {"vector": {"name": "emb", "value": query, "order": order}}});
    let cases = query_cases(&f);
    for (body, params) in &cases {
        // Twice from memory: the first search loads the copy, the second uses it.
        let first = hits(&f, &f.app.router, body.clone(), params).await;
        let again = hits(&f, &f.app.router, body.clone(), params).await;
        let scanned = hits(&f, &scan, body.clone(), params).await;
        assert_eq!(first, again, "{body}");
        assert_eq!(first, scanned, "{body} {params}: memory and database scan differ");
    }
    // The oracle: every record with a vector, exact cosine, ties by insertion order.
    let mut oracle: Vec<(usize, f64)> =
        (0..450).filter_map(|i| Some((i, (1.0 + cosine(&query, &vector(i)?)) / 2.0))).collect();
    oracle.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (got, total) = hits(&f, &f.app.router, by_value("most_similar"), "limit=50").await;
    assert_eq!(total, 50);
    assert_eq!(
        got.iter().map(|it| it.0).collect::<Vec<_>>(),
        oracle.iter().take(50).map(|it| it.0).collect::<Vec<_>>()
    );
    for ((_, a), (_, b)) in got.iter().zip(&oracle) {
        assert_eq!(a, b, "scores are computed from the stored f64 vectors");
    }
    // Duplicated vectors tie; the earlier record ranks first.
    let (got, _) =
        hits(&f, &f.app.router, json!({"query": {"vector": {"name": "emb", "value": vector(7)}}}), "limit=2").await;
    assert_eq!(got.iter().map(|it| it.0).collect::<Vec<_>>(), vec![7, 8]);
    // A zero vector scores 0.5 (cosine 0) against anything.
    let (got, _) = hits(&f, &f.app.router, by_value("least_similar"), "limit=450").await;
    assert!(got.iter().any(|(i, score)| *i == 5 && *score == 0.5));
}

#[tokio::test]
async fn every_replica_sees_committed_vector_writes_at_its_next_search() {
    let f = fixture(60).await;
    let other = f.app.replica(loam_service::DEFAULT_VECTOR_CACHE_BYTES).await;
    let probe: Vec<f64> = (0..DIMS).map(|i| if i == 3 { 1.0 } else { 0.0 }).collect();
    let search = json!({"query": {"vector": {"name": "emb", "value": probe}}});
    let top = |res: &(Vec<(usize, f64)>, i64)| res.0.first().copied();
    let before = hits(&f, &f.app.router, search.clone(), "limit=5").await;
    assert_ne!(top(&before).map(|it| it.1), Some(1.0));
    // Another replica adds a record with exactly the probe: the first replica's next search has it.
    let path = format!("/api/v1/datasets/{}/records/bulk", f.ds);
    let item = json!({"items": [{"fields": {"text": "new"}, "vectors": {"emb": probe}}]});
    let (status, res) = send_to(&other, request("POST", &path, &f.app.owner.key, Some(item))).await;
    assert_eq!(status, 201, "{res}");
    let new_id = res["items"][0]["id"].as_str().unwrap().to_owned();
    let after = hits(&f, &f.app.router, search.clone(), "limit=5").await;
    assert_eq!(top(&after), Some((usize::MAX, 1.0)));
    assert_eq!(after.1, 5);
    // It changes the record's vector to the opposite direction: it drops to the bottom.
    let opposite: Vec<f64> = probe.iter().map(|x| -x).collect();
    let patch = json!({"vectors": {"emb": opposite}});
    let (status, res) =
        send_to(&other, request("PATCH", &format!("/api/v1/records/{new_id}"), &f.app.owner.key, Some(patch))).await;
    assert_eq!(status, 200, "{res}");
    let (got, _) = hits(&f, &f.app.router, search.clone(), "limit=100").await;
    assert_eq!(got.last().copied(), Some((usize::MAX, 0.0)));
    // A bulk write that fails stores nothing, so the searches do not change.
    let unchanged = hits(&f, &f.app.router, search.clone(), "limit=100").await;
    let bad = json!({"items": [{"fields": {"text": "ghost"}, "vectors": {"emb": probe}}, {"fields": {"nope": "x"}}]});
    assert_eq!(send_to(&other, request("POST", &path, &f.app.owner.key, Some(bad))).await.0, 422);
    assert_eq!(hits(&f, &f.app.router, search.clone(), "limit=100").await, unchanged);
    // It deletes the record: gone from the first replica's results.
    let (status, _) =
        send_to(&other, request("DELETE", &format!("/api/v1/records/{new_id}"), &f.app.owner.key, None)).await;
    assert_eq!(status, 200);
    let (got, _) = hits(&f, &f.app.router, search.clone(), "limit=100").await;
    assert!(got.iter().all(|(i, _)| *i != usize::MAX), "the deleted record is still found");
    assert_eq!(hits(&f, &f.app.router, search.clone(), "limit=5").await, before);
}

/// The status's count of vector settings read whole into memory and brought up to date by reading
/// only what changed, on `router`.
async fn loads(router: &Router) -> (u64, u64) {
    let (code, body) = send_to(router, request("GET", "/api/v1/status", "", None)).await;
    assert_eq!(code, 200, "{body}");
    let loads = &body["vector_search"]["loads"];
    (loads["whole"].as_u64().unwrap(), loads["changes_only"].as_u64().unwrap())
}

/// Every query case answers the same from memory (`f.app.router`) as from a database scan, and the
/// memory's copy has been read whole and brought up to date the `expected` numbers of times.
async fn memory_agrees_with_scan(f: &Fixture, scan: &Router, after: &str, expected: (u64, u64)) {
    for (body, params) in query_cases(f) {
        let memory = hits(f, &f.app.router, body.clone(), params).await;
        assert_eq!(memory, hits(f, scan, body.clone(), params).await, "after {after}: {body} {params}");
    }
    assert_eq!(loads(&f.app.router).await, expected, "after {after}: (whole, changes only)");
}

/// Sets the vector of record `record` of the fixture to the fixture's vector number `value`.
async fn set_vector(f: &Fixture, record: usize, value: usize) {
    let patch = json!({"vectors": {"emb": vector(value)}});
    f.app.expect("PATCH", &format!("/api/v1/records/{}", f.ids[record]), Some(patch), 200).await;
}

#[tokio::test]
async fn a_held_copy_reads_only_the_vectors_written_since_and_answers_as_a_fresh_scan() {
    let f = fixture(300).await;
    let scan = f.app.replica(0).await;
    memory_agrees_with_scan(&f, &scan, "the first load", (1, 0)).await;
    // New records with vectors come after every record held: appended.
    let items = [2000, 2002, 2003].map(|i| json!({"fields": {"text": "new"}, "vectors": {"emb": vector(i)}})).to_vec();
    f.app.log(&f.ds, items).await;
    memory_agrees_with_scan(&f, &scan, "new records", (1, 1)).await;
    // A changed vector is replaced in place.
    set_vector(&f, 20, 3000).await;
    memory_agrees_with_scan(&f, &scan, "a changed vector", (1, 2)).await;
    // A first vector for a record in the middle (record 10 had none): read whole, in order.
    assert!(vector(10).is_none());
    set_vector(&f, 10, 3001).await;
    memory_agrees_with_scan(&f, &scan, "a first vector in the middle", (2, 2)).await;
    // A deleted record leaves no row to read: whole again.
    f.app.expect("DELETE", &format!("/api/v1/records/{}", f.ids[30]), None, 200).await;
    memory_agrees_with_scan(&f, &scan, "a delete", (3, 2)).await;
    // And changes after that read only what changed again.
    set_vector(&f, 40, 3003).await;
    memory_agrees_with_scan(&f, &scan, "a change after the delete", (3, 3)).await;
}

/// Hits of the approximate index `got` against the exact scan's: as many, and the same total;
/// at least 90% of the exact hits; every score exact (that of the same record in the exact
/// answer), best first; a hit the exact answer lacks scores no better than its last.
fn agrees(got: &(Vec<(usize, f64)>, i64), exact: &(Vec<(usize, f64)>, i64), case: &str) {
    assert_eq!((got.0.len(), got.1), (exact.0.len(), exact.1), "{case}");
    let shared = got.0.iter().filter(|it| exact.0.iter().any(|e| e.0 == it.0)).count();
    assert!(shared * 10 >= exact.0.len() * 9, "{case}: {shared} of {} found\n{got:?}\n{exact:?}", exact.0.len());
    assert!(got.0.windows(2).all(|w| w[0].1 >= w[1].1), "{case}: not best first");
    let last = exact.0.last().map_or(f64::INFINITY, |it| it.1);
    for (record, score) in &got.0 {
        match exact.0.iter().find(|it| it.0 == *record) {
            Some(it) => assert_eq!(it.1, *score, "{case}: record {record}"),
            None => assert!(*score <= last, "{case}: record {record} scores {score}, above the exact {last}"),
        }
    }
}

/// A replica whose unfiltered searches go through the approximate index agrees with the exact
/// scan (see [`agrees`]) before the index is built (the scan answers), once it is, and after
/// writes from another replica (the scan answers while the index catches up, then the index).
#[tokio::test]
async fn the_approximate_index_agrees_with_the_exact_scan_and_follows_writes() {
    let f = fixture(450).await;
    let scan = f.app.replica(0).await;
    let (service, indexed) = f.app.replica_with_index(100).await;
    let settle = || async { assert!(service.similarity_indexes_settled(std::time::Duration::from_secs(60)).await) };
    let cases = query_cases(&f);
    let compare = || async {
        for (body, params) in &cases {
            let exact = hits(&f, &scan, body.clone(), params).await;
            let got = hits(&f, &indexed, body.clone(), params).await;
            if body.get("filters").is_some() || body["query"].get("text").is_some() {
                // Filtered searches are always the exact scan.
                assert_eq!(got, exact, "{body} {params}");
            } else {
                agrees(&got, &exact, &format!("{body} {params}"));
            }
        }
    };
    compare().await;
    settle().await;
    compare().await;

    // Another replica adds a record holding the probe, then turns its vector around, then
    // deletes it; the indexed replica follows each write.
    let probe: Vec<f64> = (0..DIMS).map(|i| if i == 3 { 1.0 } else { 0.0 }).collect();
    let search = json!({"query": {"vector": {"name": "emb", "value": probe}}});
    let path = format!("/api/v1/datasets/{}/records/bulk", f.ds);
    let item = json!({"items": [{"fields": {"text": "new"}, "vectors": {"emb": probe}}]});
    let (status, res) = send_to(&f.app.router, request("POST", &path, &f.app.owner.key, Some(item))).await;
    assert_eq!(status, 201, "{res}");
    let new_id = res["items"][0]["id"].as_str().unwrap().to_owned();
    for _ in 0..2 {
        let (got, _) = hits(&f, &indexed, search.clone(), "limit=5").await;
        assert_eq!(got.first().copied(), Some((usize::MAX, 1.0)));
        settle().await;
    }
    compare().await;
    let patch = json!({"vectors": {"emb": probe.iter().map(|x| -x).collect::<Vec<f64>>()}});
    let record = format!("/api/v1/records/{new_id}");
    assert_eq!(send_to(&f.app.router, request("PATCH", &record, &f.app.owner.key, Some(patch))).await.0, 200);
    for _ in 0..2 {
        let (got, _) = hits(&f, &indexed, search.clone(), "limit=5").await;
        assert!(got.iter().all(|(i, _)| *i != usize::MAX), "the record's old vector is still found");
        let (got, _) = hits(
            &f,
            &indexed,
            json!({"query": {"vector": {"name": "emb", "value": probe, "order": "least_similar"}}}),
            "limit=1",
        )
        .await;
        assert_eq!(
            got.iter().map(|it| it.0).collect::<Vec<_>>(),
            vec![usize::MAX],
            "the least similar is the turned one"
        );
        settle().await;
    }
    assert_eq!(send_to(&f.app.router, request("DELETE", &record, &f.app.owner.key, None)).await.0, 200);
    for _ in 0..2 {
        let (got, _) = hits(&f, &indexed, search.clone(), "limit=450").await;
        assert!(got.iter().all(|(i, _)| *i != usize::MAX), "the deleted record is still found");
        settle().await;
    }
    compare().await;
}

/// `/api/v1/status` says how similarity searches are answered and what the replica holds for
/// them: nothing until a search loads the vectors, then the setting, its vectors and (above the
/// threshold) its approximate index.
#[tokio::test]
async fn the_status_reports_how_similarity_is_answered_and_what_is_held() {
    let f = fixture(150).await;
    let with_vectors = (0..150).filter(|i| vector(*i).is_some()).count();
    let (service, indexed) = f.app.replica_with_index(100).await;
    let status = |router: &Router| {
        let router = router.clone();
        async move {
            let (code, body) = send_to(&router, request("GET", "/api/v1/status", "", None)).await;
            assert_eq!(code, 200, "{body}");
            body["vector_search"].clone()
        }
    };
    let before = status(&indexed).await;
    assert_eq!(before["scores"], "exact", "{before}");
    assert_eq!(before["approximate_index_min_vectors"], 100, "{before}");
    assert_eq!(before["held"]["vector_settings"], 0, "{before}");

    let query = json!({"query": {"vector": {"name": "emb", "value": vector(1001)}}});
    hits(&f, &indexed, query.clone(), "limit=5").await;
    assert!(service.similarity_indexes_settled(std::time::Duration::from_secs(60)).await);
    let after = status(&indexed).await;
    assert_eq!(after["held"]["vector_settings"], 1, "{after}");
    assert_eq!(after["held"]["vectors"], with_vectors, "{after}");
    assert_eq!(after["held"]["approximate_indexes"], 1, "{after}");

    // A replica with no memory for vectors scans the database and holds nothing; one without an
    // approximate index (as the test app's is) says so.
    let scan = f.app.replica(0).await;
    hits(&f, &scan, query, "limit=5").await;
    let held = status(&scan).await;
    assert_eq!((held["held"]["vector_settings"].clone(), held["memory_budget"].clone()), (json!(0), json!("0.0M")));
    let unindexed = status(&f.app.router).await;
    assert_eq!(
        (unindexed["candidates"].clone(), unindexed["approximate_index_min_vectors"].clone()),
        (json!("scan"), Value::Null),
        "{unindexed}"
    );
}
