//! A GPIO pin driving a relay or a driver transistor: one [`OutputLine`].

use super::chip::{Chip, GpioError};
use crate::door_io::{Level, OutputError, OutputLine};
use rppal::gpio::OutputPin;

/// One output pin. It only drives what it is told; [`Lock`](crate::door_io::Lock) and the
/// other wrappers decide the level and drive the safe state at start and on drop.
pub struct GpioOutput {
    pin: OutputPin,
    // Most Pi relay boards pull a relay in when their input is driven low.
    active_low: bool,
}

impl GpioOutput {
    /// Claims BCM pin `bcm` as an output at `initial` from the first instant (pass the safe
    /// level of what it drives, so claiming the pin moves nothing). `active_low`: the relay
    /// is energized when the pin is low.
    pub fn new(chip: &Chip, bcm: u8, active_low: bool, initial: Level) -> Result<Self, GpioError> {
        let pin = chip.pin(bcm)?;
        let mut pin = if pin_high(active_low, initial) {
            pin.into_output_high()
        } else {
            pin.into_output_low()
        };
        // rppal's default puts the pin back to an input when dropped: a floating input
        // lets an active-low relay board's pull-down or noise pull the relay in, which
        // unlocks a fail-secure strike. Keeping the last level driven means the level the
        // wrapper's drop just set (the safe one) stays after the process ends.
        pin.set_reset_on_drop(false);
        Ok(GpioOutput { pin, active_low })
    }

    /// Its BCM pin number.
    pub fn bcm(&self) -> u8 {
        self.pin.pin()
    }
}

impl std::fmt::Debug for GpioOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpioOutput")
            .field("bcm", &self.pin.pin())
            .field("active_low", &self.active_low)
            .finish()
    }
}

impl OutputLine for GpioOutput {
    fn drive(&mut self, level: Level) -> Result<(), OutputError> {
        // A memory-mapped register write: it cannot fail once the pin is claimed.
        if pin_high(self.active_low, level) {
            self.pin.set_high();
        } else {
            self.pin.set_low();
        }
        Ok(())
    }
}

/// Whether the pin is high at `level`.
const fn pin_high(active_low: bool, level: Level) -> bool {
    matches!(level, Level::Energized) != active_low
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_to_pin_states() {
        let cases = [
            (false, Level::Energized, true),
            (false, Level::DeEnergized, false),
            (true, Level::Energized, false),
            (true, Level::DeEnergized, true),
        ];
        for (active_low, level, high) in cases {
            assert_eq!(pin_high(active_low, level), high, "{active_low} {level}");
        }
    }
}
