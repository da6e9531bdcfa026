//! A timed unlock or shunt that also ends when the door opens and closes again: what a
//! grant, a REX and a remote momentary unlock each open.

use std::time::{Duration, Instant};

/// A window from a grant or a REX (`unlocks`: whether it unlocks the lock or only shunts
/// the forced-open alarm), or from a remote unlock (always unlocks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Window {
    /// When it ends at the latest.
    pub until: Instant,
    /// Whether the door opened during it: the next close ends it.
    pub opened: bool,
    /// Whether it holds the lock unlocked.
    pub unlocks: bool,
}

impl Window {
    /// A window of `length` from `now`; a door already open counts as opened during it, so
    /// its closing relocks.
    pub fn new(now: Instant, length: Duration, door_open: bool, unlocks: bool) -> Self {
        Window {
            until: now + length,
            opened: door_open,
            unlocks,
        }
    }

    /// `self` merged into a running window: the later end, unlocking if either does.
    pub fn merged_into(self, running: Option<Window>) -> Window {
        match running {
            None => self,
            Some(r) => Window {
                until: r.until.max(self.until),
                opened: r.opened || self.opened,
                unlocks: r.unlocks || self.unlocks,
            },
        }
    }
}
