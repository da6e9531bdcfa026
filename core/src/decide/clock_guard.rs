//! The clock guard: how much a controller's clock can be believed.
//!
//! A Raspberry Pi without an RTC may boot with a clock in the past. True time is at least
//! the controller's persisted floor and at least the bundle's issued-at, so a reading
//! below either is wrong. With a wrong clock the controller still knows a lower bound of
//! the time, which is enough to say a bundle is too old, but not enough to say a
//! credential has not yet expired or that a schedule is open: those are refused as
//! `clock_untrusted`. Credentials without a time limit on a 24/7 grant still open.

use crate::time::{Clock, Timestamp};

/// A reading this far below the floor is still believed: clocks synchronised by NTP
/// disagree by milliseconds, and a drifting one by seconds, not by minutes.
pub const TOLERANCE_MS: i64 = 60_000;

/// The clock as `decide()` uses it.
#[derive(Clone, Copy, Debug)]
pub struct Judged {
    /// The best lower bound of true time: the latest of the reading, the floor and the
    /// bundle's issued-at.
    pub now: Timestamp,
    /// Whether the reading itself can be believed.
    pub trusted: bool,
}

/// Judges the clock against the floor and the bundle's issued-at.
pub fn judge(clock: Clock, bundle_issued_at: Timestamp) -> Judged {
    let floor = clock.floor.max(bundle_issued_at);
    Judged {
        now: clock.raw.max(floor),
        trusted: floor.millis_since(clock.raw) <= TOLERANCE_MS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_behind_the_floor_is_not_trusted() {
        let t = Timestamp::from_unix_secs;
        let clock = |raw, floor| Clock {
            raw: t(raw),
            floor: t(floor),
        };
        let j = judge(clock(1000, 900), t(800));
        assert!(j.trusted);
        assert_eq!(j.now, t(1000));
        let j = judge(clock(1000, 5000), t(800));
        assert!(!j.trusted);
        assert_eq!(j.now, t(5000));
        let j = judge(clock(1000, 900), t(2000));
        assert!(!j.trusted, "issued-at is a floor too");
        assert!(judge(clock(1000, 1059), t(0)).trusted, "within tolerance");
        assert!(!judge(clock(1000, 1061), t(0)).trusted);
    }
}
