//! A GPIO input (door contact, REX, tamper, fire release) reporting debounced changes.

use super::chip::{Chip, GpioError, pin_error};
use super::clock::EdgeClock;
use crate::door_io::{Circuit, DoorName, Input, InputConfig, InputDriver, InputEvent, run_input};
use rppal::gpio::{Event, InputPin, Trigger};
use std::sync::mpsc;
use std::time::Instant;

/// The pin's internal bias resistor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pull {
    /// Pulled up (a contact to ground reads low when closed). The usual choice.
    Up,
    /// Pulled down (a contact to 3.3 V reads high when closed).
    Down,
    /// None: the circuit has its own resistors (long runs, opto-isolated inputs), which
    /// pull up; a closed contact or a lit opto pulls the pin low.
    Off,
}

impl Pull {
    /// The circuit a pin biased this way is reading at level `high`.
    pub const fn circuit(self, high: bool) -> Circuit {
        match (self, high) {
            (Pull::Down, true) | (Pull::Up | Pull::Off, false) => Circuit::Closed,
            (Pull::Down, false) | (Pull::Up | Pull::Off, true) => Circuit::Open,
        }
    }
}

/// One input pin, watched by an edge interrupt until dropped. Its debounced changes go to
/// the sink given to [`GpioInput::start`] from a thread of their own.
pub struct GpioInput {
    // Dropping the pin clears its interrupt, which drops the edge sender, which ends the
    // input's thread.
    pin: InputPin,
    active_at_start: bool,
}

impl std::fmt::Debug for GpioInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpioInput")
            .field("bcm", &self.pin.pin())
            .field("active_at_start", &self.active_at_start)
            .finish()
    }
}

impl GpioInput {
    /// Claims BCM pin `bcm` as `door`'s input `config` and sends its debounced changes to
    /// `sink` as [`InputEvent`]s: the pin's edges (stamped by the kernel, see
    /// [`EdgeClock`]) become [`Circuit`]s through `pull`, and
    /// [`run_input`](crate::door_io::run_input) applies the wiring and the settle time on
    /// a thread that wakes at the debouncer's deadline. No debounce in the interrupt
    /// itself, and no raw level ever reaches `sink`.
    pub fn start(
        chip: &Chip,
        bcm: u8,
        pull: Pull,
        door: DoorName,
        config: InputConfig,
        sink: impl FnMut(InputEvent) + Send + 'static,
    ) -> Result<Self, GpioError> {
        let pin = chip.pin(bcm)?;
        let mut pin = match pull {
            Pull::Up => pin.into_input_pullup(),
            Pull::Down => pin.into_input_pulldown(),
            Pull::Off => pin.into_input(),
        };
        // The first reading is trusted (see `Debouncer::new`); an edge from here on is
        // debounced against it.
        let high_at_start = pin.is_high();
        let input = Input::new(config, pull.circuit(high_at_start));
        let active_at_start = input.is_active();
        let (tx, rx) = mpsc::channel();
        let catch_up = tx.clone();
        let mut clock = EdgeClock::new();
        pin.set_async_interrupt(Trigger::Both, None, move |event: Event| {
            let at = clock.instant(event.timestamp, Instant::now());
            let high = event.trigger == Trigger::RisingEdge;
            // The input's thread is gone only while the pin is being dropped.
            let _ = tx.send((pull.circuit(high), at));
        })
        .map_err(|e| pin_error(bcm, &e))?;
        // An edge between the first reading and the interrupt would be missed: catch up
        // on it (a repeat of one the interrupt saw is harmless to the debouncer).
        let high = pin.is_high();
        if high != high_at_start {
            let _ = catch_up.send((pull.circuit(high), Instant::now()));
        }
        drop(catch_up);
        let driver = InputDriver::new(door.clone(), input);
        std::thread::Builder::new()
            .name(format!("input-{door}-{}", config.kind))
            .spawn(move || run_input(&rx, driver, sink))
            .map_err(|e| GpioError::Pin {
                pin: bcm,
                reason: format!("cannot start the input thread: {e}"),
            })?;
        Ok(GpioInput {
            pin,
            active_at_start,
        })
    }

    /// Whether the input was active when claimed (wiring applied). No event is sent for
    /// the state at start: the controller reads it here.
    pub fn active_at_start(&self) -> bool {
        self.active_at_start
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::door_io::{InputKind, Wiring};

    #[test]
    fn pin_levels_to_circuits() {
        let table = [
            (Pull::Up, false, Circuit::Closed),
            (Pull::Up, true, Circuit::Open),
            (Pull::Off, false, Circuit::Closed),
            (Pull::Off, true, Circuit::Open),
            (Pull::Down, true, Circuit::Closed),
            (Pull::Down, false, Circuit::Open),
        ];
        for (pull, high, circuit) in table {
            assert_eq!(pull.circuit(high), circuit, "{pull:?} high={high}");
        }
    }

    #[test]
    fn a_normally_closed_door_contact_on_a_pull_up_opens_on_a_rising_edge() {
        // The door opens: the reed switch opens, the pull-up takes the pin high.
        let config = InputConfig {
            kind: InputKind::DoorContact,
            wiring: Wiring::NormallyClosed,
            debounce_ms: None,
        };
        let t0 = Instant::now();
        let mut driver = InputDriver::new(
            DoorName::new("front"),
            Input::new(config, Pull::Up.circuit(false)),
        );
        assert!(!driver.is_active());
        assert!(driver.edge(Pull::Up.circuit(true), t0).is_empty());
        let event = driver.poll(t0 + config.debounce()).expect("settled");
        assert!(event.active, "door open");
        assert_eq!(event.at, t0 + config.debounce());
    }
}
