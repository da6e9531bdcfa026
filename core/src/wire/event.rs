use crate::decide::Decision;
use crate::ids::{ControllerId, DoorId};
use crate::model::Direction;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A controller's journal: chosen at random when the controller is installed, so that a
/// reinstalled controller's sequence numbers are never mistaken for old ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JournalId(pub u64);

impl fmt::Display for JournalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// Something that happened at a door other than a credential decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DoorEventKind {
    /// The door contact opened after a grant, a REX or an unlock.
    Opened,
    /// The door contact closed.
    Closed,
    /// The door opened without a grant, REX or unlock.
    ForcedOpen,
    /// The door stayed open past its held-open time.
    HeldOpen,
    /// A held-open door closed again.
    HeldOpenCleared,
    /// Request to exit (REX) pressed.
    ExitRequest,
    /// The door unlocked by a scheduled unlock window or a remote command.
    Unlocked,
    /// The door locked again.
    Locked,
    /// A reader or enclosure tamper input tripped.
    Tamper {
        /// The reader, if the tamper came from one.
        reader: Option<Direction>,
    },
    /// A reader stopped answering.
    ReaderOffline {
        /// Which reader.
        reader: Direction,
    },
    /// A reader answered again.
    ReaderOnline {
        /// Which reader.
        reader: Direction,
    },
    /// The fire alarm input released the door.
    FireRelease,
}

/// A door event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorEvent {
    /// The door.
    pub door: DoorId,
    /// What happened.
    pub kind: DoorEventKind,
    /// When.
    pub at: Timestamp,
}

/// What a journal entry records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// A credential was presented and decided.
    Access(Decision),
    /// Something happened at a door.
    Door(DoorEvent),
    /// The controller started (after a restart, outputs were driven safe first).
    ControllerStarted {
        /// When.
        at: Timestamp,
    },
    /// The controller is stopping cleanly.
    ControllerStopping {
        /// When.
        at: Timestamp,
    },
    /// The controller's journal was full of entries the server had not acknowledged, and
    /// refused `dropped` events between `first_at` and `last_at` instead of overwriting
    /// them: journaled as soon as there is room again, so the gap is on the record.
    JournalOverflow {
        /// How many events were not journaled.
        dropped: u64,
        /// When the first of them happened.
        first_at: Timestamp,
        /// When the last of them happened.
        last_at: Timestamp,
    },
}

impl Event {
    /// When it happened (for an overflow, when the first refused event happened: where the
    /// gap in the record begins).
    pub const fn at(&self) -> Timestamp {
        match self {
            Event::Access(d) => d.at,
            Event::Door(e) => e.at,
            Event::ControllerStarted { at } | Event::ControllerStopping { at } => *at,
            Event::JournalOverflow { first_at, .. } => *first_at,
        }
    }
}

/// One journaled event, identified by its journal and sequence number: the server's insert
/// is idempotent on (controller, journal, seq).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// The journal it was written to.
    pub journal: JournalId,
    /// Its position in the journal, from 1, without gaps.
    pub seq: u64,
    /// The event.
    pub event: Event,
}

/// Events uploaded by a controller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventBatch {
    /// Wire version.
    pub v: u16,
    /// The controller.
    pub controller: ControllerId,
    /// Entries in sequence order.
    pub entries: Vec<JournalEntry>,
}

/// The server's answer to a batch: entries up to `highest_seq` of `journal` are stored and
/// may be deleted from the controller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchAck {
    /// Wire version.
    pub v: u16,
    /// The journal.
    pub journal: JournalId,
    /// The highest sequence number stored with nothing missing before it.
    pub highest_seq: u64,
}
