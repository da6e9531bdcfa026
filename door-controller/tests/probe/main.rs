//! `gatehouse-door reader probe` end to end: the binary against libosdp's peripheral device
//! on a pseudo-terminal (tests/python/osdp_pd.py).

// Shared with the hardware crate's OSDP tests; this crate uses part of it.
#[allow(dead_code)]
#[path = "../../../hardware/tests/osdp/pd.rs"]
mod pd;

use pd::{Pd, python};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const KEY: &str = "5a1e3c7f09b2d48e6f0a1b2c3d4e5f60";
const OTHER_KEY: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

/// Runs the probe; `during` runs once its first line is out (to present a card).
fn probe(args: &[&str], during: impl FnOnce()) -> (Vec<Value>, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse-door"))
        .args(["reader", "probe"])
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("run gatehouse-door");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut out = Vec::new();
    if let Some(Ok(first)) = lines.next() {
        out.push(serde_json::from_str(&first).expect("a JSON line"));
        during();
    }
    for l in lines {
        out.push(serde_json::from_str(&l.expect("line")).expect("a JSON line"));
    }
    let status = child.wait().expect("wait");
    (out, status.code().unwrap_or(-1))
}

#[test]
fn a_plain_reader_comes_online_and_shows_a_card() {
    let Some(python) = python() else { return };
    let mut pd = Pd::start(&python, 1, None, false);
    let pty = pd.pty.clone();
    let (lines, code) = probe(
        &["--osdp", &pty, "--address", "1", "--seconds", "3"],
        || {
            pd.tell(json!({"card": {"bits": 26, "hex": "091a2b00"}}));
        },
    );
    assert_eq!(code, 0, "{lines:?}");
    assert_eq!(
        lines[0],
        json!({"type": "online", "address": 1, "secure": false, "vendor": "00a1b2", "model": 7, "version": 2, "serial": 0x12345678})
    );
    let card = lines
        .iter()
        .find(|l| l["type"] == "card")
        .expect("a card line");
    assert_eq!(
        card,
        &json!({"type": "card", "address": 1, "format": "H10301", "bits": 26, "hex": "091a2b00"})
    );
}

#[test]
fn probes_one_reader_on_a_bus_shared_with_others() {
    let Some(python) = python() else { return };
    let mut pd = Pd::start_line(&python, &[1, 2, 3]);
    let pty = pd.pty.clone();
    let (lines, code) = probe(
        &["--osdp", &pty, "--address", "2", "--seconds", "3"],
        || {
            pd.tell(json!({"address": 1, "card": {"bits": 26, "hex": "0a1a2b00"}}));
            pd.tell(json!({"address": 2, "card": {"bits": 26, "hex": "091a2b00"}}));
        },
    );
    assert_eq!(code, 0, "{lines:?}");
    assert_eq!(
        lines[0],
        json!({"type": "online", "address": 2, "secure": false, "vendor": "00a1b2", "model": 7, "version": 2, "serial": 0x12345679})
    );
    let cards: Vec<_> = lines.iter().filter(|l| l["type"] == "card").collect();
    assert_eq!(
        cards,
        vec![
            &json!({"type": "card", "address": 2, "format": "H10301", "bits": 26, "hex": "091a2b00"})
        ]
    );
}

#[test]
fn a_keyed_reader_comes_online_over_the_secure_channel() {
    let Some(python) = python() else { return };
    let pd = Pd::start(&python, 4, Some(KEY), false);
    let (lines, code) = probe(
        &[
            "--osdp",
            &pd.pty,
            "--address",
            "4",
            "--scbk",
            KEY,
            "--seconds",
            "2",
        ],
        || {},
    );
    assert_eq!(code, 0, "{lines:?}");
    assert_eq!(lines[0]["type"], "online");
    assert_eq!(lines[0]["secure"], true);
    assert_eq!(lines.len(), 1, "{lines:?}");
}

#[test]
fn a_wrong_key_is_an_error_and_a_failure() {
    let Some(python) = python() else { return };
    let pd = Pd::start(&python, 4, Some(OTHER_KEY), false);
    let (lines, code) = probe(
        &[
            "--osdp",
            &pd.pty,
            "--address",
            "4",
            "--scbk",
            KEY,
            "--seconds",
            "2",
        ],
        || {},
    );
    assert_eq!(code, 1, "{lines:?}");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["type"], "error");
    assert_eq!(lines[0]["reason"], "wrong_key");
}

#[test]
fn no_reader_at_the_address_is_no_answer() {
    let Some(python) = python() else { return };
    let pd = Pd::start(&python, 1, None, false);
    let (lines, code) = probe(
        &["--osdp", &pd.pty, "--address", "9", "--seconds", "1"],
        || {},
    );
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["reason"], "no_answer");
}

#[test]
fn bad_arguments_are_clear_errors() {
    let (lines, code) = probe(
        &[
            "--osdp",
            "/dev/null",
            "--address",
            "1",
            "--scbk",
            "nothex",
            "--seconds",
            "1",
        ],
        || {},
    );
    assert_eq!(code, 1);
    assert_eq!(
        lines,
        vec![
            json!({"type": "error", "reason": "bad_argument", "detail": "--scbk: a Secure Channel key is 32 hex digits"})
        ]
    );
    let (lines, code) = probe(
        &[
            "--osdp",
            "/nonexistent/tty",
            "--address",
            "1",
            "--seconds",
            "1",
        ],
        || {},
    );
    assert_eq!(code, 1);
    assert_eq!(lines[0]["reason"], "port");
    let status = Command::new(env!("CARGO_BIN_EXE_gatehouse-door"))
        .args(["reader", "probe", "--osdp", "/dev/null", "--address", "200"])
        .stderr(Stdio::null())
        .status()
        .expect("run");
    assert_eq!(status.code(), Some(2));
}

#[test]
fn version_answers_and_run_without_a_config_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_gatehouse-door"))
        .arg("--version")
        .output()
        .expect("run");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("gatehouse-door {}", env!("CARGO_PKG_VERSION"))
    );
    let status = Command::new(env!("CARGO_BIN_EXE_gatehouse-door"))
        .args(["run", "--config", "/nonexistent/door.toml"])
        .stderr(Stdio::null())
        .status()
        .expect("run");
    assert_eq!(status.code(), Some(2));
}

#[test]
fn run_refuses_a_bad_config_naming_the_key_before_touching_anything() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state");
    let config = dir.path().join("door.toml");
    std::fs::write(
        &config,
        format!(
            "[controller]\nname = \"t\"\nstate_dir = \"{}\"\n[hardware]\nbackend = \"sim\"\n\
             [[door]]\nname = \"front\"\nid = 1\nlock = \"fail_secure\"\nstrike_time = \"10m\"\n",
            state.display()
        ),
    )
    .expect("config");
    let out = Command::new(env!("CARGO_BIN_EXE_gatehouse-door"))
        .args(["run", "--config"])
        .arg(&config)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("door[0].strike_time: 600s is out of range"),
        "{stderr}"
    );
    // Nothing was opened: no state folder, no simulated outputs.
    assert!(!state.exists());
}
