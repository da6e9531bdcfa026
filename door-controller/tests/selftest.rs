//! `gatehouse-door selftest` as an installer runs it: every check passes on this build,
//! one `ok` line each, exit status 0.

use std::path::Path;
use std::process::Command;

#[test]
fn the_self_test_passes_and_names_each_check() {
    let out = Command::new(env!("CARGO_BIN_EXE_gatehouse-door"))
        .arg("selftest")
        .output()
        .expect("run gatehouse-door selftest");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        [
            "ok      ed25519 (RFC 8032 test vector)",
            "ok      bundle (sign, encode, decode, verify; tampering and rollback refused)",
            "ok      decision (the built-in sample site)",
            "ok      journal (append, fsync, reopen, hand out, acknowledge; in a temporary folder)",
        ]
    );
}

#[test]
fn with_a_config_it_checks_the_config_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state");
    let config = dir.path().join("door.toml");
    let good = format!(
        "[controller]\nname = \"t\"\nstate_dir = \"{}\"\n[hardware]\nbackend = \"sim\"\n\
         [[door]]\nname = \"front\"\nid = 1\nlock = \"fail_secure\"\n",
        state.display()
    );
    std::fs::write(&config, &good).expect("config");
    let (code, text) = selftest_with(&config);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(
        text.lines().last(),
        Some("ok      configuration: the state folder is writable")
    );

    std::fs::write(&config, good.replace("fail_secure", "fail_open")).expect("config");
    let (code, text) = selftest_with(&config);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.starts_with("FAILED  configuration: door[0].lock: unknown variant `fail_open`"),
        "{text}"
    );
}

/// `selftest --config CONFIG`: its exit status and what it printed.
fn selftest_with(config: &Path) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gatehouse-door"))
        .args(["selftest", "--config"])
        .arg(config)
        .output()
        .expect("run");
    (
        out.status.code(),
        String::from_utf8(out.stdout).expect("utf-8"),
    )
}
