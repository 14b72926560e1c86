//! The Argilla import's entries on a scratch database (SQLite, or PostgreSQL when
//! `LOAM_TEST_POSTGRES` names a server): ids and timestamps kept, a second run changes nothing,
//! missing responses added to records that are there, refused items reported beside the written
//! ones, credentials.

use loam_domain::value::ResponseStatus;
use loam_domain::{DatasetId, RecordId, ResponseId, SuggestionId, UserId, WorkspaceId};
use loam_store::testing::ScratchDb;
use serde_json::{json, Value};

use super::{DatasetSource, Outcome, Password, RowCounts, UserMap};
use crate::{Credentials, Include, Service, ServiceConfig, StoreConfig};

const WS: &str = "0190b2a0-0000-7000-8000-000000000001";
const OWNER: &str = "0190b2a0-0000-7000-8000-000000000002";
const ANNOTATOR: &str = "0190b2a0-0000-7000-8000-000000000003";
const DS: &str = "0190b2a0-0000-7000-8000-000000000004";
const QUESTION: &str = "0190b2a0-0000-7000-8000-000000000005";

async fn service(db: &ScratchDb) -> Service {
    let cfg = ServiceConfig {
        token_secret: b"a test secret that is long enough for tokens".to_vec(),
        token_ttl_secs: 60,
        limits: Default::default(),
        vector_cache_bytes: 0,
        ann_min_vectors: 0,
        sign_in: Default::default(),
        lease_term: Default::default(),
    };
    Service::open(&StoreConfig { url: db.url.clone(), max_connections: 2 }, cfg).await.expect("open")
}

fn id(n: u32) -> String {
    format!("0190b2a0-0000-7000-8000-1000{n:08}")
}

fn source() -> DatasetSource {
    DatasetSource {
        dataset: json!({"id": DS, "name": "reviews", "guidelines": "Be kind", "allow_extra_metadata": false,
            "status": "ready", "distribution": {"strategy": "overlap", "min_submitted": 2},
            "workspace_id": WS, "inserted_at": "2024-03-01T10:00:00", "updated_at": "2024-03-02T10:00:00",
            "last_activity_at": "2024-03-05T10:00:00"}),
        fields: vec![json!({"id": id(1), "name": "text", "title": "Text", "required": true,
            "settings": {"type": "text", "use_markdown": false}, "inserted_at": "2024-03-01T10:00:01", "updated_at": "2024-03-01T10:00:01"})],
        questions: vec![json!({"id": QUESTION, "name": "rating", "title": "Rating", "required": true,
            "settings": {"type": "rating", "options": [{"value": 1}, {"value": 2}, {"value": 3}]},
            "inserted_at": "2024-03-01T10:00:02", "updated_at": "2024-03-01T10:00:02"})],
        metadata_properties: vec![json!({"id": id(2), "name": "source", "title": "Source",
            "settings": {"type": "terms", "values": ["web", "mail"]}, "visible_for_annotators": true,
            "inserted_at": "2024-03-01T10:00:03", "updated_at": "2024-03-01T10:00:03"})],
        vectors_settings: vec![json!({"id": id(3), "name": "emb", "title": "Embedding", "dimensions": 2,
            "inserted_at": "2024-03-01T10:00:04", "updated_at": "2024-03-01T10:00:04"})],
    }
}

fn record(n: u32, responses: Value) -> Value {
    json!({"id": id(100 + n), "fields": {"text": format!("record {n}")}, "metadata": {"source": "web"},
        "external_id": format!("ext-{n}"), "inserted_at": "2024-03-03T10:00:00", "updated_at": "2024-03-03T11:00:00",
        "responses": responses,
        "suggestions": [{"id": id(300 + n), "question_id": QUESTION, "value": 2, "score": 0.5, "agent": "model",
            "type": "model", "inserted_at": "2024-03-03T12:00:00", "updated_at": "2024-03-03T12:00:00"}],
        "vectors": {"emb": [0.5, f64::from(n)]}})
}

fn response(n: u32, user: &str, status: &str) -> Value {
    json!({"id": id(200 + n), "user_id": user, "status": status, "values": {"rating": {"value": 3}},
        "inserted_at": "2024-03-04T10:00:00", "updated_at": "2024-03-04T10:30:00"})
}

/// Workspace, owner, annotator, dataset: returns the user map.
async fn people_and_dataset(svc: &Service) -> UserMap {
    assert_eq!(
        svc.import_argilla_workspace(&json!({"id": WS, "name": "team"}), false).await.unwrap(),
        Outcome::Created
    );
    let mut users = UserMap::new();
    for (uid, name, role) in [(OWNER, "boss", "owner"), (ANNOTATOR, "ann", "annotator")] {
        let raw = json!({"id": uid, "username": name, "first_name": name, "role": role, "api_key": format!("{name}.key.of.old"),
            "inserted_at": "2024-01-01T00:00:00", "updated_at": "2024-01-01T00:00:00"});
        let done = svc
            .import_argilla_user(&raw, &[WorkspaceId(WS.parse().unwrap())], Password::Unusable, false)
            .await
            .unwrap();
        assert_eq!(done.outcome, Outcome::Created);
        assert!(done.api_key_kept && done.password.is_none());
        users.insert(UserId(uid.parse().unwrap()), done.loam_id.unwrap());
    }
    assert_eq!(svc.import_argilla_dataset(&source(), false).await.unwrap(), Outcome::Created);
    users
}

#[tokio::test]
async fn records_keep_their_ids_and_a_second_run_changes_nothing() {
    let db = ScratchDb::new().await;
    let svc = service(&db).await;
    let users = people_and_dataset(&svc).await;
    let dataset = DatasetId(DS.parse().unwrap());
    let batch = vec![
        record(1, json!([response(1, ANNOTATOR, "submitted"), response(2, OWNER, "draft")])),
        record(2, json!([response(3, ANNOTATOR, "discarded")])),
        // Refused: the rating 7 is no option; the rest of the batch is written.
        json!({"id": id(103), "fields": {"text": "bad"}, "responses": [{"id": id(204), "user_id": ANNOTATOR,
            "status": "submitted", "values": {"rating": {"value": 7}}}]}),
    ];
    let done = svc.import_argilla_records(dataset, &batch, &users, false).await.unwrap();
    assert_eq!((done.created, done.present, done.responses, done.suggestions, done.vectors), (2, 0, 3, 2, 2));
    assert_eq!(done.refused.len(), 1, "{:?}", done.refused);
    assert_eq!(done.refused[0].0, id(103));
    let expected = RowCounts { records: 2, submitted: 1, draft: 1, discarded: 1, suggestions: 2, vectors: 2 };
    assert_eq!(svc.imported_row_counts(dataset).await.unwrap(), expected);

    let owner = svc.authenticate(Credentials { api_key: Some("boss.key.of.old"), bearer: None }).await.unwrap();
    assert_eq!(owner.id, UserId(OWNER.parse().unwrap()), "the API key is kept");
    let ds = svc.get_dataset(&owner, dataset).await.unwrap();
    assert_eq!((ds.name.as_str(), ds.distribution.min_submitted, ds.allow_extra_metadata), ("reviews", 2, false));
    assert_eq!(ds.inserted_at.to_string(), "2024-03-01T10:00:00");
    let view = svc.get_record(&owner, RecordId(id(101).parse().unwrap())).await.unwrap();
    assert_eq!(view.record.external_id.as_deref(), Some("ext-1"));
    assert_eq!(view.record.inserted_at.to_string(), "2024-03-03T10:00:00");
    let responses = view.responses.unwrap();
    let by_annotator = responses.iter().find(|it| it.user_id == UserId(ANNOTATOR.parse().unwrap())).unwrap();
    assert_eq!(by_annotator.id, ResponseId(id(201).parse().unwrap()));
    assert_eq!(by_annotator.status, ResponseStatus::Submitted);
    assert_eq!(by_annotator.updated_at.to_string(), "2024-03-04T10:30:00");
    let suggestion = &view.suggestions.unwrap()[0];
    assert_eq!(suggestion.id, SuggestionId(id(301).parse().unwrap()));
    assert_eq!(view.vectors.unwrap(), vec![("emb".to_owned(), vec![0.5, 1.0])]);

    // Again: nothing changes, everything is there.
    assert_eq!(
        svc.import_argilla_workspace(&json!({"id": WS, "name": "team"}), false).await.unwrap(),
        Outcome::Present
    );
    assert_eq!(svc.import_argilla_dataset(&source(), false).await.unwrap(), Outcome::Present);
    let again = svc.import_argilla_records(dataset, &batch[..2], &users, false).await.unwrap();
    assert_eq!((again.created, again.present, again.responses, again.suggestions), (0, 2, 0, 0));
    assert_eq!(svc.imported_row_counts(dataset).await.unwrap(), expected);
    let (page, _) = svc.list_records(&owner, dataset, 0, 10, &Include::all()).await.unwrap();
    assert_eq!(page.len(), 2);

    // A metadata property added on the server since is added; nothing else changes.
    let mut grown = source();
    grown.metadata_properties.push(json!({"id": id(4), "name": "lang", "title": "Language",
        "settings": {"type": "terms", "values": null}, "visible_for_annotators": true}));
    let added = vec!["metadata property `lang`".to_owned()];
    assert_eq!(svc.import_argilla_dataset(&grown, true).await.unwrap(), Outcome::Completed(added.clone()));
    assert_eq!(svc.import_argilla_dataset(&grown, false).await.unwrap(), Outcome::Completed(added));
    assert_eq!(svc.import_argilla_dataset(&grown, false).await.unwrap(), Outcome::Present);
    assert_eq!(svc.list_metadata_properties(&owner, dataset).await.unwrap().len(), 2);

    // A response added on the server since: only it is added, the record stays.
    let later = vec![record(2, json!([response(3, ANNOTATOR, "discarded"), response(5, OWNER, "submitted")]))];
    let done = svc.import_argilla_records(dataset, &later, &users, false).await.unwrap();
    assert_eq!((done.created, done.present, done.responses), (0, 1, 1));
    assert_eq!(svc.imported_row_counts(dataset).await.unwrap().submitted, 2);
}

#[tokio::test]
async fn a_dry_run_writes_nothing_and_conflicts_are_refused() {
    let db = ScratchDb::new().await;
    let svc = service(&db).await;
    assert_eq!(svc.import_argilla_workspace(&json!({"id": WS, "name": "team"}), true).await.unwrap(), Outcome::Created);
    assert_eq!(svc.list_workspaces_as_operator().await.unwrap().len(), 0);
    let users = people_and_dataset(&svc).await;
    let dataset = DatasetId(DS.parse().unwrap());
    let dry = svc.import_argilla_records(dataset, &[record(1, json!([]))], &users, true).await.unwrap();
    assert_eq!(dry.created, 1);
    assert_eq!(svc.imported_row_counts(dataset).await.unwrap(), RowCounts::default());

    // Same name, another id: refused, named.
    let other = json!({"id": "0190b2a0-0000-7000-8000-0000000000ff", "name": "team"});
    assert!(
        matches!(svc.import_argilla_workspace(&other, false).await.unwrap(), Outcome::Refused(it) if it.contains("team"))
    );
    // A user of the same username under another id: mapped to loam's.
    let twin = json!({"id": "0190b2a0-0000-7000-8000-0000000000fe", "username": "ann", "role": "annotator"});
    let done = svc.import_argilla_user(&twin, &[], Password::Generate, false).await.unwrap();
    assert_eq!((done.outcome, done.loam_id), (Outcome::Present, Some(UserId(ANNOTATOR.parse().unwrap()))));
    // A dataset whose settings loam refuses is not written at all.
    let mut bad = source();
    bad.dataset["id"] = json!("0190b2a0-0000-7000-8000-0000000000fd");
    bad.dataset["name"] = json!("other");
    bad.questions[0]["settings"] = json!({"type": "rating", "options": []});
    for (n, item) in bad.fields.iter_mut().chain(&mut bad.questions).chain(&mut bad.metadata_properties).enumerate() {
        item["id"] = json!(id(900 + n as u32));
    }
    let Outcome::Refused(reason) = svc.import_argilla_dataset(&bad, false).await.unwrap() else {
        panic!("a rating question without options must be refused");
    };
    assert!(reason.contains("rating"), "{reason}");
    let owner = svc.authenticate(Credentials { api_key: Some("boss.key.of.old"), bearer: None }).await.unwrap();
    let missing = DatasetId("0190b2a0-0000-7000-8000-0000000000fd".parse().unwrap());
    assert!(svc.get_dataset(&owner, missing).await.is_err());
}

#[tokio::test]
async fn a_generated_password_signs_in() {
    let db = ScratchDb::new().await;
    let svc = service(&db).await;
    let raw = json!({"id": OWNER, "username": "boss", "first_name": "Boss", "role": "owner"});
    let done = svc.import_argilla_user(&raw, &[], Password::Generate, false).await.unwrap();
    let password = done.password.expect("a new password");
    assert!(!done.api_key_kept);
    assert!(svc.sign_in("boss", &password, None).await.is_ok());
    let raw = json!({"id": ANNOTATOR, "username": "ann", "role": "annotator"});
    svc.import_argilla_user(&raw, &[], Password::Unusable, false).await.unwrap();
    assert!(svc.sign_in("ann", "", None).await.is_err());
    assert!(svc.sign_in("ann", super::people::UNUSABLE_PASSWORD, None).await.is_err());
}

#[tokio::test]
async fn a_setting_whose_id_loam_gives_to_another_names_the_holder() {
    let db = ScratchDb::new().await;
    let svc = service(&db).await;
    people_and_dataset(&svc).await;
    // Another dataset whose metadata property carries the id of `reviews`' `source`.
    let mut other = source();
    other.dataset["id"] = json!("0190b2a0-0000-7000-8000-0000000000fc");
    other.dataset["name"] = json!("other");
    other.fields[0]["id"] = json!(id(910));
    other.questions[0]["id"] = json!(id(911));
    other.vectors_settings[0]["id"] = json!(id(912));
    other.metadata_properties[0]["name"] = json!("origin");
    let Outcome::Refused(reason) = svc.import_argilla_dataset(&other, false).await.unwrap() else {
        panic!("a setting whose id is taken must be refused");
    };
    assert!(reason.contains("metadata property `origin`"), "{reason}");
    assert!(reason.contains(&id(2)), "{reason}");
    assert!(reason.contains("metadata property `source` of dataset `reviews`"), "{reason}");
    assert!(!reason.contains("already exists"), "{reason}");
    // A field the same: named with the field that holds the id; nothing of the dataset written.
    let mut twin = source();
    twin.dataset["id"] = json!("0190b2a0-0000-7000-8000-0000000000fb");
    twin.dataset["name"] = json!("twin");
    twin.questions[0]["id"] = json!(id(921));
    twin.metadata_properties[0]["id"] = json!(id(922));
    twin.vectors_settings[0]["id"] = json!(id(923));
    let Outcome::Refused(reason) = svc.import_argilla_dataset(&twin, false).await.unwrap() else {
        panic!("a field whose id is taken must be refused");
    };
    assert!(reason.contains("field `text`") && reason.contains("field `text` of dataset `reviews`"), "{reason}");
    let owner = svc.authenticate(Credentials { api_key: Some("boss.key.of.old"), bearer: None }).await.unwrap();
    let twin_id = DatasetId("0190b2a0-0000-7000-8000-0000000000fb".parse().unwrap());
    assert!(svc.get_dataset(&owner, twin_id).await.is_err());
}
