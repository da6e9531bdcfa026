//! The held-open timer of one opening: counting, then the pre-alarm, then the alarm.

use super::DoorConfig;
use std::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Counting,
    PreAlarm,
    Expired,
}

/// Runs from the moment the door's standing open stopped being allowed (its opening, a
/// grant while open, or the end of a standing unlock).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct HeldOpenTimer {
    pre_alarm_at: Instant,
    alarm_at: Instant,
    phase: Phase,
}

impl HeldOpenTimer {
    pub fn start(at: Instant, config: &DoorConfig) -> Self {
        let alarm_at = at + config.held_open_time;
        HeldOpenTimer {
            // A lead longer than the held-open time starts the buzzer at the start.
            pre_alarm_at: at + config.held_open_time.saturating_sub(config.pre_alarm_lead),
            alarm_at,
            phase: Phase::Counting,
        }
    }

    /// When it next moves on.
    pub fn deadline(&self) -> Option<Instant> {
        match self.phase {
            Phase::Counting => Some(self.pre_alarm_at),
            Phase::PreAlarm => Some(self.alarm_at),
            Phase::Expired => None,
        }
    }

    /// Moves on one phase if its deadline is at or before `at`; true when it reached the
    /// alarm by this.
    pub fn advance(&mut self, at: Instant) -> bool {
        match self.phase {
            Phase::Counting if self.pre_alarm_at <= at => {
                self.phase = Phase::PreAlarm;
                false
            }
            Phase::PreAlarm if self.alarm_at <= at => {
                self.phase = Phase::Expired;
                true
            }
            _ => false,
        }
    }

    /// Whether the buzzer sounds (pre-alarm, then alarm until the door closes).
    pub fn sounding(&self) -> bool {
        self.phase != Phase::Counting
    }
}

/// The door standing open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Opening {
    /// Opened without a grant, REX or unlock: already in alarm, so no held-open timer.
    pub forced: bool,
    /// The held-open alarm was reported for this opening (closing clears it).
    pub alarm_raised: bool,
    /// Absent while forced or while a standing unlock allows the door to stand open.
    pub timer: Option<HeldOpenTimer>,
}

impl Opening {
    pub fn new(forced: bool) -> Self {
        Opening {
            forced,
            alarm_raised: false,
            timer: None,
        }
    }
}
