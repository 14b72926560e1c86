//! Authentication (api.md §0.2, §1.4) and routing (§0.1); tokens bound to users, sign-out,
//! throttling and bounded hashing are in `auth_sessions.rs`.

use axum::body::Body;
use axum::http::Request;
use serde_json::json;

use crate::common::*;

pub(crate) fn form(path: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

pub(crate) fn with_headers(path: &str, headers: &[(&str, &str)]) -> Request<Body> {
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
