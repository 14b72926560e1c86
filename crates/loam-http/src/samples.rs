//! Sample entities, rendered through `dto.rs` to describe the wire shapes in the OpenAPI
//! document. Every optional attribute is filled so its type shows.

use loam_domain::distribution::{Distribution, RecordStatus};
use loam_domain::model::*;
use loam_domain::settings::{FieldSettings, LabelOption, MetadataSettings, QuestionSettings};
use loam_domain::value::ResponseStatus;
use loam_domain::*;
use loam_service::{MyMetrics, Progress, RecordView};
use serde_json::{json, Map, Value};

use crate::dto;

const AT: Timestamp = Timestamp(1_717_237_230_123_456);

fn user() -> User {
    User {
        id: UserId::new(),
        first_name: "Ada".into(),
        last_name: Some("Lovelace".into()),
        username: "ada".into(),
        role: Role::Annotator,
        inserted_at: AT,
        updated_at: AT,
    }
}

fn record() -> RecordView {
    let record_id = RecordId::new();
    let mut metadata = Map::new();
    metadata.insert("source".into(), json!("web"));
    let mut fields = Map::new();
    fields.insert("text".into(), json!("What is the capital of France?"));
    RecordView {
        record: Record {
            id: record_id,
            dataset_id: DatasetId::new(),
            fields,
            metadata: Some(metadata),
            external_id: Some("rec-1".into()),
            status: RecordStatus::Pending,
            inserted_at: AT,
            updated_at: AT,
        },
        responses: Some(vec![response(record_id)]),
        suggestions: Some(vec![suggestion(record_id)]),
        vectors: Some(vec![("embedding".into(), vec![0.1, 0.2])]),
    }
}

fn response(record_id: RecordId) -> Response {
    Response {
        id: ResponseId::new(),
        record_id,
        user_id: UserId::new(),
        values: Some(json!({"quality": {"value": "good"}})),
        status: ResponseStatus::Submitted,
        inserted_at: AT,
        updated_at: AT,
    }
}

fn suggestion(record_id: RecordId) -> Suggestion {
    Suggestion {
        id: SuggestionId::new(),
        record_id,
        question_id: QuestionId::new(),
        value: json!("good"),
        score: json!(0.9),
        agent: Some("gpt-4".into()),
        kind: Some("model".into()),
        inserted_at: AT,
        updated_at: AT,
    }
}

fn items(one: Value) -> Value {
    json!({"items": [one]})
}

/// Component schemas, by name, described from rendered samples.
pub fn schemas() -> Map<String, Value> {
    let ws = Workspace { id: WorkspaceId::new(), name: "argilla".into(), inserted_at: AT, updated_at: AT };
    let dataset = Dataset {
        id: DatasetId::new(),
        name: "feedback".into(),
        guidelines: Some("Rate the answer.".into()),
        allow_extra_metadata: true,
        status: DatasetStatus::Ready,
        distribution: Distribution::default(),
        metadata: Some(Map::new()),
        workspace_id: ws.id,
        last_activity_at: AT,
        inserted_at: AT,
        updated_at: AT,
        responses_visible_for_annotators: false,
        settings_version: 0,
    };
    let field = Field {
        id: FieldId::new(),
        dataset_id: dataset.id,
        name: "text".into(),
        title: "Text".into(),
        description: Some("The text to label".into()),
        required: true,
        settings: FieldSettings::Text { use_markdown: false },
        inserted_at: AT,
        updated_at: AT,
    };
    let question = Question {
        id: QuestionId::new(),
        dataset_id: dataset.id,
        name: "quality".into(),
        title: "Quality".into(),
        description: Some("Is the answer right?".into()),
        required: true,
        settings: QuestionSettings::LabelSelection {
            options: vec![
                LabelOption { value: "good".into(), text: "Good".into(), description: Some("Correct".into()) },
                LabelOption { value: "bad".into(), text: "Bad".into(), description: Some("Wrong".into()) },
            ],
            visible_options: Some(2),
        },
        inserted_at: AT,
        updated_at: AT,
    };
    let property = MetadataProperty {
        id: MetadataPropertyId::new(),
        dataset_id: dataset.id,
        name: "source".into(),
        title: "Source".into(),
        settings: MetadataSettings::Terms { values: Some(vec![json!("web")]) },
        visible_for_annotators: true,
        inserted_at: AT,
        updated_at: AT,
    };
    let vectors = VectorSettings {
        id: VectorSettingsId::new(),
        dataset_id: dataset.id,
        name: "embedding".into(),
        title: "Embedding".into(),
        dimensions: 2,
        inserted_at: AT,
        updated_at: AT,
    };
    let webhook = Webhook {
        id: WebhookId::new(),
        url: "https://example.com/hook".into(),
        secret: "c2VjcmV0".into(),
        events: vec!["response.created".into()],
        enabled: true,
        description: Some("notify".into()),
        inserted_at: AT,
        updated_at: AT,
    };
    let view = record();
    let rec = dto::record(&view);
    let user = user();
    let progress = Progress { total: 2, completed: 1, pending: 1, users: vec!["ada".into()] };
    let users_progress = vec![UserProgress { username: "ada".into(), ..Default::default() }];
    let metrics = MyMetrics { total: 2, submitted: 1, discarded: 0, draft: 0 };
    let response = dto::response(&response(view.record.id));
    let suggestion = dto::suggestion(&suggestion(view.record.id));
    let samples: Vec<(&str, Value)> = vec![
        ("User", dto::user(&user, None)),
        ("Users", items(dto::user(&user, None))),
        ("UserV0", dto::user_v0(&user, &["argilla".into()], None)),
        ("Workspace", dto::workspace(&ws)),
        ("Workspaces", items(dto::workspace(&ws))),
        ("Dataset", dto::dataset(&dataset)),
        ("Datasets", items(dto::dataset(&dataset))),
        ("Field", dto::field(&field)),
        ("Fields", items(dto::field(&field))),
        ("Question", dto::question(&question)),
        ("Questions", items(dto::question(&question))),
        ("MetadataProperty", dto::metadata_property(&property)),
        ("MetadataProperties", items(dto::metadata_property(&property))),
        ("VectorSettings", dto::vector_settings(&vectors)),
        ("VectorSettingsList", items(dto::vector_settings(&vectors))),
        ("Record", rec.clone()),
        ("Records", items(rec.clone())),
        ("RecordPage", json!({"items": [rec.clone()], "total": 1})),
        ("SearchPage", json!({"items": [{"record": rec, "query_score": 0.5}], "total": 1})),
        ("Response", response.clone()),
        ("BulkResponses", json!({"items": [{"item": response, "error": {"detail": "why"}}]})),
        ("Suggestion", suggestion.clone()),
        ("Suggestions", items(suggestion)),
        ("Webhook", dto::webhook(&webhook)),
        ("Webhooks", items(dto::webhook(&webhook))),
        ("Progress", dto::progress(&progress)),
        ("UsersProgress", dto::users_progress(&users_progress)),
        ("UiProgress", dto::ui_progress("1.2.3.4", &progress, &users_progress)),
        ("MyMetrics", dto::my_metrics(&metrics)),
    ];
    samples.into_iter().map(|(name, sample)| (name.to_owned(), crate::openapi::describe(&sample))).collect()
}
