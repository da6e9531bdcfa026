//! `gatehouse admin create|reset-password`: the one-time password they print signs in to a
//! real server, must then be changed, and a reset unlocks a locked account.

use super::support::{ServerProcess, gatehouse, http, start_server};
use std::path::Path;

/// `POST /api/v1/auth/login`: the status code and the body.
fn login(server: &ServerProcess, username: &str, password: &str) -> (u16, serde_json::Value) {
    let body = serde_json::json!({"username": username, "password": password}).to_string();
    let (status, body) = http(&server.host, "POST", "/api/v1/auth/login", Some(&body));
    (status, serde_json::from_str(&body).unwrap_or_default())
}

fn admin(args: &[&str], data_dir: &Path) -> super::support::Run {
    let mut all = vec!["admin"];
    all.extend_from_slice(args);
    all.extend(["--data-dir", data_dir.to_str().unwrap()]);
    gatehouse(all)
}

#[test]
fn a_created_user_signs_in_with_the_printed_password() {
    let dir = tempfile::tempdir().unwrap();
    let created = admin(
        &["create", "--username", "guard.one", "--role", "security"],
        dir.path(),
    )
    .ok();
    let password = created.line().to_owned();
    assert_eq!(password.len(), 24, "{password:?}");

    let server = start_server(dir.path());
    let (status, body) = login(&server, "guard.one", &password);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["role"], "security");
    assert_eq!(body["user"]["must_change_password"], true);

    let again = admin(
        &["create", "--username", "guard.one", "--role", "host"],
        dir.path(),
    );
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    let bad_role = admin(
        &["create", "--username", "x", "--role", "janitor"],
        dir.path(),
    );
    assert_eq!(bad_role.code, 2);
    assert!(
        bad_role.stderr.contains("receptionist"),
        "{}",
        bad_role.stderr
    );
}

#[test]
fn a_reset_password_unlocks_and_replaces_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let first = admin(
        &["create", "--username", "front", "--role", "receptionist"],
        dir.path(),
    )
    .ok()
    .line()
    .to_owned();
    let server = start_server(dir.path());
    for _ in 0..5 {
        login(&server, "front", "not the password at all");
    }
    assert_eq!(login(&server, "front", &first).0, 429, "locked");

    let second = admin(&["reset-password", "--username", "front"], dir.path())
        .ok()
        .line()
        .to_owned();
    assert_ne!(second, first);
    assert_eq!(login(&server, "front", &first).0, 401);
    let (status, body) = login(&server, "front", &second);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["must_change_password"], true);

    let unknown = admin(&["reset-password", "--username", "nobody"], dir.path());
    assert_eq!(unknown.code, 2);
    assert_eq!(unknown.stdout, "");
    assert!(
        unknown.stderr.contains("no user named"),
        "{}",
        unknown.stderr
    );
}
