//! The readers on serial ports and evdev devices (OSDP buses, QR scanners), opened per
//! their `interface` under either back-end, each bus or scanner on a thread of its own. A
//! reader that cannot be opened is reported offline and tried again; the other doors are
//! served meanwhile. Wiegand and simulated readers are the GPIO back-end's and the
//! simulator's.

mod feedback;
mod osdp;
mod qr;
mod report;

pub use feedback::ReaderFeedback;

use super::super::RuntimeError;
use crate::config::{ControllerConfig, ReaderInterface};
use gatehouse_hardware::qr::{SerialConfig, WedgeConfig};
use gatehouse_hardware::reader::{ReaderEvent, ReaderId};
use osdp::BusPlan;
use report::Reporter;
use std::path::PathBuf;
use tokio::sync::mpsc;

/// The readers started, and where each OSDP reader takes the commands that show its
/// door's state.
#[derive(Debug, Default)]
pub struct Started {
    /// How many readers were started.
    pub count: usize,
    /// Each OSDP reader and its bus's command queue.
    pub osdp: Vec<(ReaderId, std::sync::mpsc::Sender<feedback::ToBus>)>,
}

impl Started {
    /// The feedback for the readers of `door` (none when it has no OSDP reader).
    pub fn feedback_for(&self, door: &crate::config::DoorSection) -> ReaderFeedback {
        let mut feedback = ReaderFeedback::default();
        for reader in &door.readers {
            if let Some((id, bus)) = self.osdp.iter().find(|(id, _)| id.name() == reader.name) {
                feedback.add(id.clone(), bus.clone());
            }
        }
        feedback
    }
}

/// Starts every serial and evdev reader of `config`, each reporting to `events`.
pub fn start(
    config: &ControllerConfig,
    events: &mpsc::Sender<ReaderEvent>,
) -> Result<Started, RuntimeError> {
    let mut buses: Vec<BusPlan> = Vec::new();
    let mut started = 0;
    for (key, reader) in config.real_readers() {
        let id = ReaderId::new(&reader.name);
        let baud = reader.serial_baud();
        let reporter = Reporter::new(events.clone());
        match reader.interface {
            ReaderInterface::QrSerial => {
                let port = path(&key, "port", reader.port.as_ref())?;
                let mut serial = SerialConfig::new(&port.to_string_lossy());
                serial.baud = baud;
                spawn(&reader.name, move || qr::serial(&id, &serial, reporter))?;
            }
            ReaderInterface::QrWedge => {
                let wedge = WedgeConfig::new(path(&key, "device", reader.device.as_ref())?);
                spawn(&reader.name, move || qr::wedge(&id, &wedge, reporter))?;
            }
            ReaderInterface::Osdp => {
                let port = path(&key, "port", reader.port.as_ref())?;
                let address = reader.address.ok_or_else(|| missing(&key, "address"))?;
                match buses.iter_mut().find(|b| b.port == port) {
                    Some(bus) => bus.readers.push((id, address)),
                    None => buses.push(BusPlan {
                        port,
                        baud,
                        readers: vec![(id, address)],
                    }),
                }
            }
            ReaderInterface::Wiegand | ReaderInterface::Sim => continue,
        }
        started += 1;
    }
    let mut osdp_readers = Vec::new();
    for plan in buses {
        let key_store = config.reader_key_store();
        let reporter = Reporter::new(events.clone());
        let name = plan.port.display().to_string();
        let (to_bus, commands) = std::sync::mpsc::channel();
        osdp_readers.extend(
            plan.readers
                .iter()
                .map(|(id, _)| (id.clone(), to_bus.clone())),
        );
        spawn(&name, move || {
            osdp::run(&plan, &key_store, reporter, &commands)
        })?;
    }
    Ok(Started {
        count: started,
        osdp: osdp_readers,
    })
}

fn path(key: &str, name: &str, value: Option<&PathBuf>) -> Result<PathBuf, RuntimeError> {
    value.cloned().ok_or_else(|| missing(key, name))
}

/// A key the configuration check requires; only a hand-built configuration lacks it.
fn missing(key: &str, name: &str) -> RuntimeError {
    RuntimeError::Hardware(format!("{key}.{name}: missing"))
}

fn spawn(name: &str, run: impl FnOnce() + Send + 'static) -> Result<(), RuntimeError> {
    std::thread::Builder::new()
        .name(format!("reader-{name}"))
        .spawn(run)
        .map(drop)
        .map_err(|e| RuntimeError::Hardware(format!("reader {name}: cannot start its thread: {e}")))
}
