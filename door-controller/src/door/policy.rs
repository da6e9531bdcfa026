//! Precedence: what the lock, the LED and the buzzer should be, given everything the
//! machine knows. Fire release (fail-safe doors) beats lockdown; lockdown beats every
//! unlock but a grant to a holder with the lockdown override and a REX on a fail-safe
//! door; otherwise any unlock leaves the door unlocked.

use super::DoorMachine;
use super::held_open::HeldOpenTimer;
use gatehouse_core::wire::DoorEventKind;
use gatehouse_hardware::door_io::{LedColor, LockState};
use std::time::Instant;

/// Why the journal last heard the lock stands as it does. Unlocks by a grant or a REX are
/// not announced (the decision and the `ExitRequest` are journaled already).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shown {
    Locked,
    /// Unlocked by the schedule or a remote command.
    Unlocked,
    /// Released by the fire alarm.
    FireReleased,
}

impl Shown {
    pub fn event(self) -> DoorEventKind {
        match self {
            Shown::Locked => DoorEventKind::Locked,
            Shown::Unlocked => DoorEventKind::Unlocked,
            Shown::FireReleased => DoorEventKind::FireRelease,
        }
    }
}

impl DoorMachine {
    fn fire_released(&self) -> bool {
        self.fire && self.config.fail_safe()
    }

    /// The scheduled window holds the door unlocked (after its first card, if so set up).
    pub(super) fn window_unlocks(&self) -> bool {
        !self.lockdown
            && self.unlock_window
            && (!self.config.first_card_unlock || self.first_card_in)
    }

    pub(super) fn desired_lock(&self) -> LockState {
        let access = self.access.is_some_and(|w| w.unlocks);
        let unlocked = if self.fire_released() {
            true
        } else if self.lockdown {
            // Only windows opened in the lockdown by an override grant or by a REX on a
            // fail-safe door unlock (the lockdown took the unlock from older ones).
            access
        } else {
            access || self.remote.is_some() || self.window_unlocks()
        };
        if unlocked {
            LockState::Unlocked
        } else {
            LockState::Locked
        }
    }

    /// Red briefly after a denial, green while unlocked, red while locked down, else dark.
    pub(super) fn desired_led(&self, now: Instant) -> LedColor {
        if self.deny_until.is_some_and(|d| d > now) {
            LedColor::Red
        } else if self.desired_lock() == LockState::Unlocked {
            LedColor::Green
        } else if self.lockdown {
            LedColor::Red
        } else {
            LedColor::Off
        }
    }

    pub(super) fn desired_buzzer(&self) -> bool {
        self.opening
            .and_then(|o| o.timer)
            .is_some_and(|t| t.sounding())
    }

    /// Whether the door may stand open without a held-open alarm: an unlock window (after
    /// its first card) or a fire alarm (on either wiring: the building is evacuating).
    fn may_stand_open(&self) -> bool {
        self.fire || self.window_unlocks()
    }

    /// Starts or stops the held-open timer of an opening as standing open becomes allowed
    /// or not, from `at`.
    pub(super) fn refresh_held_open(&mut self, at: Instant) {
        let allowed = self.may_stand_open();
        let config = self.config;
        if let Some(opening) = &mut self.opening {
            if opening.forced || allowed {
                opening.timer = None;
            } else if opening.timer.is_none() {
                opening.timer = Some(HeldOpenTimer::start(at, &config));
            }
        }
    }

    pub(super) fn target_shown(&self) -> Shown {
        if self.fire_released() {
            Shown::FireReleased
        } else if !self.lockdown && (self.window_unlocks() || self.remote.is_some()) {
            Shown::Unlocked
        } else if self.lock == LockState::Locked {
            Shown::Locked
        } else {
            // Still unlocked by a grant or a REX: the Locked comes when it relocks.
            self.shown
        }
    }
}
