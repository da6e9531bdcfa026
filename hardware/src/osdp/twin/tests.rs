//! The control panel against in-memory PDs.

use super::*;
use crate::osdp::commands::{Command, LedColor, LedCommand};
use crate::osdp::{Bus, BusConfig, ReaderConfig, Timing};
use crate::reader::{ReadData, ReaderEvent, ReaderHealth, ReaderId, RefusalCause};
use std::time::Instant;

type Events = Arc<Mutex<Vec<ReaderEvent>>>;

fn key(hex: &str) -> Key {
    Key::from_hex(hex).expect("key")
}

fn twin(address: u8, k: Option<Key>) -> TwinState {
    TwinState {
        address,
        key: k,
        ..TwinState::default()
    }
}

fn bus(twins: Vec<TwinState>, readers: Vec<ReaderConfig>) -> (Bus, Vec<Shared>, Events) {
    let (cp, pd) = MemoryChannel::pair();
    let shared = spawn(pd, twins);
    let events: Events = Arc::default();
    let sink = events.clone();
    let config = BusConfig {
        timing: Timing {
            reply_timeout: Duration::from_millis(100),
            retries: 1,
        },
        poll_interval: Duration::from_millis(2),
        reconnect_after: Duration::ZERO,
    };
    let bus = Bus::new(Box::new(cp), config, readers, move |e| {
        sink.lock().expect("events").push(e)
    })
    .expect("bus");
    (bus, shared, events)
}

fn reader(name: &str, address: u8, k: Option<Key>) -> ReaderConfig {
    ReaderConfig {
        id: ReaderId::new(name),
        address,
        key: k,
    }
}

fn healths(events: &Events, name: &str) -> Vec<ReaderHealth> {
    events
        .lock()
        .expect("events")
        .iter()
        .filter_map(|e| match e {
            ReaderEvent::Health { reader, health, .. } if reader.name() == name => {
                Some(health.clone())
            }
            _ => None,
        })
        .collect()
}

fn reads(events: &Events) -> Vec<(String, ReadData)> {
    events
        .lock()
        .expect("events")
        .iter()
        .filter_map(|e| match e {
            ReaderEvent::Read(r) => Some((r.reader.name().to_owned(), r.data.clone())),
            _ => None,
        })
        .collect()
}

const K1: &str = "000102030405060708090a0b0c0d0e0f";
const K2: &str = "f0e0d0c0b0a090807060504030201000";

#[test]
fn two_plain_readers_on_one_bus_come_online_and_read() {
    let (mut bus, twins, events) = bus(
        vec![twin(1, None), twin(2, None)],
        vec![reader("a", 1, None), reader("b", 2, None)],
    );
    bus.poll_round();
    assert_eq!(
        healths(&events, "a"),
        vec![ReaderHealth::Online { secure: false }]
    );
    assert_eq!(
        healths(&events, "b"),
        vec![ReaderHealth::Online { secure: false }]
    );
    let info = bus.info(&ReaderId::new("a")).expect("info");
    assert_eq!(
        info.id.as_ref().map(|i| (i.vendor, i.serial)),
        Some((0xFEBABE, 0x12345678))
    );
    twins[1]
        .lock()
        .expect("twin")
        .reads
        .push_back((0x50, vec![0, 1, 26, 0, 0x12, 0x34, 0x56, 0x40]));
    twins[0]
        .lock()
        .expect("twin")
        .reads
        .push_back((0x53, vec![0, 5, b'4', b'3', b'2', b'1', 0x0D]));
    bus.send(
        &ReaderId::new("a"),
        Command::Led(LedCommand::steady(LedColor::Green)),
    )
    .expect("queued");
    bus.poll_round();
    bus.poll_round();
    let got = reads(&events);
    assert_eq!(got.len(), 2);
    assert!(got.contains(&(
        "b".into(),
        ReadData::WiegandFrame {
            bits: 26,
            data: vec![0x12, 0x34, 0x56, 0x40]
        }
    )));
    assert!(got.contains(&(
        "a".into(),
        ReadData::Pin(gatehouse_core::model::Pin::parse("4321").expect("pin"))
    )));
    let led = twins[0]
        .lock()
        .expect("twin")
        .commands
        .iter()
        .find(|c| c.0 == 0x69)
        .cloned();
    assert_eq!(
        led,
        Some((0x69, vec![0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 2, 2], false))
    );
}

#[test]
fn a_keyed_reader_is_online_only_over_the_secure_channel() {
    let (mut bus, twins, events) = bus(
        vec![twin(3, Some(key(K1)))],
        vec![reader("door", 3, Some(key(K1)))],
    );
    bus.poll_round();
    bus.send(
        &ReaderId::new("door"),
        Command::Led(LedCommand::steady(LedColor::Red)),
    )
    .expect("queued");
    twins[0]
        .lock()
        .expect("twin")
        .reads
        .push_back((0x50, vec![0, 1, 26, 0, 1, 2, 3, 0]));
    bus.poll_round();
    bus.poll_round();
    assert_eq!(
        healths(&events, "door"),
        vec![ReaderHealth::Online { secure: true }]
    );
    assert_eq!(reads(&events).len(), 1);
    let t = twins[0].lock().expect("twin");
    let codes: Vec<(u8, bool)> = t.commands.iter().map(|c| (c.0, c.2)).collect();
    assert_eq!(
        codes,
        vec![
            (0x61, true),
            (0x62, true),
            (0x64, true),
            (0x69, true),
            (0x60, true)
        ]
    );
}

#[test]
fn a_reader_with_another_key_is_an_alarm() {
    let (mut bus, twins, events) = bus(
        vec![twin(3, Some(key(K2)))],
        vec![reader("door", 3, Some(key(K1)))],
    );
    bus.poll_round();
    bus.poll_round();
    let h = healths(&events, "door");
    assert_eq!(h.len(), 1, "{h:?}");
    assert!(
        matches!(&h[0], ReaderHealth::SecureChannelRefused { cause: RefusalCause::WrongKey, reason } if reason.contains("not its own"))
    );
    // Never re-keyed, never polled in the clear.
    let t = twins[0].lock().expect("twin");
    assert!(t.commands.is_empty());
    assert_eq!(t.key, Some(key(K2)));
}

#[test]
fn a_downgrade_to_plain_is_an_alarm_not_a_fallback() {
    let (mut bus, twins, events) = bus(
        vec![twin(3, Some(key(K1)))],
        vec![reader("door", 3, Some(key(K1)))],
    );
    bus.poll_round();
    twins[0].lock().expect("twin").downgrade = true;
    bus.poll_round();
    bus.poll_round();
    let h = healths(&events, "door");
    assert_eq!(h[0], ReaderHealth::Online { secure: true });
    assert!(
        matches!(&h[1], ReaderHealth::SecureChannelRefused { cause: RefusalCause::Downgrade, reason } if reason.contains("plain")),
        "{h:?}"
    );
    assert!(!h.contains(&ReaderHealth::Online { secure: false }));
}

#[test]
fn a_keyed_reader_that_refuses_the_secure_channel_is_an_alarm() {
    let (mut bus, _twins, events) =
        bus(vec![twin(3, None)], vec![reader("door", 3, Some(key(K1)))]);
    bus.poll_round();
    let h = healths(&events, "door");
    assert!(
        matches!(&h[..], [ReaderHealth::SecureChannelRefused { cause: RefusalCause::Refused, reason }] if reason.contains("NAK 5")),
        "{h:?}"
    );
}

#[test]
fn a_silent_reader_goes_offline_and_comes_back() {
    let (mut bus, twins, events) = bus(vec![twin(1, None)], vec![reader("a", 1, None)]);
    bus.poll_round();
    twins[0].lock().expect("twin").silent = true;
    bus.poll_round();
    twins[0].lock().expect("twin").silent = false;
    bus.poll_round();
    assert_eq!(
        healths(&events, "a"),
        vec![
            ReaderHealth::Online { secure: false },
            ReaderHealth::Offline,
            ReaderHealth::Online { secure: false }
        ]
    );
}

#[test]
fn commands_queued_for_a_reader_that_went_offline_are_not_sent_when_it_returns() {
    let (mut bus, twins, events) = bus(vec![twin(1, None)], vec![reader("a", 1, None)]);
    bus.poll_round();
    twins[0].lock().expect("twin").silent = true;
    // Two commands: the first goes out to the silent reader and is lost with the link; the
    // second would wait in the queue.
    for output in [0, 1] {
        let command = crate::osdp::OutputCommand { output, on: true };
        bus.send(&ReaderId::new("a"), Command::Output(command))
            .expect("queued");
    }
    bus.poll_round();
    twins[0].lock().expect("twin").silent = false;
    bus.poll_round();
    bus.poll_round();
    assert_eq!(
        healths(&events, "a"),
        vec![
            ReaderHealth::Online { secure: false },
            ReaderHealth::Offline,
            ReaderHealth::Online { secure: false }
        ]
    );
    let outputs = twins[0]
        .lock()
        .expect("twin")
        .commands
        .iter()
        .filter(|c| c.0 == 0x68)
        .count();
    assert_eq!(
        outputs, 0,
        "the queued output command was dropped with the link"
    );
}

#[test]
fn secure_channel_commands_cannot_be_queued() {
    let (mut bus, twins, _) = bus(vec![twin(1, None)], vec![reader("a", 1, None)]);
    bus.poll_round();
    let a = ReaderId::new("a");
    assert_eq!(
        bus.send(&a, Command::KeySet(key("000102030405060708090a0b0c0d0e0f"))),
        Err(crate::osdp::BusError::Reserved("KEYSET"))
    );
    assert_eq!(
        bus.send(&a, Command::Challenge([1; 8])),
        Err(crate::osdp::BusError::Reserved("CHLNG"))
    );
    assert_eq!(
        bus.send(&a, Command::ServerCryptogram([2; 16])),
        Err(crate::osdp::BusError::Reserved("SCRYPT"))
    );
    bus.poll_round();
    let sent_keyset = twins[0]
        .lock()
        .expect("twin")
        .commands
        .iter()
        .any(|c| c.0 == 0x75);
    assert!(!sent_keyset);
}

#[test]
fn install_key_keys_a_reader_in_install_mode_before_the_deadline() {
    let mut t = twin(4, None);
    t.install_mode = true;
    let (mut bus, twins, events) = bus(vec![t], vec![reader("new", 4, None)]);
    let id = ReaderId::new("new");
    let deadline = Instant::now() + Duration::from_secs(2);
    bus.install_key(&id, key(K2), deadline).expect("installed");
    assert_eq!(twins[0].lock().expect("twin").key, Some(key(K2)));
    bus.poll_round();
    assert_eq!(
        healths(&events, "new"),
        vec![ReaderHealth::Online { secure: true }]
    );
    assert_eq!(
        bus.install_key(&id, key(K1), Instant::now() + Duration::from_secs(1)),
        Err(crate::osdp::InstallError::AlreadyKeyed("new".into()))
    );
}

#[test]
fn install_key_gives_up_at_the_deadline() {
    let (mut bus, _twins, _events) = bus(vec![twin(4, None)], vec![reader("new", 4, None)]);
    let err = bus
        .install_key(
            &ReaderId::new("new"),
            key(K2),
            Instant::now() + Duration::from_millis(300),
        )
        .expect_err("no install mode");
    assert!(
        matches!(err, crate::osdp::InstallError::Expired { ref reason, .. } if reason.contains("NAK 5")),
        "{err:?}"
    );
}

#[test]
fn install_key_whose_keyset_reply_is_lost_checks_the_new_key() {
    let mut t = twin(4, None);
    t.install_mode = true;
    t.lose_keyset_replies = true;
    let (mut bus, twins, events) = bus(vec![t], vec![reader("new", 4, None)]);
    let id = ReaderId::new("new");
    let deadline = Instant::now() + Duration::from_secs(2);
    bus.install_key(&id, key(K2), deadline)
        .expect("the reader took the key; the handshake under it proves it");
    assert_eq!(twins[0].lock().expect("twin").key, Some(key(K2)));
    bus.poll_round();
    assert_eq!(
        healths(&events, "new"),
        vec![ReaderHealth::Online { secure: true }]
    );
}

#[test]
fn a_failed_install_hands_the_key_back() {
    let (mut bus, _twins, _events) = bus(vec![twin(4, None)], vec![reader("new", 4, None)]);
    let err = bus
        .install_key(
            &ReaderId::new("new"),
            key(K2),
            Instant::now() + Duration::from_millis(300),
        )
        .expect_err("no install mode");
    match err {
        crate::osdp::InstallError::Expired { key: k, .. } => assert_eq!(k, key(K2)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn install_to_a_reader_with_an_unexpected_key_is_an_alarm_and_stops() {
    let (mut bus, twins, events) = bus(vec![twin(4, Some(key(K1)))], vec![reader("new", 4, None)]);
    let started = Instant::now();
    let err = bus
        .install_key(
            &ReaderId::new("new"),
            key(K2),
            started + Duration::from_secs(2),
        )
        .expect_err("the reader holds another key");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    match err {
        crate::osdp::InstallError::Refused { key: k, .. } => assert_eq!(k, key(K2)),
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(
            healths(&events, "new").as_slice(),
            [ReaderHealth::SecureChannelRefused {
                cause: RefusalCause::WrongKey,
                ..
            }]
        ),
        "{:?}",
        healths(&events, "new")
    );
    assert_eq!(twins[0].lock().expect("twin").key, Some(key(K1)));
}

#[test]
fn an_install_window_longer_than_the_cap_is_refused_before_anything_is_sent() {
    let mut t = twin(4, None);
    t.install_mode = true;
    let (mut bus, twins, _events) = bus(vec![t], vec![reader("new", 4, None)]);
    let max = crate::osdp::MAX_INSTALL_WINDOW;
    assert_eq!(max, Duration::from_secs(30));
    let err = bus
        .install_key(
            &ReaderId::new("new"),
            key(K2),
            Instant::now() + max + Duration::from_secs(5),
        )
        .expect_err("too long");
    assert!(err.to_string().contains("30 s"), "{err}");
    match err {
        crate::osdp::InstallError::WindowTooLong { key: k, .. } => assert_eq!(k, key(K2)),
        other => panic!("{other:?}"),
    }
    let twin = twins[0].lock().expect("twin");
    assert!(twin.commands.is_empty());
    assert_eq!(twin.key, None);
}

#[test]
fn a_tampered_reader_is_reported() {
    let mut t = twin(1, None);
    t.tamper = true;
    let (mut bus, _twins, events) = bus(vec![t], vec![reader("a", 1, None)]);
    bus.poll_round();
    assert_eq!(
        healths(&events, "a"),
        vec![ReaderHealth::Online { secure: false }, ReaderHealth::Tamper]
    );
}

#[test]
fn comset_moves_a_reader_to_its_new_address() {
    let (mut bus, twins, events) = bus(vec![twin(1, None)], vec![reader("a", 1, None)]);
    bus.poll_round();
    let a = ReaderId::new("a");
    bus.send(
        &a,
        Command::ComSet {
            address: 9,
            baud: 9600,
        },
    )
    .expect("queued");
    bus.poll_round();
    bus.poll_round();
    assert_eq!(twins[0].lock().expect("twin").address, 9);
    assert_eq!(
        healths(&events, "a"),
        vec![ReaderHealth::Online { secure: false }]
    );
}

#[test]
fn duplicate_addresses_are_refused() {
    let (cp, _pd) = MemoryChannel::pair();
    let err = Bus::new(
        Box::new(cp),
        BusConfig::default(),
        vec![reader("a", 1, None), reader("b", 1, None)],
        |_| {},
    )
    .expect_err("duplicate");
    assert_eq!(err, crate::osdp::BusError::Address(1));
}
