//! The door lock: locked / unlocked, mapped to a level by how the lock is wired.

use super::{Level, OutputError, OutputLine};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The lock's logical state — the only thing code above this crate speaks of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockState {
    /// The door cannot be opened from outside. The safe state.
    Locked,
    /// The door can be opened.
    Unlocked,
}

impl fmt::Display for LockState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LockState::Locked => "locked",
            LockState::Unlocked => "unlocked",
        })
    }
}

/// How a door's lock is wired, in the installer's terms (configuration: `fail_secure` or
/// `fail_safe`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockWiring {
    /// An electric strike that unlocks when energized: without power the door stays
    /// locked (secure on failure).
    FailSecure,
    /// A maglock (or fail-safe strike) that holds only while energized: without power the
    /// door opens (safe for people on failure, as fire codes require on egress doors).
    FailSafe,
}

impl LockWiring {
    /// The level that puts this lock in `state`.
    pub const fn level_for(self, state: LockState) -> Level {
        match (self, state) {
            (LockWiring::FailSecure, LockState::Locked) => Level::DeEnergized,
            (LockWiring::FailSecure, LockState::Unlocked) => Level::Energized,
            (LockWiring::FailSafe, LockState::Locked) => Level::Energized,
            (LockWiring::FailSafe, LockState::Unlocked) => Level::DeEnergized,
        }
    }

    /// The state a lock wired this way is in at `level` (what the simulator, as the
    /// door, sees).
    pub const fn state_at(self, level: Level) -> LockState {
        match (self, level) {
            (LockWiring::FailSecure, Level::Energized) => LockState::Unlocked,
            (LockWiring::FailSecure, Level::DeEnergized) => LockState::Locked,
            (LockWiring::FailSafe, Level::Energized) => LockState::Locked,
            (LockWiring::FailSafe, Level::DeEnergized) => LockState::Unlocked,
        }
    }
}

/// A door lock on one output line.
///
/// Created locked; locked again when dropped. Drop cannot report an error, so a controller
/// that shuts down in order calls [`Lock::make_safe`] first and logs what it returns.
#[derive(Debug)]
pub struct Lock<L: OutputLine> {
    line: L,
    wiring: LockWiring,
    state: LockState,
}

impl<L: OutputLine> Lock<L> {
    /// Takes `line` and locks the door at once, before anything can decide to open it. A
    /// line that cannot be driven is an error: a door whose lock cannot be set is not
    /// handed to the controller.
    pub fn new(mut line: L, wiring: LockWiring) -> Result<Self, OutputError> {
        line.drive(wiring.level_for(LockState::Locked))?;
        Ok(Lock {
            line,
            wiring,
            state: LockState::Locked,
        })
    }

    /// Puts the lock in `state`. On an error the recorded state is left unchanged: the
    /// line may be anywhere, and the caller raises an alarm.
    pub fn set(&mut self, state: LockState) -> Result<(), OutputError> {
        self.line.drive(self.wiring.level_for(state))?;
        self.state = state;
        Ok(())
    }

    /// Locks the door (the safe state).
    pub fn make_safe(&mut self) -> Result<(), OutputError> {
        self.set(LockState::Locked)
    }

    /// The last state set successfully.
    pub fn state(&self) -> LockState {
        self.state
    }

    /// How the lock is wired.
    pub fn wiring(&self) -> LockWiring {
        self.wiring
    }
}

impl<L: OutputLine> Drop for Lock<L> {
    fn drop(&mut self) {
        // Best effort: nothing can be reported from a drop. The GPIO back-end keeps the
        // level it was last driven to after the process ends (rppal's reset-on-drop is off,
        // so a lock never floats); past this, the hardware watchdog and the relay wiring are
        // the next line of defence (hardware/README.md).
        let _ = self.line.drive(self.wiring.level_for(LockState::Locked));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_line::{FailingLine, TestLine};
    use super::*;
    use Level::{DeEnergized as D, Energized as E};

    #[test]
    fn wiring_maps_states_to_levels_and_back() {
        let table = [
            (LockWiring::FailSecure, LockState::Locked, D),
            (LockWiring::FailSecure, LockState::Unlocked, E),
            (LockWiring::FailSafe, LockState::Locked, E),
            (LockWiring::FailSafe, LockState::Unlocked, D),
        ];
        for (wiring, state, level) in table {
            assert_eq!(wiring.level_for(state), level, "{wiring:?} {state:?}");
            assert_eq!(wiring.state_at(level), state, "{wiring:?} {level:?}");
        }
    }

    #[test]
    fn locked_at_creation_and_on_drop() {
        for (wiring, locked, unlocked) in
            [(LockWiring::FailSecure, D, E), (LockWiring::FailSafe, E, D)]
        {
            let (line, levels) = TestLine::new();
            let mut lock = Lock::new(line, wiring).unwrap();
            assert_eq!(levels.get(), vec![locked], "{wiring:?}: safe before use");
            lock.set(LockState::Unlocked).unwrap();
            assert_eq!(lock.state(), LockState::Unlocked);
            drop(lock);
            assert_eq!(levels.get(), vec![locked, unlocked, locked], "{wiring:?}");
        }
    }

    #[test]
    fn a_line_that_cannot_be_driven_is_an_error() {
        let err = Lock::new(FailingLine, LockWiring::FailSafe).unwrap_err();
        assert_eq!(err.to_string(), "output line broken: refused");
    }

    #[test]
    fn wiring_reads_from_config_terms() {
        let wiring: LockWiring = serde_json::from_str("\"fail_safe\"").unwrap();
        assert_eq!(wiring, LockWiring::FailSafe);
        let wiring: LockWiring = serde_json::from_str("\"fail_secure\"").unwrap();
        assert_eq!(wiring, LockWiring::FailSecure);
    }
}
