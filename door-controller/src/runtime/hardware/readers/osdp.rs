//! One OSDP bus (a serial port and the readers on it) on a thread of its own. A keyed
//! reader's Secure Channel key comes from the controller's reader key store
//! (`reader-keys.json` in the state folder): a keyed reader is only ever accepted over the
//! Secure Channel with it. A port that cannot be opened, or a key store that cannot be
//! read, leaves the bus's readers offline and is tried again with back-off; once open, the
//! bus brings each reader online, and back after it is lost, by itself.

use super::super::super::backoff::Backoff;
use super::report::Reporter;
use gatehouse_hardware::osdp::{Bus, BusConfig, ReaderConfig, SerialChannel};
use gatehouse_hardware::reader::ReaderId;
use gatehouse_hardware::reader_keys::KeyStore;
use std::path::{Path, PathBuf};

/// The key store's file in the state folder (docs/hardware-reader-keys.md).
const KEY_STORE: &str = "reader-keys.json";

/// The readers on one port.
#[derive(Debug)]
pub struct BusPlan {
    /// The serial port.
    pub port: PathBuf,
    /// Its speed.
    pub baud: u32,
    /// Each reader's name and address.
    pub readers: Vec<(ReaderId, u8)>,
}

/// Runs the bus until the controller stops listening.
pub fn run(plan: &BusPlan, state_dir: &Path, mut reporter: Reporter) {
    let mut backoff = Backoff::default();
    loop {
        match open(plan, state_dir, &reporter) {
            Ok(mut bus) => {
                let poll = BusConfig::default().poll_interval;
                while !reporter.stopped() {
                    bus.poll_round();
                    std::thread::sleep(poll);
                }
                return;
            }
            Err(why) => {
                tracing::warn!(port = %plan.port.display(), error = %why,
                    "OSDP bus cannot be opened; its readers are offline");
                for (id, _) in &plan.readers {
                    if !reporter.offline(id) {
                        return;
                    }
                }
            }
        }
        if !reporter.wait(backoff.failed()) {
            return;
        }
    }
}

/// The bus with each reader's key from the store, on its open port.
fn open(plan: &BusPlan, state_dir: &Path, reporter: &Reporter) -> Result<Bus, String> {
    let store = KeyStore::open(&state_dir.join(KEY_STORE)).map_err(|e| e.to_string())?;
    let readers = plan
        .readers
        .iter()
        .map(|(id, address)| ReaderConfig {
            id: id.clone(),
            address: *address,
            key: store.get(id).cloned(),
        })
        .collect();
    let port = plan.port.to_string_lossy();
    let channel = SerialChannel::open(&port, plan.baud)
        .map_err(|e| format!("{}: {e}", plan.port.display()))?;
    let events = reporter.sender();
    Bus::new(
        Box::new(channel),
        BusConfig::default(),
        readers,
        move |event| {
            // The bus reports each health change once itself.
            let _ = events.blocking_send(event);
        },
    )
    .map_err(|e| e.to_string())
}
