//! Waiting between failed calls to the server: doubling from one second to a minute, each
//! wait drawn at random between half and all of it, so a building's controllers coming
//! back after an outage do not all call at the same instant.

use rand_core::{OsRng, RngCore};
use std::time::Duration;

const FIRST: Duration = Duration::from_secs(1);
const MOST: Duration = Duration::from_secs(60);

/// One loop's back-off.
#[derive(Debug)]
pub struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { next: FIRST }
    }
}

impl Backoff {
    /// A call succeeded: the next failure waits the shortest time again.
    pub fn reset(&mut self) {
        self.next = FIRST;
    }

    /// A call failed: how long to wait before the next (with jitter), doubling the next.
    pub fn failed(&mut self) -> Duration {
        let full = self.next;
        self.next = (self.next * 2).min(MOST);
        jitter(full, OsRng.next_u32())
    }
}

/// Between half of `full` and all of it, by `random`.
fn jitter(full: Duration, random: u32) -> Duration {
    let half = full / 2;
    half + half.mul_f64(f64::from(random) / f64::from(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_to_a_minute_and_resets() {
        let mut b = Backoff::default();
        let fulls: Vec<Duration> = (0..9)
            .map(|_| {
                let full = b.next;
                let wait = b.failed();
                assert!(wait >= full / 2 && wait <= full, "{wait:?} of {full:?}");
                full
            })
            .collect();
        let secs: Vec<u64> = fulls.iter().map(Duration::as_secs).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        b.reset();
        assert_eq!(b.next, FIRST);
    }

    #[test]
    fn jitter_spans_half_to_all() {
        let full = Duration::from_secs(10);
        assert_eq!(jitter(full, 0), Duration::from_secs(5));
        assert_eq!(jitter(full, u32::MAX), full);
    }
}
