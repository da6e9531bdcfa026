//! An OSDP reader (libosdp's peripheral device, tests/python/osdp_pd.py) on a
//! pseudo-terminal: a card presented at it is decided, opens the simulated door and is
//! shown on the reader (LED and beep as OSDP commands); a reader keyed in the controller's
//! reader key store comes online over the Secure Channel; `reader install-key` keys one in
//! install mode; two readers of two doors on one bus each decide at their own door.

#[allow(dead_code)]
#[path = "../../../hardware/tests/osdp/pd.rs"]
mod pd;

use super::support::{Site, reasons};
use gatehouse_core::card::encode_wiegand;
use gatehouse_core::reason::Reason;
use gatehouse_core::sample::{self, people};
use gatehouse_core::wire::Event;
use gatehouse_hardware::osdp::Key;
use gatehouse_hardware::reader::ReaderId;
use gatehouse_hardware::reader_keys::KeyStore;
use pd::{Pd, python};
use serde_json::{Value, json};
use std::process::Command;
use std::time::{Duration, Instant};

const KEY: &str = "5a1e3c7f09b2d48e6f0a1b2c3d4e5f60";

fn osdp_reader(port: &str) -> String {
    format!(
        "[[door.reader]]\nname = \"lobby-osdp\"\ndirection = \"in\"\ninterface = \"osdp\"\n\
         port = \"{port}\"\naddress = 1\n"
    )
}

/// Presents Dave's card (security, 24/7) at the PD.
fn present_dave(pd: &mut Pd) {
    let (bits, data) = encode_wiegand(&sample::card_of(people::DAVE)).expect("a Wiegand card");
    pd.tell(json!({"card": {"bits": bits, "hex": hex::encode(data)}}));
}

#[test]
fn a_card_at_an_osdp_reader_is_decided_and_opens_the_door() {
    let Some(python) = python() else { return };
    let mut pd = Pd::start(&python, 1, None, false);
    let site = Site::new(&osdp_reader(&pd.pty), "");
    let controller = site.run();
    // The PD holds the card until the controller's bus polls it.
    present_dave(&mut pd);
    controller.status_when("the card decided", |s| s["decisions"]["count"] == 1);
    // Unlocked for the grant, locked again when the strike time (1 s) ran out.
    controller.assert_lobby_lock(&["locked", "unlocked", "locked"]);
    // The reader showed it: its LED green for the grant and dark again once locked, one
    // short beep (2 × 100 ms, once), all as OSDP commands (LED 0x69 = 2, BUZ 0x6a = 3 in
    // libosdp's numbering).
    let commands = |pd: &Pd, kind: u64| -> Vec<Value> {
        pd.seen
            .iter()
            .filter(|v| v["command"]["command"] == kind)
            .map(|v| v["command"].clone())
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    while commands(&pd, 2).len() < 3 && Instant::now() < deadline {
        pd.wait_for(Duration::from_millis(100), |_| false);
    }
    let colors: Vec<u64> = commands(&pd, 2)
        .iter()
        .map(|c| c["on_color"].as_u64().unwrap())
        .collect();
    assert_eq!(colors, [0, 2, 0], "off at start, green, off");
    let beeps: Vec<(u64, u64)> = commands(&pd, 3)
        .iter()
        .filter(|c| c["control_code"] == 2)
        .map(|c| {
            (
                c["on_count"].as_u64().unwrap(),
                c["rep_count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(beeps, [(2, 1)], "one short beep");
    let events = controller.stop();
    assert_eq!(reasons(&events), [Reason::Granted]);
}

#[test]
fn a_reader_keyed_in_the_key_store_comes_online_over_the_secure_channel() {
    let Some(python) = python() else { return };
    let mut pd = Pd::start(&python, 1, Some(KEY), false);
    let site = Site::new(&osdp_reader(&pd.pty), "");
    let mut store = KeyStore::open(&site.state().join("reader-keys.json")).expect("key store");
    let key = Key::from_hex(KEY).expect("a key");
    store
        .insert(ReaderId::new("lobby-osdp"), key, 1_764_115_200_000)
        .expect("stored");
    let controller = site.run();
    controller.status_when("the reader is online, secure", |s| {
        s["readers"][0]["health"] == "online (secure channel)"
    });
    present_dave(&mut pd);
    controller.status_when("the card decided", |s| s["decisions"]["count"] == 1);
    let events = controller.stop();
    assert_eq!(reasons(&events), [Reason::Granted]);
}

#[test]
fn readers_sharing_one_bus_each_decide_at_their_own_door() {
    let Some(python) = python() else { return };
    let mut pd = Pd::start_line(&python, &[1, 2]);
    let site = Site::new(
        &osdp_reader(&pd.pty),
        &format!(
            "[[door]]\nname = \"office\"\nid = 2\nlock = \"fail_secure\"\n\
             [[door.reader]]\nname = \"office-osdp\"\ndirection = \"in\"\ninterface = \"osdp\"\n\
             port = \"{}\"\naddress = 2\n",
            pd.pty
        ),
    );
    let controller = site.run();
    let (bits, data) = encode_wiegand(&sample::card_of(people::DAVE)).expect("a Wiegand card");
    pd.tell(json!({"address": 2, "card": {"bits": bits, "hex": hex::encode(data)}}));
    controller.status_when("the card decided", |s| s["decisions"]["count"] == 1);
    let events = controller.stop();
    let doors: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Access(d) => Some((d.door.0, d.reason)),
            _ => None,
        })
        .collect();
    assert_eq!(doors, [(2, Reason::Granted)]);
}

#[test]
fn install_key_keys_a_reader_in_install_mode_and_the_controller_then_uses_it() {
    let Some(python) = python() else { return };
    let mut pd = Pd::start(&python, 1, None, true);
    let site = Site::new(&osdp_reader(&pd.pty), "");
    let install = || {
        Command::new(env!("CARGO_BIN_EXE_gatehouse-door"))
            .args([
                "reader",
                "install-key",
                "--reader",
                "lobby-osdp",
                "--seconds",
                "10",
            ])
            .arg("--config")
            .arg(&site.config)
            .output()
            .expect("run install-key")
    };
    // Keyed and stored; this site's controller was enrolled without an escrow recipient, so
    // the copy for the server cannot be made, and the command says so and fails.
    let keyed = install();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&keyed.stdout),
        String::from_utf8_lossy(&keyed.stderr),
    );
    assert_eq!(keyed.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.starts_with("reader lobby-osdp keyed"), "{stdout}");
    assert!(
        stderr.contains("NOT ESCROWED: the server named no escrow recipient"),
        "{stderr}"
    );
    let store = KeyStore::open(&site.state().join("reader-keys.json")).expect("key store");
    assert!(store.get(&ReaderId::new("lobby-osdp")).is_some());

    let again = install();
    assert_eq!(again.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("reader lobby-osdp is keyed already"),
        "{stderr}"
    );

    // The controller brings it online over the Secure Channel with the stored key.
    let controller = site.run();
    controller.status_when("the reader is online, secure", |s| {
        s["readers"][0]["health"] == "online (secure channel)"
    });
    let busy = install();
    let stderr = String::from_utf8_lossy(&busy.stderr);
    assert!(
        stderr.contains("the controller is running (process"),
        "{stderr}"
    );
    present_dave(&mut pd);
    controller.status_when("the card decided", |s| s["decisions"]["count"] == 1);
    let events = controller.stop();
    assert_eq!(reasons(&events), [Reason::Granted]);
}
