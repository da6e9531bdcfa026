//! The messages door controllers and the server exchange: journaled events (access
//! decisions and door events) uploaded in batches, alarms, and commands. Every top-level
//! message carries the wire version `v`, checked on receipt.

mod alarm;
mod command;
pub mod enrollment;
mod event;
pub mod signed_request;

pub use alarm::{Alarm, AlarmKind, AlarmSource, Severity};
pub use command::{Command, CommandAck, CommandEnvelope, CommandId, CommandOutcome, Scope};
pub use event::{BatchAck, DoorEvent, DoorEventKind, Event, EventBatch, JournalEntry, JournalId};

/// The wire version this build writes and reads.
pub const WIRE_VERSION: u16 = 1;

/// A message of a wire version this build does not read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("wire version {0} is not supported (this build speaks version {WIRE_VERSION})")]
pub struct UnsupportedVersion(pub u16);

/// Checks the `v` field of a received message.
pub fn check_version(v: u16) -> Result<(), UnsupportedVersion> {
    if v == WIRE_VERSION {
        Ok(())
    } else {
        Err(UnsupportedVersion(v))
    }
}
