//! The Raspberry Pi GPIO back-end (feature `rpi`): relay outputs, door inputs on edge
//! interrupts (debounced by [`door_io::run_input`](crate::door_io::run_input) on a
//! thread, sent as [`InputEvent`](crate::door_io::InputEvent)s), and Wiegand D0/D1 lines
//! on edge interrupts.
//!
//! Built on rppal, whose author retired it in 2025: it stays behind this module. Nothing
//! else in the workspace names an rppal type — callers see [`Chip`], [`GpioOutput`] (an
//! [`OutputLine`](crate::door_io::OutputLine)), [`GpioInput`], [`WiegandLines`] and
//! [`GpioError`] — so a back-end on the Linux GPIO character device can replace this
//! module without touching the door controller. Wiring and timing limits:
//! `docs/hardware-wiring.md`.

mod chip;
mod clock;
mod input;
mod output;
mod wiegand;

pub use chip::{Chip, GpioError};
pub use clock::EdgeClock;
pub use input::{GpioInput, Pull};
pub use output::GpioOutput;
pub use wiegand::WiegandLines;
