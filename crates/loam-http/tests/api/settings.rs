//! Fields and questions (api.md §6–§7); metadata properties and vector settings are in
//! `settings_metadata.rs`.

use serde_json::{json, Value};

use crate::common::*;

/// A draft dataset `ds` in the default workspace, and the paths of its settings.
pub(crate) struct Ctx {
    pub(crate) app: TestApp,
    pub(crate) ws: String,
    pub(crate) ds: String,
}

pub(crate) async fn draft() -> Ctx {
    let app = TestApp::new().await;
    let ws = app.default_workspace().await;
    let ds = app.create_dataset(&ws, "ds").await;
    Ctx { app, ws, ds }
}

impl Ctx {
    pub(crate) fn path(&self, tail: &str) -> String {
        format!("/api/v1/datasets/{}/{tail}", self.ds)
    }

    pub(crate) async fn post(&self, tail: &str, body: Value) -> Reply {
        self.app.post(&self.app.owner.key, &self.path(tail), body).await
    }

    pub(crate) async fn list(&self, tail: &str) -> Value {
        self.app.read(&self.path(tail)).await
    }
}

// Fields -------------------------------------------------------------------------------------

#[tokio::test]
async fn create_fields_of_each_type_with_defaults() {
    let c = draft().await;
    let cases = [
        (json!({"type": "text"}), json!({"type": "text", "use_markdown": false})),
        (json!({"type": "text", "use_markdown": true}), json!({"type": "text", "use_markdown": true})),
        (json!({"type": "image"}), json!({"type": "image"})),
        (json!({"type": "chat"}), json!({"type": "chat", "use_markdown": true})),
        (
            json!({"type": "custom", "template": "<p>{{record.fields.x}}</p>"}),
            json!({"type": "custom", "template": "<p>{{record.fields.x}}</p>", "advanced_mode": false}),
        ),
    ];
    for (i, (settings, expected)) in cases.into_iter().enumerate() {
        let name = format!("f{i}");
        // v2 sends its whole model: the description is kept, the other extra keys ignored.
        let body = json!({"name": name, "title": "Title", "settings": settings,
                          "description": "kept", "id": null, "dataset_id": c.ds});
        let (status, field) = c.post("fields", body).await;
        assert_eq!(status, 201, "{field}");
        assert_eq!(field["settings"], expected, "{name}");
        assert_eq!(field["required"], false, "default required");
        assert_eq!(field["dataset_id"], c.ds.as_str());
        assert_eq!(field["description"], "kept", "{field}");
    }
    let (status, field) =
        c.post("fields", json!({"name": "r", "title": "R", "required": null, "settings": {"type": "text"}})).await;
    assert_eq!(status, 201);
    assert_eq!(field["required"], false);
    assert_eq!(field["description"], Value::Null, "every field object has the key");
    let list = c.list("fields").await;
    let names: Vec<&str> = list["items"].as_array().unwrap().iter().map(|it| it["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["f0", "f1", "f2", "f3", "f4", "r"]);
}

#[tokio::test]
async fn create_field_errors() {
    let c = draft().await;
    c.app.add_field(&c.ds, "text", true).await;
    let reply = c.post("fields", json!({"name": "text", "title": "T", "settings": {"type": "text"}})).await;
    assert_eq!(reply, (409, detail(format!("Field with name `text` already exists for dataset with id `{}`", c.ds))));
    let cases = [
        (json!({"title": "T", "settings": {"type": "text"}}), json!(["body", "name"])),
        (json!({"name": "f", "settings": {"type": "text"}}), json!(["body", "title"])),
        (json!({"name": "f", "title": "T"}), json!(["body", "settings"])),
        (json!({"name": "", "title": "T", "settings": {"type": "text"}}), json!(["body", "name"])),
        (json!({"name": "f".repeat(201), "title": "T", "settings": {"type": "text"}}), json!(["body", "name"])),
        (json!({"name": "f", "title": "t".repeat(501), "settings": {"type": "text"}}), json!(["body", "title"])),
        (
            json!({"name": "f", "title": "T", "settings": {"type": "text", "use_markdown": null}}),
            json!(["body", "settings", "use_markdown"]),
        ),
    ];
    for (body, loc) in cases {
        let (status, res) = c.post("fields", body.clone()).await;
        assert_eq!(status, 422, "{body}: {res}");
        assert_eq!(code(&res), "argilla.api.errors::ValidationError", "{body}");
        assert_eq!(locs(&res)[0], loc, "{body}");
    }
    for settings in [json!({"type": "video"}), json!({"type": "custom"}), json!("text")] {
        let (status, res) = c.post("fields", json!({"name": "f", "title": "T", "settings": settings})).await;
        assert_eq!(status, 422, "{settings}: {res}");
        assert_eq!(code(&res), "argilla.api.errors::ValidationError");
    }
    // 200 and 500 characters are fine.
    let body = json!({"name": "n".repeat(200), "title": "t".repeat(500), "settings": {"type": "text"}});
    assert_eq!(c.post("fields", body).await.0, 201);
    assert_eq!(c.list("fields").await["items"].as_array().unwrap().len(), 2);

    // Published.
    c.app.add_question(&c.ds, "q", true, label_settings(&["a", "b"])).await;
    c.app.publish(&c.ds).await;
    let reply = c.post("fields", json!({"name": "late", "title": "T", "settings": {"type": "text"}})).await;
    assert_eq!(reply, (422, detail("Field cannot be created for a published dataset")));
}

#[tokio::test]
async fn field_descriptions_are_created_updated_cleared_and_validated() {
    let c = draft().await;
    // Blank text is no description (the v2 SDK may send it); null is none.
    for (sent, stored) in [
        (json!("Shown next to the field"), json!("Shown next to the field")),
        (json!(""), Value::Null),
        (json!("  "), Value::Null),
        (Value::Null, Value::Null),
    ] {
        let name = format!("f{}", c.list("fields").await["items"].as_array().unwrap().len());
        let body = json!({"name": name, "title": "T", "description": sent, "settings": {"type": "text"}});
        let (status, field) = c.post("fields", body).await;
        assert_eq!(status, 201, "{field}");
        assert_eq!(field["description"], stored, "{sent}");
    }
    let field = c.list("fields").await["items"][0].clone();
    assert_eq!(field["description"], "Shown next to the field", "stored, listed");
    let path = format!("/api/v1/fields/{}", field["id"].as_str().unwrap());

    // Too long or not a string: 422 at body.description, nothing stored.
    let too_long = "d".repeat(1001);
    for bad in [json!(too_long), json!(7), json!(["x"])] {
        let (status, res) = c
            .post("fields", json!({"name": "bad", "title": "T", "description": bad, "settings": {"type": "text"}}))
            .await;
        assert_eq!(status, 422, "{res}");
        assert_eq!(locs(&res)[0], json!(["body", "description"]), "{bad}");
        let (status, res) = c.app.patch(&c.app.owner.key, &path, json!({"description": bad})).await;
        assert_eq!(status, 422, "{res}");
        assert_eq!(locs(&res)[0], json!(["body", "description"]), "{bad}");
    }
    assert_eq!(c.list("fields").await["items"].as_array().unwrap().len(), 4);
    assert_eq!(c.list("fields").await["items"][0], field, "unchanged by the errors");

    // PATCH: absent keeps it, a string replaces it (1000 characters are fine), null clears it.
    let (status, res) = c.app.patch(&c.app.owner.key, &path, json!({"title": "Renamed"})).await;
    assert_eq!((status, &res["description"]), (200, &json!("Shown next to the field")));
    let longest = "é".repeat(1000);
    let (status, res) = c.app.patch(&c.app.owner.key, &path, json!({"description": longest})).await;
    assert_eq!((status, res["description"].as_str()), (200, Some(longest.as_str())));
    let (status, res) = c.app.patch(&c.app.owner.key, &path, json!({"description": null})).await;
    assert_eq!((status, &res["description"]), (200, &Value::Null));

    // Editable on a published dataset, like the title.
    c.app.add_question(&c.ds, "q", true, label_settings(&["a", "b"])).await;
    c.app.publish(&c.ds).await;
    let (status, res) = c.app.patch(&c.app.owner.key, &path, json!({"description": "After publishing"})).await;
    assert_eq!((status, &res["description"]), (200, &json!("After publishing")));
    assert_eq!(c.list("fields").await["items"][0]["description"], "After publishing");
}

#[tokio::test]
async fn update_and_delete_fields() {
    let c = draft().await;
    let id = c.app.add_field(&c.ds, "text", true).await;
    let path = format!("/api/v1/fields/{id}");
    let body = json!({"title": "New title", "settings": {"type": "text", "use_markdown": true},
                      "name": "ignored", "required": false});
    let (status, field) = c.app.patch(&c.app.owner.key, &path, body).await;
    assert_eq!(status, 200, "{field}");
    assert_eq!(field["title"], "New title");
    assert_eq!(field["name"], "text");
    assert_eq!(field["required"], true);
    assert_eq!(field["settings"], json!({"type": "text", "use_markdown": true}));

    let reply = c.app.patch(&c.app.owner.key, &path, json!({"settings": {"type": "image"}})).await;
    assert_eq!(reply, (422, detail("Field type cannot be changed. Expected 'text' but got 'image'")));
    let (status, res) = c.app.patch(&c.app.owner.key, &path, json!({"title": null})).await;
    assert_eq!(status, 422);
    assert_eq!(
        res["detail"]["params"]["errors"][0]["msg"],
        "Value error, The following keys must have non-null values: title"
    );
    let (status, _) = c.app.patch(&c.app.owner.key, &path, json!({"title": "t".repeat(501)})).await;
    assert_eq!(status, 422);
    assert_eq!(c.list("fields").await["items"][0], field, "unchanged by the errors");

    let missing = new_id();
    let reply = c.app.patch(&c.app.owner.key, &format!("/api/v1/fields/{missing}"), json!({"title": "x"})).await;
    assert_eq!(reply, (404, detail(format!("Field with id `{missing}` not found"))));

    // Delete: allowed on drafts, refused once published.
    let other = c.app.add_field(&c.ds, "other", false).await;
    let (status, deleted) = c.app.delete(&c.app.owner.key, &format!("/api/v1/fields/{other}")).await;
    assert_eq!(status, 200);
    assert_eq!(deleted["name"], "other");
    c.app.add_question(&c.ds, "q", true, label_settings(&["a", "b"])).await;
    c.app.publish(&c.ds).await;
    let reply = c.app.delete(&c.app.owner.key, &path).await;
    assert_eq!(reply, (422, detail("Fields cannot be deleted for a published dataset")));
    // Title updates are allowed after publishing.
    let (status, _) = c.app.patch(&c.app.owner.key, &path, json!({"title": "Later"})).await;
    assert_eq!(status, 200);
}

// Questions ----------------------------------------------------------------------------------

#[tokio::test]
async fn create_questions_of_each_type() {
    let c = draft().await;
    c.app.add_field(&c.ds, "text", true).await;
    let cases = [
        (json!({"type": "text"}), json!({"type": "text", "use_markdown": false})),
        (
            json!({"type": "rating", "options": [{"value": 1}, {"value": 2}, {"value": 3}]}),
            json!({"type": "rating", "options": [{"value": 1}, {"value": 2}, {"value": 3}]}),
        ),
        (
            json!({"type": "label_selection", "options": [{"value": "a", "text": "A"}, {"value": "b", "text": "B"}], "visible_options": null}),
            json!({"type": "label_selection", "options": [{"value": "a", "text": "A", "description": null}, {"value": "b", "text": "B", "description": null}], "visible_options": null}),
        ),
        (
            json!({"type": "multi_label_selection", "options": [{"value": "a", "text": "A"}, {"value": "b", "text": "B"}, {"value": "c", "text": "C", "description": "see"}], "visible_options": 3}),
            json!({"type": "multi_label_selection", "options": [{"value": "a", "text": "A", "description": null}, {"value": "b", "text": "B", "description": null}, {"value": "c", "text": "C", "description": "see"}], "visible_options": 3, "options_order": "natural"}),
        ),
        (
            json!({"type": "ranking", "options": [{"value": "x", "text": "X"}, {"value": "y", "text": "Y"}]}),
            json!({"type": "ranking", "options": [{"value": "x", "text": "X", "description": null}, {"value": "y", "text": "Y", "description": null}]}),
        ),
        (
            json!({"type": "span", "field": "text", "options": [{"value": "p", "text": "P"}]}),
            json!({"type": "span", "field": "text", "options": [{"value": "p", "text": "P", "description": null}], "visible_options": null, "allow_overlapping": false, "allow_character_annotation": true}),
        ),
    ];
    for (i, (settings, expected)) in cases.into_iter().enumerate() {
        let name = format!("q{i}");
        let body = json!({"id": null, "inserted_at": null, "name": name, "title": "Title",
                          "description": null, "required": i % 2 == 0, "settings": settings,
                          "dataset_id": c.ds});
        let (status, q) = c.post("questions", body).await;
        assert_eq!(status, 201, "{q}");
        assert_eq!(q["settings"], expected, "{name}");
        assert_eq!(q["required"], i % 2 == 0);
        assert_eq!(q["description"], Value::Null);
    }
    let list = c.list("questions").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 6);
}

#[tokio::test]
async fn create_question_errors() {
    let c = draft().await;
    c.app.add_field(&c.ds, "text", true).await;
    c.app.add_field(&c.ds, "other", false).await;
    let span = c
        .app
        .add_question(&c.ds, "span", false, json!({"type": "span", "field": "text", "options": options(&["p"])}))
        .await;

    let reply = c.post("questions", json!({"name": "span", "title": "T", "settings": {"type": "text"}})).await;
    assert_eq!(
        reply,
        (409, detail(format!("Question with name `span` already exists for dataset with id `{}`", c.ds)))
    );
    let reply = c
        .post("questions", json!({"name": "s2", "title": "T", "settings": {"type": "span", "field": "nope", "options": options(&["p"])}}))
        .await;
    assert_eq!(reply, (422, detail("'nope' is not a valid field name.\nValid field names are ['text', 'other']")));
    let reply = c
        .post("questions", json!({"name": "s2", "title": "T", "settings": {"type": "span", "field": "text", "options": options(&["p"])}}))
        .await;
    assert_eq!(reply, (422, detail(format!("'text' is already used by span question with id '{span}'"))));

    let schema_cases = [
        json!({"name": "q", "title": "T"}),
        json!({"name": "q", "settings": {"type": "text"}}),
        json!({"name": "q", "title": "T", "description": "", "settings": {"type": "text"}}),
        json!({"name": "q", "title": "T", "description": "d".repeat(1001), "settings": {"type": "text"}}),
        json!({"name": "q".repeat(201), "title": "T", "settings": {"type": "text"}}),
        json!({"name": "q", "title": "t".repeat(501), "settings": {"type": "text"}}),
        json!({"name": "q", "title": "T", "settings": {"type": "rating", "options": [{"value": 1}]}}),
        json!({"name": "q", "title": "T", "settings": {"type": "rating", "options": [{"value": 1}, {"value": 11}]}}),
        json!({"name": "q", "title": "T", "settings": {"type": "label_selection", "options": options(&["a"])}}),
        json!({"name": "q", "title": "T", "settings": {"type": "label_selection", "options": options(&["a", "a"])}}),
        json!({"name": "q", "title": "T", "settings": {"type": "label_selection", "options": options(&["a", "b", "c"]), "visible_options": 2}}),
        json!({"name": "q", "title": "T", "settings": {"type": "label_selection", "options": options(&["a", "b", "c"]), "visible_options": 4}}),
        json!({"name": "q", "title": "T", "settings": {"type": "multi_label_selection", "options": options(&["a", "b"]), "options_order": null}}),
        json!({"name": "q", "title": "T", "settings": {"type": "ranking", "options": options(&["a"])}}),
        json!({"name": "q", "title": "T", "settings": {"type": "span", "field": "other", "options": options(&["a"]), "allow_overlapping": null}}),
        json!({"name": "q", "title": "T", "settings": {"type": "emoji"}}),
    ];
    for body in schema_cases {
        let (status, res) = c.post("questions", body.clone()).await;
        assert_eq!(status, 422, "{body}: {res}");
        assert_eq!(code(&res), "argilla.api.errors::ValidationError", "{body}");
    }
    assert_eq!(c.list("questions").await["items"].as_array().unwrap().len(), 1, "nothing stored");

    c.app.add_question(&c.ds, "req", true, label_settings(&["a", "b"])).await;
    c.app.publish(&c.ds).await;
    // Duplicate name is checked before the status.
    let reply = c.post("questions", json!({"name": "req", "title": "T", "settings": {"type": "text"}})).await;
    assert_eq!(reply.0, 409);
    let reply = c.post("questions", json!({"name": "late", "title": "T", "settings": {"type": "text"}})).await;
    assert_eq!(reply, (422, detail("questions cannot be created for a published dataset")));
}

#[tokio::test]
async fn update_question_rules() {
    let c = draft().await;
    c.app.add_field(&c.ds, "text", true).await;
    let label = c.app.add_question(&c.ds, "label", true, label_settings(&["a", "b", "c"])).await;
    let span = c
        .app
        .add_question(
            &c.ds,
            "span",
            false,
            json!({"type": "span", "field": "text", "options": options(&["p", "q"]), "allow_overlapping": true}),
        )
        .await;
    let rating = c
        .app
        .add_question(&c.ds, "rating", false, json!({"type": "rating", "options": [{"value": 1}, {"value": 2}]}))
        .await;
    c.app.publish(&c.ds).await;
    let label_path = format!("/api/v1/questions/{label}");
    let key = c.app.owner.key.clone();

    // Allowed after publishing: title, description, reordered options with new texts.
    let body = json!({"title": "Pick one", "description": "why", "name": "ignored", "required": false,
                      "settings": {"type": "label_selection", "visible_options": 3,
                                   "options": [{"value": "c", "text": "Cee"}, {"value": "a", "text": "A"}, {"value": "b", "text": "B"}]}});
    let (status, q) = c.app.patch(&key, &label_path, body).await;
    assert_eq!(status, 200, "{q}");
    assert_eq!(q["title"], "Pick one");
    assert_eq!(q["description"], "why");
    assert_eq!(q["name"], "label");
    assert_eq!(q["required"], true);
    assert_eq!(q["settings"]["options"][0], json!({"value": "c", "text": "Cee", "description": null}));
    assert_eq!(q["settings"]["visible_options"], 3);
    let (status, q) = c.app.patch(&key, &label_path, json!({"description": null})).await;
    assert_eq!(status, 200);
    assert_eq!(q["description"], Value::Null);
    let stored = c.list("questions").await["items"][0].clone();
    assert_eq!(stored, q);

    let cases = [
        (
            json!({"settings": {"type": "text"}}),
            "question type cannot be changed. expected 'label_selection' but got 'text'",
        ),
        (
            json!({"settings": {"type": "label_selection", "options": options(&["a", "b"])}}),
            "the number of options cannot be modified. expected 3 but got 2",
        ),
        (
            json!({"settings": {"type": "label_selection", "options": options(&["a", "b", "z"])}}),
            "the option values cannot be modified. found unexpected option values: ['z']",
        ),
        (
            json!({"settings": {"type": "label_selection", "visible_options": 4}}),
            "the value for 'visible_options' must be less or equal to the number of items in 'options' (3)",
        ),
    ];
    for (body, msg) in cases {
        let reply = c.app.patch(&key, &label_path, body.clone()).await;
        assert_eq!(reply, (422, detail(msg)), "{body}");
    }
    let (status, res) = c.app.patch(&key, &label_path, json!({"title": null, "settings": null})).await;
    assert_eq!(status, 422);
    assert_eq!(
        res["detail"]["params"]["errors"][0]["msg"],
        "Value error, The following keys must have non-null values: title, settings"
    );
    assert_eq!(c.list("questions").await["items"][0], stored, "unchanged by the errors");

    let reply = c
        .app
        .patch(
            &key,
            &format!("/api/v1/questions/{span}"),
            json!({"settings": {"type": "span", "allow_overlapping": false}}),
        )
        .await;
    assert_eq!(reply, (422, detail("'allow_overlapping' can't be disabled because responses may become inconsistent")));
    // Rating: only the type is read; options are ignored.
    let (status, q) = c
        .app
        .patch(
            &key,
            &format!("/api/v1/questions/{rating}"),
            json!({"settings": {"type": "rating", "options": [{"value": 9}]}}),
        )
        .await;
    assert_eq!(status, 200, "{q}");
    assert_eq!(q["settings"]["options"], json!([{"value": 1}, {"value": 2}]));

    let missing = new_id();
    let reply = c.app.patch(&key, &format!("/api/v1/questions/{missing}"), json!({"title": "x"})).await;
    assert_eq!(reply, (404, detail(format!("Question with id `{missing}` not found"))));
}

#[tokio::test]
async fn delete_questions() {
    let c = draft().await;
    c.app.add_field(&c.ds, "text", true).await;
    let keep = c.app.add_question(&c.ds, "keep", true, label_settings(&["a", "b"])).await;
    let drop = c.app.add_question(&c.ds, "drop", false, label_settings(&["a", "b"])).await;
    let (status, q) = c.app.delete(&c.app.owner.key, &format!("/api/v1/questions/{drop}")).await;
    assert_eq!(status, 200, "{q}");
    assert_eq!(q["name"], "drop");
    let reply = c.app.delete(&c.app.owner.key, &format!("/api/v1/questions/{drop}")).await;
    assert_eq!(reply, (404, detail(format!("Question with id `{drop}` not found"))));
    c.app.publish(&c.ds).await;
    let reply = c.app.delete(&c.app.owner.key, &format!("/api/v1/questions/{keep}")).await;
    assert_eq!(reply, (422, detail("questions cannot be deleted for a published dataset")));
}
