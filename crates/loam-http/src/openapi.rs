//! The route table and the OpenAPI document generated from it.
//!
//! Every route is registered through [`Routes`], which both adds it to the axum router and records
//! its [`Operation`]: method, path, summary, success status and reply schema, its request body and
//! query parameters, and every other status it can answer. `GET /api/v1/openapi.json` renders
//! that record, so the document cannot miss a route. Reply schemas are described from sample
//! entities that `loam_service::wire` renders (`samples.rs`, several per shape, merged so keys that
//! may be null, absent or of several types say so); request bodies are declared in `openapi/bodies.rs`;
//! the error body's schema comes from `error.rs`, the one place error bodies are made.
//!
//! A registration reads:
//!
//! ```ignore
//! r.post("/api/v1/workspaces", "Create a workspace (owners)", 201, Some("Workspace"), create)
//!     .json_body("NewWorkspace")
//!     .errors(&[409])
//! ```
//!
//! where the modifiers (`json_body`, `form_body`, `optional_json_body`, `query`, `errors`,
//! `also`) apply to the operation registered last. Most error statuses come from shared sets,
//! added when the document is rendered, so a route declares only what is its own:
//! - [`AUTHENTICATED`] (401, 403, 503) on every route that needs credentials: the credentials may
//!   be missing or wrong, a policy check may refuse the caller, and checking a key reads the
//!   database, which may be unavailable;
//! - [`PATH_IDS`] (404, 422) on every route with a path parameter: ids are UUIDs naming an
//!   entity;
//! - [`WITH_BODY`] (408, 413, 422) on every route with a request body: read too slowly (the body
//!   timeout of `serve.rs`), too large, or not valid (NUL characters included);
//! - [`WITH_QUERY`] (422) on every route with query parameters;
//! - `errors(&[...])` for the rest: 409 on uniqueness rules, 429 / 503 on throttled routes (a 429
//!   always declares its `Retry-After` header), 502 when a remote party failed.
//!
//! Add a status to a set by editing the set here.

mod bodies;
mod check;
mod describe;

pub use check::check_reply;
#[cfg(test)]
pub(crate) use check::validate;
pub use describe::{describe_all, schema, set_at};

use std::collections::BTreeSet;

use axum::handler::Handler;
use axum::routing::{delete, get, patch, post, put, MethodRouter};
use axum::Router;
use serde_json::{json, Map, Value};

use crate::AppState;

/// Statuses of every route that needs credentials.
pub const AUTHENTICATED: &[u16] = &[401, 403, 503];
/// Statuses of every route with a path parameter (an entity's UUID).
pub const PATH_IDS: &[u16] = &[404, 422];
/// Statuses of every route with a request body.
pub const WITH_BODY: &[u16] = &[408, 413, 422];
/// Statuses of every route with query parameters.
pub const WITH_QUERY: &[u16] = &[422];

/// How a request body is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// `application/json`, required.
    Json,
    /// `application/json`, may be empty.
    OptionalJson,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// A file as it is (`application/octet-stream`; an import's upload).
    File,
}

/// A query parameter's type.
#[derive(Clone, Copy, Debug)]
pub enum QueryType {
    /// An integer within `min..=max`.
    Int(i64, Option<i64>),
    Uuid,
    Text,
    OneOf(&'static [&'static str]),
    /// Comma-separated UUIDs.
    UuidList,
    /// A number within `min..=max`.
    Number(f64, f64),
}

/// One query parameter; `repeated` ones may be given several times.
#[derive(Clone, Copy, Debug)]
pub struct QueryParam {
    pub name: &'static str,
    pub kind: QueryType,
    pub repeated: bool,
    pub required: bool,
}

const fn q(name: &'static str, kind: QueryType) -> QueryParam {
    QueryParam { name, kind, repeated: false, required: false }
}

/// `offset` and `limit` of record listings.
pub const PAGE: &[QueryParam] = &[q("offset", QueryType::Int(0, None)), q("limit", QueryType::Int(1, Some(1000)))];
/// `include` of record reads (repeatable: `responses,suggestions`, `vectors:name1,name2`).
pub const INCLUDE: QueryParam = QueryParam { name: "include", kind: QueryType::Text, repeated: true, required: false };
/// The legacy SDK's listing filters (api.md §10).
pub const LEGACY_FILTERS: &[QueryParam] = &[
    QueryParam { name: "response_status", kind: QueryType::Text, repeated: true, required: false },
    QueryParam { name: "metadata", kind: QueryType::Text, repeated: true, required: false },
    QueryParam { name: "sort_by", kind: QueryType::Text, repeated: true, required: false },
];
/// `ids=a,b,c` of bulk deletes.
pub const IDS: QueryParam = QueryParam { name: "ids", kind: QueryType::UuidList, repeated: false, required: true };
/// `name`, `workspace_id` and `status` filters of the caller's datasets.
pub const DATASET_FILTERS: &[QueryParam] = &[
    q("workspace_id", QueryType::Uuid),
    q("name", QueryType::Text),
    q("status", QueryType::OneOf(&["draft", "ready"])),
];

/// The reply "schema" of routes that stream a file rather than JSON (exports): the document
/// lists [`FILE_MEDIA`] as its content, each a binary string.
pub const FILE_REPLY: &str = "File";
/// The media types a file reply may have.
pub const FILE_MEDIA: &[&str] =
    &["application/x-ndjson", "text/csv; charset=utf-8", "application/vnd.apache.parquet", "application/x-tar"];

/// One documented operation.
#[derive(Clone, Debug)]
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub status: u16,
    /// Name of the component schema of the reply, if any.
    pub reply: Option<&'static str>,
    pub public: bool,
    /// The request body: how it is sent and the name of its schema in `bodies.rs`.
    pub body: Option<(BodyKind, &'static str)>,
    pub query: Vec<QueryParam>,
    /// Other success statuses and their reply schemas (an upsert's 200 beside its 201, a 304).
    pub also: Vec<(u16, Option<&'static str>)>,
    /// Error statuses of this route beyond the shared sets.
    pub errors: Vec<u16>,
}

impl Operation {
    /// Every error status this operation can answer: its own and those of the shared sets.
    pub fn error_statuses(&self) -> BTreeSet<u16> {
        let mut all: BTreeSet<u16> = self.errors.iter().copied().collect();
        if !self.public {
            all.extend(AUTHENTICATED);
        }
        if self.path.contains('{') {
            all.extend(PATH_IDS);
        }
        if self.body.is_some() {
            all.extend(WITH_BODY);
        }
        if !self.query.is_empty() {
            all.extend(WITH_QUERY);
        }
        all
    }
}

/// The router being built, and the record of its operations.
pub struct Routes {
    pub router: Router<AppState>,
    pub operations: Vec<Operation>,
}

macro_rules! verb {
    ($name:ident, $method:literal, $make:ident) => {
        pub fn $name<H, T>(
            self,
            path: &'static str,
            summary: &'static str,
            status: u16,
            reply: Option<&'static str>,
            handler: H,
        ) -> Self
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            self.add($method, path, summary, status, reply, $make(handler))
        }
    };
}

impl Routes {
    pub fn new() -> Self {
        Self { router: Router::new(), operations: Vec::new() }
    }

    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        summary: &'static str,
        status: u16,
        reply: Option<&'static str>,
        route: MethodRouter<AppState>,
    ) -> Self {
        self.router = self.router.route(path, route);
        let public = PUBLIC.iter().any(|(m, p)| *m == method && *p == path);
        self.operations.push(Operation {
            method,
            path,
            summary,
            status,
            reply,
            public,
            body: None,
            query: Vec::new(),
            also: Vec::new(),
            errors: Vec::new(),
        });
        self
    }

    verb!(get, "get", get);
    verb!(post, "post", post);
    verb!(put, "put", put);
    verb!(patch, "patch", patch);
    verb!(delete, "delete", delete);

    fn last(&mut self) -> &mut Operation {
        // Modifiers follow a registration by construction (`r.post(...).json_body(...)`).
        self.operations.last_mut().expect("a modifier follows a route registration")
    }

    /// The last route takes a JSON body described by `schema` (a name in `bodies.rs`).
    pub fn json_body(mut self, schema: &'static str) -> Self {
        self.last().body = Some((BodyKind::Json, schema));
        self
    }

    /// The last route takes a JSON body that may also be left empty.
    pub fn optional_json_body(mut self, schema: &'static str) -> Self {
        self.last().body = Some((BodyKind::OptionalJson, schema));
        self
    }

    /// The last route takes a form body (`application/x-www-form-urlencoded`).
    pub fn form_body(mut self, schema: &'static str) -> Self {
        self.last().body = Some((BodyKind::Form, schema));
        self
    }

    /// The last route takes a file as its body (its schema: a binary string).
    pub fn file_body(mut self) -> Self {
        self.last().body = Some((BodyKind::File, FILE_REPLY));
        self
    }

    /// The last route reads these query parameters.
    pub fn query(mut self, params: &[QueryParam]) -> Self {
        self.last().query.extend_from_slice(params);
        self
    }

    /// The last route can also answer these error statuses (beyond the shared sets).
    pub fn errors(mut self, statuses: &[u16]) -> Self {
        self.last().errors.extend_from_slice(statuses);
        self
    }

    /// The last route can also succeed with `status` (and this reply schema).
    pub fn also(mut self, status: u16, reply: Option<&'static str>) -> Self {
        self.last().also.push((status, reply));
        self
    }
}

/// Operations that need no credentials (api.md §0.2).
const PUBLIC: &[(&str, &str)] = &[
    ("get", "/api/v1/version"),
    ("get", "/api/v1/status"),
    ("get", "/api/v1/settings"),
    ("post", "/api/v1/token"),
    ("get", "/api/v1/oauth2/providers"),
    ("get", "/api/v1/oauth2/providers/{provider}/authentication"),
    ("get", "/api/v1/oauth2/providers/{provider}/access-token"),
    ("get", "/api/_info"),
    ("get", "/api/_status"),
    ("post", "/api/security/token"),
    ("get", "/api/v1/openapi.json"),
];

/// What each error status means, for the document.
fn error_description(status: u16) -> &'static str {
    match status {
        400 => "The request cannot be handled as sent",
        401 => "Missing or invalid credentials",
        403 => "Not allowed for this user",
        404 => "An entity named in the request does not exist",
        408 => "The request was not received in time",
        409 => "A uniqueness rule or the entity's state forbids it",
        413 => "The request body is larger than the server accepts",
        422 => "The request is invalid; the body says why",
        429 => "Too many attempts; retry after the number of seconds in Retry-After",
        501 => "Not supported by this storage backend",
        502 => "A remote party loam called on the caller's behalf failed",
        503 => "The database (or the server) is unavailable for now; nothing was changed",
        _ => "An error; the body says why",
    }
}

// ---- the document ------------------------------------------------------------------------

fn query_schema(kind: QueryType) -> Value {
    match kind {
        QueryType::Int(min, max) => {
            let mut s = json!({"type": "integer", "minimum": min});
            if let Some(max) = max {
                s["maximum"] = json!(max);
            }
            s
        }
        QueryType::Uuid => schema::uuid(),
        QueryType::Text => schema::string(),
        QueryType::OneOf(values) => schema::one_of_text(values),
        QueryType::UuidList => json!({"type": "string", "description": "Comma-separated UUIDs"}),
        QueryType::Number(min, max) => json!({"type": "number", "minimum": min, "maximum": max}),
    }
}

fn json_content(schema_ref: Value) -> Value {
    json!({"application/json": {"schema": schema_ref}})
}

fn component(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// The OpenAPI 3.1 document of `operations`, with `schemas` (replies), the request bodies of
/// `bodies.rs` and the error body as components.
pub fn document(operations: &[Operation], mut schemas: Map<String, Value>, version: &str) -> Value {
    schemas.insert("Error".into(), crate::error::error_schema());
    for (name, schema) in
        bodies::schemas().into_iter().chain(crate::routes::review::bodies()).chain(crate::routes::pairwise::bodies())
    {
        schemas.insert(name.to_owned(), schema);
    }
    let mut paths: Map<String, Value> = Map::new();
    for op in operations {
        let mut parameters: Vec<Value> = op
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|it| it.strip_suffix('}')))
            .map(|name| {
                // Provider names and question names are names, every other path parameter an
                // entity's UUID.
                let schema =
                    if name == "provider" || name == "question_name" { schema::string() } else { schema::uuid() };
                json!({"name": name, "in": "path", "required": true, "schema": schema})
            })
            .collect();
        for param in &op.query {
            let mut schema = query_schema(param.kind);
            if param.repeated {
                schema = schema::array(schema);
            }
            let mut it = json!({"name": param.name, "in": "query", "required": param.required, "schema": schema});
            if param.repeated {
                it["style"] = json!("form");
                it["explode"] = json!(true);
            }
            parameters.push(it);
        }
        let mut responses = Map::new();
        for (status, reply) in std::iter::once((op.status, op.reply)).chain(op.also.iter().copied()) {
            let mut it =
                json!({"description": if status == 304 { "Not modified since the ETag sent" } else { "Success" }});
            if reply == Some(FILE_REPLY) {
                let binary = json!({"schema": {"type": "string", "format": "binary"}});
                it["content"] = FILE_MEDIA.iter().map(|media| ((*media).to_owned(), binary.clone())).collect();
            } else if let Some(schema) = reply {
                it["content"] = json_content(component(schema));
            }
            responses.insert(status.to_string(), it);
        }
        for status in op.error_statuses() {
            let mut it = json!({"description": error_description(status), "content": json_content(component("Error"))});
            if status == 429 {
                it["headers"] = json!({"Retry-After": {
                    "description": "Seconds to wait before trying again",
                    "required": true,
                    "schema": {"type": "string"},
                }});
            }
            responses.insert(status.to_string(), it);
        }
        let mut operation = json!({
            "summary": op.summary,
            "operationId": format!("{}_{}", op.method, op.path.trim_start_matches('/').replace(['/', '{', '}', '-', '.'], "_")),
            "parameters": parameters,
            "responses": responses,
        });
        if let Some((kind, schema)) = op.body {
            let media = match kind {
                BodyKind::Json | BodyKind::OptionalJson => "application/json",
                BodyKind::Form => "application/x-www-form-urlencoded",
                BodyKind::File => "application/octet-stream",
            };
            let body_schema = match kind {
                BodyKind::File => json!({"type": "string", "format": "binary"}),
                _ => component(schema),
            };
            operation["requestBody"] = json!({
                "required": kind != BodyKind::OptionalJson,
                "content": {media: {"schema": body_schema}},
            });
        }
        if op.public {
            operation["security"] = json!([]);
        }
        let entry = paths.entry(op.path.to_owned()).or_insert_with(|| json!({}));
        entry[op.method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "loam", "version": version, "description": "Argilla-compatible human feedback server."},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-Argilla-Api-Key"},
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            },
        },
        "security": [{"apiKey": []}, {"bearer": []}],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_samples_make_keys_nullable_optional_and_unions() {
        let schema = describe_all(&[
            json!({"id": "a", "last_name": "x", "score": 1, "tags": ["a"], "extra": {"k": 1}}),
            json!({"id": "b", "last_name": null, "score": 0.5, "tags": [1]}),
        ]);
        let doc = json!({"components": {"schemas": {"It": schema}}});
        let it = json!({"$ref": "#/components/schemas/It"});
        let check = |value: Value| {
            let mut errors = Vec::new();
            validate(&doc, &it, &value, "$", &mut errors);
            errors
        };
        assert!(check(json!({"id": "c", "last_name": null, "score": 2, "tags": ["z", 3]})).is_empty());
        assert!(check(json!({"id": "c", "last_name": "y", "score": 2.5, "tags": [], "extra": {"k": 2}})).is_empty());
        assert!(!check(json!({"last_name": "y", "score": 2, "tags": []})).is_empty(), "id is required");
        assert!(!check(json!({"id": 1, "last_name": "y", "score": 2, "tags": []})).is_empty(), "id is a string");
        assert!(!check(json!({"id": "c", "last_name": "y", "score": 2, "tags": [true]})).is_empty());
        assert!(!check(json!({"id": "c", "last_name": "y", "score": "2", "tags": []})).is_empty());
    }

    #[test]
    fn replies_are_checked_against_their_operation() {
        let doc = crate::openapi_json();
        let ws = json!({"id": "a", "name": "n", "inserted_at": "t", "updated_at": "t"});
        let path = "/api/v1/workspaces/01a24a50-2c7e-72ac-b286-7a43532701d0";
        assert_eq!(check_reply(&doc, "GET", path, 200, Some(&ws)), Ok(true));
        assert_eq!(check_reply(&doc, "GET", path, 404, Some(&json!({"detail": "Not found"}))), Ok(true));
        assert!(check_reply(&doc, "GET", path, 409, Some(&json!({"detail": "x"}))).is_err(), "409 is not declared");
        assert!(check_reply(&doc, "GET", path, 200, Some(&json!({"id": "a"}))).is_err(), "keys are missing");
        assert!(check_reply(&doc, "GET", path, 404, Some(&json!({"detail": 1}))).is_err(), "not an error body");
        assert_eq!(check_reply(&doc, "GET", "/api/v1/nothing/here", 404, None), Ok(false));
    }

    #[test]
    fn shared_status_sets_are_added_by_what_a_route_has() {
        let op = |path: &'static str, public: bool, body: bool, query: bool| Operation {
            method: "post",
            path,
            summary: "",
            status: 200,
            reply: None,
            public,
            body: body.then_some((BodyKind::Json, "X")),
            query: if query { PAGE.to_vec() } else { Vec::new() },
            also: Vec::new(),
            errors: vec![409],
        };
        let statuses = |op: Operation| op.error_statuses().into_iter().collect::<Vec<_>>();
        assert_eq!(statuses(op("/a", true, false, false)), [409]);
        assert_eq!(statuses(op("/a", false, false, false)), [401, 403, 409, 503]);
        assert_eq!(statuses(op("/a/{id}", false, false, false)), [401, 403, 404, 409, 422, 503]);
        assert_eq!(statuses(op("/a", true, true, false)), [408, 409, 413, 422]);
        assert_eq!(statuses(op("/a", true, false, true)), [409, 422]);
    }

    #[test]
    fn every_route_declares_its_bodies_and_statuses_with_known_schemas() {
        let doc = crate::openapi_json();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let mut refs = Vec::new();
        fn collect(value: &Value, refs: &mut Vec<String>) {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(r)) = map.get("$ref") {
                        refs.push(r.trim_start_matches("#/components/schemas/").to_owned());
                    }
                    map.values().for_each(|v| collect(v, refs));
                }
                Value::Array(items) => items.iter().for_each(|v| collect(v, refs)),
                _ => {}
            }
        }
        collect(&doc, &mut refs);
        for name in refs {
            assert!(schemas.contains_key(&name), "a $ref names the unknown schema {name}");
        }
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let responses = op["responses"].as_object().unwrap();
                let bodied = method == "post" || method == "put" || method == "patch";
                // Every write but the few that take nothing (publish, ping, rotate a key, add a
                // legacy member, mark a reviewer) declares its body, and with it 413.
                if op.get("requestBody").is_some() {
                    assert!(responses.contains_key("413"), "{method} {path} takes a body but does not declare 413");
                    assert!(responses.contains_key("422"), "{method} {path}");
                } else if bodied {
                    let bodiless = [
                        "/publish",
                        "/ping",
                        "/api-key",
                        "/api/workspaces/{workspace_id}/users/{user_id}",
                        "/reviewers/{user_id}",
                        "/lease",
                    ];
                    assert!(bodiless.iter().any(|it| path.ends_with(it)), "{method} {path} declares no request body");
                }
                if op.get("security") != Some(&json!([])) {
                    assert!(responses.contains_key("401"), "{method} {path}");
                }
                if path.contains('{') {
                    assert!(responses.contains_key("404") && responses.contains_key("422"), "{method} {path}");
                }
            }
        }
        assert!(doc["paths"]["/api/v1/oauth2/providers"]["get"]["security"] == json!([]));
    }
}
