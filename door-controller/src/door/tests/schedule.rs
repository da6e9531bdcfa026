//! Scheduled unlock windows and first-card unlock.

use super::*;

#[test]
fn a_window_holds_the_door_unlocked_with_no_held_open_alarm() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, WINDOW_ON, &[UNLOCK, GREEN, UNLOCKED]),
            (1000, OPEN, &[OPENED]),
            (100000, CLOSE, &[CLOSED]),
            (200000, WINDOW_OFF, &[LOCK, LED_OFF, LOCKED]),
        ],
    );
}

#[test]
fn the_window_ending_while_the_door_is_open_relocks_and_starts_held_open() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, WINDOW_ON, &[UNLOCK, GREEN, UNLOCKED]),
            (1000, OPEN, &[OPENED]),
            (60000, WINDOW_OFF, &[LOCK, LED_OFF, LOCKED]),
            (80000, TICK, &[BUZZ_ON]),
            (90000, TICK, &[HELD]),
            (95000, CLOSE, &[BUZZ_OFF, CLOSED, CLEARED]),
        ],
    );
}

#[test]
fn grants_and_denials_inside_a_window_only_give_feedback() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, WINDOW_ON, &[UNLOCK, GREEN, UNLOCKED]),
            (1000, GRANT, &[BEEP_OK]),
            (2000, DENY, &[RED, BEEP_NO]),
            (3000, TICK, &[GREEN]),
            (6000, TICK, &[]),
            (7000, WINDOW_OFF, &[LOCK, LED_OFF, LOCKED]),
        ],
    );
}

#[test]
fn a_window_ending_during_a_grant_locks_when_the_strike_does() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, WINDOW_ON, &[UNLOCK, GREEN, UNLOCKED]),
            (1000, GRANT, &[BEEP_OK]),
            (2000, WINDOW_OFF, &[]),
            (6000, TICK, &[LOCK, LED_OFF, LOCKED]),
        ],
    );
}

#[test]
fn first_card_unlock_waits_for_a_grant_inside_each_window() {
    run(
        first_card(),
        &[
            (0, START, SAFE),
            (0, WINDOW_ON, &[]),
            (1000, DENY, &[RED, BEEP_NO]),
            (2000, TICK, &[LED_OFF]),
            (3000, GRANT, &[UNLOCK, GREEN, BEEP_OK, UNLOCKED]),
            // The strike ends; the window holds the door.
            (8000, TICK, &[]),
            (9000, OPEN, &[OPENED]),
            (10000, CLOSE, &[CLOSED]),
            (50000, WINDOW_OFF, &[LOCK, LED_OFF, LOCKED]),
            // The next window needs its own first card.
            (60000, WINDOW_ON, &[]),
            (61000, OPEN, &[FORCED]),
            (62000, CLOSE, &[CLOSED]),
            (63000, GRANT, &[UNLOCK, GREEN, BEEP_OK, UNLOCKED]),
            (68000, TICK, &[]),
        ],
    );
}

#[test]
fn a_grant_before_the_window_is_not_its_first_card() {
    run(
        first_card(),
        &[
            (0, START, SAFE),
            (0, GRANT, &[UNLOCK, GREEN, BEEP_OK]),
            (1000, WINDOW_ON, &[]),
            (5000, TICK, &[LOCK, LED_OFF]),
        ],
    );
}
