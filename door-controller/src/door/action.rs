//! What the state machine asks the runtime to do.

use gatehouse_core::wire::DoorEventKind;
use gatehouse_hardware::door_io::{LedColor, LockState};

/// A short beep pattern on the reader: the runtime plays it (then returns the beeper to
/// the [`Action::Buzzer`] state).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Beep {
    /// Access granted: one short beep (about 200 ms).
    Granted,
    /// Access denied: three short beeps (about 100 ms on, 100 ms off), so the two cannot
    /// be confused without looking.
    Denied,
}

/// One thing to do. Output actions are emitted only when the output changes (except at
/// start, where every output is set); within one call they come in a fixed order:
/// `SetLock`, `Led`, `Beep`, `Buzzer`, then the `Event`s in the order they happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Put the lock in this state.
    SetLock(LockState),
    /// Show this colour on the door's reader LEDs.
    Led(LedColor),
    /// Play a beep pattern.
    Beep(Beep),
    /// Sound (`true`) or silence the reader's continuous buzzer (held-open pre-alarm and
    /// alarm).
    Buzzer(bool),
    /// Journal this door event.
    Event(DoorEventKind),
}
