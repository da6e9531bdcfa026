//! What the runtime feeds the state machine.

use gatehouse_core::decide::Decision;
use gatehouse_core::model::Direction;
use gatehouse_hardware::door_io::{InputEvent, InputKind};
use std::time::Duration;

/// One input to a door's state machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DoorInput {
    /// A credential was decided at one of the door's readers (journal it first).
    Access {
        /// Whether the decision granted.
        granted: bool,
        /// Whether the holder passes locked-down doors (the person's `lockdown_override`
        /// flag in the bundle: security staff, first responders). During a lockdown only
        /// such a grant unlocks: a grant without it was decided before the lockdown was
        /// known (a stale bundle, a race with the command).
        lockdown_override: bool,
    },
    /// The door contact changed (debounced by the hardware layer).
    Contact {
        /// Whether the door is now open.
        open: bool,
    },
    /// The request-to-exit input changed; only the press acts.
    Rex {
        /// Whether it is now pressed.
        pressed: bool,
    },
    /// A tamper input changed; only tripping is reported.
    Tamper {
        /// Whether it is now tripped.
        active: bool,
        /// The reader it came from, if any (an enclosure switch has none).
        reader: Option<Direction>,
    },
    /// The fire-alarm release input changed.
    Fire {
        /// Whether the release is now active.
        active: bool,
    },
    /// The door's scheduled unlock window started or ended.
    UnlockWindow {
        /// Whether the window is now open.
        active: bool,
    },
    /// Lockdown of the door's zone started or ended (command or bundle).
    Lockdown {
        /// Whether the door is now locked down.
        active: bool,
    },
    /// A remote momentary unlock for `duration` from now; it replaces a running one, so a
    /// zero duration cancels. Refused (no actions) during a lockdown.
    RemoteUnlock {
        /// How long.
        duration: Duration,
    },
}

impl DoorInput {
    /// The input for a decision, with the holder's lockdown override flag.
    pub fn access(decision: &Decision, lockdown_override: bool) -> Self {
        DoorInput::Access {
            granted: decision.granted(),
            lockdown_override,
        }
    }

    /// The input for a debounced hardware input change (its `at` is the time to pass).
    pub fn from_event(event: &InputEvent) -> Self {
        let active = event.active;
        match event.kind {
            InputKind::DoorContact => DoorInput::Contact { open: active },
            InputKind::Rex => DoorInput::Rex { pressed: active },
            InputKind::Tamper => DoorInput::Tamper {
                active,
                reader: None,
            },
            InputKind::FireRelease => DoorInput::Fire { active },
        }
    }
}
