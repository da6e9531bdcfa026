//! Fire-alarm release: fail-safe doors release and beat lockdown; fail-secure doors stay.

use super::*;

#[test]
fn fire_releases_a_fail_safe_door_even_in_lockdown() {
    run(
        maglock(),
        &[
            (0, START, SAFE),
            (0, LOCKDOWN_ON, &[RED]),
            (1000, FIRE_ON, &[UNLOCK, GREEN, FIRE_RELEASE]),
            // Evacuating: neither forced nor timed.
            (2000, OPEN, &[OPENED]),
            (100000, CLOSE, &[CLOSED]),
            (200000, FIRE_OFF, &[LOCK, RED, LOCKED]),
        ],
    );
}

#[test]
fn fire_leaves_a_fail_secure_door_as_it_is_but_shunts_its_alarms() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, FIRE_ON, &[]),
            (1000, OPEN, &[OPENED]),
            (100000, CLOSE, &[CLOSED]),
            (100500, GRANT, &[UNLOCK, GREEN, BEEP_OK]),
            (105500, TICK, &[LOCK, LED_OFF]),
            (106000, FIRE_OFF, &[]),
            (107000, OPEN, &[FORCED]),
        ],
    );
}

#[test]
fn a_fire_release_active_at_start_releases_a_fail_safe_door_only() {
    run(
        maglock(),
        &[(0, START_FIRE, &[UNLOCK, GREEN, BUZZ_OFF, FIRE_RELEASE])],
    );
    run(strike(), &[(0, START_FIRE, SAFE)]);
}

#[test]
fn fire_ending_inside_an_unlock_window_hands_the_door_to_the_window() {
    run(
        maglock(),
        &[
            (0, START, SAFE),
            (0, FIRE_ON, &[UNLOCK, GREEN, FIRE_RELEASE]),
            (1000, WINDOW_ON, &[]),
            (2000, FIRE_OFF, &[UNLOCKED]),
            (3000, WINDOW_OFF, &[LOCK, LED_OFF, LOCKED]),
        ],
    );
}

#[test]
fn fire_ending_with_the_door_open_starts_the_held_open_timer() {
    run(
        maglock(),
        &[
            (0, START, SAFE),
            (0, FIRE_ON, &[UNLOCK, GREEN, FIRE_RELEASE]),
            (1000, OPEN, &[OPENED]),
            (5000, FIRE_OFF, &[LOCK, LED_OFF, LOCKED]),
            (25000, TICK, &[BUZZ_ON]),
            (35000, TICK, &[HELD]),
            (36000, CLOSE, &[BUZZ_OFF, CLOSED, CLEARED]),
        ],
    );
}

#[test]
fn fire_silences_a_held_open_buzzer() {
    run(
        maglock(),
        &[
            (0, START, SAFE),
            (0, GRANT, &[UNLOCK, GREEN, BEEP_OK]),
            (1000, OPEN, &[OPENED]),
            (5000, TICK, &[LOCK, LED_OFF]),
            (21000, TICK, &[BUZZ_ON]),
            (22000, FIRE_ON, &[UNLOCK, GREEN, BUZZ_OFF, FIRE_RELEASE]),
            (23000, CLOSE, &[CLOSED]),
        ],
    );
}
