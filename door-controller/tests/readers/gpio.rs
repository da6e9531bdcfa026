//! `run` with a `backend = "gpio"` file on this machine: a build without the `rpi` feature
//! refuses it naming the key, before anything is opened (no journal is started); a build
//! with it finds no GPIO controller on a machine that is no Pi.

use std::process::Command;

#[test]
fn a_gpio_file_is_refused_before_anything_is_opened() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state");
    let example = include_str!("../../door.example.toml");
    let config = dir.path().join("door.toml");
    std::fs::write(
        &config,
        example.replace(
            "state_dir = \"/var/lib/gatehouse-door\"",
            &format!("state_dir = \"{}\"", state.display()),
        ),
    )
    .expect("config");
    let out = Command::new(env!("CARGO_BIN_EXE_gatehouse-door"))
        .args(["run", "--config"])
        .arg(&config)
        .output()
        .expect("run");
    let stderr = String::from_utf8(out.stderr).expect("utf-8");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    if cfg!(feature = "rpi") {
        assert!(
            stderr.starts_with("gatehouse-door: hardware: gpio: cannot open the GPIO controller"),
            "{stderr}"
        );
    } else {
        assert_eq!(
            stderr,
            "gatehouse-door: hardware: door[0].lock_pin: this build has no GPIO back-end \
             (built without the rpi feature)\n"
        );
    }
    assert!(!state.join("journal").exists(), "nothing started");
}
