//! Grants and denials: the strike window, relock on close, reader feedback.

use super::*;

#[test]
fn strike_time_expires_with_the_door_never_opened() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (1000, GRANT, &[UNLOCK, GREEN, BEEP_OK]),
            (6000, TICK, &[LOCK, LED_OFF]),
            // Too late: the strike relocked, so this opening is forced.
            (7000, OPEN, &[FORCED]),
            (8000, CLOSE, &[CLOSED]),
        ],
    );
}

#[test]
fn the_strike_relocks_when_the_door_opens_and_closes() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, GRANT, &[UNLOCK, GREEN, BEEP_OK]),
            (2000, OPEN, &[OPENED]),
            (3000, CLOSE, &[LOCK, LED_OFF, CLOSED]),
            // The grant is used up: a second opening inside its 5 s is forced.
            (4000, OPEN, &[FORCED]),
            (4500, CLOSE, &[CLOSED]),
        ],
    );
}

#[test]
fn a_door_held_open_past_the_strike_relocks_then_pre_alarms_then_alarms() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, GRANT, &[UNLOCK, GREEN, BEEP_OK]),
            (1000, OPEN, &[OPENED]),
            (5000, TICK, &[LOCK, LED_OFF]),
            (21000, TICK, &[BUZZ_ON]),
            (31000, TICK, &[HELD]),
            (40000, CLOSE, &[BUZZ_OFF, CLOSED, CLEARED]),
        ],
    );
}

#[test]
fn closing_during_the_pre_alarm_silences_it_without_an_alarm() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, GRANT, &[UNLOCK, GREEN, BEEP_OK]),
            (1000, OPEN, &[OPENED]),
            (5000, TICK, &[LOCK, LED_OFF]),
            (21000, TICK, &[BUZZ_ON]),
            (25000, CLOSE, &[BUZZ_OFF, CLOSED]),
        ],
    );
}

#[test]
fn a_grant_during_held_open_restarts_the_timer_but_only_closing_clears() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, GRANT, &[UNLOCK, GREEN, BEEP_OK]),
            (1000, OPEN, &[OPENED]),
            (5000, TICK, &[LOCK, LED_OFF]),
            (21000, TICK, &[BUZZ_ON]),
            (31000, TICK, &[HELD]),
            (35000, GRANT, &[UNLOCK, GREEN, BEEP_OK, BUZZ_OFF]),
            (40000, TICK, &[LOCK, LED_OFF]),
            (55000, TICK, &[BUZZ_ON]),
            // Still the same alarm: not reported twice.
            (65000, TICK, &[]),
            (70000, CLOSE, &[BUZZ_OFF, CLOSED, CLEARED]),
        ],
    );
}

#[test]
fn a_grant_during_the_pre_alarm_silences_it_and_restarts_the_timer() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, OPEN, &[FORCED]),
            (1000, CLOSE, &[CLOSED]),
            (2000, GRANT, &[UNLOCK, GREEN, BEEP_OK]),
            (3000, OPEN, &[OPENED]),
            (7000, TICK, &[LOCK, LED_OFF]),
            (23000, TICK, &[BUZZ_ON]),
            (24000, GRANT, &[UNLOCK, GREEN, BEEP_OK, BUZZ_OFF]),
            (29000, TICK, &[LOCK, LED_OFF]),
            (44000, TICK, &[BUZZ_ON]),
            (54000, TICK, &[HELD]),
            (55000, CLOSE, &[BUZZ_OFF, CLOSED, CLEARED]),
        ],
    );
}

#[test]
fn a_second_grant_extends_the_strike() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, GRANT, &[UNLOCK, GREEN, BEEP_OK]),
            (3000, GRANT, &[BEEP_OK]),
            (8000, TICK, &[LOCK, LED_OFF]),
        ],
    );
}

#[test]
fn a_denial_shows_red_and_a_different_beep_and_unlocks_nothing() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, DENY, &[RED, BEEP_NO]),
            (500, DENY, &[BEEP_NO]),
            (1500, TICK, &[LED_OFF]),
            (2000, OPEN, &[FORCED]),
            (3000, CLOSE, &[CLOSED]),
        ],
    );
}

#[test]
fn a_grant_right_after_a_denial_turns_green_at_once() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, DENY, &[RED, BEEP_NO]),
            (500, GRANT, &[UNLOCK, GREEN, BEEP_OK]),
            (5500, TICK, &[LOCK, LED_OFF]),
        ],
    );
}
