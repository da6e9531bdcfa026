//! Debouncing as a pure function of samples and time.
//!
//! A contact bounces for a few milliseconds when it moves; a door contact on a long cable
//! also picks up spikes. A level counts only once it has held for the settle time. The
//! debouncer reads no clock: it is given the time with every sample, and asked with
//! [`Debouncer::poll`] whether a pending change has settled, so an edge-driven back-end
//! sleeps until [`Debouncer::deadline`] and tests run on made-up instants.

use std::time::{Duration, Instant};

/// One input's debouncer: a stable level and, while the raw level differs from it, since
/// when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Debouncer {
    settle: Duration,
    stable: bool,
    // Since when the raw level has been `!stable` without interruption. With two levels
    // there is only one level a change can be pending to.
    pending_since: Option<Instant>,
}

impl Debouncer {
    /// A debouncer whose stable level starts at `initial` (the first reading is trusted:
    /// there is nothing to compare it with) and which accepts a new level once it has held
    /// for `settle`.
    pub fn new(initial: bool, settle: Duration) -> Self {
        Debouncer {
            settle,
            stable: initial,
            pending_since: None,
        }
    }

    /// The debounced level.
    pub fn level(&self) -> bool {
        self.stable
    }

    /// Feeds the raw `level` seen at `at` (a sample, or the level after an edge). Returns
    /// the new debounced level when it changed.
    pub fn sample(&mut self, level: bool, at: Instant) -> Option<bool> {
        if level == self.stable {
            // A bounce back: the change did not hold.
            self.pending_since = None;
            return None;
        }
        let since = *self.pending_since.get_or_insert(at);
        self.settle_if_held(since, at)
    }

    /// Time has passed without an edge: settles a pending change that has held for the
    /// settle time by `at`. Returns the new debounced level when it changed.
    pub fn poll(&mut self, at: Instant) -> Option<bool> {
        let since = self.pending_since?;
        self.settle_if_held(since, at)
    }

    /// When a pending change will settle if no edge comes first; `None` when nothing is
    /// pending.
    pub fn deadline(&self) -> Option<Instant> {
        self.pending_since.map(|since| since + self.settle)
    }

    fn settle_if_held(&mut self, since: Instant, at: Instant) -> Option<bool> {
        // An `at` earlier than `since` (a caller's clock going backwards) counts as no time.
        if at.saturating_duration_since(since) >= self.settle {
            self.stable = !self.stable;
            self.pending_since = None;
            Some(self.stable)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug)]
    enum Step {
        /// A raw level at this many ms.
        Sample(u64, bool),
        /// A poll at this many ms.
        Poll(u64),
    }
    use Step::{Poll, Sample};

    /// Runs `steps` from a stable `false` with a 20 ms settle time and returns, per step,
    /// the change reported.
    fn run(steps: &[Step]) -> Vec<Option<bool>> {
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        let mut d = Debouncer::new(false, Duration::from_millis(20));
        steps
            .iter()
            .map(|step| match *step {
                Sample(ms, level) => d.sample(level, at(ms)),
                Poll(ms) => d.poll(at(ms)),
            })
            .collect()
    }

    /// A case: its name, the steps, and the change expected from each step.
    type Case = (&'static str, &'static [Step], &'static [Option<bool>]);

    #[test]
    fn table() {
        let cases: &[Case] = &[
            (
                "a clean change settles after exactly the settle time",
                &[Sample(0, true), Poll(19), Poll(20), Poll(21)],
                &[None, None, Some(true), None],
            ),
            (
                "a sample of the same level settles it too",
                &[Sample(0, true), Sample(10, true), Sample(20, true)],
                &[None, None, Some(true)],
            ),
            (
                "a bounce back cancels, and the next edge starts the count again",
                &[
                    Sample(0, true),
                    Sample(5, false),
                    Sample(8, true),
                    Poll(20),
                    Poll(27),
                    Poll(28),
                ],
                &[None, None, None, None, None, Some(true)],
            ),
            (
                "a spike shorter than the settle time is never reported",
                &[Sample(0, true), Sample(3, false), Poll(100)],
                &[None, None, None],
            ),
            (
                "the same level as the stable one reports nothing",
                &[Sample(0, false), Poll(50)],
                &[None, None],
            ),
            (
                "changes both ways",
                &[Sample(0, true), Poll(20), Sample(30, false), Poll(50)],
                &[None, Some(true), None, Some(false)],
            ),
            (
                "nothing pending: a poll reports nothing",
                &[Poll(0), Poll(1000)],
                &[None, None],
            ),
            (
                "a clock going backwards counts as no time",
                &[Sample(50, true), Poll(10), Poll(69), Poll(70)],
                &[None, None, None, Some(true)],
            ),
        ];
        for (name, steps, expected) in cases {
            assert_eq!(run(steps), *expected, "{name}");
        }
    }

    #[test]
    fn deadline_follows_the_pending_edge() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut d = Debouncer::new(true, Duration::from_millis(30));
        assert_eq!(d.deadline(), None);
        d.sample(false, ms(10));
        assert_eq!(d.deadline(), Some(ms(40)));
        d.sample(true, ms(15));
        assert_eq!(d.deadline(), None);
        d.sample(false, ms(16));
        assert_eq!(d.deadline(), Some(ms(46)));
        assert_eq!(d.poll(ms(46)), Some(false));
        assert!(!d.level());
        assert_eq!(d.deadline(), None);
    }

    #[test]
    fn zero_settle_time_passes_every_change() {
        let t0 = Instant::now();
        let mut d = Debouncer::new(false, Duration::ZERO);
        assert_eq!(d.sample(true, t0), Some(true));
        assert_eq!(d.sample(false, t0), Some(false));
    }
}
