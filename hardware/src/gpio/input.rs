//! A GPIO input (door contact, REX, tamper, fire release) reporting its edges.

use super::chip::{Chip, GpioError, pin_error};
use super::clock::EdgeClock;
use rppal::gpio::{Event, InputPin, Trigger};
use std::time::Instant;

/// The pin's internal bias resistor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pull {
    /// Pulled up (a contact to ground reads low when closed). The usual choice.
    Up,
    /// Pulled down.
    Down,
    /// None: the circuit has its own resistors (long runs, opto-isolated inputs).
    Off,
}

/// One input pin, watched by an edge interrupt until dropped.
pub struct GpioInput {
    pin: InputPin,
}

impl std::fmt::Debug for GpioInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpioInput")
            .field("bcm", &self.pin.pin())
            .finish()
    }
}

impl GpioInput {
    /// Claims BCM pin `bcm` and calls `on_edge(high, at)` on every change, from rppal's
    /// interrupt thread. No debounce here: [`Debouncer`](crate::door_io::Debouncer) does
    /// it on the edges, with the timing the door needs.
    pub fn watch(
        chip: &Chip,
        bcm: u8,
        pull: Pull,
        mut on_edge: impl FnMut(bool, Instant) + Send + 'static,
    ) -> Result<Self, GpioError> {
        let pin = chip.pin(bcm)?;
        let mut pin = match pull {
            Pull::Up => pin.into_input_pullup(),
            Pull::Down => pin.into_input_pulldown(),
            Pull::Off => pin.into_input(),
        };
        let mut clock = EdgeClock::new();
        pin.set_async_interrupt(Trigger::Both, None, move |event: Event| {
            let at = clock.instant(event.timestamp, Instant::now());
            on_edge(event.trigger == Trigger::RisingEdge, at);
        })
        .map_err(|e| pin_error(bcm, &e))?;
        Ok(GpioInput { pin })
    }

    /// The level now (`true` = high), e.g. to learn the state before the first edge.
    pub fn is_high(&self) -> bool {
        self.pin.is_high()
    }
}
