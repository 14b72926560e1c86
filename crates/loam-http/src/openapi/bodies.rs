//! The request bodies the routes read, as JSON Schema: what the parsers in `routes/*.rs` and
//! the domain (`settings.rs`, `query.rs`, `distribution.rs`) accept, named for `Routes::json_body`
//! and `Routes::form_body`. Keys the parsers ignore are allowed; a key the parser takes as absent
//! when null is nullable. `tests/api` sends every request of the test suite through the router,
//! and schemathesis (`e2e/openapi/`) sends bodies generated from these schemas to the binary.

use serde_json::{json, Value};

use super::schema::*;

const ROLES: &[&str] = &["owner", "admin", "annotator"];
const RESPONSE_STATUSES: &[&str] = &["draft", "submitted", "discarded"];

fn name() -> Value {
    text(1, 200)
}

fn title() -> Value {
    text(1, 500)
}

fn distribution() -> Value {
    object(
        &[("strategy", json!({"const": "overlap"})), ("min_submitted", json!({"type": "integer", "minimum": 1}))],
        &["strategy"],
    )
}

fn label_options(min: usize) -> Value {
    array_of(
        object(
            &[("value", text(1, 200)), ("text", text(1, 500)), ("description", nullable(text(1, 1000)))],
            &["value", "text"],
        ),
        min,
        500,
    )
}

fn field_settings() -> Value {
    any_of(vec![
        object(&[("type", json!({"const": "text"})), ("use_markdown", boolean())], &["type"]),
        object(&[("type", json!({"const": "image"}))], &["type"]),
        object(&[("type", json!({"const": "chat"})), ("use_markdown", boolean())], &["type"]),
        object(
            &[("type", json!({"const": "custom"})), ("template", text(1, 100_000)), ("advanced_mode", boolean())],
            &["type", "template"],
        ),
    ])
}

fn question_settings() -> Value {
    let visible = nullable(json!({"type": "integer", "minimum": 3}));
    any_of(vec![
        object(&[("type", json!({"const": "text"})), ("use_markdown", boolean())], &["type"]),
        object(
            &[
                ("type", json!({"const": "rating"})),
                (
                    "options",
                    array_of(
                        object(&[("value", json!({"type": "integer", "minimum": 0, "maximum": 10}))], &["value"]),
                        2,
                        11,
                    ),
                ),
            ],
            &["type", "options"],
        ),
        object(
            &[
                ("type", json!({"const": "label_selection"})),
                ("options", label_options(2)),
                ("visible_options", visible.clone()),
            ],
            &["type", "options"],
        ),
        object(
            &[
                ("type", json!({"const": "multi_label_selection"})),
                ("options", label_options(2)),
                ("visible_options", visible.clone()),
                ("options_order", one_of_text(&["natural", "suggestion"])),
            ],
            &["type", "options"],
        ),
        object(&[("type", json!({"const": "ranking"})), ("options", label_options(2))], &["type", "options"]),
        object(
            &[
                ("type", json!({"const": "span"})),
                ("field", name()),
                ("options", label_options(1)),
                ("visible_options", visible),
                ("allow_overlapping", boolean()),
            ],
            &["type", "field", "options"],
        ),
    ])
}

fn metadata_settings() -> Value {
    any_of(vec![
        object(&[("type", json!({"const": "terms"})), ("values", nullable(array_of(any(), 1, 250)))], &["type"]),
        object(
            &[("type", json!({"const": "integer"})), ("min", nullable(integer())), ("max", nullable(integer()))],
            &["type"],
        ),
        object(
            &[("type", json!({"const": "float"})), ("min", nullable(number())), ("max", nullable(number()))],
            &["type"],
        ),
    ])
}

fn suggestion() -> Value {
    object(
        &[
            ("question_id", uuid()),
            ("value", any()),
            ("score", nullable(any_of(vec![number(), array(nullable(number()))]))),
            ("agent", nullable(text(1, 200))),
            ("type", nullable(one_of_text(&["model", "human"]))),
        ],
        &["question_id", "value"],
    )
}

fn response_values() -> Value {
    nullable(map(object(&[("value", any())], &["value"])))
}

fn record(with_id: bool) -> Value {
    let mut props = vec![
        ("fields", map(any())),
        ("metadata", nullable(map(any()))),
        ("external_id", nullable(any_of(vec![string(), integer()]))),
        (
            "responses",
            nullable(array(object(
                &[("user_id", uuid()), ("status", one_of_text(RESPONSE_STATUSES)), ("values", response_values())],
                &["user_id", "status"],
            ))),
        ),
        ("suggestions", nullable(array(suggestion()))),
        ("vectors", nullable(map(array(number())))),
    ];
    if with_id {
        props.push(("id", nullable(uuid())));
    }
    object(&props, &[])
}

fn record_patch(with_id: bool) -> Value {
    let mut props = vec![
        ("fields", map(any())),
        ("metadata", nullable(map(any()))),
        ("external_id", nullable(any_of(vec![string(), integer()]))),
        ("suggestions", nullable(array(suggestion()))),
        ("vectors", nullable(map(array(number())))),
    ];
    if with_id {
        props.push(("id", uuid()));
    }
    object(&props, if with_id { &["id"] } else { &[] })
}

fn items(item: Value, max: usize) -> Value {
    object(&[("items", array_of(item, 1, max))], &["items"])
}

fn webhook_events() -> Value {
    array_of(one_of_text(loam_service::WEBHOOK_EVENTS), 1, loam_service::WEBHOOK_EVENTS.len())
}

/// Every request body schema, by the name routes give it.
/// Time on task (a loam extension): the active milliseconds the web UI measured on a record
/// since its last save, at most `loam_domain::time_on_task::MAX_ACTIVE_MS_PER_SAVE`.
fn active_ms() -> Value {
    json!({
        "type": ["integer", "null"],
        "minimum": 0,
        "maximum": loam_domain::time_on_task::MAX_ACTIVE_MS_PER_SAVE,
        "description": "loam extension: active milliseconds spent on the record since the caller's last save (time on task)",
    })
}

/// Pairwise preference (a loam extension): the order the web UI showed each pairwise question's
/// pair in, by question name.
fn shown() -> Value {
    let mut it = nullable(map(one_of_text(&["ab", "ba"])));
    it["description"] =
        json!("loam extension: per pairwise question, the order its pair was shown in (ab: field a first)");
    it
}

pub fn schemas() -> Vec<(&'static str, Value)> {
    let password = text(8, 100);
    let first_name = text(1, 1000);
    vec![
        ("SignInForm", object(&[("username", string()), ("password", string())], &["username", "password"])),
        (
            "NewUser",
            object(
                &[
                    ("id", nullable(uuid())),
                    ("username", text(1, 1000)),
                    ("first_name", nullable(first_name.clone())),
                    ("last_name", nullable(first_name.clone())),
                    ("role", nullable(one_of_text(ROLES))),
                    ("password", password.clone()),
                ],
                &["username", "first_name", "password"],
            ),
        ),
        (
            "UserPatch",
            object(
                &[
                    ("username", text(1, 1000)),
                    ("first_name", first_name.clone()),
                    ("last_name", nullable(first_name.clone())),
                    ("role", one_of_text(ROLES)),
                    ("password", password.clone()),
                ],
                &[],
            ),
        ),
        (
            "LegacyNewUser",
            object(
                &[
                    ("username", json!({"type": "string", "minLength": 1, "pattern": "^(?!-|_)[A-Za-z0-9_-]+$"})),
                    ("first_name", first_name.clone()),
                    ("last_name", nullable(first_name)),
                    ("role", nullable(one_of_text(ROLES))),
                    ("password", password),
                    ("workspaces", nullable(array(string()))),
                ],
                &["username", "first_name", "password"],
            ),
        ),
        ("NewWorkspace", object(&[("id", nullable(uuid())), ("name", text(1, 1000))], &["name"])),
        (
            "LegacyNewWorkspace",
            object(
                &[("name", json!({"type": "string", "minLength": 1, "pattern": "^(?!-|_)[a-z0-9_-]+$"}))],
                &["name"],
            ),
        ),
        ("WorkspaceMember", object(&[("user_id", uuid())], &["user_id"])),
        (
            "NewDataset",
            object(
                &[
                    ("name", name()),
                    ("guidelines", nullable(text(1, 10_000))),
                    ("allow_extra_metadata", boolean()),
                    ("distribution", distribution()),
                    ("metadata", nullable(map(any()))),
                    ("workspace_id", uuid()),
                ],
                &["name", "workspace_id"],
            ),
        ),
        (
            "DatasetPatch",
            object(
                &[
                    ("name", name()),
                    ("guidelines", nullable(text(1, 10_000))),
                    ("allow_extra_metadata", boolean()),
                    ("distribution", distribution()),
                    ("metadata", nullable(map(any()))),
                ],
                &[],
            ),
        ),
        (
            "NewField",
            object(
                &[
                    ("name", name()),
                    ("title", title()),
                    ("description", nullable(text(0, 1000))),
                    ("required", nullable(boolean())),
                    ("settings", field_settings()),
                ],
                &["name", "title", "settings"],
            ),
        ),
        (
            "FieldPatch",
            object(
                &[
                    ("title", title()),
                    ("description", nullable(text(0, 1000))),
                    ("settings", json!({"type": "object"})),
                ],
                &[],
            ),
        ),
        (
            "NewQuestion",
            object(
                &[
                    ("name", name()),
                    ("title", title()),
                    ("description", nullable(text(1, 1000))),
                    ("required", nullable(boolean())),
                    ("settings", question_settings()),
                ],
                &["name", "title", "settings"],
            ),
        ),
        (
            "QuestionPatch",
            object(
                &[
                    ("title", title()),
                    ("description", nullable(text(1, 1000))),
                    ("settings", json!({"type": "object"})),
                ],
                &[],
            ),
        ),
        (
            "NewMetadataProperty",
            object(
                &[
                    ("name", name()),
                    ("title", title()),
                    ("settings", metadata_settings()),
                    ("visible_for_annotators", boolean()),
                ],
                &["name", "title", "settings"],
            ),
        ),
        ("MetadataPropertyPatch", object(&[("title", title()), ("visible_for_annotators", boolean())], &[])),
        (
            "NewVectorSettings",
            object(
                &[("name", name()), ("title", title()), ("dimensions", json!({"type": "integer", "minimum": 1}))],
                &["name", "title", "dimensions"],
            ),
        ),
        ("VectorSettingsPatch", object(&[("title", title())], &["title"])),
        ("NewRecords", items(record(false), 500)),
        ("UpsertRecords", items(record(true), 500)),
        ("LegacyNewRecords", items(record(false), 1000)),
        ("LegacyRecordUpdates", items(record_patch(true), 1000)),
        ("RecordPatch", record_patch(false)),
        (
            "NewResponse",
            object(
                &[
                    ("status", one_of_text(RESPONSE_STATUSES)),
                    ("values", response_values()),
                    ("loam_active_ms", active_ms()),
                    ("loam_shown", shown()),
                ],
                &["status"],
            ),
        ),
        (
            "MyResponses",
            items(
                object(
                    &[
                        ("record_id", uuid()),
                        ("status", one_of_text(RESPONSE_STATUSES)),
                        ("values", response_values()),
                        ("loam_active_ms", active_ms()),
                        ("loam_shown", shown()),
                    ],
                    &["record_id", "status"],
                ),
                100,
            ),
        ),
        ("NewSuggestion", suggestion()),
        (
            "SearchQuery",
            object(
                &[
                    (
                        "query",
                        nullable(object(
                            &[
                                (
                                    "text",
                                    nullable(object(&[("q", text(1, 10_000)), ("field", nullable(name()))], &["q"])),
                                ),
                                (
                                    "vector",
                                    nullable(object(
                                        &[
                                            ("name", name()),
                                            ("value", nullable(array(number()))),
                                            ("record_id", nullable(uuid())),
                                            ("order", one_of_text(&["most_similar", "least_similar"])),
                                        ],
                                        &["name"],
                                    )),
                                ),
                            ],
                            &[],
                        )),
                    ),
                    ("filters", nullable(object(&[("and", array(json!({"type": "object"})))], &["and"]))),
                    ("sort", nullable(array(json!({"type": "object"})))),
                ],
                &[],
            ),
        ),
        (
            "NewWebhook",
            object(
                &[
                    ("url", json!({"type": "string", "format": "uri", "minLength": 1, "maxLength": 2083})),
                    ("events", webhook_events()),
                    ("description", nullable(text(1, 1000))),
                ],
                &["url", "events"],
            ),
        ),
        (
            "WebhookPatch",
            object(
                &[
                    ("url", json!({"type": "string", "format": "uri", "minLength": 1, "maxLength": 2083})),
                    ("events", webhook_events()),
                    ("enabled", boolean()),
                    ("description", nullable(text(1, 1000))),
                ],
                &[],
            ),
        ),
        ("MarkdownTexts", object(&[("texts", array(string()))], &["texts"])),
        (
            "ConsolidationChanges",
            object(&[("questions", map(nullable(object(&[("kind", string())], &["kind"]))))], &["questions"]),
        ),
        (
            "ExportRequest",
            object(
                &[
                    ("shape", one_of_text(loam_service::ExportShape::NAMES)),
                    ("format", one_of_text(loam_export::Format::NAMES)),
                    ("mapping", nullable(map(any()))),
                    ("layout", nullable(one_of_text(&["standard", "conversational"]))),
                    ("below_min_submitted", nullable(one_of_text(loam_service::BelowMin::NAMES))),
                ],
                &["shape"],
            ),
        ),
        ("NextRecordQuery", object(&[("after", nullable(uuid()))], &[])),
    ]
}
