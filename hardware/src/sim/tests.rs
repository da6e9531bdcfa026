//! The simulator driven in process: outputs recorded as the door sees them, reads and
//! input changes arriving on the controller's channels.

use super::*;
use crate::door_io::{
    Beeper, InputKind, LedColor, Level, Lock, LockState, LockWiring, Polarity, ReaderLed,
};
use crate::reader::{ReadData, ReaderEvent};
use gatehouse_core::card::CardId;
use std::time::Duration;

fn two_doors() -> (Simulator, SimEvents) {
    let config = SimConfig::new()
        .reader("front-in")
        .door("front", LockWiring::FailSafe)
        .door("store", LockWiring::FailSecure);
    Simulator::new(&config)
}

fn change(
    seq: u64,
    at_ms: u64,
    door: &str,
    output: SimOutput,
    level: Level,
    state: &str,
) -> OutputChange {
    OutputChange {
        seq,
        at_ms,
        door: door.to_string(),
        output,
        level,
        state: state.to_string(),
    }
}

#[tokio::test(start_paused = true)]
async fn the_record_shows_levels_by_wiring_with_exact_times() {
    use Level::{DeEnergized as D, Energized as E};
    let (sim, _events) = two_doors();
    let mut maglock = Lock::new(
        sim.line("front", SimOutput::Lock).unwrap(),
        LockWiring::FailSafe,
    )
    .unwrap();
    let strike = Lock::new(
        sim.line("store", SimOutput::Lock).unwrap(),
        LockWiring::FailSecure,
    )
    .unwrap();
    tokio::time::advance(Duration::from_millis(250)).await;
    maglock.set(LockState::Unlocked).unwrap();
    maglock.set(LockState::Unlocked).unwrap(); // no change, no entry
    tokio::time::advance(Duration::from_millis(3000)).await;
    drop(maglock);
    drop(strike);
    assert_eq!(
        sim.record(0),
        vec![
            change(0, 0, "front", SimOutput::Lock, E, "locked"),
            change(1, 0, "store", SimOutput::Lock, D, "locked"),
            change(2, 250, "front", SimOutput::Lock, D, "unlocked"),
            change(3, 3250, "front", SimOutput::Lock, E, "locked"),
        ]
    );
    assert_eq!(sim.record(3).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_lock_wired_wrongly_shows_the_truth() {
    // The controller believes the maglock is a strike: the door, not the controller, says
    // what happened.
    let (sim, _events) = two_doors();
    let _lock = Lock::new(
        sim.line("front", SimOutput::Lock).unwrap(),
        LockWiring::FailSecure,
    )
    .unwrap();
    let status = sim.status();
    assert_eq!(status.doors[0].door, "front");
    assert_eq!(status.doors[0].lock, Some(LockState::Unlocked));
    assert_eq!(status.doors[0].lock_level, Some(Level::DeEnergized));
}

#[tokio::test(start_paused = true)]
async fn led_and_beeper_are_recorded_by_colour() {
    let (sim, _events) = two_doors();
    let line = |o| sim.line("front", o).unwrap();
    let mut led = ReaderLed::new(
        line(SimOutput::LedRed),
        line(SimOutput::LedGreen),
        Polarity::OnWhenEnergized,
    )
    .unwrap();
    let mut beeper = Beeper::new(line(SimOutput::Beeper), Polarity::OnWhenEnergized).unwrap();
    led.set(LedColor::Amber).unwrap();
    beeper.set(true).unwrap();
    let states: Vec<(SimOutput, String)> = sim
        .record(0)
        .into_iter()
        .map(|c| (c.output, c.state))
        .collect();
    let expected = [
        (SimOutput::LedRed, "off"),
        (SimOutput::LedGreen, "off"),
        (SimOutput::Beeper, "off"),
        (SimOutput::LedRed, "red"),
        (SimOutput::LedGreen, "amber"),
        (SimOutput::Beeper, "on"),
    ];
    let expected: Vec<(SimOutput, String)> =
        expected.iter().map(|(o, s)| (*o, s.to_string())).collect();
    assert_eq!(states, expected);
    let front = &sim.status().doors[0];
    assert_eq!(
        (front.led, front.beeper, front.lock),
        (LedColor::Amber, true, None)
    );
}

#[tokio::test]
async fn reads_arrive_on_the_reader_channel() {
    let (sim, mut events) = two_doors();
    sim.present_card_text("front-in", "H10301:231:61033")
        .unwrap();
    sim.present_pin("front-in", "123456").unwrap();
    sim.present_qr("front-in", "GH1:not-a-pass").unwrap();
    let card: CardId = "H10301:231:61033".parse().unwrap();
    let mut data = Vec::new();
    for _ in 0..3 {
        match events.readers.recv().await {
            Some(ReaderEvent::Read(read)) => {
                assert_eq!(read.reader.name(), "front-in");
                data.push(read.data);
            }
            other => panic!("expected a read, got {other:?}"),
        }
    }
    assert_eq!(data[0], ReadData::Card(card));
    assert!(matches!(data[1], ReadData::Pin(_)));
    assert_eq!(data[2], ReadData::Qr("GH1:not-a-pass".to_string()));
}

#[test]
fn bad_commands_name_what_is_wrong() {
    let (sim, _events) = two_doors();
    let cases = [
        (
            sim.present_card_text("back-in", "H10301:1:2"),
            r#"unknown reader "back-in" (known: front-in)"#,
        ),
        (
            sim.present_card_text("front-in", "H10301:256:2"),
            r#"card "H10301:256:2": facility "256" does not fit format H10301"#,
        ),
        (
            sim.present_pin("front-in", "12"),
            "pin: a PIN is 4 to 12 digits",
        ),
        (
            sim.set_door_open("garage", true),
            r#"unknown door "garage" (known: front, store)"#,
        ),
    ];
    for (result, message) in cases {
        assert_eq!(result.unwrap_err().to_string(), message);
    }
    assert!(sim.line("garage", SimOutput::Lock).is_err());
}

#[tokio::test]
async fn inputs_send_changes_only() {
    let (sim, mut events) = two_doors();
    sim.set_door_open("front", true).unwrap();
    sim.set_door_open("front", true).unwrap(); // already open: no edge
    sim.press_rex("store").unwrap();
    sim.set_tamper("front", true).unwrap();
    sim.set_fire(None, true).unwrap();
    sim.set_door_open("front", false).unwrap();
    let mut seen = Vec::new();
    while let Ok(event) = events.inputs.try_recv() {
        seen.push((event.door.name().to_string(), event.kind, event.active));
    }
    let expected = [
        ("front", InputKind::DoorContact, true),
        ("store", InputKind::Rex, true),
        ("store", InputKind::Rex, false),
        ("front", InputKind::Tamper, true),
        ("front", InputKind::FireRelease, true),
        ("store", InputKind::FireRelease, true),
        ("front", InputKind::DoorContact, false),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(d, k, a)| (d.to_string(), *k, *a))
        .collect();
    assert_eq!(seen, expected);
    let status = sim.status();
    assert_eq!(
        (
            status.doors[0].open,
            status.doors[0].tamper,
            status.doors[0].fire
        ),
        (false, true, true)
    );
}

#[test]
fn a_controller_that_stopped_listening_is_named() {
    let (sim, events) = two_doors();
    drop(events);
    assert_eq!(
        sim.present_qr("front-in", "x").unwrap_err(),
        SimError::NotListening("reader")
    );
    assert_eq!(
        sim.press_rex("front").unwrap_err(),
        SimError::NotListening("input")
    );
}

#[tokio::test]
async fn an_unknown_command_lists_the_known_ones() {
    let (sim, _events) = two_doors();
    let response = protocol::answer(&sim, br#"{"cmd":"dance"}"#).await;
    assert_eq!(
        response.error.as_deref(),
        Some(
            "bad request: unknown variant `dance`, expected one of `card`, `pin`, `qr`, \
             `reader_health`, `open_door`, `close_door`, `rex`, `tamper`, `fire`, `record`, \
             `status` at line 1 column 14"
        )
    );
}

#[tokio::test(start_paused = true)]
async fn waiting_for_the_record_ends_with_a_change_or_the_deadline() {
    let (sim, _events) = two_doors();
    let started = tokio::time::Instant::now();
    assert_eq!(sim.wait_for_record(0, Duration::from_secs(2)).await, vec![]);
    assert_eq!(started.elapsed(), Duration::from_secs(2));

    let controller = sim.clone();
    let driver = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(700)).await;
        Lock::new(
            controller.line("store", SimOutput::Lock).unwrap(),
            LockWiring::FailSecure,
        )
        .unwrap()
    });
    let record = sim.wait_for_record(0, Duration::from_secs(10)).await;
    assert_eq!(
        record,
        vec![change(
            0,
            2700,
            "store",
            SimOutput::Lock,
            Level::DeEnergized,
            "locked"
        )]
    );
    drop(driver.await.unwrap());
}
