//! The one helper that touches the HTTP boundary: a [`TestApp`] over a fresh scratch database
//! (SQLite, or PostgreSQL when `LOAM_TEST_POSTGRES` is set; see `loam_store::testing`), called through `tower::ServiceExt::oneshot` (no sockets), plus builders for the
//! users, workspaces, datasets and records the cases need.

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use axum::Router;
use http_body_util::BodyExt;
use loam_http::{AppState, HttpConfig};
use loam_service::{Service, ServiceConfig, StoreConfig};
use loam_store::testing::ScratchDb;
use serde_json::{json, Value};
use tower::ServiceExt;

/// A status and the JSON body (`Value::Null` when the body is empty).
pub type Reply = (u16, Value);

fn router_over(service: &Arc<Service>) -> Router {
    loam_http::router(AppState {
        service: Arc::clone(service),
        http: Arc::new(HttpConfig::default()),
        limits: Default::default(),
    })
}

/// The OpenAPI document, rendered once for the checks of [`send_to`].
fn openapi() -> &'static Value {
    static DOC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    DOC.get_or_init(loam_http::openapi_json)
}

/// Sends a prepared request to `router`. Every reply to a routed `/api` operation is checked
/// against the OpenAPI document (its status declared, its JSON body matching the schema), so
/// every test is also a test of the document.
pub async fn send_to(router: &Router, req: Request<Body>) -> Reply {
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status().as_u16();
    let json = res
        .headers()
        .get("content-type")
        .and_then(|it| it.to_str().ok())
        .is_some_and(|it| it.starts_with("application/json"));
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    // 405 and the legacy task API's 404 come from the router's fallbacks, not an operation.
    let fallback = status == 405 || path.starts_with("/api/datasets/");
    if path.starts_with("/api") && !fallback {
        let sent = (!bytes.is_empty()).then_some(&body);
        assert!(json || sent.is_none(), "{method} {path} {status}: a body that is not JSON");
        if let Err(why) = loam_http::check_reply(openapi(), &method, &path, status, sent) {
            panic!("the OpenAPI document does not describe this reply (declare it where the route is registered, routes/*.rs): {why}");
        }
    }
    (status, body)
}

/// A JSON request (no body when `body` is `None`) as the holder of `key`.
pub fn request(method: &str, path: &str, key: &str, body: Option<Value>) -> Request<Body> {
    let mut req = Request::builder().method(method).uri(path).header("x-argilla-api-key", key);
    let body = match body {
        Some(value) => {
            req = req.header("content-type", "application/json");
            Body::from(value.to_string())
        }
        None => Body::empty(),
    };
    req.body(body).unwrap()
}

pub struct TestApp {
    pub router: Router,
    pub owner: TestUser,
    pub service: Arc<Service>,
    /// Dropped last: the database outlives the service's pool.
    pub _db: ScratchDb,
}

#[derive(Clone, Debug)]
pub struct TestUser {
    pub id: String,
    pub username: String,
    pub key: String,
    pub password: String,
}

pub const PASSWORD: &str = "s3cret-pass-word";

/// A key nobody has.
pub const BAD_KEY: &str = "loam_this-key-is-not-known-to-the-server";

pub fn unauthorized() -> Value {
    json!({"detail": {"code": "argilla.api.errors::UnauthorizedError",
                      "params": {"detail": "Could not validate credentials"}}})
}

pub fn forbidden() -> Value {
    json!({"detail": {"code": "argilla.api.errors::ForbiddenOperationError",
                      "params": {"detail": "Operation not allowed"}}})
}

/// `{"detail": msg}`.
pub fn detail(msg: impl Into<String>) -> Value {
    json!({"detail": msg.into()})
}

/// The `code` of a coded error body.
pub fn code(body: &Value) -> &str {
    body["detail"]["code"].as_str().unwrap_or("<no code>")
}

/// The `loc` lists of a coded validation error body.
pub fn locs(body: &Value) -> Vec<Value> {
    body["detail"]["params"]["errors"]
        .as_array()
        .map(|errors| errors.iter().map(|it| it["loc"].clone()).collect())
        .unwrap_or_default()
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A unique name with a readable prefix.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", &new_id()[..8])
}

/// The token secret of every test service: replicas of one database share it, as they must.
pub const TOKEN_SECRET: &str = "a-token-secret-for-the-tests-only-0123456789";

/// A service on the database at `url` (another replica, when one already serves it).
pub async fn open_service(url: &str, max_connections: u32) -> Service {
    open_service_with(url, max_connections, loam_service::DEFAULT_VECTOR_CACHE_BYTES).await
}

/// [`open_service`] holding at most `vector_cache_bytes` of vectors in memory (0: similarity
/// search always scans the database).
pub async fn open_service_with(url: &str, max_connections: u32, vector_cache_bytes: usize) -> Service {
    open_service_ann(url, max_connections, vector_cache_bytes, 0).await
}

/// [`open_service_with`], building an approximate similarity index for vector settings of at
/// least `ann_min_vectors` vectors (0: never).
pub async fn open_service_ann(
    url: &str,
    max_connections: u32,
    vector_cache_bytes: usize,
    ann_min_vectors: usize,
) -> Service {
    Service::open(
        &StoreConfig { url: url.to_owned(), max_connections },
        ServiceConfig {
            token_secret: TOKEN_SECRET.as_bytes().to_vec(),
            token_ttl_secs: 86400,
            limits: Default::default(),
            vector_cache_bytes,
            ann_min_vectors,
            sign_in: Default::default(),
            lease_term: Default::default(),
        },
    )
    .await
    .unwrap()
}

impl TestApp {
    pub async fn new() -> Self {
        Self::on(ScratchDb::new().await, None).await
    }

    /// An app on `db`. With `owner`, the database already holds that owner (a copy); without,
    /// a new owner is created.
    pub async fn on(db: ScratchDb, owner: Option<TestUser>) -> Self {
        let service = open_service(&db.url, 8).await;
        let owner = match owner {
            Some(owner) => owner,
            None => {
                let key = loam_service::generate_api_key();
                let user = service.bootstrap_owner("owner", PASSWORD, &key).await.unwrap().unwrap();
                TestUser { id: user.id.to_string(), username: "owner".to_owned(), key, password: PASSWORD.to_owned() }
            }
        };
        let service = Arc::new(service);
        TestApp { router: router_over(&service), owner, service, _db: db }
    }

    /// The router of another replica on this app's database: a service of its own, holding at
    /// most `vector_cache_bytes` of vectors in memory.
    pub async fn replica(&self, vector_cache_bytes: usize) -> Router {
        router_over(&Arc::new(open_service_with(&self._db.url, 4, vector_cache_bytes).await))
    }

    /// Another replica (its service and router) that answers unfiltered similarity searches over
    /// vector settings of at least `ann_min_vectors` vectors from an approximate index.
    pub async fn replica_with_index(&self, ann_min_vectors: usize) -> (Arc<Service>, Router) {
        let service = Arc::new(
            open_service_ann(&self._db.url, 4, loam_service::DEFAULT_VECTOR_CACHE_BYTES, ann_min_vectors).await,
        );
        let router = router_over(&service);
        (service, router)
    }

    /// Sends a prepared request.
    pub async fn send(&self, req: Request<Body>) -> Reply {
        send_to(&self.router, req).await
    }

    /// A request with a raw body (sent as JSON) and an optional API key.
    pub async fn raw(&self, method: &str, path: &str, key: Option<&str>, body: &str) -> Reply {
        let mut req = Request::builder().method(method).uri(path).header("content-type", "application/json");
        if let Some(key) = key {
            req = req.header("x-argilla-api-key", key);
        }
        self.send(req.body(Body::from(body.to_owned())).unwrap()).await
    }

    /// A JSON request (no body when `body` is `None`) as the holder of `key`.
    pub async fn call(&self, method: &str, path: &str, key: &str, body: Option<Value>) -> Reply {
        self.send(request(method, path, key, body)).await
    }

    pub async fn get(&self, key: &str, path: &str) -> Reply {
        self.call("GET", path, key, None).await
    }

    pub async fn post(&self, key: &str, path: &str, body: Value) -> Reply {
        self.call("POST", path, key, Some(body)).await
    }

    pub async fn put(&self, key: &str, path: &str, body: Value) -> Reply {
        self.call("PUT", path, key, Some(body)).await
    }

    pub async fn patch(&self, key: &str, path: &str, body: Value) -> Reply {
        self.call("PATCH", path, key, Some(body)).await
    }

    pub async fn delete(&self, key: &str, path: &str) -> Reply {
        self.call("DELETE", path, key, None).await
    }

    /// GET as owner, expecting 200.
    pub async fn read(&self, path: &str) -> Value {
        let (status, body) = self.get(&self.owner.key, path).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// A call as owner that must answer `expected`.
    pub async fn expect(&self, method: &str, path: &str, body: Option<Value>, expected: u16) -> Value {
        let (status, res) = self.call(method, path, &self.owner.key, body).await;
        assert_eq!(status, expected, "{method} {path}: {res}");
        res
    }

    /// Like [`TestApp::expect`], as the holder of `key`.
    pub async fn expect_as(&self, key: &str, method: &str, path: &str, body: Option<Value>, expected: u16) -> Value {
        let (status, res) = self.call(method, path, key, body).await;
        assert_eq!(status, expected, "{method} {path}: {res}");
        res
    }

    // Builders -------------------------------------------------------------------------------

    pub async fn create_user(&self, username: &str, role: &str) -> TestUser {
        let body = json!({"username": username, "first_name": username, "role": role,
                          "password": PASSWORD});
        let res = self.expect("POST", "/api/v1/users", Some(body), 201).await;
        TestUser {
            id: res["id"].as_str().unwrap().to_owned(),
            username: username.to_owned(),
            key: res["api_key"].as_str().unwrap().to_owned(),
            password: PASSWORD.to_owned(),
        }
    }

    pub async fn create_workspace(&self, name: &str) -> String {
        let res = self.expect("POST", "/api/v1/workspaces", Some(json!({"name": name})), 201).await;
        res["id"].as_str().unwrap().to_owned()
    }

    pub async fn add_member(&self, workspace: &str, user: &TestUser) {
        let path = format!("/api/v1/workspaces/{workspace}/users");
        self.expect("POST", &path, Some(json!({"user_id": user.id})), 201).await;
    }

    /// A user of `role` who is a member of each of `workspaces`.
    pub async fn member(&self, username: &str, role: &str, workspaces: &[&str]) -> TestUser {
        let user = self.create_user(username, role).await;
        for ws in workspaces {
            self.add_member(ws, &user).await;
        }
        user
    }

    pub async fn create_dataset(&self, workspace: &str, name: &str) -> String {
        let body = json!({"name": name, "workspace_id": workspace});
        let res = self.expect("POST", "/api/v1/datasets", Some(body), 201).await;
        res["id"].as_str().unwrap().to_owned()
    }

    pub async fn add_field(&self, dataset: &str, name: &str, required: bool) -> String {
        let body = json!({"name": name, "title": name, "required": required,
                          "settings": {"type": "text"}});
        let path = format!("/api/v1/datasets/{dataset}/fields");
        let res = self.expect("POST", &path, Some(body), 201).await;
        res["id"].as_str().unwrap().to_owned()
    }

    pub async fn add_question(&self, dataset: &str, name: &str, required: bool, settings: Value) -> String {
        let body = json!({"name": name, "title": name, "required": required, "settings": settings});
        let path = format!("/api/v1/datasets/{dataset}/questions");
        let res = self.expect("POST", &path, Some(body), 201).await;
        res["id"].as_str().unwrap().to_owned()
    }

    pub async fn add_metadata(&self, dataset: &str, name: &str, settings: Value, visible: bool) -> String {
        let body = json!({"name": name, "title": name, "settings": settings,
                          "visible_for_annotators": visible});
        let path = format!("/api/v1/datasets/{dataset}/metadata-properties");
        let res = self.expect("POST", &path, Some(body), 201).await;
        res["id"].as_str().unwrap().to_owned()
    }

    pub async fn publish(&self, dataset: &str) {
        let path = format!("/api/v1/datasets/{dataset}/publish");
        self.expect("PUT", &path, None, 200).await;
    }

    /// A published dataset with a required text field `text` and a required label question
    /// `label` (options `a`, `b`).
    pub async fn simple_dataset(&self, workspace: &str, name: &str) -> String {
        let ds = self.create_dataset(workspace, name).await;
        self.add_field(&ds, "text", true).await;
        self.add_question(&ds, "label", true, label_settings(&["a", "b"])).await;
        self.publish(&ds).await;
        ds
    }

    /// Creates records with `POST …/records/bulk` (201); returns the created records.
    pub async fn log(&self, dataset: &str, items: Vec<Value>) -> Vec<Value> {
        let path = format!("/api/v1/datasets/{dataset}/records/bulk");
        let res = self.expect("POST", &path, Some(json!({"items": items})), 201).await;
        res["items"].as_array().unwrap().clone()
    }

    /// Creates one record `{"text": text}` and returns its id.
    pub async fn record(&self, dataset: &str, text: &str) -> String {
        let items = self.log(dataset, vec![json!({"fields": {"text": text}})]).await;
        items[0]["id"].as_str().unwrap().to_owned()
    }

    /// Creates `n` records `{"text": "record <i>"}` and returns their ids in order.
    pub async fn records(&self, dataset: &str, n: usize) -> Vec<String> {
        let items = (0..n).map(|i| json!({"fields": {"text": format!("record {i}")}})).collect();
        self.log(dataset, items).await.iter().map(|it| it["id"].as_str().unwrap().to_owned()).collect()
    }

    /// The records of a dataset (with responses and suggestions), as owner.
    pub async fn list_records(&self, dataset: &str) -> Value {
        self.read(&format!("/api/v1/datasets/{dataset}/records?include=responses,suggestions&limit=1000")).await
    }

    /// The id of the workspace named `argilla` that bootstrap creates.
    pub async fn default_workspace(&self) -> String {
        let res = self.read("/api/v1/me/workspaces").await;
        res["items"][0]["id"].as_str().unwrap().to_owned()
    }
}

pub fn options(values: &[&str]) -> Value {
    Value::Array(values.iter().map(|it| json!({"value": it, "text": it.to_uppercase()})).collect())
}

pub fn label_settings(values: &[&str]) -> Value {
    json!({"type": "label_selection", "options": options(values)})
}

/// Asserts that `status` is `expected` and prints the body otherwise.
#[track_caller]
pub fn check(reply: &Reply, expected: u16) {
    assert_eq!(reply.0, expected, "unexpected status; body: {}", reply.1);
}
