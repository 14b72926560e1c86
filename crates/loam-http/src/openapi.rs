//! The route table and the OpenAPI document generated from it.
//!
//! Every route is registered through [`Routes`], which both adds it to the axum router and records
//! its method, path, summary and success status; `GET /api/v1/openapi.json` renders that record.
//! Component schemas are derived from the wire shapes `dto.rs` actually renders (a sample entity
//! of each kind is rendered and its JSON described), so the document cannot drift from the code.

use axum::handler::Handler;
use axum::routing::{delete, get, patch, post, put, MethodRouter};
use axum::Router;
use serde_json::{json, Map, Value};

use crate::AppState;

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
        self.operations.push(Operation { method, path, summary, status, reply, public });
        self
    }

    verb!(get, "get", get);
    verb!(post, "post", post);
    verb!(put, "put", put);
    verb!(patch, "patch", patch);
    verb!(delete, "delete", delete);
}

/// Operations that need no credentials (api.md §0.2).
const PUBLIC: &[(&str, &str)] = &[
    ("get", "/api/v1/version"),
    ("get", "/api/v1/status"),
    ("get", "/api/v1/settings"),
    ("post", "/api/v1/token"),
    ("get", "/api/_info"),
    ("get", "/api/_status"),
    ("post", "/api/security/token"),
    ("get", "/api/v1/openapi.json"),
];

/// A JSON Schema describing `sample` (types of its keys, recursively; nulls stay untyped).
pub fn describe(sample: &Value) -> Value {
    match sample {
        Value::Null => json!({"nullable": true}),
        Value::Bool(_) => json!({"type": "boolean"}),
        Value::Number(n) if n.is_f64() => json!({"type": "number"}),
        Value::Number(_) => json!({"type": "integer"}),
        Value::String(_) => json!({"type": "string"}),
        Value::Array(items) => match items.first() {
            Some(first) => json!({"type": "array", "items": describe(first)}),
            None => json!({"type": "array"}),
        },
        Value::Object(map) => {
            let properties: Map<String, Value> = map.iter().map(|(k, v)| (k.clone(), describe(v))).collect();
            let required: Vec<&String> = map.keys().collect();
            json!({"type": "object", "properties": properties, "required": required})
        }
    }
}

/// The OpenAPI 3.1 document of `operations`, with `schemas` as components.
pub fn document(operations: &[Operation], schemas: Map<String, Value>, version: &str) -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for op in operations {
        let parameters: Vec<Value> = op
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|it| it.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}))
            .collect();
        let mut reply = json!({"description": "Success"});
        if let Some(schema) = op.reply {
            reply["content"] =
                json!({"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}});
        }
        let mut operation = json!({
            "summary": op.summary,
            "operationId": format!("{}_{}", op.method, op.path.trim_start_matches('/').replace(['/', '{', '}', '-', '.'], "_")),
            "parameters": parameters,
            "responses": {
                op.status.to_string(): reply,
                "401": {"description": "Missing or invalid credentials"},
                "403": {"description": "Not allowed for this user"},
                "404": {"description": "An entity named in the request does not exist"},
                "422": {"description": "The request is invalid; the body says why"},
            },
        });
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
