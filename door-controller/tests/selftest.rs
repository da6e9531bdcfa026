//! `gatehouse-door selftest` as an installer runs it: every check passes on this build,
//! one `ok` line each, exit status 0.

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
        ]
    );
}
