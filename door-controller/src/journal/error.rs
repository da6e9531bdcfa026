//! What can go wrong with the journal: each error names the file and the problem.

use std::io;
use std::path::PathBuf;

/// A journal error.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// Reading, writing or syncing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The system's error.
        source: io::Error,
    },
    /// A record that is not a torn tail does not read back as written: data after it would
    /// be lost by truncating, so nothing is dropped and the journal does not open.
    #[error("{path}: corrupt record at byte {offset}: {problem}")]
    Corrupt {
        /// The segment file.
        path: PathBuf,
        /// Where the record starts.
        offset: u64,
        /// What is wrong with it.
        problem: String,
    },
    /// The journal's state file is missing while segments exist, or cannot be read.
    #[error("{path}: {problem}")]
    State {
        /// The state file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// Entries the server has not acknowledged are missing between segments.
    #[error("{path}: expected the segment to start at seq {expected}, it starts at {found}")]
    Gap {
        /// The segment file.
        path: PathBuf,
        /// The seq the journal continues with.
        expected: u64,
        /// The seq the file's name gives.
        found: u64,
    },
    /// The server acknowledged entries this journal never wrote.
    #[error("acknowledged up to seq {highest}, but the journal ends at seq {last}")]
    AckBeyondEnd {
        /// What the server acknowledged.
        highest: u64,
        /// The last seq written.
        last: u64,
    },
    /// A write or fsync failed earlier: what reached the disk is unknown, so the journal
    /// takes no more events until it is opened again.
    #[error("{path}: the journal failed earlier ({problem}) and takes no more events")]
    Failed {
        /// The segment file.
        path: PathBuf,
        /// The first failure.
        problem: String,
    },
    /// An event too large for one record.
    #[error("an event of {len} bytes is larger than a record may be ({max} bytes)")]
    TooLarge {
        /// Its serialized size.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The configuration cannot work.
    #[error("journal config: {0}")]
    Config(&'static str),
}

/// Attaches a path to an I/O error.
pub(super) fn io_at(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> JournalError {
    let path = path.into();
    move |source| JournalError::Io { path, source }
}
