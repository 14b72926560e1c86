//! Record history (issue 20): every write that changes a record's field or metadata values (the
//! web UI's edit through PATCH, the SDKs' upserts, the legacy bulk PATCH) keeps the previous and
//! new value of each changed one, read through `GET /api/v1/records/{id}/history` (owners and
//! admins of the workspace). Writes that change nothing and record creation leave no history;
//! the text and metadata indexes follow the edit.

use serde_json::{json, Value};

use crate::common::*;

struct World {
    app: TestApp,
    ws: String,
    ds: String,
    record: String,
    ann: TestUser,
}

/// A dataset with a text field, a label question and a terms metadata property `source` plus an
/// integer `n`; one record "the quick fox" with source web and n 1.
async fn world() -> World {
    let app = TestApp::new().await;
    let ws = app.create_workspace(&unique("ws")).await;
    let ds = app.create_dataset(&ws, "edited").await;
    app.add_field(&ds, "text", true).await;
    app.add_question(&ds, "label", true, label_settings(&["a", "b"])).await;
    app.add_metadata(&ds, "source", json!({"type": "terms"}), true).await;
    app.add_metadata(&ds, "n", json!({"type": "integer"}), true).await;
    app.publish(&ds).await;
    let items = app
        .log(&ds, vec![json!({"fields": {"text": "the quick fox"}, "metadata": {"source": "web", "n": 1}, "external_id": "x1"})])
        .await;
    let record = items[0]["id"].as_str().unwrap().to_owned();
    let ann = app.member(&unique("ann"), "annotator", &[&ws]).await;
    World { app, ws, ds, record, ann }
}

async fn history(app: &TestApp, key: &str, record: &str) -> Vec<Value> {
    let (status, body) = app.get(key, &format!("/api/v1/records/{record}/history")).await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

/// (kind, name, previous, value, username) of each entry.
fn changes(items: &[Value]) -> Vec<(String, String, Value, Value, Value)> {
    items
        .iter()
        .map(|it| {
            (
                it["kind"].as_str().unwrap().to_owned(),
                it["name"].as_str().unwrap().to_owned(),
                it["previous"].clone(),
                it["value"].clone(),
                it["changed_by"]["username"].clone(),
            )
        })
        .collect()
}

async fn search_total(app: &TestApp, ds: &str, body: Value) -> i64 {
    let (status, res) = app.post(&app.owner.key, &format!("/api/v1/datasets/{ds}/records/search?limit=10"), body).await;
    assert_eq!(status, 200, "{res}");
    res["total"].as_i64().unwrap()
}

fn source_is(value: &str) -> Value {
    json!({"filters": {"and": [{"type": "terms", "scope": {"entity": "metadata", "metadata_property": "source"}, "values": [value]}]}})
}

#[tokio::test]
async fn an_owners_edit_keeps_the_previous_values_and_the_indexes_follow() {
    let w = world().await;
    assert!(history(&w.app, &w.app.owner.key, &w.record).await.is_empty(), "creating a record is no change");
    let body = json!({"fields": {"text": "the slow turtle"}, "metadata": {"source": "book", "n": 1}});
    let (status, reply) = w.app.patch(&w.app.owner.key, &format!("/api/v1/records/{}", w.record), body).await;
    assert_eq!(status, 200, "{reply}");
    let owner = json!(w.app.owner.username);
    let items = history(&w.app, &w.app.owner.key, &w.record).await;
    let mut got = changes(&items);
    got.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        got,
        vec![
            ("metadata".into(), "source".into(), json!("web"), json!("book"), owner.clone()),
            ("field".into(), "text".into(), json!("the quick fox"), json!("the slow turtle"), owner.clone()),
        ]
    );
    assert!(items
        .iter()
        .all(|it| it["record_id"] == w.record.as_str() && it["changed_by"]["id"] == w.app.owner.id.as_str()));
    // The text index and the metadata index follow the edit.
    let text = |q: &str| json!({"query": {"text": {"q": q}}});
    assert_eq!(search_total(&w.app, &w.ds, text("turtle")).await, 1);
    assert_eq!(search_total(&w.app, &w.ds, text("fox")).await, 0);
    assert_eq!(search_total(&w.app, &w.ds, source_is("book")).await, 1);
    assert_eq!(search_total(&w.app, &w.ds, source_is("web")).await, 0);

    // A second edit comes first; removing a metadata value records its absence.
    let body = json!({"metadata": {"source": "book"}});
    check(&w.app.patch(&w.app.owner.key, &format!("/api/v1/records/{}", w.record), body).await, 200);
    let items = history(&w.app, &w.app.owner.key, &w.record).await;
    assert_eq!(items.len(), 3);
    assert_eq!(changes(&items[..1]), vec![("metadata".into(), "n".into(), json!(1), Value::Null, owner)]);
}

#[tokio::test]
async fn sdk_upserts_record_history_only_when_a_value_changes() {
    let w = world().await;
    let path = format!("/api/v1/datasets/{}/records/bulk", w.ds);
    let same = json!({"items": [{"id": w.record, "fields": {"text": "the quick fox"}, "metadata": {"source": "web", "n": 1}}]});
    check(&w.app.put(&w.app.owner.key, &path, same).await, 200);
    assert!(history(&w.app, &w.app.owner.key, &w.record).await.is_empty(), "the same values again are no change");
    let changed = json!({"items": [{"id": w.record, "fields": {"text": "the quick fox"}, "metadata": {"source": "web", "n": 2}}]});
    check(&w.app.put(&w.app.owner.key, &path, changed).await, 200);
    let items = history(&w.app, &w.app.owner.key, &w.record).await;
    assert_eq!(changes(&items), vec![("metadata".into(), "n".into(), json!(1), json!(2), json!(w.app.owner.username))]);
    // The legacy bulk PATCH writes through the same record write.
    let legacy = json!({"items": [{"id": w.record, "metadata": {"source": "web", "n": 3}}]});
    check(&w.app.patch(&w.app.owner.key, &format!("/api/v1/datasets/{}/records", w.ds), legacy).await, 204);
    assert_eq!(history(&w.app, &w.app.owner.key, &w.record).await.len(), 2);
}

#[tokio::test]
async fn annotators_may_neither_edit_nor_read_the_history_and_admins_only_of_their_workspace() {
    let w = world().await;
    let path = format!("/api/v1/records/{}/history", w.record);
    assert_eq!(w.app.get(&w.ann.key, &path).await.0, 403);
    let body = json!({"fields": {"text": "by an annotator"}});
    assert_eq!(w.app.patch(&w.ann.key, &format!("/api/v1/records/{}", w.record), body).await.0, 403);
    let admin = w.app.member(&unique("admin"), "admin", &[&w.ws]).await;
    let body = json!({"fields": {"text": "by an admin"}});
    check(&w.app.patch(&admin.key, &format!("/api/v1/records/{}", w.record), body).await, 200);
    let items = history(&w.app, &admin.key, &w.record).await;
    assert_eq!(items[0]["changed_by"]["username"], json!(admin.username));
    let other_ws = w.app.create_workspace(&unique("other")).await;
    let outsider = w.app.member(&unique("admin2"), "admin", &[&other_ws]).await;
    assert_eq!(w.app.get(&outsider.key, &path).await.0, 403);
    assert_eq!(w.app.get(&w.app.owner.key, &format!("/api/v1/records/{}/history", new_id())).await.0, 404);
    // A deleted author reads as nobody; the change stays.
    check(&w.app.delete(&w.app.owner.key, &format!("/api/v1/users/{}", admin.id)).await, 200);
    let items = history(&w.app, &w.app.owner.key, &w.record).await;
    assert_eq!((items.len(), items[0]["changed_by"].clone()), (1, Value::Null));
}

#[tokio::test]
async fn a_refused_edit_leaves_no_history_and_deleting_the_record_removes_it() {
    let w = world().await;
    let path = format!("/api/v1/records/{}", w.record);
    let (status, body) = w.app.patch(&w.app.owner.key, &path, json!({"metadata": {"n": "not a number"}})).await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = w.app.patch(&w.app.owner.key, &path, json!({"fields": {"text": 5}})).await;
    assert_eq!(status, 422, "{body}");
    assert!(history(&w.app, &w.app.owner.key, &w.record).await.is_empty());
    check(&w.app.patch(&w.app.owner.key, &path, json!({"fields": {"text": "changed"}})).await, 200);
    assert_eq!(history(&w.app, &w.app.owner.key, &w.record).await.len(), 1);
    check(&w.app.delete(&w.app.owner.key, &path).await, 200);
    assert_eq!(w.app.get(&w.app.owner.key, &format!("{path}/history")).await.0, 404);
}
