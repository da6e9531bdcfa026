//! What each input does to the machine's state. Outputs follow from the state
//! (policy.rs); only beeps and door events are emitted here.

use super::held_open::Opening;
use super::machine::Step;
use super::window::Window;
use super::{Beep, DoorInput, DoorMachine, RexMode};
use gatehouse_core::wire::DoorEventKind;
use gatehouse_hardware::door_io::LockState;
use std::time::Instant;

impl DoorMachine {
    pub(super) fn apply(&mut self, input: DoorInput, now: Instant, step: &mut Step) {
        match input {
            // The decision denies during a lockdown already, but for a holder with the
            // override; any other grant that slips through (a stale bundle, a race with
            // the command) must still not open the door.
            DoorInput::Access {
                granted: true,
                lockdown_override,
            } if !self.lockdown || lockdown_override => self.grant(now, step),
            DoorInput::Access { .. } => {
                self.deny_until = Some(now + self.config.deny_feedback_time);
                step.beep = Some(Beep::Denied);
            }
            DoorInput::Contact { open: true } => self.door_opened(step),
            DoorInput::Contact { open: false } => self.door_closed(step),
            DoorInput::Rex { pressed: true } => self.rex(now, step),
            DoorInput::Rex { pressed: false } => {}
            DoorInput::Tamper { active, reader } => {
                if active {
                    step.events.push(DoorEventKind::Tamper { reader });
                }
            }
            DoorInput::Fire { active } => self.fire = active,
            DoorInput::UnlockWindow { active } => {
                self.unlock_window = active;
                if !active {
                    self.first_card_in = false;
                }
            }
            DoorInput::Lockdown { active: true } => {
                self.lockdown = true;
                self.remote = None;
                self.first_card_in = false;
                // The lock locks at once; what is left of a window still shunts the
                // forced-open alarm for whoever is already passing.
                if let Some(window) = &mut self.access {
                    window.unlocks = false;
                }
            }
            DoorInput::Lockdown { active: false } => self.lockdown = false,
            DoorInput::RemoteUnlock { .. } if self.lockdown => {}
            DoorInput::RemoteUnlock { duration } => {
                self.remote = Some(Window::new(now, duration, self.opening.is_some(), true));
            }
        }
    }

    fn grant(&mut self, now: Instant, step: &mut Step) {
        let window = Window::new(now, self.config.strike_time, self.opening.is_some(), true);
        self.access = Some(window.merged_into(self.access));
        if self.unlock_window && !self.lockdown {
            self.first_card_in = true;
        }
        // Someone with access is at the open door (moving furniture, say): the held-open
        // time starts again and the buzzer stops. A raised alarm stays until it closes.
        if let Some(opening) = &mut self.opening {
            opening.timer = None;
        }
        self.deny_until = None;
        step.beep = Some(Beep::Granted);
    }

    fn rex(&mut self, now: Instant, step: &mut Step) {
        step.events.push(DoorEventKind::ExitRequest);
        // In a lockdown a REX unlocks only a fail-safe door (a maglock cannot be pushed
        // open; a strike door opens from inside by its lever).
        let unlocks =
            self.config.rex == RexMode::Unlock && (!self.lockdown || self.config.fail_safe());
        let window = Window::new(
            now,
            self.config.strike_time,
            self.opening.is_some(),
            unlocks,
        );
        self.access = Some(window.merged_into(self.access));
    }

    fn door_opened(&mut self, step: &mut Step) {
        if self.opening.is_some() {
            return;
        }
        let allowed = self.fire
            || self.access.is_some()
            || self.remote.is_some()
            || self.desired_lock() == LockState::Unlocked;
        for window in [&mut self.access, &mut self.remote].into_iter().flatten() {
            window.opened = true;
        }
        step.events.push(if allowed {
            DoorEventKind::Opened
        } else {
            DoorEventKind::ForcedOpen
        });
        self.opening = Some(Opening::new(!allowed));
    }

    fn door_closed(&mut self, step: &mut Step) {
        let Some(opening) = self.opening.take() else {
            return;
        };
        step.events.push(DoorEventKind::Closed);
        if opening.alarm_raised {
            step.events.push(DoorEventKind::HeldOpenCleared);
        }
        // Relock on close: a window the door opened in is used up.
        if self.access.is_some_and(|w| w.opened) {
            self.access = None;
        }
        if self.remote.is_some_and(|w| w.opened) {
            self.remote = None;
        }
    }
}
