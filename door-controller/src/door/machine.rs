//! The state machine: its state, its public calls, and how a call turns into actions.

use super::held_open::Opening;
use super::policy::Shown;
use super::window::Window;
use super::{Action, Beep, DoorConfig, DoorInput, DoorStatus};
use gatehouse_core::wire::DoorEventKind;
use gatehouse_hardware::door_io::{LedColor, LockState};
use std::time::Instant;

/// The inputs the door starts with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Start {
    /// The door contact reads open. Its opening is not judged (it happened before the
    /// controller knew); the held-open timer runs from the start.
    pub door_open: bool,
    /// The fire-alarm release is active.
    pub fire: bool,
}

/// One door's state machine. Pure and synchronous: it reads no clock and does no I/O.
/// Every call takes the current monotonic time; the runtime calls [`DoorMachine::tick`]
/// at [`DoorMachine::next_deadline`] (late is fine: every deadline passed is handled at
/// its own time, in order).
#[derive(Clone, Debug)]
pub struct DoorMachine {
    pub(super) config: DoorConfig,
    // What the inputs last said.
    pub(super) opening: Option<Opening>,
    pub(super) fire: bool,
    pub(super) lockdown: bool,
    pub(super) unlock_window: bool,
    pub(super) first_card_in: bool,
    // Timed state.
    pub(super) access: Option<Window>,
    pub(super) remote: Option<Window>,
    pub(super) deny_until: Option<Instant>,
    // What the outputs and the journal were last told.
    pub(super) lock: LockState,
    pub(super) led: LedColor,
    pub(super) buzzer: bool,
    pub(super) shown: Shown,
}

/// What one call gathers before it becomes actions.
#[derive(Debug, Default)]
pub(super) struct Step {
    pub beep: Option<Beep>,
    pub events: Vec<DoorEventKind>,
}

impl DoorMachine {
    /// A door at start: locked (the safe state) unless a fail-safe door's fire release is
    /// already active. Returns the actions that set every output (the lock first).
    pub fn start(config: DoorConfig, now: Instant, start: Start) -> (Self, Vec<Action>) {
        let mut machine = DoorMachine {
            config,
            opening: start.door_open.then(|| Opening::new(false)),
            fire: start.fire,
            lockdown: false,
            unlock_window: false,
            first_card_in: false,
            access: None,
            remote: None,
            deny_until: None,
            lock: LockState::Locked,
            led: LedColor::Off,
            buzzer: false,
            shown: Shown::Locked,
        };
        machine.refresh_held_open(now);
        let mut step = Step::default();
        machine.expire(now, &mut step);
        machine.lock = machine.desired_lock();
        machine.led = machine.desired_led(now);
        machine.buzzer = machine.desired_buzzer();
        let mut actions = vec![
            Action::SetLock(machine.lock),
            Action::Led(machine.led),
            Action::Buzzer(machine.buzzer),
        ];
        machine.announce(&mut step);
        actions.extend(step.events.into_iter().map(Action::Event));
        (machine, actions)
    }

    /// Feeds one input seen at `now`.
    pub fn handle(&mut self, input: DoorInput, now: Instant) -> Vec<Action> {
        let mut step = Step::default();
        self.expire(now, &mut step);
        self.apply(input, now, &mut step);
        self.refresh_held_open(now);
        self.expire(now, &mut step);
        self.finish(now, step)
    }

    /// Lets time pass to `now`.
    pub fn tick(&mut self, now: Instant) -> Vec<Action> {
        let mut step = Step::default();
        self.expire(now, &mut step);
        self.finish(now, step)
    }

    /// Takes a new bundle's first-card rule for the door (it applies from the next input
    /// or tick).
    pub fn set_first_card_unlock(&mut self, on: bool) {
        self.config.first_card_unlock = on;
    }

    /// When [`DoorMachine::tick`] must be called next, if anything is pending.
    pub fn next_deadline(&self) -> Option<Instant> {
        [
            self.access.map(|w| w.until),
            self.remote.map(|w| w.until),
            self.deny_until,
            self.opening
                .and_then(|o| o.timer)
                .and_then(|t| t.deadline()),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// The door as the `status` command shows it.
    pub fn status(&self) -> DoorStatus {
        DoorStatus {
            lock: self.lock,
            led: self.led,
            open: self.opening.is_some(),
            forced_open: self.opening.is_some_and(|o| o.forced),
            held_open_alarm: self.opening.is_some_and(|o| o.alarm_raised),
            buzzer: self.buzzer,
            lockdown: self.lockdown,
            fire: self.fire,
            unlock_window: self.unlock_window,
            first_card_in: self.first_card_in,
        }
    }

    /// Handles every deadline up to `now`, each at its own time.
    fn expire(&mut self, now: Instant, step: &mut Step) {
        while let Some(at) = self.next_deadline().filter(|d| *d <= now) {
            if self.access.is_some_and(|w| w.until <= at) {
                self.access = None;
            }
            if self.remote.is_some_and(|w| w.until <= at) {
                self.remote = None;
            }
            if self.deny_until.is_some_and(|d| d <= at) {
                self.deny_until = None;
            }
            if let Some(opening) = &mut self.opening {
                if let Some(timer) = &mut opening.timer {
                    if timer.advance(at) && !opening.alarm_raised {
                        opening.alarm_raised = true;
                        step.events.push(DoorEventKind::HeldOpen);
                    }
                }
            }
            self.refresh_held_open(at);
        }
    }

    /// Compares the outputs with what they should be and lists the changes.
    fn finish(&mut self, now: Instant, mut step: Step) -> Vec<Action> {
        let mut actions = Vec::new();
        let lock = self.desired_lock();
        if lock != self.lock {
            self.lock = lock;
            actions.push(Action::SetLock(lock));
        }
        let led = self.desired_led(now);
        if led != self.led {
            self.led = led;
            actions.push(Action::Led(led));
        }
        actions.extend(step.beep.map(Action::Beep));
        let buzzer = self.desired_buzzer();
        if buzzer != self.buzzer {
            self.buzzer = buzzer;
            actions.push(Action::Buzzer(buzzer));
        }
        self.announce(&mut step);
        actions.extend(step.events.into_iter().map(Action::Event));
        actions
    }

    /// Reports a change in why the lock stands as it does (not for grants and REX).
    fn announce(&mut self, step: &mut Step) {
        let shown = self.target_shown();
        if shown != self.shown {
            self.shown = shown;
            step.events.push(shown.event());
        }
    }
}
