//! The door contact on its own: forced open, repeated readings, a door open at start.

use super::*;

#[test]
fn opening_without_grant_is_forced_and_has_no_held_open_timer() {
    let (machine, _) = run(
        strike(),
        &[
            (0, START, SAFE),
            (1000, OPEN, &[FORCED]),
            // Already in alarm: no pre-alarm or held-open alarm on top.
            (100000, GRANT, &[UNLOCK, GREEN, BEEP_OK]),
            (105000, TICK, &[LOCK, LED_OFF]),
        ],
    );
    assert!(machine.status().forced_open);
    assert_eq!(machine.next_deadline(), None);
}

#[test]
fn repeated_contact_readings_change_nothing() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, CLOSE, &[]),
            (1000, OPEN, &[FORCED]),
            (1100, OPEN, &[]),
            (2000, CLOSE, &[CLOSED]),
            (2100, CLOSE, &[]),
        ],
    );
}

#[test]
fn a_door_open_at_start_is_not_judged_but_is_timed() {
    run(
        strike(),
        &[
            (0, START_OPEN, SAFE),
            (20000, TICK, &[BUZZ_ON]),
            (30000, TICK, &[HELD]),
            (31000, CLOSE, &[BUZZ_OFF, CLOSED, CLEARED]),
        ],
    );
}

#[test]
fn tamper_is_reported_when_it_trips() {
    use gatehouse_core::model::Direction;
    let tamper = |active, reader| In(DoorInput::Tamper { active, reader });
    run(
        strike(),
        &[
            (0, START, SAFE),
            (
                0,
                tamper(true, None),
                &[Action::Event(DoorEventKind::Tamper { reader: None })],
            ),
            (1000, tamper(false, None), &[]),
            (
                2000,
                tamper(true, Some(Direction::Entry)),
                &[Action::Event(DoorEventKind::Tamper {
                    reader: Some(Direction::Entry),
                })],
            ),
        ],
    );
}
