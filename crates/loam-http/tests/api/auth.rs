//! Authentication (api.md §0.2, §1.4) and routing (§0.1).

use axum::body::Body;
use axum::http::Request;
use serde_json::json;

use crate::common::*;

fn form(path: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

fn with_headers(path: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut req = Request::builder().method("GET").uri(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn no_key_and_unknown_key_are_401_with_the_coded_body() {
    let app = TestApp::new().await;
    for path in ["/api/v1/me", "/api/v1/me/workspaces", "/api/me", "/api/v1/users"] {
        let reply = app.send(with_headers(path, &[])).await;
        assert_eq!(reply, (401, unauthorized()), "{path} without a key");
        let reply = app.get(BAD_KEY, path).await;
        assert_eq!(reply, (401, unauthorized()), "{path} with an unknown key");
    }
    // An empty key is no key.
    let reply = app.get("", "/api/v1/me").await;
    assert_eq!(reply, (401, unauthorized()));
}

#[tokio::test]
async fn authentication_comes_before_body_validation() {
    let app = TestApp::new().await;
    // A schema-invalid body from an unauthenticated caller is a 401, not a 422.
    let reply = app.post(BAD_KEY, "/api/v1/workspaces", json!({"name": 42})).await;
    assert_eq!(reply, (401, unauthorized()));
}

#[tokio::test]
async fn unauthenticated_endpoints_answer_without_a_key() {
    let app = TestApp::new().await;
    let (status, body) = app.send(with_headers("/api/v1/version", &[])).await;
    assert_eq!((status, body), (200, json!({"version": "2.8.0"})));
    let (status, body) = app.send(with_headers("/api/_info", &[])).await;
    assert_eq!((status, body), (200, json!({"version": "2.8.0"})));
    let (status, body) = app.send(with_headers("/api/v1/status", &[])).await;
    assert_eq!(status, 200);
    assert_eq!(body["version"], "2.8.0");
    assert!(body["search_engine"].is_object(), "{body}");
    assert!(body["memory"].is_object(), "{body}");
    assert_eq!(body["database"]["available"], true, "{body}");
    assert_eq!(body["database"]["backend"], app.service.backend(), "{body}");
    let (status, body) = app.send(with_headers("/api/_status", &[])).await;
    assert_eq!(status, 200);
    for key in ["name", "cluster_name", "cluster_uuid", "version", "tagline"] {
        assert!(body["elasticsearch"].get(key).is_some(), "{key} in {body}");
    }
    let (status, body) = app.send(with_headers("/api/v1/settings", &[])).await;
    assert_eq!(status, 200);
    assert_eq!(body["argilla"]["share_your_progress_enabled"], false);
}

#[tokio::test]
async fn password_sign_in_issues_a_bearer_token_that_works() {
    let app = TestApp::new().await;
    let ann = app.create_user("ann", "annotator").await;
    let body = format!("username=ann&password={}", ann.password);
    let (status, token) = app.send(form("/api/v1/token", &body)).await;
    assert_eq!(status, 201, "{token}");
    assert_eq!(token["token_type"], "bearer");
    let jwt = token["access_token"].as_str().unwrap().to_owned();

    let bearer = format!("Bearer {jwt}");
    let (status, me) = app.send(with_headers("/api/v1/me", &[("authorization", &bearer)])).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["username"], "ann");
    assert_eq!(me["id"], ann.id.as_str());
    assert_eq!(me["role"], "annotator");

    // The legacy sign-in answers 200.
    let (status, legacy) = app.send(form("/api/security/token", &body)).await;
    assert_eq!(status, 200, "{legacy}");
    assert_eq!(legacy["token_type"], "bearer");
}

#[tokio::test]
async fn password_sign_in_rejects_wrong_credentials_and_missing_fields() {
    let app = TestApp::new().await;
    app.create_user("ann", "annotator").await;
    for body in ["username=ann&password=wrong-password", "username=nobody&password=whatever1"] {
        let (status, res) = app.send(form("/api/v1/token", body)).await;
        assert_eq!(status, 401, "{body}: {res}");
        assert_eq!(code(&res), "argilla.api.errors::UnauthorizedError");
    }
    let (status, res) = app.send(form("/api/v1/token", "username=ann")).await;
    assert_eq!(status, 422, "{res}");
    assert_eq!(code(&res), "argilla.api.errors::ValidationError");
    assert_eq!(locs(&res), vec![json!(["body", "password"])]);
    let (status, res) = app.send(form("/api/v1/token", "")).await;
    assert_eq!(status, 422, "{res}");
}

#[tokio::test]
async fn api_key_wins_over_a_bad_bearer_token() {
    let app = TestApp::new().await;
    let reply = app
        .send(with_headers(
            "/api/v1/me",
            &[("x-argilla-api-key", &app.owner.key), ("authorization", "Bearer hf_not-a-jwt-at-all")],
        ))
        .await;
    assert_eq!(reply.0, 200, "{}", reply.1);
    assert_eq!(reply.1["username"], "owner");
}

#[tokio::test]
async fn an_undecodable_bearer_token_is_invalid_token() {
    let app = TestApp::new().await;
    let reply = app.send(with_headers("/api/v1/me", &[("authorization", "Bearer not.a.token")])).await;
    assert_eq!(
        reply,
        (
            401,
            json!({"detail": {"code": "argilla.api.errors::UnauthorizedError",
                              "params": {"detail": "Invalid token"}}})
        )
    );
}

#[tokio::test]
async fn a_token_of_a_deleted_user_is_rejected() {
    let app = TestApp::new().await;
    let ann = app.create_user("ann", "annotator").await;
    let (_, token) = app.send(form("/api/v1/token", &format!("username=ann&password={PASSWORD}"))).await;
    let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap());
    app.expect("DELETE", &format!("/api/v1/users/{}", ann.id), None, 200).await;
    let reply = app.send(with_headers("/api/v1/me", &[("authorization", &bearer)])).await;
    assert_eq!(reply, (401, unauthorized()));
    // and so is its key
    assert_eq!(app.get(&ann.key, "/api/v1/me").await, (401, unauthorized()));
}

#[tokio::test]
async fn a_key_is_shown_once_and_never_again() {
    let app = TestApp::new().await;
    let ann = app.create_user("ann", "annotator").await;
    assert!(ann.key.len() >= 16, "a real key: {}", ann.key);
    // The key shown at creation authenticates.
    let (status, me) = app.get(&ann.key, "/api/v1/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["username"], "ann");
    // No later read returns it.
    let one = app.read(&format!("/api/v1/users/{}", ann.id)).await;
    let list = app.read("/api/v1/users").await;
    let legacy = app.read("/api/users").await;
    let listed = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(legacy.as_array().unwrap())
        .chain([&one, &me])
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(listed.len(), 6);
    for user in listed {
        let shown = user["api_key"].as_str().unwrap();
        assert_ne!(shown, ann.key, "{user}");
        assert_ne!(shown, app.owner.key, "{user}");
        // A shown value is not a key.
        assert_eq!(app.get(shown, "/api/v1/me").await.0, 401);
    }
}

#[tokio::test]
async fn unknown_api_paths_are_404_and_wrong_methods_405() {
    let app = TestApp::new().await;
    let key = app.owner.key.clone();
    for path in ["/api/v1/nothing-here", "/api/v1/datasets/", "/api/nothing", "/api/v1/datasets/x/y/z"] {
        for method in ["GET", "POST", "DELETE"] {
            let reply = app.call(method, path, &key, None).await;
            assert_eq!(reply, (404, detail("Not Found")), "{method} {path}");
        }
    }
    // The legacy task API is a 404 too, one that says it is unsupported (tests/api/legacy.rs).
    // (Its listing, `GET /api/datasets`, is routed: an empty list.)
    for method in ["POST", "DELETE"] {
        let reply = app.call(method, "/api/datasets", &key, None).await;
        assert_eq!(reply, (404, detail(loam_http::LEGACY_TASK_API_UNSUPPORTED)), "{method}");
    }
    let reply = app.call("GET", "/api/datasets/old-style", &key, None).await;
    assert_eq!(reply, (404, detail(loam_http::LEGACY_TASK_API_UNSUPPORTED)));
    // No authentication is needed to learn that a route does not exist.
    let reply = app.send(with_headers("/api/v1/nothing-here", &[])).await;
    assert_eq!(reply, (404, detail("Not Found")));
    for (method, path) in [
        ("DELETE", "/api/v1/me"),
        ("PUT", "/api/v1/users"),
        ("POST", "/api/v1/version"),
        ("GET", "/api/v1/workspaces"),
        ("PATCH", "/api/v1/me/workspaces"),
        ("GET", "/api/v1/token"),
    ] {
        let reply = app.call(method, path, &key, None).await;
        assert_eq!(reply, (405, detail("Method Not Allowed")), "{method} {path}");
    }
}

#[tokio::test]
async fn path_ids_that_are_not_uuids_are_coded_422() {
    let app = TestApp::new().await;
    for (path, name) in [
        ("/api/v1/datasets/not-a-uuid", "dataset_id"),
        ("/api/v1/users/42", "user_id"),
        ("/api/v1/workspaces/abc", "workspace_id"),
        ("/api/v1/records/xyz", "record_id"),
    ] {
        let (status, body) = app.get(&app.owner.key, path).await;
        assert_eq!(status, 422, "{path}: {body}");
        assert_eq!(code(&body), "argilla.api.errors::ValidationError");
        assert_eq!(locs(&body), vec![json!(["path", name])], "{path}");
    }
}

#[tokio::test]
async fn a_rotated_key_replaces_the_old_one_and_is_shown_once() {
    let app = TestApp::new().await;
    let ann = app.create_user("ann", "annotator").await;
    let bob = app.create_user("bob", "annotator").await;
    // Only the user themself, or an owner, may rotate a key.
    assert_eq!(app.post(&bob.key, &format!("/api/v1/users/{}/api-key", ann.id), json!({})).await.0, 403);
    let (status, rotated) = app.post(&ann.key, &format!("/api/v1/users/{}/api-key", ann.id), json!({})).await;
    assert_eq!(status, 200, "{rotated}");
    let new_key = rotated["api_key"].as_str().unwrap().to_owned();
    assert_ne!(new_key, ann.key);
    assert_eq!(app.get(&ann.key, "/api/v1/me").await.0, 401, "the old key stops working");
    assert_eq!(app.get(&new_key, "/api/v1/me").await.0, 200);
    let (status, by_owner) = app.post(&app.owner.key, &format!("/api/v1/users/{}/api-key", ann.id), json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(app.get(&new_key, "/api/v1/me").await.0, 401);
    assert_eq!(app.get(by_owner["api_key"].as_str().unwrap(), "/api/v1/me").await.0, 200);
    let missing = format!("/api/v1/users/{}/api-key", new_id());
    assert_eq!(app.post(&app.owner.key, &missing, json!({})).await.0, 404);
}

// Tokens bound to users, sign-out, throttling, bounded hashing (issue 16) --------------------------

/// A form sign-in as `username`, from `client` when given (the address `serve` would insert);
/// the status, the body and the `Retry-After` header.
async fn sign_in_from(
    router: &axum::Router,
    path: &str,
    username: &str,
    password: &str,
    client: Option<&str>,
) -> (u16, serde_json::Value, Option<String>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("username", username)
        .append_pair("password", password)
        .finish();
    let mut req = form(path, &body);
    if let Some(addr) = client {
        let addr: std::net::SocketAddr = addr.parse().unwrap();
        req.extensions_mut().insert(axum::extract::ConnectInfo(addr));
    }
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status().as_u16();
    let retry = res.headers().get("retry-after").map(|it| it.to_str().unwrap().to_owned());
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null), retry)
}

async fn token_for(router: &axum::Router, username: &str, password: &str) -> String {
    let (status, body, _) = sign_in_from(router, "/api/v1/token", username, password, None).await;
    assert_eq!(status, 201, "{body}");
    format!("Bearer {}", body["access_token"].as_str().unwrap())
}

async fn me_with(router: &axum::Router, bearer: &str) -> Reply {
    send_to(router, with_headers("/api/v1/me", &[("authorization", bearer)])).await
}

/// A service (and its router) on `app`'s database with its own sign-in settings.
async fn replica_with(
    app: &TestApp,
    sign_in: loam_service::SignInConfig,
) -> (std::sync::Arc<loam_service::Service>, axum::Router) {
    let service = loam_service::Service::open(
        &loam_service::StoreConfig { url: app._db.url.clone(), max_connections: 4 },
        loam_service::ServiceConfig {
            token_secret: TOKEN_SECRET.as_bytes().to_vec(),
            token_ttl_secs: 86400,
            limits: Default::default(),
            vector_cache_bytes: 0,
            ann_min_vectors: 0,
            sign_in,
        },
    )
    .await
    .unwrap();
    let service = std::sync::Arc::new(service);
    let router = loam_http::router(loam_http::AppState {
        service: std::sync::Arc::clone(&service),
        http: std::sync::Arc::new(loam_http::HttpConfig::default()),
        limits: Default::default(),
    });
    (service, router)
}

#[tokio::test]
async fn a_token_follows_its_user_not_the_username() {
    let app = TestApp::new().await;
    let ann = app.create_user("ann", "annotator").await;
    let token = token_for(&app.router, "ann", PASSWORD).await;
    // Deleted, and an owner takes the name: the old token is no one's.
    app.expect("DELETE", &format!("/api/v1/users/{}", ann.id), None, 200).await;
    let new_ann = app.create_user("ann", "owner").await;
    assert_eq!(me_with(&app.router, &token).await, (401, unauthorized()));
    // Even a user created again with the deleted user's id does not inherit it.
    app.expect("DELETE", &format!("/api/v1/users/{}", new_ann.id), None, 200).await;
    let body = json!({"id": ann.id, "username": "ann", "first_name": "ann", "role": "owner", "password": PASSWORD});
    app.expect("POST", "/api/v1/users", Some(body), 201).await;
    assert_eq!(me_with(&app.router, &token).await, (401, unauthorized()));

    // Renamed, and another user takes the old name: the old token is refused too.
    let bob = app.create_user("bob", "annotator").await;
    let bob_token = token_for(&app.router, "bob", PASSWORD).await;
    let path = format!("/api/v1/users/{}", bob.id);
    app.expect("PATCH", &path, Some(json!({"username": "robert"})), 200).await;
    app.create_user("bob", "owner").await;
    assert_eq!(me_with(&app.router, &bob_token).await, (401, unauthorized()));
    let (status, me) = me_with(&app.router, &token_for(&app.router, "robert", PASSWORD).await).await;
    assert_eq!((status, &me["id"]), (200, &json!(bob.id)), "{me}");
}

#[tokio::test]
async fn password_key_and_role_changes_revoke_tokens_and_other_changes_do_not() {
    let app = TestApp::new().await;
    let ann = app.create_user("ann", "annotator").await;
    let path = format!("/api/v1/users/{}", ann.id);
    let token = token_for(&app.router, "ann", PASSWORD).await;
    // Names are not credentials: the token stays valid.
    app.expect("PATCH", &path, Some(json!({"first_name": "Ann", "last_name": "Lee", "role": "annotator"})), 200).await;
    assert_eq!(me_with(&app.router, &token).await.0, 200);

    app.expect("PATCH", &path, Some(json!({"role": "admin"})), 200).await;
    assert_eq!(me_with(&app.router, &token).await, (401, unauthorized()), "a role change revokes");

    let token = token_for(&app.router, "ann", PASSWORD).await;
    app.expect("PATCH", &path, Some(json!({"password": "a-brand-new-one"})), 200).await;
    assert_eq!(me_with(&app.router, &token).await, (401, unauthorized()), "a password change revokes");

    let token = token_for(&app.router, "ann", "a-brand-new-one").await;
    let (status, rotated) = app.post(&ann.key, &format!("/api/v1/users/{}/api-key", ann.id), json!({})).await;
    assert_eq!(status, 200, "{rotated}");
    assert_eq!(me_with(&app.router, &token).await, (401, unauthorized()), "a key rotation revokes");
    assert_eq!(me_with(&app.router, &token_for(&app.router, "ann", "a-brand-new-one").await).await.0, 200);
}

#[tokio::test]
async fn sign_out_revokes_every_token_of_the_caller_on_every_replica() {
    let app = TestApp::new().await;
    let ann = app.create_user("ann", "annotator").await;
    let bob = app.create_user("bob", "annotator").await;
    let other = app.replica(0).await;
    let first = token_for(&app.router, "ann", PASSWORD).await;
    let second = token_for(&other, "ann", PASSWORD).await;
    let bobs = token_for(&other, "bob", PASSWORD).await;
    for router in [&app.router, &other] {
        for token in [&first, &second, &bobs] {
            assert_eq!(me_with(router, token).await.0, 200, "a token from one replica verifies on the other");
        }
    }
    // Signed out through one replica, with one of the tokens.
    let (status, body) = send_to(
        &other,
        Request::builder()
            .method("DELETE")
            .uri("/api/v1/token")
            .header("authorization", &first)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    for router in [&app.router, &other] {
        assert_eq!(me_with(router, &first).await, (401, unauthorized()));
        assert_eq!(me_with(router, &second).await, (401, unauthorized()));
        assert_eq!(me_with(router, &bobs).await.0, 200, "another user's tokens stay valid");
    }
    assert_eq!(app.get(&ann.key, "/api/v1/me").await.0, 200, "the API key stays valid");
    // Signing out with the API key revokes the tokens too; signing in again works.
    let third = token_for(&app.router, "ann", PASSWORD).await;
    assert_eq!(app.call("DELETE", "/api/v1/token", &ann.key, None).await.0, 200);
    assert_eq!(me_with(&other, &third).await.0, 401);
    assert_eq!(me_with(&other, &token_for(&app.router, "ann", PASSWORD).await).await.0, 200);
    // A password change through one replica revokes on the other.
    let token = token_for(&other, "bob", PASSWORD).await;
    app.expect("PATCH", &format!("/api/v1/users/{}", bob.id), Some(json!({"password": "a-brand-new-one"})), 200).await;
    assert_eq!(me_with(&other, &token).await.0, 401);
    // Sign-out needs credentials.
    let reply =
        send_to(&app.router, Request::builder().method("DELETE").uri("/api/v1/token").body(Body::empty()).unwrap())
            .await;
    assert_eq!(reply, (401, unauthorized()));
}

#[tokio::test]
async fn sign_in_is_throttled_per_username_across_replicas_and_a_success_resets() {
    let app = TestApp::new().await;
    app.create_user("ann", "annotator").await;
    let other = app.replica(0).await;
    let routers = [&app.router, &other];
    // A success after four failures forgets them.
    for i in 0..4 {
        let (status, body, _) = sign_in_from(routers[i % 2], "/api/v1/token", "ann", "wrong-password", None).await;
        assert_eq!(status, 401, "{body}");
    }
    assert_eq!(sign_in_from(&other, "/api/v1/token", "ann", PASSWORD, None).await.0, 201);
    // Five failures through either replica (the legacy route and case-folded names count alike)…
    for (i, name) in ["ann", "ANN", "Ann", "ann", "aNN"].into_iter().enumerate() {
        let path = if i % 2 == 0 { "/api/v1/token" } else { "/api/security/token" };
        let (status, body, retry) = sign_in_from(routers[i % 2], path, name, "wrong-password", None).await;
        assert_eq!((status, retry), (401, None), "attempt {i}: {body}");
    }
    // …and the next attempt waits, on both replicas, even with the right password.
    for router in routers {
        for path in ["/api/v1/token", "/api/security/token"] {
            let (status, body, retry) = sign_in_from(router, path, "ann", PASSWORD, None).await;
            assert_eq!(status, 429, "{body}");
            let secs: u64 = retry.expect("a Retry-After header").parse().unwrap();
            assert!((1..=1).contains(&secs), "{secs}");
            assert!(body["detail"].as_str().unwrap().contains("Too many sign-in attempts"), "{body}");
        }
    }
    // Once the wait is over the right password signs in, and the count starts again.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(sign_in_from(&app.router, "/api/v1/token", "ann", PASSWORD, None).await.0, 201);
    assert_eq!(sign_in_from(&other, "/api/v1/token", "ann", "wrong-password", None).await.0, 401);
}

#[tokio::test]
async fn unknown_usernames_are_throttled_like_known_ones() {
    let app = TestApp::new().await;
    app.create_user("ann", "annotator").await;
    let mut seen = Vec::new();
    for name in ["ann", "nobody"] {
        let mut statuses = Vec::new();
        for _ in 0..6 {
            statuses.push(sign_in_from(&app.router, "/api/v1/token", name, "wrong-password", None).await.0);
        }
        seen.push(statuses);
    }
    assert_eq!(seen[0], vec![401, 401, 401, 401, 401, 429]);
    assert_eq!(seen[0], seen[1], "nothing tells which usernames exist");
}

#[tokio::test]
async fn sign_in_is_throttled_per_client_address_across_replicas() {
    let app = TestApp::new().await;
    let policy = loam_domain::auth::ThrottlePolicy { allowance: 4, ..loam_service::DEFAULT_ADDRESS_THROTTLE };
    let sign_in = loam_service::SignInConfig { address: policy, ..Default::default() };
    let (_, one) = replica_with(&app, sign_in.clone()).await;
    let (_, two) = replica_with(&app, sign_in).await;
    app.create_user("ann", "annotator").await;
    // A success from the address takes its attempt back.
    assert_eq!(sign_in_from(&one, "/api/v1/token", "ann", PASSWORD, Some("10.0.0.7:4000")).await.0, 201);
    // Four failures under four usernames, through two replicas, from one address (other ports).
    for i in 0..4 {
        let router = if i % 2 == 0 { &one } else { &two };
        let client = format!("10.0.0.7:{}", 5000 + i);
        let (status, body, _) =
            sign_in_from(router, "/api/v1/token", &format!("user{i}"), "wrong-password", Some(&client)).await;
        assert_eq!(status, 401, "{body}");
    }
    for router in [&one, &two] {
        let (status, _, retry) = sign_in_from(router, "/api/v1/token", "ann", PASSWORD, Some("10.0.0.7:6000")).await;
        assert_eq!(status, 429);
        assert!(retry.is_some());
    }
    // Another address is not held back.
    assert_eq!(sign_in_from(&two, "/api/v1/token", "ann", PASSWORD, Some("10.0.0.8:6000")).await.0, 201);
    // IPv6 clients are counted per /64.
    for i in 0..4 {
        let client = format!("[2001:db8:0:1::{i}]:7000");
        assert_eq!(
            sign_in_from(&one, "/api/v1/token", &format!("v6user{i}"), "wrong-password", Some(&client)).await.0,
            401
        );
    }
    assert_eq!(sign_in_from(&one, "/api/v1/token", "ann", PASSWORD, Some("[2001:db8:0:1::ff]:1")).await.0, 429);
    assert_eq!(sign_in_from(&one, "/api/v1/token", "ann", PASSWORD, Some("[2001:db8:0:2::1]:1")).await.0, 201);
}

#[tokio::test]
async fn hashing_beyond_its_queue_answers_503_with_retry_after() {
    let app = TestApp::new().await;
    let hashing = loam_service::HashingConfig { slots: 1, queue: 1, max_wait: std::time::Duration::from_secs(30) };
    let unthrottled = loam_domain::auth::ThrottlePolicy { allowance: 0, ..loam_service::DEFAULT_USERNAME_THROTTLE };
    let sign_in = loam_service::SignInConfig { hashing, username: unthrottled, address: unthrottled };
    let (service, router) = replica_with(&app, sign_in).await;
    app.create_user("ann", "annotator").await;
    let attempts = (0..12).map(|i| {
        let router = router.clone();
        async move { sign_in_from(&router, "/api/v1/token", &format!("user{i}"), "wrong-password", None).await }
    });
    let replies = futures::future::join_all(attempts).await;
    let busy: Vec<_> = replies.iter().filter(|it| it.0 == 503).collect();
    let refused = replies.iter().filter(|it| it.0 == 401).count();
    assert!(!busy.is_empty() && refused >= 2, "{replies:?}");
    assert_eq!(busy.len() + refused, 12, "{replies:?}");
    for (_, body, retry) in busy {
        assert!(retry.is_some(), "{body}");
        assert!(body["detail"].as_str().unwrap().contains("busy"), "{body}");
    }
    assert_eq!(service.password_hashing_status().computed, refused as u64, "only the admitted ones hashed");
    assert_eq!(service.password_hashing_status().inside, 0);
}

#[tokio::test]
async fn permission_is_checked_before_any_password_is_hashed() {
    let app = TestApp::new().await;
    let ann = app.create_user("ann", "annotator").await;
    let admin = app.create_user("adam", "admin").await;
    let before = app.service.password_hashing_status().computed;
    for actor in [&ann, &admin] {
        let path = format!("/api/v1/users/{}", ann.id);
        let reply = app.patch(&actor.key, &path, json!({"password": "a-brand-new-one"})).await;
        assert_eq!(reply, (403, forbidden()), "{}", actor.username);
        let reply = app
            .post(
                &actor.key,
                "/api/v1/users",
                json!({"username": "x", "first_name": "x", "password": "a-brand-new-one"}),
            )
            .await;
        assert_eq!(reply, (403, forbidden()));
        let reply = app
            .post(&actor.key, "/api/users", json!({"username": "x", "first_name": "x", "password": "a-brand-new-one"}))
            .await;
        assert_eq!(reply, (403, forbidden()));
    }
    // A missing user is a 404, still without hashing; so is a weak password (422).
    let reply =
        app.patch(&app.owner.key, &format!("/api/v1/users/{}", new_id()), json!({"password": "a-brand-new-one"})).await;
    assert_eq!(reply.0, 404);
    let reply = app.patch(&app.owner.key, &format!("/api/v1/users/{}", ann.id), json!({"password": "password1"})).await;
    assert_eq!(reply.0, 422);
    assert_eq!(app.service.password_hashing_status().computed, before, "nothing was hashed");
    let (status, body) = app.send(with_headers("/api/v1/status", &[])).await;
    assert_eq!(status, 200);
    assert_eq!(body["password_hashing"]["computed"], json!(before), "{body}");
}

#[tokio::test]
async fn weak_passwords_are_refused_on_every_path_that_sets_one() {
    let app = TestApp::new().await;
    let ann = app.create_user("ann", "annotator").await;
    let common = detail("The password is one of the most commonly used passwords; choose another");
    let repeated = detail("The password must not be one character repeated");
    for (password, expected) in [
        ("password", &common),
        ("12345678", &common),
        ("QWERTY123", &common),
        ("aaaaaaaa", &repeated),
        ("        ", &repeated),
    ] {
        let body = json!({"username": "weak", "first_name": "W", "password": password});
        assert_eq!(
            &app.post(&app.owner.key, "/api/v1/users", body.clone()).await,
            &(422, expected.clone()),
            "{password:?}"
        );
        assert_eq!(&app.post(&app.owner.key, "/api/users", body).await, &(422, expected.clone()), "{password:?}");
        let path = format!("/api/v1/users/{}", ann.id);
        assert_eq!(&app.patch(&app.owner.key, &path, json!({"password": password})).await, &(422, expected.clone()));
    }
    // Too short keeps the reference server's validation shape.
    let (status, body) = app
        .post(&app.owner.key, "/api/v1/users", json!({"username": "weak", "first_name": "W", "password": "short"}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(code(&body), "argilla.api.errors::ValidationError");
    assert_eq!(locs(&body), vec![json!(["body", "password"])]);
    // Nothing was created or changed.
    assert_eq!(app.read("/api/v1/users").await["items"].as_array().unwrap().len(), 2);
    // Ann's password is unchanged (`token_for` asserts the sign-in).
    token_for(&app.router, "ann", PASSWORD).await;
    // What the clients' own tests use is accepted.
    for (i, password) in ["testtesttest", "test password", "test_password"].into_iter().enumerate() {
        let body = json!({"username": format!("fine{i}"), "first_name": "F", "password": password});
        assert_eq!(app.post(&app.owner.key, "/api/v1/users", body).await.0, 201, "{password}");
    }
}
