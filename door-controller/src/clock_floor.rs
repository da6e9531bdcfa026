//! The clock guard's floor: the latest time the controller knows has passed.
//!
//! A Raspberry Pi has no battery-backed clock by default: after a power cut without
//! network it boots with its clock wherever the last shutdown left it, or in 1970. Every
//! verified signed time from the server raises the floor; between syncs it runs on with
//! the monotonic clock; it is saved in the state folder so a restart without network keeps
//! it. `decide()` gets both the raw reading and the floor ([`ClockFloor::clock`]) and
//! judges what a wrong clock may still open (core's clock guard).
//!
//! Only signed time raises the floor, never the system clock: a clock set wrong by hand
//! or by a spoofed NTP answer must not be able to move the floor into the future.

use crate::files::write_atomic;
use gatehouse_core::time::{Clock, Timestamp};
use serde::{Deserialize, Serialize};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The file name in the state folder.
const FILE: &str = "clock_floor.json";

/// The floor is written at most this often while it only runs on with the clock (an SD
/// card wears); a jump forward, as after a boot with a stale floor, is written at once.
const SAVE_EVERY: Duration = Duration::from_secs(60);

/// A rise of more than this beyond what is saved is a jump, not the clock running on.
const JUMP_MS: i64 = 2 * 60_000;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    floor_ms: i64,
}

/// The system clock's reading (the Unix epoch if it reads before it).
pub fn system_now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Timestamp(ms)
}

/// The floor, saved in the state folder.
#[derive(Debug)]
pub struct ClockFloor {
    path: PathBuf,
    /// What the file holds.
    saved: Timestamp,
    saved_at: Option<Instant>,
    /// The latest signed time and the monotonic instant it arrived.
    anchor: Option<(Timestamp, Instant)>,
}

impl ClockFloor {
    /// The floor saved in `state_dir`; none saved is the Unix epoch. A damaged file is
    /// reported and read as none: the bundle's issued-at is still a floor, and the next
    /// sync raises this one.
    pub fn open(state_dir: &Path) -> (ClockFloor, Option<String>) {
        let path = state_dir.join(FILE);
        let (saved, problem) = match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<Record>(&bytes) {
                Ok(record) => (Timestamp(record.floor_ms), None),
                Err(e) => (Timestamp(0), Some(format!("{}: {e}", path.display()))),
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => (Timestamp(0), None),
            Err(e) => (Timestamp(0), Some(format!("{}: {e}", path.display()))),
        };
        let floor = ClockFloor {
            path,
            saved,
            saved_at: None,
            anchor: None,
        };
        (floor, problem)
    }

    /// The floor at monotonic instant `now`.
    pub fn floor(&self, now: Instant) -> Timestamp {
        let running = self.anchor.map_or(Timestamp(0), |(time, at)| {
            let elapsed = now.saturating_duration_since(at).as_millis();
            Timestamp(
                time.0
                    .saturating_add(i64::try_from(elapsed).unwrap_or(i64::MAX)),
            )
        });
        self.saved.max(running)
    }

    /// What `decide()` is given: the system clock's reading and the floor.
    pub fn clock(&self, now: Instant) -> Clock {
        Clock {
            raw: system_now(),
            floor: self.floor(now),
        }
    }

    /// A verified signed time from the server arrived at `now`. Never lowers the floor.
    /// Returns whether the floor was written to disk.
    pub fn raise(&mut self, signed: Timestamp, now: Instant) -> io::Result<bool> {
        if signed > self.floor(now) {
            self.anchor = Some((signed, now));
        }
        let floor = self.floor(now);
        let jumped = floor.millis_since(self.saved) > JUMP_MS;
        let due = self
            .saved_at
            .is_none_or(|at| now.saturating_duration_since(at) >= SAVE_EVERY);
        if floor > self.saved && (jumped || due) {
            self.save(now)?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Writes the floor now (also at a clean stop).
    pub fn save(&mut self, now: Instant) -> io::Result<()> {
        let floor = self.floor(now);
        let record = Record { floor_ms: floor.0 };
        let bytes = serde_json::to_vec(&record).expect("the record serializes");
        write_atomic(&self.path, &bytes, 0o600)?;
        self.saved = floor;
        self.saved_at = Some(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Timestamp = Timestamp(1_780_000_000_000);

    #[test]
    fn none_saved_is_the_epoch() {
        let dir = tempfile::tempdir().unwrap();
        let (floor, problem) = ClockFloor::open(dir.path());
        assert_eq!(problem, None);
        assert_eq!(floor.floor(Instant::now()), Timestamp(0));
    }

    #[test]
    fn signed_time_raises_it_and_it_runs_on_with_the_monotonic_clock() {
        let dir = tempfile::tempdir().unwrap();
        let (mut floor, _) = ClockFloor::open(dir.path());
        let start = Instant::now();
        assert!(floor.raise(T, start).unwrap(), "the first jump is saved");
        let later = start + Duration::from_secs(5);
        assert_eq!(floor.floor(later), T.plus_secs(5));
        // An older signed time (a slow answer) does not lower it.
        assert!(!floor.raise(T.plus_secs(1), later).unwrap());
        assert_eq!(floor.floor(later), T.plus_secs(5));
    }

    #[test]
    fn it_survives_a_restart_and_is_saved_at_most_once_a_minute_unless_it_jumps() {
        let dir = tempfile::tempdir().unwrap();
        let start = Instant::now();
        {
            let (mut floor, _) = ClockFloor::open(dir.path());
            floor.raise(T, start).unwrap();
            // Running on: not written again within the minute...
            assert!(
                !floor
                    .raise(T.plus_secs(10), start + Duration::from_secs(10))
                    .unwrap()
            );
            // ...but after it.
            assert!(
                floor
                    .raise(T.plus_secs(61), start + Duration::from_secs(61))
                    .unwrap()
            );
            // A jump of hours is written at once.
            assert!(
                floor
                    .raise(T.plus_secs(7200), start + Duration::from_secs(62))
                    .unwrap()
            );
        }
        let (floor, problem) = ClockFloor::open(dir.path());
        assert_eq!(problem, None);
        assert_eq!(floor.floor(Instant::now()), T.plus_secs(7200));
    }

    #[test]
    fn a_damaged_file_is_reported_and_read_as_none() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), b"{\"floor_ms\":").unwrap();
        let (floor, problem) = ClockFloor::open(dir.path());
        assert!(problem.unwrap().contains(FILE));
        assert_eq!(floor.floor(Instant::now()), Timestamp(0));
    }

    #[test]
    fn the_clock_carries_the_floor() {
        let dir = tempfile::tempdir().unwrap();
        let (mut floor, _) = ClockFloor::open(dir.path());
        let now = Instant::now();
        floor.raise(Timestamp(i64::MAX / 2), now).unwrap();
        let clock = floor.clock(now);
        assert_eq!(clock.floor, Timestamp(i64::MAX / 2));
        assert!(
            clock.raw < clock.floor,
            "the system clock is behind this floor"
        );
    }
}
