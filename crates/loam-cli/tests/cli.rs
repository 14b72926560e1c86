//! The `loam` binary driven as a user would: admin commands, `serve` on port 0, credentials
//! checks, tokens that survive a restart, and a clean exit on SIGTERM.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

mod common;

use common::{loam, Reply, Server, KEY, PASSWORD};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn config_example_is_valid_toml() {
    let dir = tempfile::tempdir().unwrap();
    let out = loam(dir.path(), &["config", "example"]);
    assert!(out.status.success());
    let parsed: toml::Value = toml::from_str(&stdout(&out)).unwrap();
    assert_eq!(parsed["bind"].as_str(), Some("127.0.0.1:6900"));
}

#[test]
fn admin_commands_manage_users_and_workspaces() {
    let dir = tempfile::tempdir().unwrap();
    let out = loam(dir.path(), &["workspace", "create", "team"]);
    assert!(out.status.success(), "{out:?}");
    let out = loam(dir.path(), &["user", "create", "alice", "--role", "admin", "--password", "a fine password"]);
    assert!(out.status.success(), "{out:?}");
    let created = stdout(&out);
    let key = created.lines().find_map(|it| it.strip_prefix("api key:  ")).unwrap().to_owned();
    assert!(key.starts_with("loam_") && key.len() > 60, "{created}");
    assert!(stdout(&loam(dir.path(), &["user", "list"])).contains("alice\tadmin"));
    assert!(loam(dir.path(), &["workspace", "add-user", "team", "alice"]).status.success());
    // Twice is a conflict, reported as a failure.
    assert!(!loam(dir.path(), &["workspace", "add-user", "team", "alice"]).status.success());
    assert!(loam(dir.path(), &["workspace", "remove-user", "team", "alice"]).status.success());
    let rotated = stdout(&loam(dir.path(), &["user", "rotate-key", "alice"]));
    assert!(rotated.contains("new api key for alice: loam_"), "{rotated}");
    assert!(!loam(dir.path(), &["user", "set-password", "alice", "--password", "short"]).status.success());
    for weak in ["password", "aaaaaaaa", "12345678"] {
        let out = loam(dir.path(), &["user", "set-password", "alice", "--password", weak]);
        assert!(!out.status.success(), "{weak}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("refusing the password"), "{out:?}");
        let out = loam(dir.path(), &["user", "create", "weakling", "--password", weak]);
        assert!(!out.status.success(), "{weak}");
    }
    assert!(loam(dir.path(), &["user", "set-password", "alice", "--password", "another fine one"]).status.success());
    assert!(loam(dir.path(), &["user", "delete", "alice"]).status.success());
    assert!(!stdout(&loam(dir.path(), &["user", "list"])).contains("alice"));
    assert!(!loam(dir.path(), &["user", "delete", "alice"]).status.success());
}

#[test]
fn serve_prints_its_address_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let Reply { status, body, .. } = server.request("GET", "/api/v1/me", &[("X-Argilla-Api-Key", KEY)], "");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"role\":\"owner\""), "{body}");
    let Reply { status, .. } = server.request("GET", "/api/v1/me", &[("X-Argilla-Api-Key", "wrong")], "");
    assert_eq!(status, 401);
    let Reply { status, body, .. } = server.request("GET", "/api/v1/me/workspaces", &[("X-Argilla-Api-Key", KEY)], "");
    assert_eq!(status, 200);
    assert!(body.contains("\"name\":\"argilla\""), "a default workspace is created: {body}");
    assert!(server.terminate().success());
}

#[test]
fn weak_owner_credentials_are_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_loam"));
    let out = cmd
        .env_clear()
        .env("LOAM_OWNER_USERNAME", "argilla")
        .env("LOAM_OWNER_PASSWORD", "12345678")
        .env("LOAM_OWNER_API_KEY", "argilla.apikey")
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("weak owner password"));
    // One repeated character is weak too.
    let out = Command::new(env!("CARGO_BIN_EXE_loam"))
        .env_clear()
        .env("LOAM_OWNER_USERNAME", "argilla")
        .env("LOAM_OWNER_PASSWORD", "aaaaaaaaaaaa")
        .env("LOAM_OWNER_API_KEY", KEY)
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("one character repeated"), "{out:?}");
    let server = Server::try_start(
        dir.path(),
        &[
            ("LOAM_OWNER_PASSWORD", "12345678"),
            ("LOAM_OWNER_API_KEY", "argilla.apikey"),
            ("LOAM_ALLOW_WEAK_CREDENTIALS", "true"),
        ],
        &[],
    )
    .unwrap();
    assert_eq!(server.request("GET", "/api/v1/me", &[("X-Argilla-Api-Key", "argilla.apikey")], "").status, 200);
}

#[test]
fn generated_owner_credentials_are_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_loam"))
        .env_clear()
        .env("LOAM_LOG", "warn")
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut key = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(it) = line.strip_prefix("loam:   api key:  ") {
            key = Some(it.to_owned());
        }
        if line.starts_with("loam: listening on") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let key = key.unwrap();
    assert!(key.len() > 60);
    // A second start finds the owner and prints no credentials.
    let server = Server::start(dir.path(), &[]);
    assert_eq!(server.request("GET", "/api/v1/me", &[("X-Argilla-Api-Key", &key)], "").status, 200);
}

#[test]
fn sign_in_tokens_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let form = format!("username=owner&password={}", PASSWORD.replace(' ', "+"));
    let Reply { status, body, .. } =
        server.request("POST", "/api/v1/token", &[("Content-Type", "application/x-www-form-urlencoded")], &form);
    assert_eq!(status, 201, "{body}");
    let token: serde_json::Value = serde_json::from_str(&body).unwrap();
    let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap());
    assert!(server.terminate().success());
    let server = Server::start(dir.path(), &[]);
    let Reply { status, body, .. } = server.request("GET", "/api/v1/me", &[("Authorization", &bearer)], "");
    assert_eq!(status, 200, "{body}");
    let Reply { status, .. } = server.request(
        "POST",
        "/api/v1/token",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        "username=owner&password=wrong+password",
    );
    assert_eq!(status, 401);
}

/// Tokens are revoked by the CLI's password change and key rotation (another process on the same
/// database) and by signing out.
#[test]
fn cli_changes_and_sign_out_revoke_sign_in_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &[]);
    let form_header = [("Content-Type", "application/x-www-form-urlencoded")];
    let sign_in = |password: &str| {
        let Reply { status, body, .. } = server.request(
            "POST",
            "/api/v1/token",
            &form_header,
            &format!("username=owner&password={}", password.replace(' ', "+")),
        );
        assert_eq!(status, 201, "{body}");
        let token: serde_json::Value = serde_json::from_str(&body).unwrap();
        format!("Bearer {}", token["access_token"].as_str().unwrap())
    };
    let me = |bearer: &str| server.request("GET", "/api/v1/me", &[("Authorization", bearer)], "").status;

    let token = sign_in(PASSWORD);
    assert_eq!(me(&token), 200);
    assert!(loam(dir.path(), &["user", "set-password", "owner", "--password", "a new fine passphrase"])
        .status
        .success());
    assert_eq!(me(&token), 401, "set-password revokes");

    let token = sign_in("a new fine passphrase");
    let rotated = stdout(&loam(dir.path(), &["user", "rotate-key", "owner"]));
    let key = rotated.trim().rsplit(' ').next().unwrap().to_owned();
    assert_eq!(me(&token), 401, "rotate-key revokes");

    let token = sign_in("a new fine passphrase");
    let Reply { status, body, .. } = server.request("DELETE", "/api/v1/token", &[("Authorization", &token)], "");
    assert_eq!(status, 200, "{body}");
    assert_eq!(me(&token), 401, "signing out revokes");
    assert_eq!(server.request("GET", "/api/v1/me", &[("X-Argilla-Api-Key", &key)], "").status, 200);
}

#[test]
fn replicas_on_postgres_need_a_strong_shared_token_secret() {
    let dir = tempfile::tempdir().unwrap();
    // Refused before any connection is tried, so no server needs to listen at this URL.
    let url = "postgres://nobody@127.0.0.1:1/none";
    let without = loam(dir.path(), &["--database-url", url, "serve", "--bind", "127.0.0.1:0"]);
    assert!(!without.status.success());
    let err = String::from_utf8_lossy(&without.stderr);
    assert!(err.contains("--token-secret"), "{err}");
    let weak = loam(dir.path(), &["--database-url", url, "serve", "--token-secret", &"a".repeat(40)]);
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("token secret is weak"));
}
