//! Lockdown: locks, cancels unlocks, refuses remote unlocks, and what REX still does.

use super::*;

#[test]
fn lockdown_locks_a_scheduled_door_and_the_window_resumes_after() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, WINDOW_ON, &[UNLOCK, GREEN, UNLOCKED]),
            (1000, LOCKDOWN_ON, &[LOCK, RED, LOCKED]),
            // The decision denies already; a grant that slips through opens nothing.
            (2000, GRANT, &[BEEP_NO]),
            (3000, TICK, &[]),
            // Refused.
            (4000, remote(10), &[]),
            (5000, OPEN, &[FORCED]),
            (6000, CLOSE, &[CLOSED]),
            (7000, LOCKDOWN_OFF, &[UNLOCK, GREEN, UNLOCKED]),
            (8000, WINDOW_OFF, &[LOCK, LED_OFF, LOCKED]),
        ],
    );
}

#[test]
fn lockdown_cancels_a_remote_unlock_and_a_running_strike_but_not_its_shunt() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, remote(30), &[UNLOCK, GREEN, UNLOCKED]),
            (1000, GRANT, &[BEEP_OK]),
            (2000, LOCKDOWN_ON, &[LOCK, RED, LOCKED]),
            // Whoever was already passing is not a forced opening.
            (3000, OPEN, &[OPENED]),
            (4000, CLOSE, &[CLOSED]),
            // Nothing comes back: the remote unlock is gone.
            (10000, LOCKDOWN_OFF, &[LED_OFF]),
        ],
    );
}

#[test]
fn a_first_card_window_needs_a_new_first_card_after_lockdown() {
    run(
        first_card(),
        &[
            (0, START, SAFE),
            (0, WINDOW_ON, &[]),
            (1000, GRANT, &[UNLOCK, GREEN, BEEP_OK, UNLOCKED]),
            (2000, LOCKDOWN_ON, &[LOCK, RED, LOCKED]),
            (3000, LOCKDOWN_OFF, &[LED_OFF]),
            (4000, GRANT, &[UNLOCK, GREEN, BEEP_OK, UNLOCKED]),
            (9000, TICK, &[]),
        ],
    );
}

#[test]
fn rex_in_lockdown_unlocks_only_a_fail_safe_door() {
    run(
        maglock(),
        &[
            (0, START, SAFE),
            (0, LOCKDOWN_ON, &[RED]),
            (1000, REX, &[UNLOCK, GREEN, EXIT]),
            (2000, OPEN, &[OPENED]),
            (3000, CLOSE, &[LOCK, RED, CLOSED]),
        ],
    );
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, LOCKDOWN_ON, &[RED]),
            (1000, REX, &[EXIT]),
            (2000, OPEN, &[OPENED]),
            (3000, CLOSE, &[CLOSED]),
        ],
    );
}

#[test]
fn a_grant_with_the_lockdown_override_opens_the_door_once() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, WINDOW_ON, &[UNLOCK, GREEN, UNLOCKED]),
            (1000, LOCKDOWN_ON, &[LOCK, RED, LOCKED]),
            (2000, GRANT_OVERRIDE, &[UNLOCK, GREEN, BEEP_OK]),
            (3000, OPEN, &[OPENED]),
            (4000, CLOSE, &[LOCK, RED, CLOSED]),
            (5000, GRANT, &[BEEP_NO]),
            (6000, TICK, &[]),
        ],
    );
}

#[test]
fn an_override_grant_in_lockdown_is_not_a_first_card() {
    run(
        first_card(),
        &[
            (0, START, SAFE),
            (0, WINDOW_ON, &[]),
            (1000, LOCKDOWN_ON, &[RED]),
            (2000, GRANT_OVERRIDE, &[UNLOCK, GREEN, BEEP_OK]),
            (7000, TICK, &[LOCK, RED]),
            (8000, LOCKDOWN_OFF, &[LED_OFF]),
        ],
    );
}
