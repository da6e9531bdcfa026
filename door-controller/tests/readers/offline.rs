//! A reader whose port is missing at start: reported offline (journaled, and in the status
//! report) while the other door decides as usual; plugged in later under its configured
//! name, it is opened again by itself and decides too.

use super::support::{Pty, Site, lobby_pass, reader_health, reasons};
use gatehouse_core::model::Direction;
use gatehouse_core::reason::Reason;
use gatehouse_core::sample::{self, people};
use gatehouse_core::wire::DoorEventKind;
use serde_json::json;
use std::os::unix::fs::PermissionsExt;

#[test]
fn a_missing_scanner_is_offline_the_other_door_serves_and_it_comes_back() {
    let plug = tempfile::tempdir().expect("tempdir");
    // A stable name, as /dev/serial/by-id/… names a USB scanner; nothing there yet.
    let port = plug.path().join("scanner");
    let site = Site::new(
        &format!(
            "[[door.reader]]\nname = \"lobby-qr\"\ndirection = \"in\"\n\
             interface = \"qr_serial\"\nport = \"{}\"\n",
            port.display()
        ),
        "[[door]]\nname = \"office\"\nid = 2\nlock = \"fail_secure\"\n\
         [[door.reader]]\nname = \"office-in\"\ndirection = \"in\"\ninterface = \"sim\"\n",
    );
    let controller = site.run();
    controller.status_when("the scanner is offline", |s| {
        s["readers"][0]["name"] == "lobby-qr" && s["readers"][0]["health"] == "offline"
    });
    let dave = sample::card_of(people::DAVE).to_string();
    controller.sim(&json!({"cmd": "card", "reader": "office-in", "card": dave}));
    controller.status_when("the office decided", |s| s["decisions"]["count"] == 1);

    let mut pty = Pty::new();
    std::os::unix::fs::symlink(&pty.path, &port).expect("plug the scanner in");
    controller.status_when("the scanner is back", |s| {
        s["readers"][0]["health"] == "online"
    });
    pty.scan(&lobby_pass());
    controller.status_when("the lobby decided", |s| s["decisions"]["count"] == 2);
    let events = controller.stop();
    assert_eq!(reasons(&events), [Reason::Granted, Reason::Granted]);
    let entry = Direction::Entry;
    assert_eq!(
        reader_health(&events, 1),
        [
            DoorEventKind::ReaderOffline { reader: entry },
            DoorEventKind::ReaderOnline { reader: entry },
        ]
    );
    assert_eq!(reader_health(&events, 2), []);
}

/// A key store others may read is not used: the OSDP readers stay offline rather than be
/// polled in the clear, and the log says why.
#[test]
fn an_exposed_key_store_keeps_the_osdp_readers_offline() {
    let pty = Pty::new();
    let site = Site::new(
        &format!(
            "[[door.reader]]\nname = \"lobby-osdp\"\ndirection = \"in\"\ninterface = \"osdp\"\n\
             port = \"{}\"\naddress = 1\n",
            pty.path
        ),
        "",
    );
    let store = site.state().join("reader-keys.json");
    std::fs::write(&store, r#"{"v":1,"readers":{}}"#).expect("key store");
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let controller = site.run();
    controller.status_when("the reader is offline", |s| {
        s["readers"][0]["health"] == "offline"
    });
    let log = controller.log();
    let why = format!(
        "reader key store {} has mode 644; it must be 600 (readable by its owner only)",
        store.display()
    );
    assert!(log.contains(&why), "{log}");
    let events = controller.stop();
    assert_eq!(
        reader_health(&events, 1),
        [DoorEventKind::ReaderOffline {
            reader: Direction::Entry
        }]
    );
}
