//! One raw output line: the only place where an electrical level exists.

use super::OutputError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The electrical state of an output line: its relay coil or driver energized or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Current flows (relay pulled in, transistor on).
    Energized,
    /// No current (relay released) — also what a dead controller leaves behind.
    DeEnergized,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Energized => "energized",
            Level::DeEnergized => "de_energized",
        })
    }
}

/// One output line of a back-end (a GPIO pin driving a relay, a simulated line).
///
/// Implementations do only what they are told; the logical wrappers ([`Lock`](super::Lock),
/// [`ReaderLed`](super::ReaderLed), [`Beeper`](super::Beeper)) decide the level and own the
/// safe-state rules. `Send` so a door's outputs can live in the controller's task.
pub trait OutputLine: Send {
    /// Drives the line to `level`.
    fn drive(&mut self, level: Level) -> Result<(), OutputError>;
}

// Lets configuration pick back-ends at run time (`Lock<Box<dyn OutputLine>>`).
impl<L: OutputLine + ?Sized> OutputLine for Box<L> {
    fn drive(&mut self, level: Level) -> Result<(), OutputError> {
        (**self).drive(level)
    }
}
