use crate::ids::{DoorId, ZoneId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A command's id, unique per server, so a controller acknowledges each exactly once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CommandId(pub u64);

/// Where a lockdown applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Every door of the site.
    Site,
    /// The doors into a zone and every zone inside it.
    Zone(ZoneId),
}

/// What the server asks a controller to do now. Lockdowns are also written into the next
/// bundle, so a controller that restarts keeps them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    /// Lock down: only people with the lockdown override pass.
    Lockdown {
        /// Where.
        scope: Scope,
    },
    /// Release a lockdown.
    Release {
        /// Where.
        scope: Scope,
    },
    /// Unlock a door once, as if a card had been granted (a guard letting someone in).
    MomentaryUnlock {
        /// The door.
        door: DoorId,
        /// For how long, at most (the door relocks when it closes).
        seconds: u16,
    },
}

/// A command as sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandEnvelope {
    /// Wire version.
    pub v: u16,
    /// Its id.
    pub id: CommandId,
    /// When the server issued it; a controller ignores commands older than a minute.
    pub issued_at: Timestamp,
    /// What to do.
    pub command: Command,
}

/// What became of a command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandOutcome {
    /// Carried out.
    Applied,
    /// Refused, with why (e.g. an unknown door, or too old).
    Rejected(String),
}

/// A controller's acknowledgement of a command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandAck {
    /// Wire version.
    pub v: u16,
    /// The command.
    pub id: CommandId,
    /// What became of it.
    pub outcome: CommandOutcome,
}
