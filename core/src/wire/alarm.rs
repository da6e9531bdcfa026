use crate::ids::{ControllerId, DoorId};
use crate::model::Direction;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// How urgent an alarm is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth a look.
    Info,
    /// Needs attention soon.
    Warning,
    /// Needs a guard now.
    Critical,
}

/// What raised the alarm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmSource {
    /// A door.
    Door(DoorId),
    /// A reader on a door.
    Reader {
        /// The door.
        door: DoorId,
        /// Which side.
        direction: Direction,
    },
    /// A controller as a whole.
    Controller(ControllerId),
}

/// Kinds of alarm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmKind {
    /// A door opened without a grant.
    DoorForced,
    /// A door stayed open too long.
    DoorHeldOpen,
    /// A tamper input tripped.
    Tamper,
    /// A reader went silent.
    ReaderOffline,
    /// A controller stopped reporting (raised by the server).
    ControllerOffline,
    /// A keyed OSDP reader answered without the Secure Channel.
    SecureChannelDowngrade,
    /// An OSDP reader answered with a key other than its own.
    UnexpectedReaderKey,
    /// The journal is full of events the server has not acknowledged.
    JournalFull,
    /// A badge reported lost was presented.
    LostBadgePresented,
    /// The fire alarm input is active.
    FireAlarm,
}

impl AlarmKind {
    /// The severity an alarm of this kind starts with.
    pub const fn severity(self) -> Severity {
        match self {
            AlarmKind::DoorForced
            | AlarmKind::Tamper
            | AlarmKind::SecureChannelDowngrade
            | AlarmKind::UnexpectedReaderKey
            | AlarmKind::FireAlarm => Severity::Critical,
            AlarmKind::DoorHeldOpen
            | AlarmKind::ReaderOffline
            | AlarmKind::ControllerOffline
            | AlarmKind::JournalFull
            | AlarmKind::LostBadgePresented => Severity::Warning,
        }
    }
}

/// An alarm raised by a controller or by the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alarm {
    /// Wire version.
    pub v: u16,
    /// What.
    pub kind: AlarmKind,
    /// How urgent.
    pub severity: Severity,
    /// Where.
    pub source: AlarmSource,
    /// When it was raised.
    pub at: Timestamp,
}
