//! `gatehouse-door reader install-key --reader NAME`: the installer's explicit, time-boxed
//! keying of one OSDP reader (docs/hardware-reader-keys.md). The reader must be in install
//! mode (still on the default key SCBK-D) and the controller stopped, since the bus's port
//! is its. A fresh random key is installed over the Secure Channel, written to the
//! controller's reader key store, and then escrowed with the server.

use crate::config::{ControllerConfig, ReaderInterface};
use gatehouse_hardware::osdp::{
    Bus, BusConfig, InstallError, Key, MAX_INSTALL_WINDOW, ReaderConfig, SerialChannel,
};
use gatehouse_hardware::reader::ReaderId;
use gatehouse_hardware::reader_keys::KeyStore;
use std::time::{Duration, Instant};

/// The default installation window.
pub const DEFAULT_WINDOW: Duration = MAX_INSTALL_WINDOW;

/// Installs a new key on the OSDP reader `name` within `window` and stores it. On success,
/// what to tell the installer.
pub fn install(config: &ControllerConfig, name: &str, window: Duration) -> Result<String, String> {
    let reader = config
        .doors
        .iter()
        .flat_map(|d| &d.readers)
        .find(|r| r.name == name)
        .ok_or_else(|| format!("--reader {name}: the configuration has no such reader"))?;
    if reader.interface != ReaderInterface::Osdp {
        return Err(format!(
            "--reader {name}: not an OSDP reader; only OSDP readers take a Secure Channel key"
        ));
    }
    // The configuration check has made sure an OSDP reader names its port and address.
    let (Some(port), Some(address)) = (&reader.port, reader.address) else {
        return Err(format!("--reader {name}: no port or address configured"));
    };
    let id = ReaderId::new(name);
    let store_path = config.reader_key_store();
    let mut store = KeyStore::open(&store_path).map_err(|e| e.to_string())?;
    if store.get(&id).is_some() {
        return Err(format!(
            "reader {name} is keyed already ({}); a keyed reader takes a new key only after \
             a factory reset puts it back in install mode",
            store_path.display()
        ));
    }
    let port_name = port.display().to_string();
    let channel = SerialChannel::open(&port_name, reader.baud.unwrap_or(9600))
        .map_err(|e| format!("serial port {port_name}: {e}"))?;
    let unkeyed = ReaderConfig {
        id: id.clone(),
        address,
        key: None,
    };
    let mut bus = Bus::new(
        Box::new(channel),
        BusConfig::default(),
        vec![unkeyed],
        |_| {},
    )
    .map_err(|e| format!("OSDP bus on {port_name}: {e}"))?;
    let key = Key::random();
    match bus.install_key(&id, key.clone(), Instant::now() + window) {
        Ok(()) => {}
        Err(InstallError::Expired { reason, .. }) => {
            return Err(format!(
                "reader {name} was not keyed within {}s ({reason}); it may hold the new key \
                 nonetheless: reset it to install mode and run install-key again",
                window.as_secs()
            ));
        }
        Err(e) => return Err(format!("reader {name}: {e}")),
    }
    store
        .insert(id, key, crate::clock_floor::system_now().0)
        .map_err(|e| format!("reader {name} is keyed, but its key could not be stored: {e}"))?;
    Ok(format!(
        "reader {name} keyed: it now answers only over the Secure Channel with the key in {}",
        store_path.display()
    ))
}
