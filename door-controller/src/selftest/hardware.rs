//! `selftest --config`'s look at the hardware the file names: each serial port opens (and
//! is closed again), each evdev device opens, the OSDP readers' key store can be read, and
//! the GPIO pins can be claimed — outputs at their safe level only, so a self-test never
//! moves a door. A build without GPIO fails a file that needs it, naming the key.

use super::Outcome;
use crate::config::{ControllerConfig, ReaderInterface};
use gatehouse_hardware::osdp::SerialChannel;
use gatehouse_hardware::reader_keys::KeyStore;
use std::path::Path;

/// One outcome per serial port (an OSDP bus once), evdev device and GPIO pin, and one for
/// the key store when OSDP readers are configured.
pub fn checks(config: &ControllerConfig) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    let mut ports: Vec<&Path> = Vec::new();
    for (key, reader) in config.real_readers() {
        match (reader.interface, &reader.port, &reader.device) {
            (ReaderInterface::Osdp | ReaderInterface::QrSerial, Some(port), _) => {
                if ports.contains(&port.as_path()) {
                    continue;
                }
                ports.push(port);
                let baud = reader.serial_baud();
                outcomes.push(Outcome {
                    name: format!("{key}.port: serial port {}", port.display()),
                    // Opened as the reader back-ends open it, then closed when dropped.
                    result: SerialChannel::open(&port.to_string_lossy(), baud)
                        .map(drop)
                        .map_err(|e| e.to_string()),
                });
            }
            (ReaderInterface::QrWedge, _, Some(device)) => outcomes.push(Outcome {
                name: format!("{key}.device: evdev device {}", device.display()),
                result: std::fs::File::open(device)
                    .map(drop)
                    .map_err(|e| e.to_string()),
            }),
            _ => {}
        }
    }
    let osdp = config
        .real_readers()
        .any(|(_, r)| r.interface == ReaderInterface::Osdp);
    if osdp {
        outcomes.push(Outcome {
            name: "OSDP Secure Channel keys".into(),
            result: KeyStore::open(&config.reader_key_store())
                .map(drop)
                .map_err(|e| e.to_string()),
        });
    }
    outcomes.extend(gpio(config));
    outcomes
}

#[cfg(feature = "rpi")]
fn gpio(config: &ControllerConfig) -> Vec<Outcome> {
    super::gpio::checks(config)
}

#[cfg(not(feature = "rpi"))]
fn gpio(config: &ControllerConfig) -> Vec<Outcome> {
    match config.check_build() {
        Ok(()) => Vec::new(),
        Err(e) => vec![Outcome {
            name: "GPIO pins".into(),
            result: Err(e.to_string()),
        }],
    }
}
