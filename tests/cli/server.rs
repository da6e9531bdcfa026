//! `gatehouse server` as a real process: it prints where it listens, bootstraps the first
//! admin once, and answers on that address.

use super::support::{http, start_server};
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

#[test]
fn the_server_starts_bootstraps_once_and_answers() {
    let dir = tempfile::tempdir().unwrap();
    let first = start_server(dir.path());
    assert!(first.host.starts_with("127.0.0.1:"), "{}", first.host);
    let (status, body) = http(&first.host, "GET", "/api/v1/health", None);
    assert_eq!(status, 200);
    assert!(body.contains(r#""status":"ok""#), "{body}");

    let password_file = dir.path().join("initial-admin-password");
    let password = std::fs::read_to_string(&password_file).unwrap();
    assert_eq!(password.trim().len(), 24);
    let mode = std::fs::metadata(&password_file)
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    drop(first);

    // A second start finds the admin and leaves the password alone.
    let second = start_server(dir.path());
    assert_eq!(std::fs::read_to_string(&password_file).unwrap(), password);
    let (status, _) = http(&second.host, "GET", "/api/v1/nowhere", None);
    assert_eq!(status, 404);
}

#[test]
fn plain_http_off_loopback_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["server", "--listen", "0.0.0.0:0", "--data-dir"])
        .arg(dir.path())
        .env("GATEHOUSE_TLS__MODE", "off")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("loopback"), "{stderr}");
}
