//! The world the permission matrix (`permissions.rs`) runs in: the five roles, the operations
//! of every endpoint family, and the workspaces, members and shared objects each operation acts
//! on, fresh for allowed callers and shared for refused ones.

use serde_json::{json, Value};

use crate::common::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Owner,
    AdminMember,
    AdminOther,
    AnnotatorMember,
    AnnotatorOther,
}
use Role::*;

#[derive(Clone, Copy, Debug)]
pub(crate) enum Op {
    Me,
    MeWorkspaces,
    MeDatasets,
    MeDatasetsOfA,
    LegacyMe,
    ListUsers,
    GetUser,
    CreateUser,
    UpdateUser,
    DeleteUser,
    UserWorkspaces,
    CreateWorkspace,
    DeleteWorkspace,
    GetWorkspace,
    ListMembers,
    AddMember,
    RemoveMember,
    GetDataset,
    ListFields,
    ListQuestions,
    ListVectors,
    ListMetadata,
    Progress,
    UsersProgress,
    MyMetrics,
    CreateDataset,
    UpdateDataset,
    DeleteDataset,
    Publish,
    CreateField,
    UpdateField,
    DeleteField,
    CreateQuestion,
    UpdateQuestion,
    DeleteQuestion,
    CreateMetadata,
    UpdateMetadata,
    DeleteMetadata,
    CreateVectors,
    UpdateVectors,
    DeleteVectors,
    ListRecords,
    BulkCreate,
    BulkUpsert,
    LegacyCreateRecords,
    LegacyUpdateRecords,
    DeleteRecords,
    GetRecord,
    ListSuggestions,
    CreateResponse,
    UpdateRecord,
    DeleteRecord,
    UpsertSuggestion,
    DeleteSuggestions,
    DeleteSuggestion,
    UpdateResponse,
    DeleteResponse,
    ListWebhooks,
    CreateWebhook,
    UpdateWebhook,
    DeleteWebhook,
    LegacyListUsers,
    LegacyCreateUser,
    LegacyDeleteUser,
    LegacyCreateWorkspace,
    LegacyMembers,
    LegacyAddMember,
    LegacyRemoveMember,
}
use Op::*;

/// Workspace A (the target) and B (the other one), their members, and shared objects in A.
pub(crate) struct World {
    pub(crate) app: TestApp,
    pub(crate) ws_a: String,
    pub(crate) users: Vec<(Role, TestUser)>,
    /// Published, in A: one record with a suggestion and a response by the annotator member.
    pub(crate) ds: String,
    pub(crate) record: String,
    pub(crate) suggestion: String,
    pub(crate) response: String,
    pub(crate) metadata: String,
    pub(crate) vectors: String,
    /// Draft, in A: one field and one question.
    pub(crate) draft: String,
    pub(crate) field: String,
    pub(crate) question: String,
    /// Published, in A: where allowed callers create records.
    pub(crate) scratch: String,
    pub(crate) scratch_label: String,
    pub(crate) webhook: String,
    /// A user that is no member of A.
    pub(crate) outsider: TestUser,
}

impl World {
    pub(crate) async fn new() -> Self {
        let app = TestApp::new().await;
        let ws_a = app.create_workspace("a").await;
        let ws_b = app.create_workspace("b").await;
        let users = vec![
            (Owner, app.owner.clone()),
            (AdminMember, app.member("admin-a", "admin", &[&ws_a]).await),
            (AdminOther, app.member("admin-b", "admin", &[&ws_b]).await),
            (AnnotatorMember, app.member("ann-a", "annotator", &[&ws_a]).await),
            (AnnotatorOther, app.member("ann-b", "annotator", &[&ws_b]).await),
        ];
        let outsider = app.create_user("outsider", "annotator").await;
        // Workspace B has data of its own, that its admin manages.
        app.simple_dataset(&ws_b, "b-data").await;

        let ds = app.simple_dataset(&ws_a, "shared").await;
        let label =
            app.read(&format!("/api/v1/datasets/{ds}/questions")).await["items"][0]["id"].as_str().unwrap().to_owned();
        let metadata = app.add_metadata(&ds, "m", json!({"type": "terms"}), true).await;
        let vs = app
            .expect(
                "POST",
                &format!("/api/v1/datasets/{ds}/vectors-settings"),
                Some(json!({"name": "v", "title": "V", "dimensions": 2})),
                201,
            )
            .await;
        let records = app
            .log(
                &ds,
                vec![json!({"fields": {"text": "shared"},
                                  "suggestions": [{"question_id": label, "value": "a"}]})],
            )
            .await;
        let record = records[0]["id"].as_str().unwrap().to_owned();
        let suggestion = records[0]["suggestions"][0]["id"].as_str().unwrap().to_owned();
        let author = users[3].1.clone();
        let (status, response) = app
            .post(
                &author.key,
                &format!("/api/v1/records/{record}/responses"),
                json!({"status": "draft", "values": {"label": {"value": "b"}}}),
            )
            .await;
        assert_eq!(status, 201, "{response}");

        let draft = app.create_dataset(&ws_a, "draft").await;
        let field = app.add_field(&draft, "text", true).await;
        let question = app.add_question(&draft, "q", true, label_settings(&["a", "b"])).await;

        let scratch = app.simple_dataset(&ws_a, "scratch").await;
        let scratch_label = app.read(&format!("/api/v1/datasets/{scratch}/questions")).await["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let webhook = new_webhook(&app).await;
        World {
            ws_a,
            users,
            ds,
            record,
            suggestion,
            response: response["id"].as_str().unwrap().to_owned(),
            metadata,
            vectors: vs["id"].as_str().unwrap().to_owned(),
            draft,
            field,
            question,
            scratch,
            scratch_label,
            webhook,
            outsider,
            app,
        }
    }

    pub(crate) fn user(&self, role: Role) -> &TestUser {
        &self.users.iter().find(|(it, _)| *it == role).unwrap().1
    }

    /// Everything the refused callers could have touched, as the owner sees it.
    pub(crate) async fn snapshot(&self) -> Vec<Value> {
        let ds = &self.ds;
        let draft = &self.draft;
        let mut out = Vec::new();
        for path in [
            format!("/api/v1/datasets/{ds}"),
            format!("/api/v1/datasets/{ds}/records?include=responses,suggestions,vectors"),
            format!("/api/v1/datasets/{ds}/vectors-settings"),
            format!("/api/v1/me/datasets/{ds}/metadata-properties"),
            format!("/api/v1/datasets/{draft}"),
            format!("/api/v1/datasets/{draft}/fields"),
            format!("/api/v1/datasets/{draft}/questions"),
            format!("/api/v1/users/{}", self.outsider.id),
            format!("/api/v1/users/{}/workspaces", self.outsider.id),
            format!("/api/v1/users/{}/workspaces", self.user(AnnotatorMember).id),
            format!("/api/v1/workspaces/{}", self.ws_a),
        ] {
            out.push(self.app.read(&path).await);
        }
        let hooks = self.app.read("/api/v1/webhooks").await;
        let hook = hooks["items"].as_array().unwrap().iter().find(|it| it["id"] == self.webhook.as_str()).cloned();
        out.push(hook.unwrap_or(Value::Null));
        out
    }

    async fn fresh_draft(&self) -> String {
        self.app.create_dataset(&self.ws_a, &unique("fresh")).await
    }

    async fn fresh_record(&self) -> String {
        self.app.record(&self.scratch, "fresh").await
    }

    /// The request for `op`; `fresh` asks for new target objects (for callers who may succeed).
    pub(crate) async fn prepare(&self, op: Op, fresh: bool) -> (&'static str, String, Option<Value>) {
        let app = &self.app;
        let a = &self.ws_a;
        let password = PASSWORD;
        match op {
            Me => ("GET", "/api/v1/me".into(), None),
            MeWorkspaces => ("GET", "/api/v1/me/workspaces".into(), None),
            MeDatasets => ("GET", "/api/v1/me/datasets".into(), None),
            MeDatasetsOfA => ("GET", format!("/api/v1/me/datasets?workspace_id={a}"), None),
            LegacyMe => ("GET", "/api/me".into(), None),
            ListUsers => ("GET", "/api/v1/users".into(), None),
            GetUser => ("GET", format!("/api/v1/users/{}", self.outsider.id), None),
            CreateUser => (
                "POST",
                "/api/v1/users".into(),
                Some(json!({"username": unique("u"), "first_name": "U", "password": password})),
            ),
            UpdateUser => {
                let id =
                    if fresh { app.create_user(&unique("u"), "annotator").await.id } else { self.outsider.id.clone() };
                ("PATCH", format!("/api/v1/users/{id}"), Some(json!({"first_name": "Changed"})))
            }
            DeleteUser => {
                let id =
                    if fresh { app.create_user(&unique("u"), "annotator").await.id } else { self.outsider.id.clone() };
                ("DELETE", format!("/api/v1/users/{id}"), None)
            }
            UserWorkspaces => ("GET", format!("/api/v1/users/{}/workspaces", self.outsider.id), None),
            CreateWorkspace => ("POST", "/api/v1/workspaces".into(), Some(json!({"name": unique("ws")}))),
            DeleteWorkspace => {
                let id = if fresh { app.create_workspace(&unique("ws")).await } else { a.clone() };
                ("DELETE", format!("/api/v1/workspaces/{id}"), None)
            }
            GetWorkspace => ("GET", format!("/api/v1/workspaces/{a}"), None),
            ListMembers => ("GET", format!("/api/v1/workspaces/{a}/users"), None),
            AddMember => {
                let id =
                    if fresh { app.create_user(&unique("u"), "annotator").await.id } else { self.outsider.id.clone() };
                ("POST", format!("/api/v1/workspaces/{a}/users"), Some(json!({"user_id": id})))
            }
            RemoveMember => {
                let user = if fresh {
                    app.member(&unique("u"), "annotator", &[a]).await
                } else {
                    self.user(AnnotatorMember).clone()
                };
                ("DELETE", format!("/api/v1/workspaces/{a}/users/{}", user.id), None)
            }
            GetDataset => ("GET", format!("/api/v1/datasets/{}", self.ds), None),
            ListFields => ("GET", format!("/api/v1/datasets/{}/fields", self.ds), None),
            ListQuestions => ("GET", format!("/api/v1/datasets/{}/questions", self.ds), None),
            ListVectors => ("GET", format!("/api/v1/datasets/{}/vectors-settings", self.ds), None),
            ListMetadata => ("GET", format!("/api/v1/me/datasets/{}/metadata-properties", self.ds), None),
            Progress => ("GET", format!("/api/v1/datasets/{}/progress", self.ds), None),
            UsersProgress => ("GET", format!("/api/v1/datasets/{}/users/progress", self.ds), None),
            MyMetrics => ("GET", format!("/api/v1/me/datasets/{}/metrics", self.ds), None),
            CreateDataset => {
                ("POST", "/api/v1/datasets".into(), Some(json!({"name": unique("ds"), "workspace_id": a})))
            }
            UpdateDataset => {
                let id = if fresh { self.fresh_draft().await } else { self.ds.clone() };
                ("PATCH", format!("/api/v1/datasets/{id}"), Some(json!({"guidelines": "changed"})))
            }
            DeleteDataset => {
                let id = if fresh { self.fresh_draft().await } else { self.ds.clone() };
                ("DELETE", format!("/api/v1/datasets/{id}"), None)
            }
            Publish => {
                let id = if fresh {
                    let id = self.fresh_draft().await;
                    app.add_field(&id, "text", true).await;
                    app.add_question(&id, "q", true, label_settings(&["a", "b"])).await;
                    id
                } else {
                    self.draft.clone()
                };
                ("PUT", format!("/api/v1/datasets/{id}/publish"), None)
            }
            CreateField => {
                let ds = if fresh { self.fresh_draft().await } else { self.draft.clone() };
                (
                    "POST",
                    format!("/api/v1/datasets/{ds}/fields"),
                    Some(json!({"name": "f", "title": "F", "settings": {"type": "text"}})),
                )
            }
            UpdateField | DeleteField => {
                let id =
                    if fresh { app.add_field(&self.fresh_draft().await, "f", false).await } else { self.field.clone() };
                match op {
                    UpdateField => ("PATCH", format!("/api/v1/fields/{id}"), Some(json!({"title": "Changed"}))),
                    _ => ("DELETE", format!("/api/v1/fields/{id}"), None),
                }
            }
            CreateQuestion => {
                let ds = if fresh { self.fresh_draft().await } else { self.draft.clone() };
                (
                    "POST",
                    format!("/api/v1/datasets/{ds}/questions"),
                    Some(json!({"name": "q2", "title": "Q", "settings": {"type": "text"}})),
                )
            }
            UpdateQuestion | DeleteQuestion => {
                let id = if fresh {
                    app.add_question(&self.fresh_draft().await, "q", false, json!({"type": "text"})).await
                } else {
                    self.question.clone()
                };
                match op {
                    UpdateQuestion => ("PATCH", format!("/api/v1/questions/{id}"), Some(json!({"title": "Changed"}))),
                    _ => ("DELETE", format!("/api/v1/questions/{id}"), None),
                }
            }
            CreateMetadata => {
                let ds = if fresh { &self.scratch } else { &self.ds };
                (
                    "POST",
                    format!("/api/v1/datasets/{ds}/metadata-properties"),
                    Some(json!({"name": unique("m"), "title": "M", "settings": {"type": "float"}})),
                )
            }
            UpdateMetadata | DeleteMetadata => {
                let id = if fresh {
                    app.add_metadata(&self.scratch, &unique("m"), json!({"type": "float"}), true).await
                } else {
                    self.metadata.clone()
                };
                match op {
                    UpdateMetadata => {
                        ("PATCH", format!("/api/v1/metadata-properties/{id}"), Some(json!({"title": "Changed"})))
                    }
                    _ => ("DELETE", format!("/api/v1/metadata-properties/{id}"), None),
                }
            }
            CreateVectors => {
                let id = if fresh { self.fresh_draft().await } else { self.ds.clone() };
                (
                    "POST",
                    format!("/api/v1/datasets/{id}/vectors-settings"),
                    Some(json!({"name": "new", "title": "New", "dimensions": 4})),
                )
            }
            UpdateVectors | DeleteVectors => {
                let id = if fresh {
                    let ds = self.fresh_draft().await;
                    let path = format!("/api/v1/datasets/{ds}/vectors-settings");
                    let vs =
                        app.expect("POST", &path, Some(json!({"name": "v", "title": "V", "dimensions": 2})), 201).await;
                    vs["id"].as_str().unwrap().to_owned()
                } else {
                    self.vectors.clone()
                };
                match op {
                    UpdateVectors => {
                        ("PATCH", format!("/api/v1/vectors-settings/{id}"), Some(json!({"title": "Changed"})))
                    }
                    _ => ("DELETE", format!("/api/v1/vectors-settings/{id}"), None),
                }
            }
            ListRecords => ("GET", format!("/api/v1/datasets/{}/records", self.ds), None),
            BulkCreate | BulkUpsert | LegacyCreateRecords => {
                let ds = if fresh { &self.scratch } else { &self.ds };
                let body = Some(json!({"items": [{"fields": {"text": "new"}}]}));
                match op {
                    BulkCreate => ("POST", format!("/api/v1/datasets/{ds}/records/bulk"), body),
                    BulkUpsert => ("PUT", format!("/api/v1/datasets/{ds}/records/bulk"), body),
                    _ => ("POST", format!("/api/v1/datasets/{ds}/records"), body),
                }
            }
            LegacyUpdateRecords => {
                let (ds, record) = if fresh {
                    (self.scratch.clone(), self.fresh_record().await)
                } else {
                    (self.ds.clone(), self.record.clone())
                };
                (
                    "PATCH",
                    format!("/api/v1/datasets/{ds}/records"),
                    Some(json!({"items": [{"id": record, "metadata": {"x": 1}}]})),
                )
            }
            DeleteRecords => {
                let (ds, record) = if fresh {
                    (self.scratch.clone(), self.fresh_record().await)
                } else {
                    (self.ds.clone(), self.record.clone())
                };
                ("DELETE", format!("/api/v1/datasets/{ds}/records?ids={record}"), None)
            }
            GetRecord => ("GET", format!("/api/v1/records/{}", self.record), None),
            ListSuggestions => ("GET", format!("/api/v1/records/{}/suggestions", self.record), None),
            CreateResponse => {
                let record = if fresh { self.fresh_record().await } else { self.record.clone() };
                (
                    "POST",
                    format!("/api/v1/records/{record}/responses"),
                    Some(json!({"status": "submitted", "values": {"label": {"value": "a"}}})),
                )
            }
            UpdateRecord | DeleteRecord | UpsertSuggestion => {
                let record = if fresh { self.fresh_record().await } else { self.record.clone() };
                match op {
                    UpdateRecord => ("PATCH", format!("/api/v1/records/{record}"), Some(json!({"metadata": {"x": 1}}))),
                    DeleteRecord => ("DELETE", format!("/api/v1/records/{record}"), None),
                    _ => {
                        let label = if fresh { self.scratch_label.clone() } else { self.shared_label().await };
                        (
                            "PUT",
                            format!("/api/v1/records/{record}/suggestions"),
                            Some(json!({"question_id": label, "value": "b"})),
                        )
                    }
                }
            }
            DeleteSuggestions | DeleteSuggestion => {
                let (record, suggestion) = if fresh {
                    let items = app
                        .log(
                            &self.scratch,
                            vec![json!({"fields": {"text": "s"},
                              "suggestions": [{"question_id": self.scratch_label, "value": "a"}]})],
                        )
                        .await;
                    (
                        items[0]["id"].as_str().unwrap().to_owned(),
                        items[0]["suggestions"][0]["id"].as_str().unwrap().to_owned(),
                    )
                } else {
                    (self.record.clone(), self.suggestion.clone())
                };
                match op {
                    DeleteSuggestions => {
                        ("DELETE", format!("/api/v1/records/{record}/suggestions?ids={suggestion}"), None)
                    }
                    _ => ("DELETE", format!("/api/v1/suggestions/{suggestion}"), None),
                }
            }
            UpdateResponse | DeleteResponse => {
                let response = if fresh {
                    let record = self.fresh_record().await;
                    let author = self.user(AnnotatorMember);
                    let (_, res) = app
                        .post(
                            &author.key,
                            &format!("/api/v1/records/{record}/responses"),
                            json!({"status": "draft", "values": {"label": {"value": "a"}}}),
                        )
                        .await;
                    res["id"].as_str().unwrap().to_owned()
                } else {
                    self.response.clone()
                };
                match op {
                    UpdateResponse => (
                        "PUT",
                        format!("/api/v1/responses/{response}"),
                        Some(json!({"status": "submitted", "values": {"label": {"value": "a"}}})),
                    ),
                    _ => ("DELETE", format!("/api/v1/responses/{response}"), None),
                }
            }
            ListWebhooks => ("GET", "/api/v1/webhooks".into(), None),
            CreateWebhook => (
                "POST",
                "/api/v1/webhooks".into(),
                Some(json!({"url": "https://example.com/hook", "events": ["dataset.created"]})),
            ),
            UpdateWebhook | DeleteWebhook => {
                let id = if fresh { new_webhook(app).await } else { self.webhook.clone() };
                match op {
                    UpdateWebhook => ("PATCH", format!("/api/v1/webhooks/{id}"), Some(json!({"enabled": false}))),
                    _ => ("DELETE", format!("/api/v1/webhooks/{id}"), None),
                }
            }
            LegacyListUsers => ("GET", "/api/users".into(), None),
            LegacyCreateUser => (
                "POST",
                "/api/users".into(),
                Some(json!({"username": unique("u"), "first_name": "U", "password": password})),
            ),
            LegacyDeleteUser => {
                let id =
                    if fresh { app.create_user(&unique("u"), "annotator").await.id } else { self.outsider.id.clone() };
                ("DELETE", format!("/api/users/{id}"), None)
            }
            LegacyCreateWorkspace => ("POST", "/api/workspaces".into(), Some(json!({"name": unique("ws")}))),
            LegacyMembers => ("GET", format!("/api/workspaces/{a}/users"), None),
            LegacyAddMember => {
                let id =
                    if fresh { app.create_user(&unique("u"), "annotator").await.id } else { self.outsider.id.clone() };
                ("POST", format!("/api/workspaces/{a}/users/{id}"), None)
            }
            LegacyRemoveMember => {
                let user = if fresh {
                    app.member(&unique("u"), "annotator", &[a]).await
                } else {
                    self.user(AnnotatorMember).clone()
                };
                ("DELETE", format!("/api/workspaces/{a}/users/{}", user.id), None)
            }
        }
    }

    async fn shared_label(&self) -> String {
        self.app.read(&format!("/api/v1/datasets/{}/questions", self.ds)).await["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

async fn new_webhook(app: &TestApp) -> String {
    let body = json!({"url": "https://example.com/hook", "events": ["record.created"]});
    let res = app.expect("POST", "/api/v1/webhooks", Some(body), 201).await;
    res["id"].as_str().unwrap().to_owned()
}
