//! Edge times: the kernel stamps each GPIO edge when the interrupt fires, long before our
//! callback runs. Those stamps keep the spacing of Wiegand bits exact however late the
//! callback is scheduled; this maps them onto [`Instant`]s.

use std::time::{Duration, Instant};

/// Maps kernel edge stamps (a monotonic [`Duration`]) onto [`Instant`]s.
///
/// Both are monotonic but std offers no way to build an `Instant` from a raw clock value,
/// so the offset between them is learned: each edge pairs its stamp with the time its
/// callback ran, and the pairing with the least delay seen so far wins (a callback can run
/// late, never early). Every line of one reader shares one clock, so D0 and D1 stamps stay
/// comparable.
#[derive(Debug, Default)]
pub struct EdgeClock {
    anchor: Option<(Instant, Duration)>,
}

impl EdgeClock {
    /// A clock that has seen no edge.
    pub fn new() -> Self {
        EdgeClock::default()
    }

    /// The instant of an edge stamped `stamp` whose callback runs at `now`.
    pub fn instant(&mut self, stamp: Duration, now: Instant) -> Instant {
        let mapped = self.anchor.and_then(|(at, anchor_stamp)| {
            // A stamp before the anchor (the kernel counter restarted?) cannot be mapped.
            stamp.checked_sub(anchor_stamp).map(|since| at + since)
        });
        match mapped {
            Some(at) if at <= now => at,
            // First edge, an unmappable stamp, or a callback faster than any before: this
            // pairing has the least delay yet.
            _ => {
                self.anchor = Some((now, stamp));
                now
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn stamps_keep_their_spacing_whatever_the_callback_delay() {
        let t0 = Instant::now();
        let mut clock = EdgeClock::new();
        // (kernel stamp, callback time) -> mapped instant
        let cases = [
            (1000 * MS, t0 + 3 * MS, t0 + 3 * MS),
            // 2 ms later in the kernel, callback 10 ms late: still 2 ms later.
            (1002 * MS, t0 + 15 * MS, t0 + 5 * MS),
            // A quicker callback than the first: re-anchors on it.
            (1010 * MS, t0 + 12 * MS, t0 + 12 * MS),
            (1011 * MS, t0 + 20 * MS, t0 + 13 * MS),
            // A stamp from before the anchor: the callback time is the best there is.
            (500 * MS, t0 + 30 * MS, t0 + 30 * MS),
        ];
        for (stamp, now, want) in cases {
            assert_eq!(clock.instant(stamp, now), want, "{stamp:?}");
        }
    }
}
