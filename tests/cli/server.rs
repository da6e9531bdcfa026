//! `gatehouse server` as a real process: it prints where it listens, bootstraps the first
//! admin once, and answers on that address.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Command, Stdio};

/// A running server, killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Starts `gatehouse server` on a free loopback port (TLS off, as allowed on loopback) and
/// waits for its `listening on` line.
fn start(data_dir: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["server", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env("GATEHOUSE_TLS__MODE", "off")
        .env("GATEHOUSE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("expected `listening on <url>`, got {line:?}"))
        .to_string();
    Server { child, url }
}

/// A plain HTTP/1.1 GET, answered by the server: status line and body.
fn get(url: &str, path: &str) -> (String, String) {
    let host = url.strip_prefix("http://").unwrap();
    let mut stream = TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.lines().next().unwrap_or_default().to_string();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn the_server_starts_bootstraps_once_and_answers() {
    let dir = tempfile::tempdir().unwrap();
    let first = start(dir.path());
    assert!(first.url.starts_with("http://127.0.0.1:"), "{}", first.url);
    let (status, body) = get(&first.url, "/api/v1/health");
    assert_eq!(status, "HTTP/1.1 200 OK");
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
    let second = start(dir.path());
    assert_eq!(std::fs::read_to_string(&password_file).unwrap(), password);
    let (status, _) = get(&second.url, "/api/v1/nowhere");
    assert_eq!(status, "HTTP/1.1 404 Not Found");
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
