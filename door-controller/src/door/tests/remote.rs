//! Remote momentary unlock: timed, relocks on close, announced in the journal.

use super::*;

#[test]
fn a_remote_unlock_lasts_its_seconds() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, remote(8), &[UNLOCK, GREEN, UNLOCKED]),
            (8000, TICK, &[LOCK, LED_OFF, LOCKED]),
        ],
    );
}

#[test]
fn a_remote_unlock_relocks_when_the_door_closes() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, remote(8), &[UNLOCK, GREEN, UNLOCKED]),
            (1000, OPEN, &[OPENED]),
            (2000, CLOSE, &[LOCK, LED_OFF, CLOSED, LOCKED]),
        ],
    );
}

#[test]
fn a_remote_unlock_is_timed_like_a_grant_while_the_door_stands_open() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, remote(8), &[UNLOCK, GREEN, UNLOCKED]),
            (1000, OPEN, &[OPENED]),
            (8000, TICK, &[LOCK, LED_OFF, LOCKED]),
            (21000, TICK, &[BUZZ_ON]),
            (31000, TICK, &[HELD]),
            (32000, CLOSE, &[BUZZ_OFF, CLOSED, CLEARED]),
        ],
    );
}

#[test]
fn a_new_remote_unlock_replaces_the_running_one_and_zero_cancels() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, remote(8), &[UNLOCK, GREEN, UNLOCKED]),
            (1000, remote(20), &[]),
            (2000, remote(0), &[LOCK, LED_OFF, LOCKED]),
        ],
    );
}

#[test]
fn a_grant_during_a_remote_unlock_keeps_the_door_unlocked_to_its_own_end() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, remote(3), &[UNLOCK, GREEN, UNLOCKED]),
            (1000, GRANT, &[BEEP_OK]),
            (3000, TICK, &[]),
            (6000, TICK, &[LOCK, LED_OFF, LOCKED]),
        ],
    );
}
