//! `backend = "gpio"` (feature `rpi`): every door's relays claimed at their safe level,
//! door by door, before anything else; then the inputs, whose levels at start the doors'
//! machines start from; then the Wiegand readers.
//!
//! A relay is energized by a high pin (an active-high board or a driver transistor); LED
//! and beeper lines follow their configured polarity.

use super::super::RuntimeError;
use super::super::live_door::Line;
use super::QUEUE;
use crate::config::{ControllerConfig, DoorSection, InputSection, ReaderInterface};
use crate::door::Start;
use gatehouse_hardware::door_io::{
    DoorName, DoorOutputs, InputConfig, InputEvent, InputKind, Level, LockState, OutputWiring,
    Polarity,
};
use gatehouse_hardware::gpio::{Chip, GpioInput, GpioOutput, WiegandLines};
use gatehouse_hardware::reader::{ReaderEvent, ReaderHealth, ReaderId};
use gatehouse_hardware::wiegand::{DEFAULT_TIMEOUT, WiegandReader};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// A PIN typed on a Wiegand keypad ends after this long without a key (as on OSDP).
const PIN_PAUSE: Duration = Duration::from_secs(5);

/// The pins watched by interrupt: released when dropped.
#[derive(Debug)]
pub struct Watched {
    _inputs: Vec<GpioInput>,
    _wiegand: Vec<WiegandLines>,
}

/// The doors on GPIO.
pub struct GpioDoors {
    /// Each door's outputs, in configuration order, already safe.
    pub outputs: Vec<DoorOutputs<Line>>,
    /// What each door's inputs read at start.
    pub starts: Vec<Start>,
    /// Debounced input changes.
    pub inputs: mpsc::Receiver<InputEvent>,
    /// The pins to keep watching.
    pub watched: Watched,
}

/// Claims every pin `config` names; the Wiegand readers report to `readers`.
pub fn open(
    config: &ControllerConfig,
    readers: &mpsc::Sender<ReaderEvent>,
) -> Result<GpioDoors, RuntimeError> {
    let chip = Chip::open().map_err(|e| RuntimeError::Hardware(e.to_string()))?;
    let mut outputs = Vec::with_capacity(config.doors.len());
    for (i, door) in config.doors.iter().enumerate() {
        outputs.push(door_outputs(&chip, &format!("door[{i}]"), door)?);
    }
    let (tx, inputs) = mpsc::channel(QUEUE);
    let mut starts = Vec::with_capacity(config.doors.len());
    let mut watched_inputs = Vec::new();
    for (i, door) in config.doors.iter().enumerate() {
        let mut at_start = Vec::new();
        for (name, kind, input) in door.inputs.each() {
            let key = format!("door[{i}].inputs.{name}.pin");
            let input = watch_input(&chip, &key, door, kind, input, &tx)?;
            at_start.push((kind, input.active_at_start()));
            watched_inputs.push(input);
        }
        let (start, alarms) = start_from(&DoorName::new(&door.name), &at_start, Instant::now());
        for alarm in alarms {
            let _ = tx.try_send(alarm);
        }
        starts.push(start);
    }
    let mut wiegand = Vec::new();
    for (key, reader) in config.real_readers() {
        if reader.interface != ReaderInterface::Wiegand {
            continue;
        }
        let id = ReaderId::new(&reader.name);
        let (Some(d0), Some(d1)) = (reader.d0, reader.d1) else {
            return Err(RuntimeError::Hardware(format!(
                "{key}: d0 and d1 are missing"
            )));
        };
        let events = readers.clone();
        let reader = WiegandReader::new(id.clone(), DEFAULT_TIMEOUT, PIN_PAUSE);
        match WiegandLines::start(&chip, d0, d1, reader, move |event| {
            let _ = events.blocking_send(event);
        }) {
            Ok(lines) => wiegand.push(lines),
            // Its pins are taken: this reader is offline; the other doors serve.
            Err(e) => {
                tracing::error!(reader = %id, error = %e, "Wiegand reader cannot be opened");
                let _ = readers.try_send(ReaderEvent::Health {
                    reader: id,
                    at: Instant::now(),
                    health: ReaderHealth::Offline,
                });
            }
        }
    }
    Ok(GpioDoors {
        outputs,
        starts,
        inputs,
        watched: Watched {
            _inputs: watched_inputs,
            _wiegand: wiegand,
        },
    })
}

/// What a door's machine starts from, given whether each of its inputs is active at start
/// (wiring applied), and the events to hand it at once: a tamper switch already open is an
/// alarm. A REX held at start is no request: only its release will be reported.
fn start_from(
    door: &DoorName,
    at_start: &[(InputKind, bool)],
    now: Instant,
) -> (Start, Vec<InputEvent>) {
    let mut start = Start::default();
    let mut alarms = Vec::new();
    for &(kind, active) in at_start {
        match kind {
            InputKind::DoorContact => start.door_open = active,
            InputKind::FireRelease => start.fire = active,
            InputKind::Tamper if active => alarms.push(InputEvent {
                door: door.clone(),
                kind,
                active,
                at: now,
            }),
            InputKind::Tamper | InputKind::Rex => {}
        }
    }
    (start, alarms)
}

/// One door's lock, LED and beeper, each claimed at its safe level.
fn door_outputs(
    chip: &Chip,
    key: &str,
    door: &DoorSection,
) -> Result<DoorOutputs<Line>, RuntimeError> {
    let wiring = OutputWiring {
        lock: door.lock,
        led: door.led.map_or(Polarity::default(), |l| l.polarity),
        beeper: door.beeper.map_or(Polarity::default(), |b| b.polarity),
    };
    let Some(lock_pin) = door.lock_pin else {
        return Err(RuntimeError::Hardware(format!("{key}.lock_pin: missing")));
    };
    let lock = output(chip, lock_pin, wiring.lock.level_for(LockState::Locked))?;
    let led = door
        .led
        .map(|led| {
            let off = wiring.led.level(false);
            Ok::<_, RuntimeError>((
                output(chip, led.red_pin, off)?,
                output(chip, led.green_pin, off)?,
            ))
        })
        .transpose()?;
    let beeper = door
        .beeper
        .map(|b| output(chip, b.pin, wiring.beeper.level(false)))
        .transpose()?;
    DoorOutputs::new(wiring, lock, led, beeper)
        .map_err(|e| RuntimeError::Hardware(format!("door {}: {e}", door.name)))
}

/// Claims `pin` as an output at `safe` from its first instant.
fn output(chip: &Chip, pin: u8, safe: Level) -> Result<Line, RuntimeError> {
    GpioOutput::new(chip, pin, false, safe)
        .map(|o| Box::new(o) as Line)
        .map_err(|e| RuntimeError::Hardware(e.to_string()))
}

/// Watches one input, sending its debounced changes to `tx`.
fn watch_input(
    chip: &Chip,
    key: &str,
    door: &DoorSection,
    kind: InputKind,
    input: InputSection,
    tx: &mpsc::Sender<InputEvent>,
) -> Result<GpioInput, RuntimeError> {
    let Some(pin) = input.pin else {
        return Err(RuntimeError::Hardware(format!("{key}: missing")));
    };
    let config = InputConfig {
        kind,
        wiring: input.wiring,
        debounce_ms: input
            .debounce
            .map(|d| u64::try_from(d.0.as_millis()).unwrap_or(u64::MAX)),
    };
    let events = tx.clone();
    GpioInput::start(
        chip,
        pin,
        input.pull.into(),
        DoorName::new(&door.name),
        config,
        move |event| {
            let _ = events.blocking_send(event);
        },
    )
    .map_err(|e| RuntimeError::Hardware(format!("{key}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each input active or not at start; the machine's start; whether a tamper alarm is due.
    type Case = (&'static [(InputKind, bool)], Start, bool);

    #[test]
    fn the_machine_starts_from_the_levels_read() {
        use InputKind::{DoorContact, FireRelease, Rex, Tamper};
        let door = DoorName::new("front");
        let now = Instant::now();
        let cases: &[Case] = &[
            (&[], Start::default(), false),
            (
                &[(DoorContact, false), (Rex, false), (Tamper, false)],
                Start::default(),
                false,
            ),
            (
                &[(DoorContact, true), (FireRelease, true)],
                Start {
                    door_open: true,
                    fire: true,
                },
                false,
            ),
            (&[(Rex, true)], Start::default(), false),
            (&[(Tamper, true)], Start::default(), true),
        ];
        for (levels, start, tamper) in cases {
            let (got, alarms) = start_from(&door, levels, now);
            assert_eq!(got, *start, "{levels:?}");
            let want: Vec<InputEvent> = tamper
                .then(|| InputEvent {
                    door: door.clone(),
                    kind: Tamper,
                    active: true,
                    at: now,
                })
                .into_iter()
                .collect();
            assert_eq!(alarms, want, "{levels:?}");
        }
    }
}
