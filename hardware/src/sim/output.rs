//! The simulated output lines and the record of their changes.

use crate::door_io::Level;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One output line of a simulated door.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SimOutput {
    /// The lock relay.
    Lock,
    /// The red element of the reader LED (on when energized).
    LedRed,
    /// The green element of the reader LED (on when energized).
    LedGreen,
    /// The beeper (on when energized).
    Beeper,
}

impl fmt::Display for SimOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SimOutput::Lock => "lock",
            SimOutput::LedRed => "led_red",
            SimOutput::LedGreen => "led_green",
            SimOutput::Beeper => "beeper",
        })
    }
}

/// One recorded change of an output line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputChange {
    /// Its place in the record, from 0; a gap means old entries were dropped.
    pub seq: u64,
    /// Milliseconds since the simulator started (monotonic).
    pub at_ms: u64,
    /// The door.
    pub door: String,
    /// The line.
    pub output: SimOutput,
    /// The level it was driven to.
    pub level: Level,
    /// What the door now shows, judged by the simulated hardware: `locked` / `unlocked`
    /// for the lock (through the door's wiring), the LED's colour (`off`, `red`, `green`,
    /// `amber`) for either LED line, `on` / `off` for the beeper.
    pub state: String,
}
