//! A snapshot of everything the simulated hardware shows.

use crate::door_io::{LedColor, Level, LockState, LockWiring};
use serde::{Deserialize, Serialize};

/// The simulator's current state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimStatus {
    /// Milliseconds since the simulator started.
    pub at_ms: u64,
    /// Its readers.
    pub readers: Vec<String>,
    /// Its doors, by name.
    pub doors: Vec<DoorStatus>,
}

/// One door's current state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorStatus {
    /// The door.
    pub door: String,
    /// How its lock is wired.
    pub wiring: LockWiring,
    /// Locked or unlocked as the hardware is driven; `None` until the controller first
    /// drives the lock line (a real, undriven relay would be de-energized).
    pub lock: Option<LockState>,
    /// The lock line's level; `None` until first driven.
    pub lock_level: Option<Level>,
    /// The reader LED's colour.
    pub led: LedColor,
    /// Whether the beeper sounds.
    pub beeper: bool,
    /// Whether the door stands open (door contact active).
    pub open: bool,
    /// Whether its tamper input is active.
    pub tamper: bool,
    /// Whether its fire release input is active.
    pub fire: bool,
}
