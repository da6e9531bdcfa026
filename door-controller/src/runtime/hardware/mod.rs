//! Opening the configured hardware: every door's outputs, driven safe as they are opened
//! and before any reader or input starts; then the inputs, with the levels they read at
//! start; then the readers, each reporting on one channel.
//!
//! - [`sim`]: `backend = "sim"`, the simulator standing in for the pins and for `sim` and
//!   `wiegand` readers;
//! - `gpio` (feature `rpi`): `backend = "gpio"`, relays, inputs and Wiegand readers on the
//!   Pi's pins;
//! - [`readers`]: serial and evdev readers (OSDP, QR scanners), opened under either
//!   back-end; one that cannot be opened is reported offline and tried again, and the
//!   other doors serve meanwhile.

#[cfg(feature = "rpi")]
mod gpio;
mod readers;
mod sim;

use super::RuntimeError;
use super::live_door::Line;
use crate::config::{Backend, ControllerConfig};
use crate::door::Start;
use gatehouse_hardware::door_io::{DoorOutputs, InputEvent};
use gatehouse_hardware::reader::ReaderEvent;
use gatehouse_hardware::sim::Simulator;
pub use readers::ReaderFeedback;
use tokio::sync::mpsc;

/// Events queued for a controller that is slow to read them (a reader thread waits).
const QUEUE: usize = 1024;

/// The opened hardware.
pub struct Hardware {
    /// Reads and reader health, from every reader.
    pub readers: mpsc::Receiver<ReaderEvent>,
    /// Debounced input changes, from every door.
    pub inputs: mpsc::Receiver<InputEvent>,
    /// Each configured door's outputs, in configuration order, already safe.
    pub outputs: Vec<DoorOutputs<Line>>,
    /// What each door's inputs read at start (door contact, fire release), in
    /// configuration order, for its state machine to start from.
    pub starts: Vec<Start>,
    /// What each door shows on its OSDP readers, in configuration order.
    pub feedback: Vec<ReaderFeedback>,
    /// The simulator, to serve its control socket (the sim back-end only).
    pub sim: Option<Simulator>,
    /// The GPIO inputs and Wiegand lines being watched: they are released when this is
    /// dropped, at the end of `run`, after the doors were locked.
    #[cfg(feature = "rpi")]
    pub _watched: Option<gpio::Watched>,
}

/// Opens the back-end `config` names, drives every output safe, then starts the inputs
/// and the readers. Runs inside the tokio runtime (the simulator's reads are forwarded by a
/// task when real readers report beside them).
pub fn open(config: &ControllerConfig) -> Result<Hardware, RuntimeError> {
    // Before anything is touched: a build without GPIO refuses a file that needs it.
    config
        .check_build()
        .map_err(|e| RuntimeError::Hardware(e.to_string()))?;
    let (reader_tx, reader_rx) = mpsc::channel(QUEUE);
    match config.hardware.backend {
        Backend::Sim => {
            let doors = sim::open(config)?;
            let started = readers::start(config, &reader_tx)?;
            let feedback = config
                .doors
                .iter()
                .map(|d| started.feedback_for(d))
                .collect();
            let readers = if started.count == 0 {
                doors.readers
            } else {
                sim::forward(doors.readers, reader_tx);
                reader_rx
            };
            Ok(Hardware {
                readers,
                inputs: doors.inputs,
                starts: vec![Start::default(); doors.outputs.len()],
                outputs: doors.outputs,
                feedback,
                sim: Some(doors.sim),
                #[cfg(feature = "rpi")]
                _watched: None,
            })
        }
        #[cfg(feature = "rpi")]
        Backend::Gpio => {
            let doors = gpio::open(config, &reader_tx)?;
            let started = readers::start(config, &reader_tx)?;
            Ok(Hardware {
                readers: reader_rx,
                inputs: doors.inputs,
                outputs: doors.outputs,
                starts: doors.starts,
                feedback: config
                    .doors
                    .iter()
                    .map(|d| started.feedback_for(d))
                    .collect(),
                sim: None,
                _watched: Some(doors.watched),
            })
        }
        #[cfg(not(feature = "rpi"))]
        Backend::Gpio => Err(RuntimeError::Hardware(
            "hardware.backend: this build has no GPIO back-end (built without the rpi feature)"
                .into(),
        )),
    }
}
