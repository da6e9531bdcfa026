//! `journal.json`: the journal's id, how far the server acknowledged it and the events it
//! refused while full. Replaced atomically (write a temporary file, fsync, rename, fsync
//! the folder), so a crash leaves the old state or the new one.

use super::{JournalError, error::io_at};
use gatehouse_core::time::Timestamp;
use gatehouse_core::wire::JournalId;
use serde::{Deserialize, Serialize};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

pub(super) const FILE: &str = "journal.json";
const TEMP: &str = "journal.json.tmp";

/// Events the journal refused because it was full of unacknowledged entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overflow {
    /// How many.
    pub dropped: u64,
    /// When the first of them happened.
    pub first_at: Timestamp,
    /// When the last of them happened.
    pub last_at: Timestamp,
    /// The last seq written before the first refusal: the overflow's own entry takes the
    /// next one, so finding a later seq on opening means it was journaled.
    pub after_seq: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct State {
    pub journal: JournalId,
    /// Entries up to this seq are stored by the server.
    pub acknowledged: u64,
    /// Refused events not yet journaled as an overflow entry.
    pub overflow: Option<Overflow>,
}

/// The state in `dir`, if there is one.
pub(super) fn load(dir: &Path) -> Result<Option<State>, JournalError> {
    let path = dir.join(FILE);
    let bytes = match fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_at(&path)(e)),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| JournalError::State {
            path,
            problem: e.to_string(),
        })
}

/// Replaces the state in `dir`.
pub(super) fn store(dir: &Path, state: &State) -> Result<(), JournalError> {
    let temp = dir.join(TEMP);
    let mut file = File::create(&temp).map_err(io_at(&temp))?;
    file.write_all(&serde_json::to_vec(state).expect("state serializes"))
        .and_then(|()| file.sync_all())
        .map_err(io_at(&temp))?;
    let path = dir.join(FILE);
    fs::rename(&temp, &path).map_err(io_at(&path))?;
    sync_dir(dir)
}

/// Makes the folder's entries (created, renamed, deleted files) durable.
pub(super) fn sync_dir(dir: &Path) -> Result<(), JournalError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_at(dir))
}
