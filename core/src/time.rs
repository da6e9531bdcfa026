//! Time as core sees it: a number handed in by the caller. core never reads a clock.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A point in time: milliseconds since the Unix epoch, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// From whole seconds since the Unix epoch (the unit of CWT claims).
    pub const fn from_unix_secs(secs: i64) -> Self {
        Timestamp(secs.saturating_mul(1000))
    }

    /// Whole seconds since the Unix epoch, rounded down.
    pub const fn unix_secs(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// This time plus `secs` seconds (saturating).
    pub const fn plus_secs(self, secs: i64) -> Self {
        Timestamp(self.0.saturating_add(secs.saturating_mul(1000)))
    }

    /// Milliseconds from `earlier` to `self` (negative if `earlier` is later).
    pub const fn millis_since(self, earlier: Timestamp) -> i64 {
        self.0.saturating_sub(earlier.0)
    }

    /// As a chrono UTC date-time; `None` only for times outside chrono's range.
    pub fn to_utc(self) -> Option<chrono::DateTime<chrono::Utc>> {
        chrono::DateTime::from_timestamp_millis(self.0)
    }

    /// From a chrono date-time.
    pub fn from_utc(t: chrono::DateTime<chrono::Utc>) -> Self {
        Timestamp(t.timestamp_millis())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_utc() {
            Some(t) => write!(
                f,
                "{}",
                t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            ),
            None => write!(f, "{}ms", self.0),
        }
    }
}

/// What a controller knows about the time when a credential is presented.
///
/// A Raspberry Pi has no real-time clock: after a power cut its clock may start in the
/// past. The controller therefore persists a *floor* (the latest time it has good reason
/// to believe, raised by the server's signed time on every sync) and hands both readings
/// to `decide()`, which judges what a clock that reads earlier than the floor may open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    /// The controller's own clock reading.
    pub raw: Timestamp,
    /// The persisted last-known-good time: true time is at least this.
    pub floor: Timestamp,
}

impl Clock {
    /// A clock whose reading is known good (e.g. on the server, or in tests).
    pub const fn trusted(now: Timestamp) -> Self {
        Clock {
            raw: now,
            floor: now,
        }
    }
}
