//! One OSDP bus (a serial port and the readers on it) on a thread of its own. A keyed
//! reader's Secure Channel key comes from the controller's reader key store
//! (`reader-keys.json` in the state folder): a keyed reader is only ever accepted over the
//! Secure Channel with it. A port that cannot be opened, or a key store that cannot be
//! read, leaves the bus's readers offline and is tried again with back-off; once open, the
//! bus brings each reader online, and back after it is lost, by itself.

use super::super::super::backoff::Backoff;
use super::feedback::ToBus;
use super::report::Reporter;
use gatehouse_hardware::osdp::{Bus, BusConfig, ReaderConfig, SerialChannel};
use gatehouse_hardware::reader::ReaderId;
use gatehouse_hardware::reader_keys::KeyStore;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;

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

/// Runs the bus until the controller stops listening, sending the doors' feedback
/// (`commands`) to their readers in place of polls.
pub fn run(plan: &BusPlan, key_store: &Path, mut reporter: Reporter, commands: &Receiver<ToBus>) {
    let mut backoff = Backoff::default();
    let (channel, readers) = loop {
        match open(plan, key_store) {
            Ok(opened) => break opened,
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
    };
    let listening = reporter.sender();
    // The reporter goes with the bus, so a reader already reported offline is not
    // reported again when the bus finds it silent.
    let bus = Bus::new(
        Box::new(channel),
        BusConfig::default(),
        readers,
        move |event| {
            reporter.send(event);
        },
    );
    let mut bus = match bus {
        Ok(bus) => bus,
        // Addresses the configuration check lets through are valid: not reached from a
        // checked file.
        Err(e) => {
            tracing::error!(port = %plan.port.display(), error = %e, "OSDP bus refused");
            return;
        }
    };
    let poll = BusConfig::default().poll_interval;
    while !listening.is_closed() {
        while let Ok((reader, command)) = commands.try_recv() {
            if let Err(e) = bus.send(&reader, command) {
                tracing::warn!(reader = %reader.name(), error = %e, "feedback not sent");
            }
        }
        bus.poll_round();
        std::thread::sleep(poll);
    }
}

/// The bus's port, open, and its readers, each with its key from the store.
fn open(plan: &BusPlan, key_store: &Path) -> Result<(SerialChannel, Vec<ReaderConfig>), String> {
    let store = KeyStore::open(key_store).map_err(|e| e.to_string())?;
    let readers = plan
        .readers
        .iter()
        .map(|(id, address)| ReaderConfig {
            id: id.clone(),
            address: *address,
            key: store.get(id).cloned(),
        })
        .collect();
    let channel = SerialChannel::open(&plan.port.to_string_lossy(), plan.baud)
        .map_err(|e| format!("{}: {e}", plan.port.display()))?;
    Ok((channel, readers))
}
