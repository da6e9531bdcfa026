//! The reader's LED and beeper: what a person at the door sees and hears.

use super::{Level, OutputError, OutputLine};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which level turns an indicator on (configuration: `on_when_energized` or
/// `on_when_de_energized`). Wiegand readers often light green when their LED wire is
/// pulled low, which a transistor or relay may invert.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    /// On when the line is energized.
    #[default]
    OnWhenEnergized,
    /// On when the line is de-energized.
    OnWhenDeEnergized,
}

impl Polarity {
    /// The level that turns the indicator on (`true`) or off.
    pub const fn level(self, on: bool) -> Level {
        match (self, on) {
            (Polarity::OnWhenEnergized, true) | (Polarity::OnWhenDeEnergized, false) => {
                Level::Energized
            }
            _ => Level::DeEnergized,
        }
    }
}

/// The colour of a reader's LED.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedColor {
    /// Dark. The safe state.
    Off,
    /// Red (denied, locked).
    Red,
    /// Green (granted, unlocked).
    Green,
    /// Red and green together.
    Amber,
}

impl LedColor {
    /// Whether the red and the green element are lit.
    pub const fn elements(self) -> (bool, bool) {
        match self {
            LedColor::Off => (false, false),
            LedColor::Red => (true, false),
            LedColor::Green => (false, true),
            LedColor::Amber => (true, true),
        }
    }

    /// The colour shown when the red and the green element are as given.
    pub const fn from_elements(red: bool, green: bool) -> Self {
        match (red, green) {
            (false, false) => LedColor::Off,
            (true, false) => LedColor::Red,
            (false, true) => LedColor::Green,
            (true, true) => LedColor::Amber,
        }
    }
}

impl fmt::Display for LedColor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LedColor::Off => "off",
            LedColor::Red => "red",
            LedColor::Green => "green",
            LedColor::Amber => "amber",
        })
    }
}

/// A two-element (red, green) reader LED on two lines. Off at creation and on drop.
#[derive(Debug)]
pub struct ReaderLed<L: OutputLine> {
    red: L,
    green: L,
    polarity: Polarity,
    color: LedColor,
}

impl<L: OutputLine> ReaderLed<L> {
    /// Takes the red and the green line and turns both off.
    pub fn new(red: L, green: L, polarity: Polarity) -> Result<Self, OutputError> {
        let mut led = ReaderLed {
            red,
            green,
            polarity,
            color: LedColor::Off,
        };
        led.set(LedColor::Off)?;
        Ok(led)
    }

    /// Shows `color`.
    pub fn set(&mut self, color: LedColor) -> Result<(), OutputError> {
        let (red, green) = color.elements();
        self.red.drive(self.polarity.level(red))?;
        self.green.drive(self.polarity.level(green))?;
        self.color = color;
        Ok(())
    }

    /// Turns the LED off (the safe state).
    pub fn make_safe(&mut self) -> Result<(), OutputError> {
        self.set(LedColor::Off)
    }

    /// The last colour set successfully.
    pub fn color(&self) -> LedColor {
        self.color
    }
}

impl<L: OutputLine> Drop for ReaderLed<L> {
    fn drop(&mut self) {
        // Best effort, as for the lock; each line is tried even if the other fails.
        let _ = self.red.drive(self.polarity.level(false));
        let _ = self.green.drive(self.polarity.level(false));
    }
}

/// A reader's beeper on one line. Silent at creation and on drop.
#[derive(Debug)]
pub struct Beeper<L: OutputLine> {
    line: L,
    polarity: Polarity,
    on: bool,
}

impl<L: OutputLine> Beeper<L> {
    /// Takes `line` and silences it.
    pub fn new(mut line: L, polarity: Polarity) -> Result<Self, OutputError> {
        line.drive(polarity.level(false))?;
        Ok(Beeper {
            line,
            polarity,
            on: false,
        })
    }

    /// Sounds (`true`) or silences the beeper.
    pub fn set(&mut self, on: bool) -> Result<(), OutputError> {
        self.line.drive(self.polarity.level(on))?;
        self.on = on;
        Ok(())
    }

    /// Silences the beeper (the safe state).
    pub fn make_safe(&mut self) -> Result<(), OutputError> {
        self.set(false)
    }

    /// Whether it was last set sounding.
    pub fn is_on(&self) -> bool {
        self.on
    }
}

impl<L: OutputLine> Drop for Beeper<L> {
    fn drop(&mut self) {
        let _ = self.line.drive(self.polarity.level(false));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_line::TestLine;
    use super::*;
    use Level::{DeEnergized as D, Energized as E};

    #[test]
    fn led_colours_drive_both_elements() {
        let (red, red_levels) = TestLine::new();
        let (green, green_levels) = TestLine::new();
        let mut led = ReaderLed::new(red, green, Polarity::OnWhenEnergized).unwrap();
        for color in [LedColor::Red, LedColor::Green, LedColor::Amber] {
            led.set(color).unwrap();
            assert_eq!(led.color(), color);
        }
        drop(led);
        // off at creation, red, green, amber, off on drop
        assert_eq!(red_levels.get(), vec![D, E, D, E, D]);
        assert_eq!(green_levels.get(), vec![D, D, E, E, D]);
    }

    #[test]
    fn inverted_polarity_energizes_to_turn_off() {
        let (line, levels) = TestLine::new();
        let mut beeper = Beeper::new(line, Polarity::OnWhenDeEnergized).unwrap();
        beeper.set(true).unwrap();
        assert!(beeper.is_on());
        drop(beeper);
        assert_eq!(levels.get(), vec![E, D, E]);
    }

    #[test]
    fn colour_round_trips_through_elements() {
        for color in [
            LedColor::Off,
            LedColor::Red,
            LedColor::Green,
            LedColor::Amber,
        ] {
            let (red, green) = color.elements();
            assert_eq!(LedColor::from_elements(red, green), color);
        }
    }
}
