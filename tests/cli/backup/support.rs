//! What the backup tests share: running `gatehouse` with extra variables, a data directory
//! as a first start leaves it, and reading directories back.

use super::super::support::{Run, utf8};
use std::io::BufRead;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

/// `gatehouse` with extra environment variables.
pub(super) fn gatehouse_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("run gatehouse");
    Run {
        code: output.status.code().expect("exited"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// Starts and stops a server with its default TLS once, so `data` holds what a real first
/// start leaves: site, admin, issuer key, and the self-signed certificate and its key.
pub(super) fn bootstrap(data: &Path) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args([
            "server",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            utf8(data),
        ])
        .env("GATEHOUSE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    child.kill().ok();
    child.wait().ok();
    assert!(line.starts_with("listening on https://"), "{line:?}");
    assert!(data.join("tls/key.pem").is_file());
}

pub(super) fn mode_of(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

pub(super) use crate::support::now_ms;

pub(super) fn files_under(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        if entry.file_type().unwrap().is_dir() {
            out.extend(
                files_under(&entry.path())
                    .into_iter()
                    .map(|f| format!("{name}/{f}")),
            );
        } else {
            out.push(name);
        }
    }
    out.sort();
    out
}

/// An age identity file as `age-keygen` writes it; returns its recipient.
pub(super) fn age_identity(path: &Path) -> String {
    use age::secrecy::ExposeSecret;
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    std::fs::write(
        path,
        format!(
            "# created: 2026-11-25T10:00:00Z\n# public key: {recipient}\n{}\n",
            identity.to_string().expose_secret()
        ),
    )
    .unwrap();
    recipient
}
