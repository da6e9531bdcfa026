//! A Wiegand reader on two GPIO pins: each falling edge on D0 or D1 is a bit.

use super::chip::{Chip, GpioError, pin_error};
use super::clock::EdgeClock;
use crate::reader::ReaderEvent;
use crate::wiegand::{Line, WiegandReader, run};
use rppal::gpio::{Event, InputPin, Trigger};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// D0 and D1 of one reader, watched until dropped. Reads go to the sink given to
/// [`WiegandLines::start`] from a thread of their own.
pub struct WiegandLines {
    // Dropping the pins clears their interrupts, which drops the edge senders, which
    // ends the reader thread.
    d0: InputPin,
    d1: InputPin,
}

impl std::fmt::Debug for WiegandLines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WiegandLines")
            .field("d0", &self.d0.pin())
            .field("d1", &self.d1.pin())
            .finish()
    }
}

impl WiegandLines {
    /// Claims BCM pins `d0` and `d1` (through a 5 V → 3.3 V level shifter: see
    /// `docs/hardware-wiring.md`) and runs `reader` on their edges, sending its reads to
    /// `sink`.
    pub fn start(
        chip: &Chip,
        d0: u8,
        d1: u8,
        reader: WiegandReader,
        sink: impl FnMut(ReaderEvent) + Send + 'static,
    ) -> Result<Self, GpioError> {
        let (tx, rx) = mpsc::channel();
        // One clock for both lines: bits from D0 and D1 must be ordered against each other.
        let clock = Arc::new(Mutex::new(EdgeClock::new()));
        let d0_pin = watch(chip, d0, Line::D0, tx.clone(), Arc::clone(&clock))?;
        let d1_pin = watch(chip, d1, Line::D1, tx, clock)?;
        std::thread::Builder::new()
            .name(format!("wiegand-{}", reader.id()))
            .spawn(move || run(&rx, reader, sink))
            .map_err(|e| GpioError::Pin {
                pin: d0,
                reason: format!("cannot start the reader thread: {e}"),
            })?;
        Ok(WiegandLines {
            d0: d0_pin,
            d1: d1_pin,
        })
    }
}

fn watch(
    chip: &Chip,
    bcm: u8,
    line: Line,
    edges: Sender<(Line, Instant)>,
    clock: Arc<Mutex<EdgeClock>>,
) -> Result<InputPin, GpioError> {
    // Idle high (the reader's open collector, our pull-up), a bit pulls the line low for
    // about 50 µs. No debounce: it would swallow the bits.
    let mut pin = chip.pin(bcm)?.into_input_pullup();
    pin.set_async_interrupt(Trigger::FallingEdge, None, move |event: Event| {
        let now = Instant::now();
        let at = match clock.lock() {
            Ok(mut clock) => clock.instant(event.timestamp, now),
            Err(_) => now,
        };
        // The reader thread is gone only while the pins are being dropped.
        let _ = edges.send((line, at));
    })
    .map_err(|e| pin_error(bcm, &e))?;
    Ok(pin)
}
