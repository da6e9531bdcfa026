//! The GPIO pins of a `backend = "gpio"` file (feature `rpi`): each can be claimed. An
//! output is claimed at its safe level (locked, dark, silent) and left there; an input
//! with its bias and edge interrupt, which fails when a running controller holds it.

use super::Outcome;
use crate::config::{ControllerConfig, DoorSection, ReaderInterface};
use gatehouse_hardware::door_io::{DoorName, InputConfig, Level, LockState};
use gatehouse_hardware::gpio::{Chip, GpioError, GpioInput, GpioOutput, WiegandLines};
use gatehouse_hardware::reader::ReaderId;
use gatehouse_hardware::wiegand::{DEFAULT_TIMEOUT, WiegandReader};

/// One outcome per pin (a Wiegand reader's two lines together), or one for a GPIO
/// controller that cannot be opened.
pub fn checks(config: &ControllerConfig) -> Vec<Outcome> {
    if config.gpio_pins().is_empty() {
        return Vec::new();
    }
    let chip = match Chip::open() {
        Ok(chip) => chip,
        Err(e) => {
            return vec![Outcome {
                name: "GPIO controller".into(),
                result: Err(e.to_string()),
            }];
        }
    };
    let mut outcomes = Vec::new();
    for (i, door) in config.doors.iter().enumerate() {
        let key = format!("door[{i}]");
        outcomes.extend(outputs(&chip, &key, door));
        outcomes.extend(inputs(&chip, &key, door));
        for (j, reader) in door.readers.iter().enumerate() {
            if let (ReaderInterface::Wiegand, Some(d0), Some(d1)) =
                (reader.interface, reader.d0, reader.d1)
            {
                let id = ReaderId::new(&reader.name);
                let wiegand = WiegandReader::new(id, DEFAULT_TIMEOUT, DEFAULT_TIMEOUT);
                let claimed = WiegandLines::start(&chip, d0, d1, wiegand, drop);
                outcomes.push(outcome(
                    &format!("{key}.reader[{j}].d0 and d1"),
                    &format!("GPIO {d0} and {d1}"),
                    claimed.map(drop),
                ));
            }
        }
    }
    outcomes
}

fn outcome(key: &str, pins: &str, result: Result<(), GpioError>) -> Outcome {
    Outcome {
        name: format!("{key}: {pins}"),
        result: result.map_err(|e| e.to_string()),
    }
}

/// The lock, LED and beeper lines, each claimed at its safe level.
fn outputs(chip: &Chip, key: &str, door: &DoorSection) -> Vec<Outcome> {
    let mut lines: Vec<(String, u8, Level)> = Vec::new();
    if let Some(pin) = door.lock_pin {
        let locked = door.lock.level_for(LockState::Locked);
        lines.push((format!("{key}.lock_pin"), pin, locked));
    }
    if let Some(led) = door.led {
        let off = led.polarity.level(false);
        lines.push((format!("{key}.led.red_pin"), led.red_pin, off));
        lines.push((format!("{key}.led.green_pin"), led.green_pin, off));
    }
    if let Some(beeper) = door.beeper {
        let silent = beeper.polarity.level(false);
        lines.push((format!("{key}.beeper.pin"), beeper.pin, silent));
    }
    lines
        .into_iter()
        .map(|(key, pin, safe)| {
            let claimed = GpioOutput::new(chip, pin, false, safe).map(drop);
            outcome(&key, &format!("GPIO {pin}"), claimed)
        })
        .collect()
}

/// The inputs, each claimed with its bias and interrupt, then released.
fn inputs(chip: &Chip, key: &str, door: &DoorSection) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for (name, kind, section) in door.inputs.each() {
        let Some(pin) = section.pin else {
            continue;
        };
        let config = InputConfig {
            kind,
            wiring: section.wiring,
            debounce_ms: None,
        };
        let door_name = DoorName::new(&door.name);
        let claimed = GpioInput::start(chip, pin, section.pull.into(), door_name, config, drop);
        outcomes.push(outcome(
            &format!("{key}.inputs.{name}.pin"),
            &format!("GPIO {pin}"),
            claimed.map(drop),
        ));
    }
    outcomes
}
