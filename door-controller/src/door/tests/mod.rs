//! Table-driven tests over simulated time: each row is (milliseconds from the start, a
//! step, the exact actions it returns). The runner also checks that no deadline passes
//! between rows without a tick row at exactly that deadline, so a table shows every
//! timer firing.

mod contact;
mod fire;
mod grant;
mod invariants;
mod lockdown;
mod remote;
mod rex;
mod schedule;
mod timing;

use super::{Action, Beep, DoorConfig, DoorInput, DoorMachine, RexMode, Start};
use gatehouse_core::wire::DoorEventKind;
use gatehouse_hardware::door_io::{LedColor, LockState, LockWiring};
use std::time::{Duration, Instant};

/// What a row does.
#[derive(Clone, Copy, Debug)]
pub(super) enum Step {
    Start(Start),
    In(DoorInput),
    Tick,
}
use Step::{In, Tick};

pub(super) type Row = (u64, Step, &'static [Action]);

pub(super) const START: Step = Step::Start(Start {
    door_open: false,
    fire: false,
});
pub(super) const START_OPEN: Step = Step::Start(Start {
    door_open: true,
    fire: false,
});
pub(super) const START_FIRE: Step = Step::Start(Start {
    door_open: false,
    fire: true,
});

pub(super) const GRANT: Step = In(DoorInput::Access {
    granted: true,
    lockdown_override: false,
});
pub(super) const GRANT_OVERRIDE: Step = In(DoorInput::Access {
    granted: true,
    lockdown_override: true,
});
pub(super) const DENY: Step = In(DoorInput::Access {
    granted: false,
    lockdown_override: false,
});
pub(super) const OPEN: Step = In(DoorInput::Contact { open: true });
pub(super) const CLOSE: Step = In(DoorInput::Contact { open: false });
pub(super) const REX: Step = In(DoorInput::Rex { pressed: true });
pub(super) const REX_UP: Step = In(DoorInput::Rex { pressed: false });
pub(super) const FIRE_ON: Step = In(DoorInput::Fire { active: true });
pub(super) const FIRE_OFF: Step = In(DoorInput::Fire { active: false });
pub(super) const WINDOW_ON: Step = In(DoorInput::UnlockWindow { active: true });
pub(super) const WINDOW_OFF: Step = In(DoorInput::UnlockWindow { active: false });
pub(super) const LOCKDOWN_ON: Step = In(DoorInput::Lockdown { active: true });
pub(super) const LOCKDOWN_OFF: Step = In(DoorInput::Lockdown { active: false });
pub(super) const fn remote(seconds: u64) -> Step {
    In(DoorInput::RemoteUnlock {
        duration: Duration::from_secs(seconds),
    })
}
pub(super) const TICK: Step = Tick;

pub(super) const LOCK: Action = Action::SetLock(LockState::Locked);
pub(super) const UNLOCK: Action = Action::SetLock(LockState::Unlocked);
pub(super) const LED_OFF: Action = Action::Led(LedColor::Off);
pub(super) const GREEN: Action = Action::Led(LedColor::Green);
pub(super) const RED: Action = Action::Led(LedColor::Red);
pub(super) const BEEP_OK: Action = Action::Beep(Beep::Granted);
pub(super) const BEEP_NO: Action = Action::Beep(Beep::Denied);
pub(super) const BUZZ_ON: Action = Action::Buzzer(true);
pub(super) const BUZZ_OFF: Action = Action::Buzzer(false);
pub(super) const OPENED: Action = Action::Event(DoorEventKind::Opened);
pub(super) const CLOSED: Action = Action::Event(DoorEventKind::Closed);
pub(super) const FORCED: Action = Action::Event(DoorEventKind::ForcedOpen);
pub(super) const HELD: Action = Action::Event(DoorEventKind::HeldOpen);
pub(super) const CLEARED: Action = Action::Event(DoorEventKind::HeldOpenCleared);
pub(super) const EXIT: Action = Action::Event(DoorEventKind::ExitRequest);
pub(super) const UNLOCKED: Action = Action::Event(DoorEventKind::Unlocked);
pub(super) const LOCKED: Action = Action::Event(DoorEventKind::Locked);
pub(super) const FIRE_RELEASE: Action = Action::Event(DoorEventKind::FireRelease);

/// What every start without fire returns.
pub(super) const SAFE: &[Action] = &[LOCK, LED_OFF, BUZZ_OFF];

/// Strike 5 s, held-open 30 s with the pre-alarm 10 s before, 1 s of red after a denial,
/// REX unlocks, no first-card rule.
pub(super) fn strike() -> DoorConfig {
    DoorConfig::new(LockWiring::FailSecure)
}

pub(super) fn maglock() -> DoorConfig {
    DoorConfig::new(LockWiring::FailSafe)
}

pub(super) fn shunt_only() -> DoorConfig {
    DoorConfig {
        rex: RexMode::ShuntOnly,
        ..strike()
    }
}

pub(super) fn first_card() -> DoorConfig {
    DoorConfig {
        first_card_unlock: true,
        ..strike()
    }
}

/// Runs a table whose first row starts the machine; returns the machine and the start.
pub(super) fn run(config: DoorConfig, rows: &[Row]) -> (DoorMachine, Instant) {
    let t0 = Instant::now();
    let mut machine = None;
    for (i, &(ms, step, expected)) in rows.iter().enumerate() {
        let now = t0 + Duration::from_millis(ms);
        let actions = match (step, machine.as_mut()) {
            (Step::Start(start), None) => {
                let (m, actions) = DoorMachine::start(config, now, start);
                machine = Some(m);
                actions
            }
            (In(input), Some(m)) => {
                if let Some(deadline) = m.next_deadline() {
                    assert!(
                        deadline >= now,
                        "row {i} ({ms} ms): the deadline at {} ms passed without a tick",
                        (deadline - t0).as_millis()
                    );
                }
                m.handle(input, now)
            }
            (Tick, Some(m)) => {
                assert_eq!(
                    m.next_deadline().map(|d| (d - t0).as_millis()),
                    Some(u128::from(ms)),
                    "row {i}: a tick row stands at the next deadline"
                );
                m.tick(now)
            }
            (step, _) => panic!("row {i}: {step:?} (only the first row starts)"),
        };
        assert_eq!(actions, expected, "row {i} at {ms} ms: {step:?}");
    }
    (machine.expect("a table starts the machine"), t0)
}
