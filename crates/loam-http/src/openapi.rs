//! The route table and the OpenAPI document generated from it.
//!
//! Every route is registered through [`Routes`], which both adds it to the axum router and records
//! its [`Operation`]: method, path, summary, success status and reply schema, its request body and
//! query parameters, and every other status it can answer. `GET /api/v1/openapi.json` renders
//! that record, so the document cannot miss a route. Reply schemas are described from sample
//! entities that `dto.rs` renders (`samples.rs`, several per shape, merged so keys that may be
//! null, absent or of several types say so); request bodies are declared in `openapi/bodies.rs`;
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

// ---- schema building -----------------------------------------------------------------------

/// Small constructors of JSON Schema values (OpenAPI 3.1 is JSON Schema 2020-12).
pub mod schema {
    use serde_json::{json, Map, Value};

    pub fn any() -> Value {
        json!({})
    }
    pub fn string() -> Value {
        json!({"type": "string"})
    }
    /// A string of `min..=max` characters.
    pub fn text(min: usize, max: usize) -> Value {
        json!({"type": "string", "minLength": min, "maxLength": max})
    }
    pub fn uuid() -> Value {
        json!({"type": "string", "format": "uuid"})
    }
    pub fn integer() -> Value {
        json!({"type": "integer"})
    }
    pub fn number() -> Value {
        json!({"type": "number"})
    }
    pub fn boolean() -> Value {
        json!({"type": "boolean"})
    }
    pub fn one_of_text(values: &[&str]) -> Value {
        json!({"type": "string", "enum": values})
    }
    pub fn array(items: Value) -> Value {
        json!({"type": "array", "items": items})
    }
    /// An array of `min..=max` items.
    pub fn array_of(items: Value, min: usize, max: usize) -> Value {
        json!({"type": "array", "items": items, "minItems": min, "maxItems": max})
    }
    /// An object whose keys are data (field names, question names…), each value `values`.
    pub fn map(values: Value) -> Value {
        json!({"type": "object", "additionalProperties": values})
    }
    /// `schema` or null.
    pub fn nullable(schema: Value) -> Value {
        match schema.get("type") {
            Some(Value::String(kind)) => {
                let mut res = schema.clone();
                res["type"] = json!([kind, "null"]);
                res
            }
            Some(Value::Array(kinds)) if !kinds.contains(&json!("null")) => {
                let mut res = schema.clone();
                let mut kinds = kinds.clone();
                kinds.push(json!("null"));
                res["type"] = Value::Array(kinds);
                res
            }
            Some(_) => schema,
            None if schema.as_object().is_some_and(Map::is_empty) => schema,
            None => json!({"anyOf": [schema, {"type": "null"}]}),
        }
    }
    /// Any of `schemas`.
    pub fn any_of(schemas: Vec<Value>) -> Value {
        json!({"anyOf": schemas})
    }
    /// An object with these keys (`required` among them); other keys are allowed (and ignored
    /// by the server).
    pub fn object(properties: &[(&str, Value)], required: &[&str]) -> Value {
        let props: Map<String, Value> = properties.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
        json!({"type": "object", "properties": props, "required": required})
    }
}

/// A JSON Schema describing `sample` (types of its keys, recursively; every key required).
pub fn describe(sample: &Value) -> Value {
    match sample {
        Value::Null => json!({"type": "null"}),
        Value::Bool(_) => json!({"type": "boolean"}),
        Value::Number(n) if n.is_f64() => json!({"type": "number"}),
        Value::Number(_) => json!({"type": "integer"}),
        Value::String(_) => json!({"type": "string"}),
        Value::Array(items) => match items.split_first() {
            Some((first, rest)) => {
                let items = rest.iter().fold(describe(first), |acc, it| merge(&acc, &describe(it)));
                json!({"type": "array", "items": items})
            }
            None => json!({"type": "array"}),
        },
        Value::Object(map) => {
            let properties: Map<String, Value> = map.iter().map(|(k, v)| (k.clone(), describe(v))).collect();
            let required: Vec<&String> = map.keys().collect();
            json!({"type": "object", "properties": properties, "required": required})
        }
    }
}

/// A JSON Schema describing every one of `samples`: an object's key is required only if every
/// sample has it, a key null in one sample is nullable, differing types are listed.
pub fn describe_all(samples: &[Value]) -> Value {
    let mut it = samples.iter();
    let Some(first) = it.next() else {
        return schema::any();
    };
    it.fold(describe(first), |acc, sample| merge(&acc, &describe(sample)))
}

fn types_of(schema: &Value) -> Vec<String> {
    match schema.get("type") {
        Some(Value::String(kind)) => vec![kind.clone()],
        Some(Value::Array(kinds)) => kinds.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// The union of two described schemas (both from [`describe`] or this function).
fn merge(a: &Value, b: &Value) -> Value {
    if a.as_object().is_some_and(Map::is_empty) || b.as_object().is_some_and(Map::is_empty) {
        return schema::any();
    }
    let mut kinds: Vec<String> = types_of(a);
    for kind in types_of(b) {
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    // JSON Schema's "number" includes integers.
    if kinds.iter().any(|k| k == "number") {
        kinds.retain(|k| k != "integer");
    }
    let mut res = Map::new();
    res.insert(
        "type".into(),
        if kinds.len() == 1 { json!(kinds[0]) } else { Value::Array(kinds.iter().map(|k| json!(k)).collect()) },
    );
    if kinds.iter().any(|k| k == "object") {
        let empty = Map::new();
        let props_a = a.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        let props_b = b.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        let mut props = props_a.clone();
        for (key, schema) in props_b {
            let merged = match props_a.get(key) {
                Some(other) => merge(other, schema),
                None => schema.clone(),
            };
            props.insert(key.clone(), merged);
        }
        let required_in = |schema: &Value, key: &str| {
            // A side that is not an object (null, say) puts no key requirement.
            !types_of(schema).contains(&"object".to_owned())
                || schema.get("required").and_then(Value::as_array).is_some_and(|r| r.contains(&json!(key)))
        };
        let required: Vec<&String> = props.keys().filter(|k| required_in(a, k) && required_in(b, k)).collect();
        res.insert("required".into(), json!(required));
        res.insert("properties".into(), Value::Object(props));
    }
    if kinds.iter().any(|k| k == "array") {
        let items = match (a.get("items"), b.get("items")) {
            (Some(x), Some(y)) => Some(merge(x, y)),
            (Some(x), None) | (None, Some(x)) => Some(x.clone()),
            (None, None) => None,
        };
        if let Some(items) = items {
            res.insert("items".into(), items);
        }
    }
    Value::Object(res)
}

/// Replaces the schema at `path` inside `schema`: each step is a property name, or `[]` for the
/// items of an array. For keys whose names come from data (a record's `fields`) or whose values
/// take any shape (a suggestion's `value`), where samples cannot speak for every case.
pub fn set_at(schema: &mut Value, path: &[&str], replacement: Value) {
    let mut at = schema;
    for step in path {
        at = if *step == "[]" { &mut at["items"] } else { &mut at["properties"][*step] };
    }
    *at = replacement;
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
    for (name, schema) in bodies::schemas() {
        schemas.insert(name.to_owned(), schema);
    }
    let mut paths: Map<String, Value> = Map::new();
    for op in operations {
        let mut parameters: Vec<Value> = op
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|it| it.strip_suffix('}')))
            .map(|name| {
                // Provider names are names, every other path parameter an entity's UUID.
                let schema = if name == "provider" { schema::string() } else { schema::uuid() };
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
            if let Some(schema) = reply {
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
            };
            operation["requestBody"] = json!({
                "required": kind != BodyKind::OptionalJson,
                "content": {media: {"schema": component(schema)}},
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

// ---- checking replies against the document ---------------------------------------------------

/// Checks a reply against `doc`: the status must be declared for the operation `method` `path`
/// (a concrete path, matched against the templates) and a JSON body must match its schema.
/// `Ok(false)` when no operation matches (an unknown route: the JSON 404 is not an operation's).
/// The validator covers the subset of JSON Schema the document uses.
pub fn check_reply(doc: &Value, method: &str, path: &str, status: u16, body: Option<&Value>) -> Result<bool, String> {
    let method = method.to_ascii_lowercase();
    let Some(paths) = doc["paths"].as_object() else { return Err("the document has no paths".into()) };
    let Some(op) = paths.iter().find(|(template, item)| item.get(&method).is_some() && path_matches(template, path))
    else {
        return Ok(false);
    };
    let (template, item) = op;
    let responses = &item[&method]["responses"];
    let Some(reply) = responses.get(status.to_string()) else {
        return Err(format!("{method} {template}: status {status} is not declared (body: {body:?})"));
    };
    let schema = &reply["content"]["application/json"]["schema"];
    match (body, schema.is_null()) {
        (Some(body), false) => {
            let mut errors = Vec::new();
            validate(doc, schema, body, "$", &mut errors);
            if errors.is_empty() {
                Ok(true)
            } else {
                Err(format!("{method} {template} {status}: the reply does not match its schema: {}", errors.join("; ")))
            }
        }
        (Some(body), true) => Err(format!("{method} {template} {status}: a body is sent but none declared: {body}")),
        (None, _) => Ok(true),
    }
}

fn path_matches(template: &str, path: &str) -> bool {
    let a: Vec<&str> = template.split('/').collect();
    let b: Vec<&str> = path.split('/').collect();
    a.len() == b.len() && a.iter().zip(&b).all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
}

fn type_ok(kind: &str, value: &Value) -> bool {
    match kind {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => false,
    }
}

pub(crate) fn validate(doc: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/components/schemas/");
        return validate(doc, &doc["components"]["schemas"][name], value, at, errors);
    }
    if let Some(options) = schema.get("anyOf").and_then(Value::as_array) {
        let fits = options.iter().any(|option| {
            let mut inner = Vec::new();
            validate(doc, option, value, at, &mut inner);
            inner.is_empty()
        });
        if !fits {
            errors.push(format!("{at}: matches none of anyOf: {value}"));
        }
        return;
    }
    let kinds = types_of(schema);
    if !kinds.is_empty() && !kinds.iter().any(|k| type_ok(k, value)) {
        errors.push(format!("{at}: {value} is not of type {}", kinds.join(" or ")));
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            errors.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    if let Some(expected) = schema.get("const") {
        if expected != value {
            errors.push(format!("{at}: {value} is not {expected}"));
        }
    }
    if let Value::Object(map) = value {
        for key in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            if let Some(key) = key.as_str() {
                if !map.contains_key(key) {
                    errors.push(format!("{at}: required key `{key}` is missing"));
                }
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (key, item) in map {
            match props.and_then(|p| p.get(key)) {
                Some(sub) => validate(doc, sub, item, &format!("{at}.{key}"), errors),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => errors.push(format!("{at}: key `{key}` is not allowed")),
                    Some(sub) if sub.is_object() => validate(doc, sub, item, &format!("{at}.{key}"), errors),
                    _ => {}
                },
            }
        }
    }
    if let (Value::Array(items), Some(sub)) = (value, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            validate(doc, sub, item, &format!("{at}[{i}]"), errors);
        }
    }
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
                // legacy member) declares its body, and with it 413.
                if op.get("requestBody").is_some() {
                    assert!(responses.contains_key("413"), "{method} {path} takes a body but does not declare 413");
                    assert!(responses.contains_key("422"), "{method} {path}");
                } else if bodied {
                    let bodiless = ["/publish", "/ping", "/api-key", "/api/workspaces/{workspace_id}/users/{user_id}"];
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
