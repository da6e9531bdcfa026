//! A keyboard-wedge QR scanner: its evdev device is a named pipe here, which the test
//! "types" a visitor pass into as `struct input_event` records, as the kernel hands a
//! USB keyboard's keys to `/dev/input/event*`.

use super::support::{Site, lobby_pass, reasons};
use gatehouse_core::reason::Reason;
use gatehouse_hardware::qr::{InputEvent, char_for};
use std::io::Write;
use std::process::Command;
use std::time::Duration;

const EV_KEY: u16 = 1;
const KEY_ENTER: u16 = 28;
const KEY_LEFTSHIFT: u16 = 42;

/// The key code and shift that type `c` on a US layout.
fn key_for(c: char) -> (u16, bool) {
    (0..256)
        .flat_map(|code| [(code, false), (code, true)])
        .find(|&(code, shift)| char_for(code, shift) == Some(c))
        .unwrap_or_else(|| panic!("no key types {c:?}"))
}

/// The records a scanner sends for `text` and Enter, a key every 2 ms.
fn typed(text: &str) -> Vec<u8> {
    let mut records = Vec::new();
    let mut ms = 1_000_000;
    let mut key = |code: u16, value: i32| {
        ms += 2;
        let event = InputEvent {
            time: Duration::from_millis(ms),
            kind: EV_KEY,
            code,
            value,
        };
        records.extend_from_slice(&event.to_bytes());
    };
    for c in text.chars() {
        let (code, shift) = key_for(c);
        if shift {
            key(KEY_LEFTSHIFT, 1);
        }
        key(code, 1);
        key(code, 0);
        if shift {
            key(KEY_LEFTSHIFT, 0);
        }
    }
    key(KEY_ENTER, 1);
    key(KEY_ENTER, 0);
    records
}

#[test]
fn a_pass_typed_by_a_keyboard_wedge_scanner_is_decided() {
    let dir = tempfile::tempdir().expect("tempdir");
    let device = dir.path().join("event-kbd");
    let made = Command::new("mkfifo")
        .arg(&device)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let site = Site::new(
        &format!(
            "[[door.reader]]\nname = \"lobby-wedge\"\ndirection = \"in\"\n\
             interface = \"qr_wedge\"\ndevice = \"{}\"\n",
            device.display()
        ),
        "",
    );
    let controller = site.run();
    // Opening the pipe waits for the controller's reader to open it too (the status report
    // says "online" from the start).
    let mut keyboard = std::fs::OpenOptions::new()
        .write(true)
        .open(&device)
        .expect("open the device");
    keyboard.write_all(&typed(&lobby_pass())).expect("type");
    keyboard.write_all(&typed("hello")).expect("type");
    controller.status_when("both scans decided", |s| s["decisions"]["count"] == 2);
    controller.assert_lobby_lock(&["locked", "unlocked", "locked"]);
    let events = controller.stop();
    assert_eq!(reasons(&events), [Reason::Granted, Reason::Malformed]);
}
