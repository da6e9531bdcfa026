//! Deadlines: what next_deadline says, late ticks, inputs after a missed deadline, and the
//! pre-alarm lead at its limits; plus the conversions and the status snapshot.

use super::*;
use gatehouse_core::model::Door;
use gatehouse_hardware::door_io::{DoorName, InputEvent, InputKind};

fn ms(t0: Instant, n: u64) -> Instant {
    t0 + Duration::from_millis(n)
}

#[test]
fn next_deadline_names_each_timer_in_turn() {
    let t0 = Instant::now();
    let (mut door, _) = DoorMachine::start(strike(), t0, Start::default());
    assert_eq!(door.next_deadline(), None, "nothing pending at rest");
    door.handle(GRANT_INPUT, t0);
    assert_eq!(door.next_deadline(), Some(ms(t0, 5000)), "the strike");
    door.handle(OPEN_INPUT, ms(t0, 1000));
    assert_eq!(door.next_deadline(), Some(ms(t0, 5000)), "still the strike");
    door.tick(ms(t0, 5000));
    assert_eq!(door.next_deadline(), Some(ms(t0, 21000)), "the pre-alarm");
    door.tick(ms(t0, 21000));
    assert_eq!(door.next_deadline(), Some(ms(t0, 31000)), "the alarm");
    door.tick(ms(t0, 31000));
    assert_eq!(
        door.next_deadline(),
        None,
        "alarm raised, nothing left to time"
    );
}

const GRANT_INPUT: DoorInput = DoorInput::Access {
    granted: true,
    lockdown_override: false,
};
const OPEN_INPUT: DoorInput = DoorInput::Contact { open: true };

#[test]
fn a_late_tick_handles_every_deadline_passed() {
    let t0 = Instant::now();
    let (mut door, _) = DoorMachine::start(strike(), t0, Start::default());
    door.handle(GRANT_INPUT, t0);
    door.handle(OPEN_INPUT, ms(t0, 1000));
    // The runtime slept through the relock, the pre-alarm and the alarm: the outputs
    // land where they should be, and the alarm is reported.
    assert_eq!(door.tick(ms(t0, 40000)), vec![LOCK, LED_OFF, BUZZ_ON, HELD]);
    let status = door.status();
    assert!(status.open && status.held_open_alarm && status.buzzer);
    assert_eq!(status.lock, LockState::Locked);
}

#[test]
fn an_input_after_a_missed_deadline_sees_the_deadline_first() {
    let t0 = Instant::now();
    let (mut door, _) = DoorMachine::start(strike(), t0, Start::default());
    door.handle(GRANT_INPUT, t0);
    // The strike relocked at 5 s, before this opening.
    assert_eq!(
        door.handle(OPEN_INPUT, ms(t0, 7000)),
        vec![LOCK, LED_OFF, FORCED]
    );
}

#[test]
fn a_schedule_ending_late_times_held_open_from_its_end() {
    let t0 = Instant::now();
    let (mut door, _) = DoorMachine::start(strike(), t0, Start::default());
    door.handle(DoorInput::UnlockWindow { active: true }, t0);
    door.handle(OPEN_INPUT, ms(t0, 1000));
    door.handle(DoorInput::UnlockWindow { active: false }, ms(t0, 60000));
    assert_eq!(door.next_deadline(), Some(ms(t0, 80000)));
}

#[test]
fn a_pre_alarm_lead_at_least_the_held_open_time_sounds_from_the_opening() {
    let config = DoorConfig {
        held_open_time: Duration::from_secs(10),
        pre_alarm_lead: Duration::from_secs(20),
        ..strike()
    };
    run(
        config,
        &[
            (0, START, SAFE),
            (0, GRANT, &[UNLOCK, GREEN, BEEP_OK]),
            (1000, OPEN, &[BUZZ_ON, OPENED]),
            (5000, TICK, &[LOCK, LED_OFF]),
            (11000, TICK, &[HELD]),
            (12000, CLOSE, &[BUZZ_OFF, CLOSED, CLEARED]),
        ],
    );
}

#[test]
fn no_pre_alarm_lead_sounds_with_the_alarm() {
    let config = DoorConfig {
        held_open_time: Duration::from_secs(10),
        pre_alarm_lead: Duration::ZERO,
        ..strike()
    };
    run(
        config,
        &[
            (0, START, SAFE),
            (0, GRANT, &[UNLOCK, GREEN, BEEP_OK]),
            (1000, OPEN, &[OPENED]),
            (5000, TICK, &[LOCK, LED_OFF]),
            (11000, TICK, &[BUZZ_ON, HELD]),
            (12000, CLOSE, &[BUZZ_OFF, CLOSED, CLEARED]),
        ],
    );
}

#[test]
fn hardware_inputs_and_decisions_map_to_inputs() {
    let t0 = Instant::now();
    let event = |kind, active| InputEvent {
        door: DoorName::new("front"),
        kind,
        active,
        at: t0,
    };
    let table = [
        (
            InputKind::DoorContact,
            true,
            DoorInput::Contact { open: true },
        ),
        (InputKind::Rex, false, DoorInput::Rex { pressed: false }),
        (
            InputKind::Tamper,
            true,
            DoorInput::Tamper {
                active: true,
                reader: None,
            },
        ),
        (
            InputKind::FireRelease,
            true,
            DoorInput::Fire { active: true },
        ),
    ];
    for (kind, active, input) in table {
        assert_eq!(DoorInput::from_event(&event(kind, active)), input, "{kind}");
    }
}

#[test]
fn the_first_card_rule_comes_from_the_bundle_door() {
    use gatehouse_core::ids::{DoorId, ZoneId};
    let door = Door {
        id: DoorId(1),
        zone: ZoneId(1),
        unlock_schedule: None,
        first_card_unlock: true,
    };
    assert!(strike().with_door(&door).first_card_unlock);
}
