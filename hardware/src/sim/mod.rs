//! The simulator: a back-end with the same traits as the real ones, for tests and the demo.
//!
//! A [`Simulator`] plays the doors and readers of one controller. The controller side gets
//! what it would get from real hardware: [`SimLine`]s implementing
//! [`OutputLine`](crate::door_io::OutputLine) (to wrap in a `Lock`, `ReaderLed` or
//! `Beeper`), and two channels ([`SimEvents`]) — [`ReaderEvent`](crate::reader::ReaderEvent)s
//! from the readers and [`InputEvent`](crate::door_io::InputEvent)s from the door inputs,
//! the same two streams the OSDP/Wiegand and GPIO back-ends produce, so a controller's event
//! loop cannot tell the simulator from a door.
//!
//! The test side plays the person and the building: it presents cards, PINs and QR codes,
//! opens doors, presses REX, trips tamper and fire — in process through [`Simulator`]'s
//! methods, or from another process through the control socket ([`serve`], spoken by
//! [`control::Client`]; the protocol is in `docs/hardware-simulator.md`). Every change of
//! an output line is recorded with the time since the simulator started, the level and
//! what it means for the door ([`OutputChange`]), so a test checks what was actuated, not
//! what the controller believes it actuated.

mod config;
pub mod control;
mod error;
mod line;
mod line_reader;
mod output;
pub mod protocol;
mod server;
mod simulator;
mod state;
mod status;

pub use config::{SimConfig, SimDoorConfig};
pub use error::SimError;
pub use line::SimLine;
pub use output::{OutputChange, SimOutput};
pub use server::serve;
pub use simulator::{SimEvents, Simulator};
pub use status::{DoorStatus, SimStatus};

#[cfg(test)]
mod tests;
