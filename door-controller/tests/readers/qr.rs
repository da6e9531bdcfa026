//! A serial QR scanner on a pseudo-terminal: a visitor pass scanned at the lobby is
//! decided and opens the simulated door; text that is no pass is journaled as malformed.

use super::support::{Pty, Site, lobby_pass, reasons};
use gatehouse_core::reason::Reason;

#[test]
fn a_pass_scanned_on_a_serial_scanner_is_decided_and_opens_the_door() {
    let mut pty = Pty::new();
    let site = Site::new(
        &format!(
            "[[door.reader]]\nname = \"lobby-qr\"\ndirection = \"in\"\n\
             interface = \"qr_serial\"\nport = \"{}\"\n",
            pty.path
        ),
        "",
    );
    let controller = site.run();
    // The status report says "online" from the start; the log says when the port is open.
    controller.logged("QR scanner open");
    pty.scan(&lobby_pass());
    pty.scan("https://example.com/not-a-pass");
    controller.status_when("both scans decided", |s| s["decisions"]["count"] == 2);
    // Unlocked for the grant, locked again when the strike time (1 s) ran out.
    controller.assert_lobby_lock(&["locked", "unlocked", "locked"]);
    let events = controller.stop();
    assert_eq!(reasons(&events), [Reason::Granted, Reason::Malformed]);
}
