//! The checks a parsed configuration must pass: values in range, names and pins used once,
//! each reader with exactly the keys its interface needs. What the file says of the
//! hardware (which readers are real, which pins, whether this build can drive them) is in
//! [`hardware`].

mod hardware;

#[cfg(test)]
pub(super) use hardware::build_check;

use super::types::{Backend, ControllerConfig, DoorSection, ReaderInterface, ReaderSection};
use super::{ConfigError, duration::ConfigDuration};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Duration;

/// The highest BCM GPIO number on a Raspberry Pi's 40-pin header.
const MAX_BCM: u8 = 27;
/// The highest OSDP reader address (127 is the broadcast address).
const MAX_OSDP_ADDRESS: u8 = 126;

pub(super) fn check(config: &ControllerConfig) -> Result<(), ConfigError> {
    let name = &config.controller.name;
    if name.trim().is_empty() || name.chars().any(char::is_control) {
        return Err(ConfigError::invalid(
            "controller.name",
            "must be a non-empty name without control characters",
        ));
    }
    if config.controller.state_dir.as_os_str().is_empty() {
        return Err(ConfigError::invalid(
            "controller.state_dir",
            "must not be empty",
        ));
    }
    if let Some(url) = &config.server.url {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(ConfigError::invalid(
                "server.url",
                format!("{url:?} is not an http(s) URL"),
            ));
        }
    }
    if !(1..=4096).contains(&config.journal.max_mib) {
        return Err(ConfigError::invalid(
            "journal.max_mib",
            "must be between 1 and 4096",
        ));
    }
    within(
        "journal.sync_window",
        config.journal.sync_window,
        Duration::from_millis(1),
        Duration::from_secs(1),
    )?;
    if config.doors.is_empty() {
        return Err(ConfigError::invalid(
            "door",
            "no doors: add a [[door]] table for each door this controller drives",
        ));
    }
    let mut names = HashSet::new();
    let mut ids = HashSet::new();
    let mut readers = HashSet::new();
    let mut pins = Pins::default();
    let mut buses: HashMap<PathBuf, (u32, HashSet<u8>)> = HashMap::new();
    for (i, door) in config.doors.iter().enumerate() {
        let key = format!("door[{i}]");
        if door.name.trim().is_empty() || !names.insert(door.name.as_str()) {
            return Err(ConfigError::invalid(
                format!("{key}.name"),
                format!("{:?} is empty or names another door too", door.name),
            ));
        }
        if !ids.insert(door.id) {
            return Err(ConfigError::invalid(
                format!("{key}.id"),
                format!("door id {} is given to another door too", door.id),
            ));
        }
        check_timing(&key, door)?;
        let gpio = config.hardware.backend == Backend::Gpio;
        if gpio {
            pins.claim_all(hardware::door_pins(&key, door))?;
        }
        for (j, reader) in door.readers.iter().enumerate() {
            let key = format!("{key}.reader[{j}]");
            if reader.name.trim().is_empty() || !readers.insert(reader.name.as_str()) {
                return Err(ConfigError::invalid(
                    format!("{key}.name"),
                    format!("{:?} is empty or names another reader too", reader.name),
                ));
            }
            check_reader(&key, reader, config.hardware.backend)?;
            if reader.interface == ReaderInterface::Osdp {
                shared_bus(&key, reader, &mut buses)?;
            }
            if gpio {
                pins.claim_all(hardware::reader_pins(&key, reader))?;
            }
        }
    }
    Ok(())
}

fn within(
    key: &str,
    value: ConfigDuration,
    min: Duration,
    max: Duration,
) -> Result<(), ConfigError> {
    if value.0 < min || value.0 > max {
        return Err(ConfigError::invalid(
            key,
            format!(
                "{value} is out of range: between {} and {}",
                ConfigDuration(min),
                ConfigDuration(max)
            ),
        ));
    }
    Ok(())
}

fn check_timing(key: &str, door: &DoorSection) -> Result<(), ConfigError> {
    within(
        &format!("{key}.strike_time"),
        door.strike_time,
        Duration::from_secs(1),
        Duration::from_secs(300),
    )?;
    within(
        &format!("{key}.held_open_time"),
        door.held_open_time,
        Duration::from_secs(1),
        Duration::from_secs(3600),
    )?;
    if door.pre_alarm > door.held_open_time {
        return Err(ConfigError::invalid(
            format!("{key}.pre_alarm"),
            format!(
                "{} is longer than held_open_time ({}): the pre-alarm starts that long before the alarm",
                door.pre_alarm, door.held_open_time
            ),
        ));
    }
    Ok(())
}

/// Which keys each interface needs, and which it must not have.
fn check_reader(key: &str, reader: &ReaderSection, backend: Backend) -> Result<(), ConfigError> {
    let given = [
        ("d0", reader.d0.is_some()),
        ("d1", reader.d1.is_some()),
        ("port", reader.port.is_some()),
        ("baud", reader.baud.is_some()),
        ("address", reader.address.is_some()),
        ("device", reader.device.is_some()),
    ];
    let (needs, may): (&[&str], &[&str]) = match reader.interface {
        ReaderInterface::Wiegand => (&["d0", "d1"], &[]),
        ReaderInterface::Osdp => (&["port", "address"], &["baud"]),
        ReaderInterface::QrSerial => (&["port"], &["baud"]),
        ReaderInterface::QrWedge => (&["device"], &[]),
        ReaderInterface::Sim => (&[], &[]),
    };
    let interface = interface_name(reader.interface);
    if reader.interface == ReaderInterface::Sim && backend != Backend::Sim {
        return Err(ConfigError::invalid(
            format!("{key}.interface"),
            "\"sim\" needs hardware.backend = \"sim\"",
        ));
    }
    // A simulated reader's keys may stay: the same file then runs on the Pi.
    let real = reader.is_real(backend);
    for (name, present) in given {
        let wanted = needs.contains(&name) || may.contains(&name);
        if present && !wanted && real {
            return Err(ConfigError::invalid(
                format!("{key}.{name}"),
                format!("not a key of a {interface} reader"),
            ));
        }
        if !present && needs.contains(&name) && real {
            return Err(ConfigError::invalid(
                format!("{key}.{name}"),
                format!(
                    "missing: a {interface} reader needs {}",
                    needs.join(" and ")
                ),
            ));
        }
    }
    if let Some(address) = reader.address {
        if address > MAX_OSDP_ADDRESS {
            return Err(ConfigError::invalid(
                format!("{key}.address"),
                format!("{address} is not an OSDP reader address (0 to {MAX_OSDP_ADDRESS})"),
            ));
        }
    }
    if let Some(baud) = reader.baud {
        if ![9600, 19_200, 38_400, 57_600, 115_200].contains(&baud) {
            return Err(ConfigError::invalid(
                format!("{key}.baud"),
                format!("{baud} is not one of 9600, 19200, 38400, 57600, 115200"),
            ));
        }
    }
    Ok(())
}

fn interface_name(interface: ReaderInterface) -> &'static str {
    match interface {
        ReaderInterface::Wiegand => "wiegand",
        ReaderInterface::Osdp => "osdp",
        ReaderInterface::QrSerial => "qr_serial",
        ReaderInterface::QrWedge => "qr_wedge",
        ReaderInterface::Sim => "sim",
    }
}

/// OSDP readers on one port share its baud rate and need distinct addresses.
fn shared_bus(
    key: &str,
    reader: &ReaderSection,
    buses: &mut HashMap<PathBuf, (u32, HashSet<u8>)>,
) -> Result<(), ConfigError> {
    let (Some(port), Some(address)) = (&reader.port, reader.address) else {
        return Ok(());
    };
    let baud = reader.serial_baud();
    let (bus_baud, addresses) = buses
        .entry(port.clone())
        .or_insert_with(|| (baud, HashSet::new()));
    if *bus_baud != baud {
        return Err(ConfigError::invalid(
            format!("{key}.baud"),
            format!(
                "{baud}, but another reader on {} runs at {bus_baud}: one bus, one speed",
                port.display()
            ),
        ));
    }
    if !addresses.insert(address) {
        return Err(ConfigError::invalid(
            format!("{key}.address"),
            format!("{address} is taken by another reader on {}", port.display()),
        ));
    }
    Ok(())
}

/// GPIO pins claimed so far, each by the key that claimed it.
#[derive(Default)]
struct Pins(HashMap<u8, String>);

impl Pins {
    fn claim_all(&mut self, keys: Vec<(String, Option<u8>)>) -> Result<(), ConfigError> {
        keys.into_iter()
            .try_for_each(|(key, pin)| self.claim(&key, pin))
    }

    fn claim(&mut self, key: &str, pin: Option<u8>) -> Result<(), ConfigError> {
        let Some(pin) = pin else {
            return Err(ConfigError::invalid(
                key,
                "missing: hardware.backend = \"gpio\" needs a pin here",
            ));
        };
        if pin > MAX_BCM {
            return Err(ConfigError::invalid(
                key,
                format!("{pin} is not a GPIO pin of the header (BCM 0 to {MAX_BCM})"),
            ));
        }
        if let Some(other) = self.0.insert(pin, key.to_owned()) {
            return Err(ConfigError::invalid(
                key,
                format!("pin {pin} is already used by {other}"),
            ));
        }
        Ok(())
    }
}
