//! A door's state as the controller's `status` command shows it.

use gatehouse_hardware::door_io::{LedColor, LockState};

/// A snapshot of one door.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DoorStatus {
    /// The lock as last commanded.
    pub lock: LockState,
    /// The reader LED as last commanded.
    pub led: LedColor,
    /// The door contact reads open.
    pub open: bool,
    /// It opened without a grant, REX or unlock and has not closed since.
    pub forced_open: bool,
    /// The held-open alarm is raised (until the door closes).
    pub held_open_alarm: bool,
    /// The reader's buzzer sounds (held-open pre-alarm or alarm).
    pub buzzer: bool,
    /// The door is locked down.
    pub lockdown: bool,
    /// The fire-alarm release is active.
    pub fire: bool,
    /// A scheduled unlock window is open.
    pub unlock_window: bool,
    /// A first card was granted in the window (first-card unlock has begun).
    pub first_card_in: bool,
}
