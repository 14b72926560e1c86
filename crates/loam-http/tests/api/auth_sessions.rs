//! Sign-in tokens bound to their users, sign-out, sign-in throttling and bounded password
//! hashing (issue 16), across replicas on one database.

use axum::body::Body;
use axum::http::Request;
use serde_json::json;

use crate::auth::{form, with_headers};
use crate::common::*;

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
            lease_term: Default::default(),
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
