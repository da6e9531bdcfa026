//! Request to exit: unlock or shunt only, and the forced-open alarm it shunts.

use super::*;

#[test]
fn rex_unlocks_and_the_door_relocks_on_close() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, REX, &[UNLOCK, GREEN, EXIT]),
            (100, REX_UP, &[]),
            (1000, OPEN, &[OPENED]),
            (2000, CLOSE, &[LOCK, LED_OFF, CLOSED]),
        ],
    );
}

#[test]
fn rex_with_the_door_never_opened_expires_and_a_late_opening_is_forced() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, REX, &[UNLOCK, GREEN, EXIT]),
            (5000, TICK, &[LOCK, LED_OFF]),
            (6000, OPEN, &[FORCED]),
            (7000, CLOSE, &[CLOSED]),
        ],
    );
}

#[test]
fn shunt_only_rex_keeps_the_lock_and_allows_one_opening() {
    run(
        shunt_only(),
        &[
            (0, START, SAFE),
            (0, REX, &[EXIT]),
            (1000, OPEN, &[OPENED]),
            (2000, CLOSE, &[CLOSED]),
            (3000, OPEN, &[FORCED]),
            (4000, CLOSE, &[CLOSED]),
        ],
    );
}

#[test]
fn shunt_only_rex_expires_after_the_strike_time() {
    run(
        shunt_only(),
        &[
            (0, START, SAFE),
            (0, REX, &[EXIT]),
            (5000, TICK, &[]),
            (6000, OPEN, &[FORCED]),
            (7000, CLOSE, &[CLOSED]),
        ],
    );
}

#[test]
fn rex_while_the_door_is_open_does_not_restart_the_held_open_timer() {
    run(
        strike(),
        &[
            (0, START, SAFE),
            (0, GRANT, &[UNLOCK, GREEN, BEEP_OK]),
            (1000, OPEN, &[OPENED]),
            (5000, TICK, &[LOCK, LED_OFF]),
            (20000, REX, &[UNLOCK, GREEN, EXIT]),
            (21000, TICK, &[BUZZ_ON]),
            (25000, TICK, &[LOCK, LED_OFF]),
            (31000, TICK, &[HELD]),
            (32000, CLOSE, &[BUZZ_OFF, CLOSED, CLEARED]),
        ],
    );
}
