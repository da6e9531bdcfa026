//! `gatehouse-door selftest` as an installer runs it: every check passes on this build,
//! one `ok` line each, exit status 0.

use std::os::unix::fs::PermissionsExt;
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

/// A sim configuration whose front door has `readers` (TOML `[[door.reader]]` tables).
fn config_with_readers(dir: &Path, readers: &str) -> std::path::PathBuf {
    let config = dir.join("door.toml");
    let text = format!(
        "[controller]\nname = \"t\"\nstate_dir = \"{}\"\n[hardware]\nbackend = \"sim\"\n\
         [[door]]\nname = \"front\"\nid = 1\nlock = \"fail_secure\"\n{readers}",
        dir.join("state").display()
    );
    std::fs::write(&config, text).expect("config");
    config
}

#[test]
fn with_a_config_each_port_and_device_is_opened() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config_with_readers(
        dir.path(),
        "[[door.reader]]\nname = \"front-qr\"\ndirection = \"in\"\ninterface = \"qr_serial\"\n\
         port = \"/dev/gatehouse-no-such-port\"\n\
         [[door.reader]]\nname = \"front-wedge\"\ndirection = \"out\"\ninterface = \"qr_wedge\"\n\
         device = \"/dev/null\"\n\
         [[door.reader]]\nname = \"front-osdp\"\ndirection = \"out\"\ninterface = \"osdp\"\n\
         port = \"/dev/gatehouse-no-such-bus\"\naddress = 1\n\
         [[door.reader]]\nname = \"front-osdp-2\"\ndirection = \"out\"\ninterface = \"osdp\"\n\
         port = \"/dev/gatehouse-no-such-bus\"\naddress = 2\n",
    );
    let (code, text) = selftest_with(&config);
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(
        text.lines().skip(5).collect::<Vec<_>>(),
        [
            "FAILED  door[0].reader[0].port: serial port /dev/gatehouse-no-such-port: \
             No such file or directory",
            "ok      door[0].reader[1].device: evdev device /dev/null",
            // One bus, one check.
            "FAILED  door[0].reader[2].port: serial port /dev/gatehouse-no-such-bus: \
             No such file or directory",
            // No key store yet: no reader keyed.
            "ok      OSDP Secure Channel keys",
        ]
    );

    // A key store others may read is refused, as `run` refuses it.
    let store = dir.path().join("state/reader-keys.json");
    std::fs::create_dir_all(dir.path().join("state")).expect("state");
    std::fs::write(&store, r#"{"v":1,"readers":{}}"#).expect("store");
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let (code, text) = selftest_with(&config);
    assert_eq!(code, Some(1), "{text}");
    let want = format!(
        "FAILED  OSDP Secure Channel keys: reader key store {} has mode 640; \
         it must be 600 (readable by its owner only)",
        store.display()
    );
    assert_eq!(text.lines().last(), Some(want.as_str()), "{text}");
}

#[test]
fn a_serial_port_that_is_there_passes() {
    let (_master, slave) = serialport::TTYPort::pair().expect("a pty");
    let port = serialport::SerialPort::name(&slave).expect("the pty's path");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config_with_readers(
        dir.path(),
        &format!(
            "[[door.reader]]\nname = \"front-qr\"\ndirection = \"in\"\n\
             interface = \"qr_serial\"\nport = \"{port}\"\n"
        ),
    );
    let (code, text) = selftest_with(&config);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(
        text.lines().last(),
        Some(format!("ok      door[0].reader[0].port: serial port {port}").as_str())
    );
}

#[test]
fn a_gpio_config_on_a_build_without_gpio_fails_naming_the_key() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/door.example.toml");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("door.toml");
    let text = std::fs::read_to_string(example).expect("the example");
    let state = format!("state_dir = \"{}\"", dir.path().join("state").display());
    std::fs::write(
        &config,
        text.replace("state_dir = \"/var/lib/gatehouse-door\"", &state),
    )
    .expect("config");
    let (code, text) = selftest_with(&config);
    assert_eq!(code, Some(1), "{text}");
    let last = text.lines().last().expect("a line");
    if cfg!(feature = "rpi") {
        // Not a Pi: the GPIO controller is not there.
        assert!(
            last.starts_with("FAILED  GPIO controller: gpio: "),
            "{text}"
        );
    } else {
        assert_eq!(
            last,
            "FAILED  GPIO pins: door[0].lock_pin: this build has no GPIO back-end \
             (built without the rpi feature)"
        );
    }
}
