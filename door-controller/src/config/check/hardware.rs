//! What the configuration says of the hardware, as the back-ends, the self-test and the
//! checks see it: which readers are real, which GPIO pins the file names, and whether this
//! build can drive them ([`ControllerConfig::check_build`]).
//!
//! The back-end decides who drives the GPIO pins: the Pi (`gpio`) or the simulator
//! (`sim`), which then stands in for the outputs, the inputs and every `sim` and `wiegand`
//! reader. Serial and evdev readers (`osdp`, `qr_serial`, `qr_wedge`) are never simulated:
//! they are opened under either back-end, so a real reader can be tried on a laptop bench.

use super::super::ConfigError;
use super::super::types::{
    Backend, ControllerConfig, DoorSection, InputSection, InputsSection, ReaderInterface,
    ReaderSection,
};
use gatehouse_hardware::door_io::InputKind;
use std::path::PathBuf;

/// A serial reader's speed when the file names none.
const DEFAULT_BAUD: u32 = 9600;

/// The reader key store's file in the state folder (docs/hardware-reader-keys.md).
const READER_KEYS: &str = "reader-keys.json";

/// What a build without the `rpi` feature says of a configuration that needs GPIO.
const NO_GPIO: &str = "this build has no GPIO back-end (built without the rpi feature)";

impl ControllerConfig {
    /// Whether this build can drive what the configuration names: a build without the
    /// `rpi` feature refuses `backend = "gpio"`, naming the first key that needs a pin.
    /// Called before any output is opened (and by `selftest --config`); parsing does not
    /// call it, so a Pi's file can be checked anywhere.
    pub fn check_build(&self) -> Result<(), ConfigError> {
        build_check(self, cfg!(feature = "rpi"))
    }

    /// The real readers: those opened on a serial port or an evdev device whatever the
    /// back-end, and Wiegand readers on GPIO. Each with its key (`door[0].reader[1]`).
    pub fn real_readers(&self) -> impl Iterator<Item = (String, &ReaderSection)> {
        let backend = self.hardware.backend;
        self.doors.iter().enumerate().flat_map(move |(i, door)| {
            door.readers
                .iter()
                .enumerate()
                .filter(move |(_, r)| r.is_real(backend))
                .map(move |(j, r)| (format!("door[{i}].reader[{j}]"), r))
        })
    }

    /// The OSDP readers' Secure Channel keys: `reader-keys.json` in the state folder.
    pub fn reader_key_store(&self) -> PathBuf {
        self.controller.state_dir.join(READER_KEYS)
    }

    /// Every GPIO pin the configuration names on `backend = "gpio"` (none on `sim`), with
    /// its key, in the file's order: outputs, inputs, then Wiegand lines, door by door. A
    /// pin that is required but absent is `None`.
    pub fn gpio_pins(&self) -> Vec<(String, Option<u8>)> {
        if self.hardware.backend == Backend::Gpio {
            pin_keys(self)
        } else {
            Vec::new()
        }
    }
}

/// [`ControllerConfig::check_build`] for a build with (`gpio`) or without GPIO.
pub(in crate::config) fn build_check(
    config: &ControllerConfig,
    gpio: bool,
) -> Result<(), ConfigError> {
    match config.gpio_pins().into_iter().next() {
        Some((key, _)) if !gpio => Err(ConfigError::invalid(key, NO_GPIO)),
        _ => Ok(()),
    }
}

impl ReaderSection {
    /// Whether the reader is opened for real on `backend`, rather than simulated.
    pub fn is_real(&self, backend: Backend) -> bool {
        match self.interface {
            ReaderInterface::Osdp | ReaderInterface::QrSerial | ReaderInterface::QrWedge => true,
            ReaderInterface::Wiegand => backend == Backend::Gpio,
            ReaderInterface::Sim => false,
        }
    }

    /// The speed of its serial port: `baud`, or 9600.
    pub fn serial_baud(&self) -> u32 {
        self.baud.unwrap_or(DEFAULT_BAUD)
    }
}

impl InputsSection {
    /// Each configured input: its name in the file (`contact`), its kind, its section.
    pub fn each(&self) -> Vec<(&'static str, InputKind, InputSection)> {
        [
            ("contact", InputKind::DoorContact, self.contact),
            ("rex", InputKind::Rex, self.rex),
            ("tamper", InputKind::Tamper, self.tamper),
            ("fire", InputKind::FireRelease, self.fire),
        ]
        .into_iter()
        .filter_map(|(name, kind, input)| input.map(|input| (name, kind, input)))
        .collect()
    }
}

#[cfg(feature = "rpi")]
impl From<super::super::types::PullSection> for gatehouse_hardware::gpio::Pull {
    fn from(pull: super::super::types::PullSection) -> Self {
        use super::super::types::PullSection;
        match pull {
            PullSection::Up => Self::Up,
            PullSection::Down => Self::Down,
            PullSection::Off => Self::Off,
        }
    }
}

/// Every pin key of the file, as if on `gpio`.
fn pin_keys(config: &ControllerConfig) -> Vec<(String, Option<u8>)> {
    let mut keys = Vec::new();
    for (i, door) in config.doors.iter().enumerate() {
        keys.extend(door_pins(&format!("door[{i}]"), door));
        for (j, reader) in door.readers.iter().enumerate() {
            keys.extend(reader_pins(&format!("door[{i}].reader[{j}]"), reader));
        }
    }
    keys
}

/// A Wiegand reader's lines.
pub(super) fn reader_pins(key: &str, reader: &ReaderSection) -> Vec<(String, Option<u8>)> {
    if reader.interface != ReaderInterface::Wiegand {
        return Vec::new();
    }
    vec![
        (format!("{key}.d0"), reader.d0),
        (format!("{key}.d1"), reader.d1),
    ]
}

/// A door's outputs and inputs.
pub(super) fn door_pins(key: &str, door: &DoorSection) -> Vec<(String, Option<u8>)> {
    let mut keys = vec![(format!("{key}.lock_pin"), door.lock_pin)];
    if let Some(led) = door.led {
        keys.push((format!("{key}.led.red_pin"), Some(led.red_pin)));
        keys.push((format!("{key}.led.green_pin"), Some(led.green_pin)));
    }
    if let Some(beeper) = door.beeper {
        keys.push((format!("{key}.beeper.pin"), Some(beeper.pin)));
    }
    for (name, _, input) in door.inputs.each() {
        keys.push((format!("{key}.inputs.{name}.pin"), input.pin));
    }
    keys
}
