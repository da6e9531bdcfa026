//! Our OSDP control panel against libosdp's peripheral device (PyPI `libosdp`, pinned in
//! requirements-test.txt), over a pseudo-terminal: polling, LED, buzzer and output commands, a card
//! read and a PIN arriving as credentials, the Secure Channel with a shared key, a wrong
//! key refused as an alarm, a key installed over SCBK-D, and several readers sharing one bus.

mod pd;

use gatehouse_core::model::Pin;
use gatehouse_hardware::osdp::{
    Bus, BusConfig, BuzzerCommand, Command, Key, LedColor, LedCommand, OutputCommand, ReaderConfig,
    SerialChannel,
};
use gatehouse_hardware::reader::{ReadData, ReaderEvent, ReaderHealth, ReaderId, RefusalCause};
use pd::{Pd, python};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Events = Arc<Mutex<Vec<ReaderEvent>>>;

const KEY: &str = "5a1e3c7f09b2d48e6f0a1b2c3d4e5f60";
const OTHER_KEY: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

fn bus(pd: &Pd, address: u8, key: Option<&str>) -> (Bus, Events) {
    let channel = SerialChannel::open(&pd.pty, 115_200).expect("open the pty");
    let events: Events = Arc::default();
    let sink = events.clone();
    let reader = ReaderConfig {
        id: ReaderId::new("lobby"),
        address,
        key: key.map(|k| Key::from_hex(k).expect("key")),
    };
    let bus = Bus::new(
        Box::new(channel),
        BusConfig::default(),
        vec![reader],
        move |e| sink.lock().expect("events").push(e),
    )
    .expect("bus");
    (bus, events)
}

/// Polls until `pred` holds for the events (true) or `timeout` passes (false).
fn poll_until(
    bus: &mut Bus,
    events: &Events,
    timeout: Duration,
    pred: impl Fn(&[ReaderEvent]) -> bool,
) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        bus.poll_round();
        if pred(&events.lock().expect("events")) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

fn healths(events: &Events) -> Vec<ReaderHealth> {
    events
        .lock()
        .expect("events")
        .iter()
        .filter_map(|e| match e {
            ReaderEvent::Health { health, .. } => Some(health.clone()),
            ReaderEvent::Read(_) => None,
        })
        .collect()
}

fn reads(events: &[ReaderEvent]) -> Vec<ReadData> {
    events
        .iter()
        .filter_map(|e| match e {
            ReaderEvent::Read(r) => Some(r.data.clone()),
            ReaderEvent::Health { .. } => None,
        })
        .collect()
}

fn online(secure: bool) -> impl Fn(&[ReaderEvent]) -> bool {
    move |events| {
        events.iter().any(|e| {
            matches!(e, ReaderEvent::Health { health: ReaderHealth::Online { secure: s }, .. } if *s == secure)
        })
    }
}

fn command(v: &Value, code: u64) -> bool {
    v.pointer("/command/command").and_then(Value::as_u64) == Some(code)
}

/// Presents a 26-bit card (H10301, facility 18, card 13398) and checks it arrives.
fn card_arrives(pd: &mut Pd, bus: &mut Bus, events: &Events) {
    // 26 bits, first bit in the most significant bit of the first byte.
    pd.tell(json!({"card": {"bits": 26, "hex": "091a2b00"}}));
    let want = ReadData::WiegandFrame {
        bits: 26,
        data: vec![0x09, 0x1a, 0x2b, 0x00],
    };
    let got = poll_until(bus, events, Duration::from_secs(5), |e| {
        reads(e).contains(&want)
    });
    assert!(
        got,
        "no card read; events: {:?}",
        events.lock().expect("events")
    );
}

#[test]
fn polls_a_plain_reader_drives_led_buzzer_and_output_and_reads_a_card_and_a_pin() {
    let Some(python) = python() else { return };
    let mut pd = Pd::start(&python, 1, None, false);
    let (mut bus, events) = bus(&pd, 1, None);
    assert!(
        poll_until(&mut bus, &events, Duration::from_secs(5), online(false)),
        "{:?}",
        healths(&events)
    );
    let info = bus.info(&ReaderId::new("lobby")).expect("info").clone();
    let id = info.id.expect("PDID");
    assert_eq!(
        (id.vendor, id.model, id.version, id.serial),
        (0x00A1B2, 7, 2, 0x12345678)
    );
    assert!(
        info.capabilities.iter().any(|c| c.function == 9),
        "{:?}",
        info.capabilities
    );

    let lobby = ReaderId::new("lobby");
    bus.send(&lobby, Command::Led(LedCommand::steady(LedColor::Green)))
        .expect("led");
    bus.send(
        &lobby,
        Command::Buzzer(BuzzerCommand {
            reader: 0,
            on_time: 2,
            off_time: 1,
            count: 3,
        }),
    )
    .expect("buzzer");
    bus.send(
        &lobby,
        Command::Output(OutputCommand {
            output: 0,
            on: true,
        }),
    )
    .expect("output");
    for _ in 0..4 {
        bus.poll_round();
    }
    let led = pd
        .wait_for(Duration::from_secs(3), |v| command(v, 2))
        .expect("the PD saw the LED command");
    assert_eq!(led["command"]["on_color"], 2);
    assert_eq!(led["command"]["control_code"], 1);
    assert_eq!(led["command"]["temporary"], false);
    let buz = pd
        .wait_for(Duration::from_secs(3), |v| command(v, 3))
        .expect("the PD saw the buzzer command");
    assert_eq!(
        (
            buz["command"]["on_count"].as_u64(),
            buz["command"]["rep_count"].as_u64()
        ),
        (Some(2), Some(3))
    );

    let out = pd
        .wait_for(Duration::from_secs(3), |v| command(v, 1))
        .expect("the PD saw the output command");
    assert_eq!(
        (
            out["command"]["output_no"].as_u64(),
            out["command"]["control_code"].as_u64()
        ),
        (Some(0), Some(2))
    );

    card_arrives(&mut pd, &mut bus, &events);
    pd.tell(json!({"keys": "2468#"}));
    let pin = ReadData::Pin(Pin::parse("2468").expect("pin"));
    assert!(poll_until(&mut bus, &events, Duration::from_secs(5), |e| {
        reads(e).contains(&pin)
    }));
    assert_eq!(
        healths(&events),
        vec![ReaderHealth::Online { secure: false }]
    );
}

#[test]
fn completes_the_secure_channel_with_a_shared_key() {
    let Some(python) = python() else { return };
    let mut pd = Pd::start(&python, 5, Some(KEY), false);
    let (mut bus, events) = bus(&pd, 5, Some(KEY));
    assert!(
        poll_until(&mut bus, &events, Duration::from_secs(5), online(true)),
        "{:?}",
        healths(&events)
    );
    assert!(
        pd.wait_for(Duration::from_secs(3), |v| v["secure"] == true)
            .is_some(),
        "the PD's SC is not active"
    );
    bus.send(
        &ReaderId::new("lobby"),
        Command::Led(LedCommand::steady(LedColor::Red)),
    )
    .expect("led");
    bus.poll_round();
    let led = pd
        .wait_for(Duration::from_secs(3), |v| command(v, 2))
        .expect("LED over the Secure Channel");
    assert_eq!(led["command"]["on_color"], 1);
    card_arrives(&mut pd, &mut bus, &events);
    assert_eq!(
        healths(&events),
        vec![ReaderHealth::Online { secure: true }]
    );
}

#[test]
fn a_reader_with_another_key_is_refused_as_an_alarm() {
    let Some(python) = python() else { return };
    let mut pd = Pd::start(&python, 2, Some(OTHER_KEY), false);
    let (mut bus, events) = bus(&pd, 2, Some(KEY));
    let refused = |e: &[ReaderEvent]| {
        e.iter().any(|e| {
            matches!(
                e,
                ReaderEvent::Health {
                    health: ReaderHealth::SecureChannelRefused { .. },
                    ..
                }
            )
        })
    };
    assert!(
        poll_until(&mut bus, &events, Duration::from_secs(5), refused),
        "{:?}",
        healths(&events)
    );
    bus.run_until(Instant::now() + Duration::from_millis(1500));
    let h = healths(&events);
    assert_eq!(h.len(), 1, "one alarm, no online: {h:?}");
    assert!(
        matches!(&h[0], ReaderHealth::SecureChannelRefused { cause: RefusalCause::WrongKey, reason } if reason.contains("not its own")),
        "{h:?}"
    );
    pd.drain();
    assert!(!pd.seen.iter().any(|v| v["secure"] == true));
    assert!(
        !pd.seen.iter().any(|v| v.get("command").is_some()),
        "{:?}",
        pd.seen
    );
}

#[test]
fn a_silent_reader_goes_offline() {
    let Some(python) = python() else { return };
    let pd = Pd::start(&python, 1, None, false);
    // The reader is at address 1; the bus looks for one at 9.
    let (mut bus, events) = bus(&pd, 9, None);
    assert!(poll_until(&mut bus, &events, Duration::from_secs(5), |e| {
        !e.is_empty()
    }));
    assert_eq!(healths(&events), vec![ReaderHealth::Offline]);
}

#[test]
fn installs_a_key_over_scbk_d_then_runs_on_it() {
    let Some(python) = python() else { return };
    let mut pd = Pd::start(&python, 3, None, true);
    let (mut bus, events) = bus(&pd, 3, None);
    let lobby = ReaderId::new("lobby");
    let key = Key::from_hex(KEY).expect("key");
    bus.install_key(&lobby, key, Instant::now() + Duration::from_secs(5))
        .expect("installed");
    let keyset = pd
        .wait_for(Duration::from_secs(3), |v| command(v, 5))
        .expect("the PD saw KEYSET");
    assert!(keyset.to_string().contains(KEY), "{keyset}");
    assert!(
        poll_until(&mut bus, &events, Duration::from_secs(5), online(true)),
        "{:?}",
        healths(&events)
    );
}

/// The reads that reached the sink, with the reader each came from.
fn reads_by_reader(events: &[ReaderEvent]) -> Vec<(String, ReadData)> {
    events
        .iter()
        .filter_map(|e| match e {
            ReaderEvent::Read(r) => Some((r.reader.name().to_owned(), r.data.clone())),
            ReaderEvent::Health { .. } => None,
        })
        .collect()
}

#[test]
fn several_readers_share_one_bus_and_a_dead_one_does_not_stop_the_others() {
    let Some(python) = python() else { return };
    // Three libosdp readers on one line; nothing answers at address 9.
    let mut pd = Pd::start_line(&python, &[1, 2, 3]);
    let channel = SerialChannel::open(&pd.pty, 115_200).expect("open the pty");
    let events: Events = Arc::default();
    let sink = events.clone();
    let names = [("lobby", 1), ("dock", 2), ("stairs", 3), ("ghost", 9)];
    let readers = names
        .iter()
        .map(|&(name, address)| ReaderConfig {
            id: ReaderId::new(name),
            address,
            key: None,
        })
        .collect();
    let mut bus = Bus::new(Box::new(channel), BusConfig::default(), readers, move |e| {
        sink.lock().expect("events").push(e)
    })
    .expect("bus");
    let all_online = |bus: &Bus| {
        names[..3].iter().all(|(name, _)| {
            bus.info(&ReaderId::new(name))
                .and_then(|i| i.health.clone())
                == Some(ReaderHealth::Online { secure: false })
        })
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !all_online(&bus) && Instant::now() < deadline {
        bus.poll_round();
    }
    assert!(all_online(&bus), "{:?}", healths(&events));
    // Each reader answered ID at its own address (the PDs' serials differ by address).
    for (name, address) in &names[..3] {
        let id = bus.info(&ReaderId::new(name)).expect("info").id.clone();
        assert_eq!(
            id.map(|id| id.serial),
            Some(0x12345678 + u32::from(*address) - 1),
            "{name}"
        );
    }
    assert_eq!(
        bus.info(&ReaderId::new("ghost"))
            .and_then(|i| i.health.clone()),
        Some(ReaderHealth::Offline)
    );

    // A command for the dock reader reaches that reader only.
    bus.send(
        &ReaderId::new("dock"),
        Command::Led(LedCommand::steady(LedColor::Green)),
    )
    .expect("led");
    for _ in 0..3 {
        bus.poll_round();
    }
    let led = pd
        .wait_for(Duration::from_secs(3), |v| command(v, 2))
        .expect("a PD saw the LED command");
    assert_eq!(led["address"], 2);
    pd.drain();
    let leds: Vec<_> = pd.seen.iter().filter(|v| command(v, 2)).collect();
    assert_eq!(leds.len(), 1, "{leds:?}");

    // Cards at two readers arrive named by the reader that read them.
    pd.tell(json!({"address": 3, "card": {"bits": 26, "hex": "091a2b00"}}));
    pd.tell(json!({"address": 1, "card": {"bits": 26, "hex": "0a1a2b00"}}));
    let want = [
        (
            "stairs".to_owned(),
            ReadData::WiegandFrame {
                bits: 26,
                data: vec![0x09, 0x1a, 0x2b, 0x00],
            },
        ),
        (
            "lobby".to_owned(),
            ReadData::WiegandFrame {
                bits: 26,
                data: vec![0x0a, 0x1a, 0x2b, 0x00],
            },
        ),
    ];
    assert!(
        poll_until(&mut bus, &events, Duration::from_secs(5), |e| {
            let got = reads_by_reader(e);
            want.iter().all(|w| got.contains(w))
        }),
        "{:?}",
        reads_by_reader(&events.lock().expect("events"))
    );
    assert_eq!(reads_by_reader(&events.lock().expect("events")).len(), 2);
}
