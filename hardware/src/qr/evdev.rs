//! Reading a keyboard-wedge scanner from its evdev device (`/dev/input/event*`; the path is
//! configuration — a `/dev/input/by-id/usb-…-event-kbd` link survives re-plugging).
//!
//! The device yields `struct input_event` records. On 64-bit Linux (the Pi's aarch64,
//! x86_64) that is 24 bytes in native byte order: `struct timeval` (two 64-bit fields,
//! seconds and microseconds), then `__u16 type`, `__u16 code`, `__s32 value`. Parsing the
//! bytes ourselves keeps this crate free of `unsafe` and of an evdev binding.
//!
//! Not done: grabbing the device (`EVIOCGRAB`, an ioctl), so a console or desktop on the
//! same machine also sees the keys. Door controllers run headless; on a kiosk, keep the
//! scanner away from the desktop with a udev rule (see `docs/hardware-wiring.md`).

use super::classify::classify;
use super::wedge::WedgeDecoder;
use crate::reader::{CredentialRead, ReadData, ReaderEvent, ReaderHealth, ReaderId};
use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Size of `struct input_event` on 64-bit Linux.
pub const EVENT_SIZE: usize = 24;

/// One input event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InputEvent {
    /// The kernel's timestamp (wall clock by default: only differences are used).
    pub time: Duration,
    /// Event type (`EV_KEY` = 1, `EV_SYN` = 0, …).
    pub kind: u16,
    /// Key code for `EV_KEY`.
    pub code: u16,
    /// For keys: 0 release, 1 press, 2 auto-repeat.
    pub value: i32,
}

impl InputEvent {
    /// Reads one record.
    pub fn parse(bytes: &[u8; EVENT_SIZE]) -> Self {
        let i64_at = |at: usize| i64::from_ne_bytes(field(bytes, at));
        // A negative time is nonsense from the kernel's point of view; zero does no harm.
        let secs = u64::try_from(i64_at(0)).unwrap_or(0);
        let micros = u64::try_from(i64_at(8)).unwrap_or(0).min(999_999);
        InputEvent {
            time: Duration::from_secs(secs) + Duration::from_micros(micros),
            kind: u16::from_ne_bytes(field(bytes, 16)),
            code: u16::from_ne_bytes(field(bytes, 18)),
            value: i32::from_ne_bytes(field(bytes, 20)),
        }
    }

    /// The record's bytes (for tests and simulators).
    pub fn to_bytes(&self) -> [u8; EVENT_SIZE] {
        let mut out = [0u8; EVENT_SIZE];
        let secs = i64::try_from(self.time.as_secs()).unwrap_or(i64::MAX);
        out[0..8].copy_from_slice(&secs.to_ne_bytes());
        out[8..16].copy_from_slice(&i64::from(self.time.subsec_micros()).to_ne_bytes());
        out[16..18].copy_from_slice(&self.kind.to_ne_bytes());
        out[18..20].copy_from_slice(&self.code.to_ne_bytes());
        out[20..24].copy_from_slice(&self.value.to_ne_bytes());
        out
    }
}

fn field<const N: usize>(bytes: &[u8; EVENT_SIZE], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&bytes[at..at + N]);
    out
}

/// Reads the next event (an evdev read returns whole records).
pub fn read_event(src: &mut impl Read) -> io::Result<InputEvent> {
    let mut record = [0u8; EVENT_SIZE];
    src.read_exact(&mut record)?;
    Ok(InputEvent::parse(&record))
}

/// A keyboard-wedge scanner's configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WedgeConfig {
    /// The evdev device.
    pub device: PathBuf,
    /// The longest scan, in characters.
    pub max_len: usize,
    /// The longest pause between two keys of one scan.
    pub gap: Duration,
}

impl WedgeConfig {
    /// Defaults for `device`: [`DEFAULT_MAX_LEN`](super::DEFAULT_MAX_LEN) characters, keys
    /// at most 500 ms apart.
    pub fn new(device: impl Into<PathBuf>) -> Self {
        WedgeConfig {
            device: device.into(),
            max_len: super::DEFAULT_MAX_LEN,
            gap: Duration::from_millis(500),
        }
    }
}

/// Opens the scanner's device and reads it until it fails (unplugged: the read errors),
/// sending reads and health to `sink` until it returns `false`. Blocks; run it on a thread
/// of its own.
pub fn run_wedge(
    id: &ReaderId,
    config: &WedgeConfig,
    mut sink: impl FnMut(ReaderEvent) -> bool,
) -> io::Error {
    match File::open(&config.device) {
        Ok(file) => run_events(file, id, config, sink),
        Err(e) => {
            sink(health(id, ReaderHealth::Offline));
            e
        }
    }
}

/// [`run_wedge`] over any source of records.
pub fn run_events(
    mut src: impl Read,
    id: &ReaderId,
    config: &WedgeConfig,
    mut sink: impl FnMut(ReaderEvent) -> bool,
) -> io::Error {
    let mut decoder = WedgeDecoder::new(config.max_len, config.gap);
    if !sink(health(id, ReaderHealth::Online { secure: false })) {
        return io::Error::other("stopped");
    }
    loop {
        let event = match read_event(&mut src) {
            Ok(event) => event,
            Err(e) => {
                sink(health(id, ReaderHealth::Offline));
                return e;
            }
        };
        let Some(scan) = decoder.feed(&event) else {
            continue;
        };
        let data = match scan {
            Ok(text) => classify(&text),
            Err(e) => ReadData::Unreadable {
                reason: e.to_string(),
            },
        };
        let read = CredentialRead {
            reader: id.clone(),
            at: Instant::now(),
            data,
        };
        if !sink(ReaderEvent::Read(read)) {
            return io::Error::other("stopped");
        }
    }
}

fn health(id: &ReaderId, health: ReaderHealth) -> ReaderEvent {
    ReaderEvent::Health {
        reader: id.clone(),
        at: Instant::now(),
        health,
    }
}

#[cfg(test)]
#[path = "evdev_tests.rs"]
mod tests;
