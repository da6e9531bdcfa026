//! Where a door acts on its inputs: the door state machine (strike time, REX, door contact,
//! held-open pre-alarm and alarm, forced-open alarm, scheduled and first-card unlock,
//! lockdown, fire release, reader feedback). docs/door-controller-state-machine.md states
//! its rules.
//!
//! [`DoorMachine`] is pure and synchronous: the runtime feeds it [`DoorInput`]s with the
//! monotonic time they happened, carries out the [`Action`]s it returns (journaling the
//! events, driving the lock, LED and beeper) and calls [`DoorMachine::tick`] at
//! [`DoorMachine::next_deadline`]. It speaks of locked / unlocked, never of pin levels.

mod action;
mod config;
mod held_open;
mod input;
mod machine;
mod policy;
mod rules;
mod status;
mod window;

pub use action::{Action, Beep};
pub use config::{DoorConfig, RexMode};
pub use input::DoorInput;
pub use machine::{DoorMachine, Start};
pub use status::DoorStatus;

#[cfg(test)]
mod tests;
