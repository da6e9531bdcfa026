//! The durable event journal (docs/door-controller-journal.md). Every event is written
//! under the journal's id and the next seq before the door acts on it; the server's
//! acknowledgement deletes it. The files in the journal's folder:
//!
//! - `journal.json` (`state.rs`): the id, the acknowledged seq, refused events.
//! - `<first seq>.seg` (`segment.rs`): records (`frame.rs`) back to back.
//!
//! A write is in the file when [`Journal::append`] returns (it survives `kill -9`); the
//! flusher thread (`flusher.rs`) fsyncs it within [`JournalConfig::sync_interval`] (what a power cut
//! can lose), and only fsynced entries are handed out for upload.

mod append;
mod config;
mod error;
mod flusher;
mod frame;
mod open;
mod segment;
mod state;
mod upload;

#[cfg(test)]
mod tests;

pub use append::Appended;
pub use config::JournalConfig;
pub use error::JournalError;
pub use state::Overflow;

use flusher::{Flusher, Target};
use gatehouse_core::wire::JournalId;
use segment::Segment;
use serde::Serialize;
use state::State;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A journal, open for appending. One process at a time may hold a journal's folder.
#[derive(Debug)]
pub struct Journal {
    dir: PathBuf,
    config: JournalConfig,
    state: State,
    /// Oldest first; the last one is written to.
    segments: Vec<Segment>,
    /// The last segment, open for appending (none until the first append after opening a
    /// journal with no unacknowledged segment).
    target: Option<Arc<Target>>,
    /// The seq the next entry takes.
    next_seq: u64,
    /// What the segments take together.
    bytes: u64,
    /// Bytes of a torn tail cut off when this journal was opened.
    torn: Option<TornTail>,
    /// A write that failed: appending stops.
    failed: Option<String>,
    flusher: Flusher,
}

/// A torn tail cut off when the journal was opened: a record being written when the
/// process died or the power went (never reported appended).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TornTail {
    /// The segment.
    pub path: PathBuf,
    /// Where the cut was made.
    pub offset: u64,
    /// Bytes removed.
    pub bytes: u64,
}

/// What the status command and the heartbeat show of the journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JournalStatus {
    /// The journal's id.
    pub journal: JournalId,
    /// The last seq written.
    pub last_seq: u64,
    /// The server holds every entry up to this seq.
    pub acknowledged: u64,
    /// Entries the server has not acknowledged.
    pub backlog: u64,
    /// Bytes the segments take.
    pub bytes: u64,
    /// The limit.
    pub max_bytes: u64,
    /// At least 80% of `max_bytes` is taken: uploads are falling behind.
    pub nearly_full: bool,
    /// Events refused while full, not yet journaled as an overflow entry.
    pub overflow: Option<Overflow>,
}

impl Journal {
    /// The journal's id, chosen at random when its folder was first opened.
    pub fn id(&self) -> JournalId {
        self.state.journal
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The last seq written (0 for a new journal).
    pub fn last_seq(&self) -> u64 {
        self.next_seq - 1
    }

    /// Entries the server has not acknowledged.
    pub fn backlog(&self) -> u64 {
        self.last_seq() - self.state.acknowledged
    }

    /// Events refused because the journal was full, not yet journaled as an overflow entry.
    pub fn overflow(&self) -> Option<Overflow> {
        self.state.overflow
    }

    /// The torn tail cut off on opening, if there was one.
    pub fn torn_tail(&self) -> Option<&TornTail> {
        self.torn.as_ref()
    }

    /// The journal at a glance.
    pub fn status(&self) -> JournalStatus {
        let max_bytes = self.config.max_bytes;
        JournalStatus {
            journal: self.id(),
            last_seq: self.last_seq(),
            acknowledged: self.state.acknowledged,
            backlog: self.backlog(),
            bytes: self.bytes,
            max_bytes,
            nearly_full: u128::from(self.bytes) * 5 >= u128::from(max_bytes) * 4,
            overflow: self.state.overflow,
        }
    }

    /// Fsyncs what is written now, without waiting for the flusher (before a clean stop).
    pub fn sync(&self) -> Result<(), JournalError> {
        self.flusher
            .sync()
            .map_err(|(path, problem)| JournalError::Failed { path, problem })
    }
}
