//! What a controller remembers between decisions: recent grants (escort rule), first
//! halves of two-person entries, and who is inside anti-passback zones.

use super::decision::{Decision, Holder};
use crate::ids::{DoorId, ZoneId};
use crate::model::Direction;
use crate::reason::Reason;
use crate::time::Timestamp;
use std::collections::{HashMap, VecDeque};

/// Recent grants are kept this long at most; longer than any escort window.
const RECENT_MS: i64 = 10 * 60 * 1000;
/// Anti-passback forgets a passage after this long: a daily reset, as sites configure it,
/// so someone who left by a door without a reader is not locked out for good.
pub(super) const PRESENCE_MS: i64 = 24 * 60 * 60 * 1000;
/// How often expired presence is swept.
const SWEEP_MS: i64 = 60 * 60 * 1000;

/// A grant remembered for the escort rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct RecentGrant {
    pub door: DoorId,
    pub holder: Holder,
    pub at: Timestamp,
}

/// A first person waiting at a two-person door.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Waiting {
    pub door: DoorId,
    pub holder: Holder,
    pub at: Timestamp,
}

/// A controller's memory of recent decisions. Pure data: `decide()` reads it and the
/// controller calls [`LocalState::record`] with each decision it acts on.
#[derive(Clone, Debug, Default)]
pub struct LocalState {
    pub(super) recent_grants: VecDeque<RecentGrant>,
    pub(super) waiting: Vec<Waiting>,
    pub(super) presence: HashMap<(Holder, ZoneId), (Direction, Timestamp)>,
    last_sweep: Option<Timestamp>,
}

impl LocalState {
    /// An empty memory (a controller that just started).
    pub fn new() -> Self {
        LocalState::default()
    }

    /// Remembers what a decision means for the next ones.
    pub fn record(&mut self, decision: &Decision) {
        let Some(holder) = decision.holder else {
            return;
        };
        while self
            .recent_grants
            .front()
            .is_some_and(|g| decision.at.millis_since(g.at) > RECENT_MS)
        {
            self.recent_grants.pop_front();
        }
        self.waiting
            .retain(|w| decision.at.millis_since(w.at) <= RECENT_MS && w.holder != holder);
        if self
            .last_sweep
            .is_none_or(|t| decision.at.millis_since(t) > SWEEP_MS)
        {
            self.presence
                .retain(|_, (_, at)| decision.at.millis_since(*at) <= PRESENCE_MS);
            self.last_sweep = Some(decision.at);
        }
        match decision.reason {
            Reason::Granted => {
                self.recent_grants.push_back(RecentGrant {
                    door: decision.door,
                    holder,
                    at: decision.at,
                });
                if let Some(companion) = decision.companion {
                    self.waiting
                        .retain(|w| !(w.door == decision.door && w.holder == companion));
                }
                if let Some(zone) = decision.zone {
                    self.presence
                        .insert((holder, zone), (decision.direction, decision.at));
                }
            }
            Reason::AwaitingSecondPerson => self.waiting.push(Waiting {
                door: decision.door,
                holder,
                at: decision.at,
            }),
            _ => {}
        }
    }

    /// The last passage of `holder` through a door of `zone`, if recent enough to count.
    pub(super) fn last_passage(
        &self,
        holder: Holder,
        zone: ZoneId,
        now: Timestamp,
    ) -> Option<Direction> {
        self.presence
            .get(&(holder, zone))
            .filter(|(_, at)| now.millis_since(*at) <= PRESENCE_MS)
            .map(|(direction, _)| *direction)
    }

    /// Forgets who is inside (an operator's anti-passback reset, e.g. after a fire drill).
    pub fn reset_presence(&mut self) {
        self.presence.clear();
    }
}
