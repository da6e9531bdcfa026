//! One door's outputs together, so a controller's shutdown path makes them all safe in one
//! call and sees every failure.

use super::Lock;
use super::{Beeper, LockWiring, OutputError, OutputLine, Polarity, ReaderLed};
use serde::{Deserialize, Serialize};

/// How one door's outputs are wired, in configuration terms
/// (`{"lock":"fail_safe","led":"on_when_energized"}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputWiring {
    /// The lock.
    pub lock: LockWiring,
    /// The reader LED lines; on when energized unless said otherwise.
    #[serde(default)]
    pub led: Polarity,
    /// The beeper line; on when energized unless said otherwise.
    #[serde(default)]
    pub beeper: Polarity,
}

/// A door's lock and, when wired to the controller (a Wiegand reader; an OSDP reader takes
/// LED and beeper commands instead), its reader LED and beeper.
#[derive(Debug)]
pub struct DoorOutputs<L: OutputLine> {
    /// The lock.
    pub lock: Lock<L>,
    /// The reader LED.
    pub led: Option<ReaderLed<L>>,
    /// The beeper.
    pub beeper: Option<Beeper<L>>,
}

impl<L: OutputLine> DoorOutputs<L> {
    /// Takes the lines and drives each safe, the lock first: nothing may open the door
    /// while the indicators are still being set up.
    pub fn new(
        wiring: OutputWiring,
        lock: L,
        led: Option<(L, L)>,
        beeper: Option<L>,
    ) -> Result<Self, OutputError> {
        let lock = Lock::new(lock, wiring.lock)?;
        let led = led
            .map(|(red, green)| ReaderLed::new(red, green, wiring.led))
            .transpose()?;
        let beeper = beeper
            .map(|line| Beeper::new(line, wiring.beeper))
            .transpose()?;
        Ok(DoorOutputs { lock, led, beeper })
    }

    /// Locks the door, turns the LED off and silences the beeper. Every output is tried,
    /// even after a failure; the failures are returned, lock first.
    pub fn make_safe(&mut self) -> Vec<OutputError> {
        let mut failures = Vec::new();
        failures.extend(self.lock.make_safe().err());
        if let Some(led) = &mut self.led {
            failures.extend(led.make_safe().err());
        }
        if let Some(beeper) = &mut self.beeper {
            failures.extend(beeper.make_safe().err());
        }
        failures
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_line::TestLine;
    use super::super::{LedColor, Level, LockState};
    use super::*;
    use Level::{DeEnergized as D, Energized as E};

    #[test]
    fn safe_at_creation_and_on_make_safe() {
        let wiring: OutputWiring =
            serde_json::from_str(r#"{"lock":"fail_safe","beeper":"on_when_de_energized"}"#)
                .unwrap();
        let (lock, lock_levels) = TestLine::new();
        let (red, red_levels) = TestLine::new();
        let (green, _) = TestLine::new();
        let (beeper, beeper_levels) = TestLine::new();
        let mut door = DoorOutputs::new(wiring, lock, Some((red, green)), Some(beeper)).unwrap();
        assert_eq!(lock_levels.get(), vec![E], "maglock locked = energized");
        assert_eq!(red_levels.get(), vec![D]);
        assert_eq!(
            beeper_levels.get(),
            vec![E],
            "inverted beeper silent = energized"
        );

        door.lock.set(LockState::Unlocked).unwrap();
        if let Some(led) = &mut door.led {
            led.set(LedColor::Red).unwrap();
        }
        assert_eq!(door.make_safe(), vec![]);
        assert_eq!(door.lock.state(), LockState::Locked);
        assert_eq!(lock_levels.get(), vec![E, D, E]);
        assert_eq!(red_levels.get(), vec![D, E, D]);
    }
}
