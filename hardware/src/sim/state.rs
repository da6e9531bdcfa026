//! The simulated hardware's state: line levels, input states and the output record.
//! Plain data behind the simulator's mutex; no channels, no clock.

use super::{DoorStatus, OutputChange, SimConfig, SimError, SimOutput};
use crate::door_io::{InputKind, LedColor, Level, LockWiring};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::Write;

/// The record keeps this many changes, dropping the oldest: a demo left running must not
/// grow without bound. Entries carry `seq`, so a reader sees when it missed some.
pub(crate) const RECORD_LIMIT: usize = 65_536;

#[derive(Debug)]
pub(crate) struct DoorSim {
    wiring: LockWiring,
    // Absent: never driven (real hardware would be de-energized).
    levels: BTreeMap<SimOutput, Level>,
    active: BTreeMap<InputKind, bool>,
}

impl DoorSim {
    fn is_on(&self, output: SimOutput) -> bool {
        self.levels.get(&output) == Some(&Level::Energized)
    }

    fn led(&self) -> LedColor {
        LedColor::from_elements(
            self.is_on(SimOutput::LedRed),
            self.is_on(SimOutput::LedGreen),
        )
    }

    fn meaning(&self, output: SimOutput, level: Level) -> String {
        match output {
            SimOutput::Lock => self.wiring.state_at(level).to_string(),
            SimOutput::LedRed | SimOutput::LedGreen => self.led().to_string(),
            SimOutput::Beeper if level == Level::Energized => "on".to_string(),
            SimOutput::Beeper => "off".to_string(),
        }
    }

    /// Sets input `kind`; returns whether it changed (an unchanged input makes no event,
    /// as a real contact that does not move makes no edge).
    pub(crate) fn set_input(&mut self, kind: InputKind, active: bool) -> bool {
        let old = self.active.insert(kind, active).unwrap_or(false);
        old != active
    }
}

#[derive(Debug)]
pub(crate) struct State {
    readers: BTreeSet<String>,
    doors: BTreeMap<String, DoorSim>,
    record: VecDeque<OutputChange>,
    next_seq: u64,
    record_file: Option<std::fs::File>,
}

impl State {
    pub(crate) fn new(config: &SimConfig) -> Self {
        State {
            readers: config.readers.iter().cloned().collect(),
            doors: config
                .doors
                .iter()
                .map(|d| {
                    let door = DoorSim {
                        wiring: d.lock,
                        levels: BTreeMap::new(),
                        active: BTreeMap::new(),
                    };
                    (d.name.clone(), door)
                })
                .collect(),
            record: VecDeque::new(),
            next_seq: 0,
            record_file: config.record_file.as_ref().and_then(|path| {
                let opened = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path);
                opened
                    .map_err(
                        |e| tracing::warn!(path = %path.display(), error = %e, "no record file"),
                    )
                    .ok()
            }),
        }
    }

    pub(crate) fn check_reader(&self, name: &str) -> Result<(), SimError> {
        if self.readers.contains(name) {
            Ok(())
        } else {
            Err(SimError::UnknownReader {
                name: name.to_string(),
                known: join(self.readers.iter()),
            })
        }
    }

    pub(crate) fn door_mut(&mut self, name: &str) -> Result<&mut DoorSim, SimError> {
        // Named before the lookup: the error lists the doors, which the borrow would hide.
        let unknown = self.unknown_door(name);
        self.doors.get_mut(name).ok_or(unknown)
    }

    pub(crate) fn check_door(&self, name: &str) -> Result<(), SimError> {
        if self.doors.contains_key(name) {
            Ok(())
        } else {
            Err(self.unknown_door(name))
        }
    }

    pub(crate) fn door_names(&self) -> Vec<String> {
        self.doors.keys().cloned().collect()
    }

    fn unknown_door(&self, name: &str) -> SimError {
        SimError::UnknownDoor {
            name: name.to_string(),
            known: join(self.doors.keys()),
        }
    }

    /// A line of `door` was driven to `level` at `at_ms`; records it if the level changed
    /// (or the line had never been driven).
    pub(crate) fn drive(&mut self, door: &str, output: SimOutput, level: Level, at_ms: u64) {
        let Some(sim) = self.doors.get_mut(door) else {
            // Lines are only handed out for known doors, and doors are never removed.
            return;
        };
        if sim.levels.insert(output, level) == Some(level) {
            return;
        }
        let change = OutputChange {
            seq: self.next_seq,
            at_ms,
            door: door.to_string(),
            output,
            level,
            state: sim.meaning(output, level),
        };
        self.next_seq += 1;
        if self.record.len() == RECORD_LIMIT {
            self.record.pop_front();
        }
        if let Some(file) = &mut self.record_file {
            // One unbuffered write per change: in the kernel's hands at once, so killing the
            // controller loses none already made.
            let mut line = serde_json::to_vec(&change).expect("a change serializes");
            line.push(b'\n');
            if let Err(e) = file.write_all(&line) {
                tracing::warn!(error = %e, "cannot append to the record file");
            }
        }
        self.record.push_back(change);
    }

    /// The recorded changes with `seq >= since`.
    pub(crate) fn record(&self, since: u64) -> Vec<OutputChange> {
        self.record
            .iter()
            .filter(|c| c.seq >= since)
            .cloned()
            .collect()
    }

    pub(crate) fn readers(&self) -> Vec<String> {
        self.readers.iter().cloned().collect()
    }

    pub(crate) fn doors(&self) -> Vec<DoorStatus> {
        self.doors
            .iter()
            .map(|(name, d)| {
                let lock_level = d.levels.get(&SimOutput::Lock).copied();
                let input = |kind| d.active.get(&kind).copied().unwrap_or(false);
                DoorStatus {
                    door: name.clone(),
                    wiring: d.wiring,
                    lock: lock_level.map(|level| d.wiring.state_at(level)),
                    lock_level,
                    led: d.led(),
                    beeper: d.is_on(SimOutput::Beeper),
                    open: input(InputKind::DoorContact),
                    tamper: input(InputKind::Tamper),
                    fire: input(InputKind::FireRelease),
                }
            })
            .collect()
    }
}

fn join<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let names: Vec<&str> = names.map(String::as_str).collect();
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}
