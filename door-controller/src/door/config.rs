//! A door's timing and wiring, as the state machine needs them.

use gatehouse_core::model::Door;
use gatehouse_hardware::door_io::LockWiring;
use std::time::Duration;

/// What a request-to-exit does besides shunting the forced-open alarm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RexMode {
    /// Unlock the lock for the strike time (needed for a maglock, whose door cannot be
    /// pushed open while it holds).
    Unlock,
    /// Only shunt the forced-open alarm: the door opens mechanically from inside (a strike
    /// with a free-egress lever).
    ShuntOnly,
}

/// One door's state machine configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DoorConfig {
    /// How long a grant (or a REX) unlocks the lock and shunts the forced-open alarm; the
    /// window also ends when the door opens and closes again.
    pub strike_time: Duration,
    /// How long the door may stand open before the held-open alarm.
    pub held_open_time: Duration,
    /// How long before the held-open alarm the reader's buzzer starts (pre-alarm). Zero:
    /// the buzzer starts with the alarm. At least the held-open time: from the opening.
    pub pre_alarm_lead: Duration,
    /// How long the reader LED shows red after a denial.
    pub deny_feedback_time: Duration,
    /// Fail-safe (maglock) or fail-secure (strike): decides whether the fire input
    /// releases the door and whether REX may unlock during a lockdown.
    pub lock_wiring: LockWiring,
    /// What a REX does.
    pub rex: RexMode,
    /// A scheduled unlock window unlocks only after the first grant inside it.
    pub first_card_unlock: bool,
}

impl DoorConfig {
    /// Common panel defaults: 5 s strike, 30 s held-open with a 10 s pre-alarm, 1 s of
    /// red after a denial, REX unlocks, no first-card rule.
    pub const fn new(lock_wiring: LockWiring) -> Self {
        DoorConfig {
            strike_time: Duration::from_secs(5),
            held_open_time: Duration::from_secs(30),
            pre_alarm_lead: Duration::from_secs(10),
            deny_feedback_time: Duration::from_secs(1),
            lock_wiring,
            rex: RexMode::Unlock,
            first_card_unlock: false,
        }
    }

    /// Takes the first-card rule from the bundle's door. (Its `unlock_schedule` is the
    /// runtime's to follow: it reports the window's start and end as inputs.)
    pub fn with_door(mut self, door: &Door) -> Self {
        self.first_card_unlock = door.first_card_unlock;
        self
    }

    pub(super) fn fail_safe(&self) -> bool {
        self.lock_wiring == LockWiring::FailSafe
    }
}
