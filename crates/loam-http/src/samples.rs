//! Sample entities, rendered through `loam_service::wire` to describe the wire shapes of replies in
//! the OpenAPI document. Each shape is described from several samples (`openapi::describe_all`):
//! every optional attribute both filled and empty, every kind of settings, so the merged schema
//! says which keys may be null and which types a key takes. Keys whose names are data (a
//! record's `fields`) or whose values take any shape (a suggestion's `value`) are set by hand
//! with `set_at`. Every reply the API tests get through the router is checked against the result
//! (`tests/api/common.rs`), so a sample that misses a case fails there.

use loam_domain::distribution::{Distribution, RecordStatus};
use loam_domain::error::Loc;
use loam_domain::model::*;
use loam_domain::settings::{FieldSettings, Limits, MetadataSettings, QuestionSettings};
use loam_domain::value::ResponseStatus;
use loam_domain::*;
use loam_service::{MetadataMetrics, MyMetrics, Progress, RecordView};
use serde_json::{json, Map, Value};

use crate::openapi::schema::{any, array, map, nullable, number, object, one_of_text, string};
use crate::openapi::{describe_all, set_at};
use loam_service::wire;

const AT: Timestamp = Timestamp(1_717_237_230_123_456);

fn users() -> Vec<User> {
    let user = |last_name: Option<&str>, role| User {
        id: UserId::new(),
        first_name: "Ada".into(),
        last_name: last_name.map(Into::into),
        username: "ada".into(),
        role,
        inserted_at: AT,
        updated_at: AT,
    };
    vec![user(Some("Lovelace"), Role::Annotator), user(None, Role::Owner)]
}

fn response(record_id: RecordId, values: Option<Value>, status: ResponseStatus) -> Response {
    Response {
        id: ResponseId::new(),
        record_id,
        user_id: UserId::new(),
        values,
        status,
        inserted_at: AT,
        updated_at: AT,
    }
}

fn responses(record_id: RecordId) -> Vec<Response> {
    vec![
        response(record_id, Some(json!({"quality": {"value": "good"}})), ResponseStatus::Submitted),
        response(record_id, None, ResponseStatus::Discarded),
    ]
}

fn suggestions(record_id: RecordId) -> Vec<Suggestion> {
    let suggestion = |value: Value, score: Value, agent: Option<&str>, kind: Option<&str>| Suggestion {
        id: SuggestionId::new(),
        record_id,
        question_id: QuestionId::new(),
        value,
        score,
        agent: agent.map(Into::into),
        kind: kind.map(Into::into),
        inserted_at: AT,
        updated_at: AT,
    };
    vec![
        suggestion(json!("good"), json!(0.9), Some("gpt-4"), Some("model")),
        suggestion(json!(["a", "b"]), json!([0.5, 0.25]), None, None),
    ]
}

fn records() -> Vec<RecordView> {
    let view = |metadata: Option<Map<String, Value>>, external_id: Option<&str>, loaded: bool| {
        let id = RecordId::new();
        let mut fields = Map::new();
        fields.insert("text".into(), json!("What is the capital of France?"));
        RecordView {
            record: Record {
                id,
                dataset_id: DatasetId::new(),
                fields,
                metadata,
                external_id: external_id.map(Into::into),
                status: RecordStatus::Pending,
                inserted_at: AT,
                updated_at: AT,
            },
            responses: loaded.then(|| responses(id)),
            suggestions: loaded.then(|| suggestions(id)),
            vectors: loaded.then(|| vec![("embedding".into(), vec![0.1, 0.2])]),
        }
    };
    let mut metadata = Map::new();
    metadata.insert("source".into(), json!("web"));
    vec![view(Some(metadata), Some("rec-1"), true), view(None, None, false)]
}

/// A record's shape: its data-named keys and any-valued keys set by hand.
fn record_schema(samples: &[Value]) -> Value {
    let mut it = describe_all(samples);
    set_at(&mut it, &["status"], one_of_text(&[RecordStatus::Pending.as_str(), RecordStatus::Completed.as_str()]));
    set_at(&mut it, &["fields"], map(any()));
    set_at(&mut it, &["metadata"], nullable(map(any())));
    set_at(&mut it, &["vectors"], map(array(number())));
    set_at(&mut it, &["responses", "[]"], response_schema(&[]));
    set_at(&mut it, &["suggestions", "[]"], suggestion_schema(&[]));
    it
}

fn response_schema(extra: &[Value]) -> Value {
    let id = RecordId::new();
    let mut samples: Vec<Value> = responses(id).iter().map(wire::response).collect();
    samples.extend_from_slice(extra);
    let mut it = describe_all(&samples);
    let statuses = [ResponseStatus::Draft, ResponseStatus::Submitted, ResponseStatus::Discarded];
    set_at(&mut it, &["status"], one_of_text(&statuses.map(ResponseStatus::as_str)));
    set_at(&mut it, &["values"], nullable(map(object(&[("value", any())], &["value"]))));
    it
}

fn suggestion_schema(extra: &[Value]) -> Value {
    let id = RecordId::new();
    let mut samples: Vec<Value> = suggestions(id).iter().map(wire::suggestion).collect();
    samples.extend_from_slice(extra);
    let mut it = describe_all(&samples);
    set_at(&mut it, &["value"], any());
    set_at(&mut it, &["score"], nullable(crate::openapi::schema::any_of(vec![number(), array(nullable(number()))])));
    it
}

/// `{"items": [<schema>]}`.
fn items_of(schema: Value) -> Value {
    object(&[("items", array(schema))], &["items"])
}

/// Settings as the API parses them, so each sample is a shape the server really stores.
fn parsed<T>(parse: impl Fn(&Value, &[Loc]) -> Result<T, SchemaError>, inputs: &[Value]) -> Vec<T> {
    let loc = [Loc::from("settings")];
    let res: Vec<T> = inputs.iter().filter_map(|it| parse(it, &loc).ok()).collect();
    // A sample the parser refuses describes nothing: the unit test below catches it.
    debug_assert_eq!(res.len(), inputs.len(), "a settings sample no longer parses");
    res
}

fn options(values: &[&str]) -> Value {
    Value::Array(values.iter().map(|v| json!({"value": v, "text": v, "description": null})).collect())
}

/// `GET /api/v1/status` as `routes/info.rs` renders it, with or without the optional parts.
fn status(min_vectors: Option<usize>, rss: Option<u64>) -> Value {
    let vectors = loam_service::VectorSearchStatus {
        approximate_min_vectors: min_vectors,
        budget_bytes: 256 << 20,
        held_settings: 1,
        held_vectors: 2,
        held_bytes: 100_000,
        approximate_indexes: 0,
        whole_loads: 1,
        change_loads: 0,
    };
    let hashing = loam_service::HashingStatus { slots: 1, queue: 64, inside: 0, computed: 3 };
    crate::routes::info::status_body("sqlite", true, &vectors, &hashing, rss)
}

/// `GET /api/_status` as `routes/info.rs` renders it.
fn legacy_status(rss: Option<u64>) -> Value {
    crate::routes::info::legacy_status_body("sqlite", rss)
}

/// Component schemas of replies, by name, described from rendered samples.
pub fn schemas() -> Map<String, Value> {
    let ws = Workspace { id: WorkspaceId::new(), name: "argilla".into(), inserted_at: AT, updated_at: AT };
    let dataset = |guidelines: Option<&str>, metadata: Option<Map<String, Value>>, status| Dataset {
        id: DatasetId::new(),
        name: "feedback".into(),
        guidelines: guidelines.map(Into::into),
        allow_extra_metadata: true,
        status,
        distribution: Distribution::default(),
        metadata,
        workspace_id: ws.id,
        last_activity_at: AT,
        inserted_at: AT,
        updated_at: AT,
        responses_visible_for_annotators: false,
        settings_version: 0,
    };
    let datasets = [
        dataset(Some("Rate the answer."), Some(Map::new()), DatasetStatus::Ready),
        dataset(None, None, DatasetStatus::Draft),
    ];
    let field_settings = parsed(
        FieldSettings::parse,
        &[
            json!({"type": "text", "use_markdown": true}),
            json!({"type": "image"}),
            json!({"type": "chat"}),
            json!({"type": "custom", "template": "<p>{{record.fields.text}}</p>", "advanced_mode": false}),
        ],
    );
    let fields: Vec<Field> = field_settings
        .into_iter()
        .zip([Some("The text to label"), None].into_iter().cycle())
        .map(|(settings, description)| Field {
            id: FieldId::new(),
            dataset_id: DatasetId::new(),
            name: "text".into(),
            title: "Text".into(),
            description: description.map(Into::into),
            required: true,
            settings,
            inserted_at: AT,
            updated_at: AT,
        })
        .collect();
    let labels = options(&["good", "bad"]);
    let question_settings = parsed(
        |v, loc| QuestionSettings::parse(v, loc, Limits::default()),
        &[
            json!({"type": "text", "use_markdown": false}),
            json!({"type": "rating", "options": [{"value": 1}, {"value": 2}]}),
            json!({"type": "label_selection", "options": labels, "visible_options": null}),
            json!({"type": "label_selection", "visible_options": 3, "options": [
                {"value": "a", "text": "A", "description": "The first"}, {"value": "b", "text": "B"}, {"value": "c", "text": "C"},
            ]}),
            json!({"type": "multi_label_selection", "options": labels, "options_order": "suggestion"}),
            json!({"type": "ranking", "options": labels}),
            json!({"type": "span", "field": "text", "options": labels, "allow_overlapping": true}),
        ],
    );
    let questions: Vec<Question> = question_settings
        .into_iter()
        .zip([Some("Is the answer right?"), None].into_iter().cycle())
        .map(|(settings, description)| Question {
            id: QuestionId::new(),
            dataset_id: DatasetId::new(),
            name: "quality".into(),
            title: "Quality".into(),
            description: description.map(Into::into),
            required: true,
            settings,
            inserted_at: AT,
            updated_at: AT,
        })
        .collect();
    let metadata_settings = parsed(
        MetadataSettings::parse,
        &[
            json!({"type": "terms", "values": ["web", 3]}),
            json!({"type": "terms"}),
            json!({"type": "integer", "min": 0, "max": 10}),
            json!({"type": "integer"}),
            json!({"type": "float", "min": 0.5, "max": 1.5}),
            json!({"type": "float"}),
        ],
    );
    let properties: Vec<MetadataProperty> = metadata_settings
        .into_iter()
        .map(|settings| MetadataProperty {
            id: MetadataPropertyId::new(),
            dataset_id: DatasetId::new(),
            name: "source".into(),
            title: "Source".into(),
            settings,
            visible_for_annotators: true,
            inserted_at: AT,
            updated_at: AT,
        })
        .collect();
    let vectors = VectorSettings {
        id: VectorSettingsId::new(),
        dataset_id: DatasetId::new(),
        name: "embedding".into(),
        title: "Embedding".into(),
        dimensions: 2,
        inserted_at: AT,
        updated_at: AT,
    };
    let webhook = |description: Option<&str>| Webhook {
        id: WebhookId::new(),
        url: "https://example.com/hook".into(),
        secret: "c2VjcmV0".into(),
        events: vec!["response.created".into()],
        enabled: true,
        description: description.map(Into::into),
        inserted_at: AT,
        updated_at: AT,
    };
    let webhooks = [webhook(Some("notify")), webhook(None)];
    let users = users();
    let progress = Progress { total: 2, completed: 1, pending: 1, users: vec!["ada".into()] };
    let users_progress = vec![UserProgress { username: "ada".into(), ..Default::default() }];
    let metrics = MyMetrics { total: 2, submitted: 1, discarded: 0, draft: 0 };
    let all = |render: &dyn Fn(usize) -> Value, n: usize| (0..n).map(render).collect::<Vec<Value>>();

    let roles = one_of_text(&[Role::Owner, Role::Admin, Role::Annotator].map(|it| it.as_str()));
    let mut user = describe_all(&all(&|i| wire::user(&users[i], None), users.len()));
    set_at(&mut user, &["role"], roles.clone());
    let mut user_v0 = describe_all(&all(&|i| wire::user_v0(&users[i], &["argilla".into()], None), users.len()));
    set_at(&mut user_v0, &["role"], roles);
    let workspace = describe_all(&[wire::workspace(&ws)]);
    let mut dataset = describe_all(&all(&|i| wire::dataset(&datasets[i]), datasets.len()));
    set_at(&mut dataset, &["metadata"], nullable(map(any())));
    set_at(&mut dataset, &["status"], one_of_text(&[DatasetStatus::Draft.as_str(), DatasetStatus::Ready.as_str()]));
    let field = describe_all(&all(&|i| wire::field(&fields[i]), fields.len()));
    let question = describe_all(&all(&|i| wire::question(&questions[i]), questions.len()));
    let mut property = describe_all(&all(&|i| wire::metadata_property(&properties[i]), properties.len()));
    set_at(&mut property, &["settings", "values"], nullable(array(any())));
    let vector_settings = describe_all(&[wire::vector_settings(&vectors)]);
    let views = records();
    let record = record_schema(&views.iter().map(wire::record).collect::<Vec<_>>());
    // A deleted record's reply carries none of the conditional keys.
    let record_page =
        object(&[("items", array(record.clone())), ("total", crate::openapi::schema::integer())], &["items", "total"]);
    let hit = object(&[("record", record.clone()), ("query_score", nullable(number()))], &["record", "query_score"]);
    let search_page =
        object(&[("items", array(hit)), ("total", crate::openapi::schema::integer())], &["items", "total"]);
    let response = response_schema(&[]);
    let bulk_item = object(
        &[("item", nullable(response.clone())), ("error", nullable(object(&[("detail", string())], &["detail"])))],
        &["item", "error"],
    );
    let suggestion = suggestion_schema(&[]);
    let webhook = describe_all(&all(&|i| wire::webhook(&webhooks[i]), webhooks.len()));
    let mut metadata_metrics = describe_all(&[
        wire::metadata_metrics(&MetadataMetrics::Terms { total: 3, values: vec![(json!("web"), 2), (json!(3), 1)] }),
        wire::metadata_metrics(&MetadataMetrics::Terms { total: 0, values: vec![] }),
        wire::metadata_metrics(&MetadataMetrics::Integer { min: Some(1), max: None }),
        wire::metadata_metrics(&MetadataMetrics::Float { min: Some(0.5), max: None }),
    ]);
    set_at(&mut metadata_metrics, &["values", "[]", "term"], any());
    set_at(&mut metadata_metrics, &["min"], nullable(number()));
    set_at(&mut metadata_metrics, &["max"], nullable(number()));

    let info_samples: Vec<(&str, Value)> = vec![
        ("Version", describe_all(&[json!({"version": "2.8.0"})])),
        ("ServerSettings", describe_all(&[json!({"argilla": {"share_your_progress_enabled": false}})])),
        ("Token", describe_all(&[json!({"access_token": "a.b.c", "token_type": "bearer"})])),
        ("SignedOut", describe_all(&[json!({"detail": "Signed out: every sign-in token of alice is revoked"})])),
        ("OAuthProviders", items_of(object(&[("name", string())], &["name"]))),
        ("Markdown", items_of(string())),
        ("TaskDatasets", json!({"type": "array", "maxItems": 0})),
        (
            "SuggestionOptions",
            items_of(object(
                &[
                    ("question", object(&[("id", string()), ("name", string())], &["id", "name"])),
                    ("agents", array(string())),
                ],
                &["question", "agents"],
            )),
        ),
        ("Status", describe_all(&[status(None, None), status(Some(2_000_000), Some(22_000_000))])),
        ("LegacyStatus", describe_all(&[legacy_status(None), legacy_status(Some(22_000_000))])),
        ("OpenApi", json!({"type": "object", "required": ["openapi", "paths"]})),
    ];

    let mut res: Map<String, Value> = Map::new();
    let mut put = |name: &str, schema: Value| {
        res.insert(name.to_owned(), schema);
    };
    put("User", user.clone());
    put("Users", items_of(user));
    put("UserV0", user_v0.clone());
    put("UsersV0", array(user_v0));
    put("Workspace", workspace.clone());
    put("Workspaces", items_of(workspace));
    put("Dataset", dataset.clone());
    put("Datasets", items_of(dataset));
    put("Field", field.clone());
    put("Fields", items_of(field));
    put("Question", question.clone());
    put("Questions", items_of(question));
    put("MetadataProperty", property.clone());
    put("MetadataProperties", items_of(property));
    put("MetadataMetrics", metadata_metrics);
    put("VectorSettings", vector_settings.clone());
    put("VectorSettingsList", items_of(vector_settings));
    put("Record", record.clone());
    put("Records", items_of(record));
    put("RecordPage", record_page);
    put("SearchPage", search_page);
    put("Response", response);
    put("BulkResponses", items_of(bulk_item));
    put("Suggestion", suggestion.clone());
    put("Suggestions", items_of(suggestion));
    put("Webhook", webhook.clone());
    put("Webhooks", items_of(webhook));
    put("Progress", describe_all(&[wire::progress(&progress)]));
    put("UsersProgress", describe_all(&[wire::users_progress(&users_progress)]));
    let [measured, unmeasured] = crate::routes::overview::time_samples();
    put(
        "UiProgress",
        describe_all(&[
            wire::ui_progress("1.2.3.4", &progress, &users_progress, Some(&measured)),
            wire::ui_progress("1.2.3.4", &progress, &users_progress, Some(&unmeasured)),
            wire::ui_progress("1.2.3.4", &progress, &users_progress, None),
        ]),
    );
    put("MyMetrics", describe_all(&[wire::my_metrics(&metrics)]));
    for (name, schema) in info_samples {
        put(name, schema);
    }
    for (name, schema) in consolidation_samples() {
        put(name, schema);
    }
    for (name, schema) in crate::routes::overview::schemas() {
        put(name, schema);
    }
    for (name, schema) in crate::routes::agreement::schemas() {
        put(name, schema);
    }
    for (name, schema) in crate::routes::review::schemas() {
        put(name, schema);
    }
    for (name, schema) in crate::routes::leases::schemas() {
        put(name, schema);
    }
    for (name, schema) in crate::routes::history::schemas() {
        put(name, schema);
    }
    for (name, schema) in crate::routes::import::schemas() {
        put(name, schema);
    }
    for (name, schema) in crate::routes::pairwise::schemas() {
        put(name, schema);
    }
    // An export's mapping (loam_domain::training): its keys beyond these depend on the shape.
    put(
        "ExportMapping",
        object(
            &[("shape", string()), ("layout", one_of_text(&["standard", "conversational"])), ("prompt", string())],
            &["shape", "layout", "prompt"],
        ),
    );
    res
}

/// The consolidation extension's replies: strategies (whose parameters depend on their kind) and
/// the preview (whose `finals` are keyed by question name, each value shaped by its question).
fn consolidation_samples() -> Vec<(&'static str, Value)> {
    use loam_domain::answer::{Answer, Final};
    use loam_domain::consolidation::Strategy;
    use loam_service::{FinalsPage, QuestionStrategy, RecordFinals};

    let strategy = QuestionStrategy {
        name: "quality".into(),
        type_name: "rating",
        strategy: Strategy::default_for(&QuestionSettings::Rating { options: vec![1, 2] }),
        default: true,
    };
    let mut strategies = describe_all(&[loam_service::wire::strategies_json(&[strategy])]);
    set_at(&mut strategies, &["questions", "[]", "strategy"], object(&[("kind", string())], &["kind"]));
    let finals = vec![
        ("label".to_owned(), Final::One(Answer::Label("good".into()))),
        ("quality".to_owned(), Final::Score(3.5)),
        ("fix".to_owned(), Final::Each(vec![("ada".into(), Answer::Text("Paris".into()))])),
        ("rank".to_owned(), Final::Unresolved("no submitted answer".into())),
    ];
    let item = |external_id: Option<&str>| RecordFinals {
        record_id: RecordId::new(),
        external_id: external_id.map(Into::into),
        submitted: 2,
        complete: true,
        finals: finals.clone(),
    };
    let page = FinalsPage { items: vec![item(Some("r1")), item(None)], total: 2 };
    let mut preview = describe_all(&[loam_service::wire::finals_page_json(&page)]);
    let one_final = object(
        &[
            ("status", one_of_text(&["resolved", "score", "each", "unresolved"])),
            ("value", any()),
            ("reason", nullable(string())),
        ],
        &["status", "value", "reason"],
    );
    set_at(&mut preview, &["items", "[]", "finals"], map(one_final));
    vec![("ConsolidationStrategies", strategies), ("ConsolidationPreview", preview)]
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_sample_is_one_the_server_accepts() {
        // `parsed` asserts (in debug builds) that every settings sample parses.
        let schemas = super::schemas();
        assert!(schemas.contains_key("Question") && schemas.contains_key("Record"));
    }
}
