//! Opening a journal: create it with a fresh id, or read it back, cutting off a torn tail
//! and refusing anything else that does not read back as written.

use super::flusher::{Flusher, Target};
use super::segment::{self, Segment};
use super::state::{self, State};
use super::{Journal, JournalConfig, JournalError, TornTail, error::io_at};
use gatehouse_core::wire::JournalId;
use rand_core::{OsRng, RngCore};
use std::fs::{self, OpenOptions};
use std::path::Path;
use std::sync::Arc;

impl Journal {
    /// Opens the journal in `dir`, creating the folder and a journal with a random id if
    /// there is none. Entries acknowledged before a crash are deleted, a torn tail in the
    /// last segment is cut off; what was written is then fsynced.
    pub fn open(dir: impl AsRef<Path>, config: JournalConfig) -> Result<Journal, JournalError> {
        config.check()?;
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir).map_err(io_at(&dir))?;
        let mut segments = segment::list(&dir)?;
        let state = match state::load(&dir)? {
            Some(state) => state,
            None if segments.is_empty() => create(&dir)?,
            None => {
                return Err(JournalError::State {
                    path: dir.join(state::FILE),
                    problem: "missing beside segment files: the journal's id is lost".into(),
                });
            }
        };
        let acknowledged = state.acknowledged;
        // Acknowledged before the crash but not yet deleted: their names say so.
        let mut deleted = false;
        while segments.len() > 1 && segments[1].first_seq <= acknowledged + 1 {
            let gone = segments.remove(0);
            fs::remove_file(&gone.path).map_err(io_at(&gone.path))?;
            deleted = true;
        }
        let mut torn = None;
        let mut expected = segments.first().map_or(0, |s| s.first_seq);
        if expected > acknowledged + 1 {
            return Err(JournalError::Gap {
                path: segments[0].path.clone(),
                expected: acknowledged + 1,
                found: expected,
            });
        }
        let last = segments.len().saturating_sub(1);
        for (i, seg) in segments.iter_mut().enumerate() {
            if seg.first_seq != expected {
                return Err(JournalError::Gap {
                    path: seg.path.clone(),
                    expected,
                    found: seg.first_seq,
                });
            }
            let scan = segment::scan(seg, state.journal, i == last)?;
            seg.count = scan.count;
            seg.len = scan.len;
            if scan.torn > 0 {
                cut(seg)?;
                torn = Some(TornTail {
                    path: seg.path.clone(),
                    offset: scan.len,
                    bytes: scan.torn,
                });
            }
            expected = seg.first_seq + seg.count;
        }
        let next_seq = segments
            .last()
            .map_or(0, Segment::last_seq)
            .max(acknowledged)
            + 1;
        // The last segment, wholly acknowledged: deleted too; the next append starts anew.
        if segments
            .last()
            .is_some_and(|s| s.last_seq() <= acknowledged)
        {
            let gone = segments.pop().expect("checked");
            fs::remove_file(&gone.path).map_err(io_at(&gone.path))?;
            deleted = true;
        }
        let target = match segments.last() {
            Some(seg) => {
                let file = OpenOptions::new()
                    .append(true)
                    .open(&seg.path)
                    .map_err(io_at(&seg.path))?;
                // Written before a kill, perhaps not yet on disk: make it durable before any
                // of it is uploaded.
                file.sync_data().map_err(io_at(&seg.path))?;
                Some(Arc::new(Target {
                    file,
                    path: seg.path.clone(),
                }))
            }
            None => None,
        };
        if deleted || torn.is_some() {
            state::sync_dir(&dir)?;
        }
        let flusher = Flusher::start(config.sync_interval, next_seq - 1).map_err(io_at(&dir))?;
        let mut journal = Journal {
            bytes: segments.iter().map(|s| s.len).sum(),
            dir,
            config,
            state,
            segments,
            target,
            next_seq,
            torn,
            failed: None,
            flusher,
        };
        journal.settle_overflow()?;
        Ok(journal)
    }
}

/// A new journal's state, stored before any segment exists.
fn create(dir: &Path) -> Result<State, JournalError> {
    let state = State {
        journal: JournalId(OsRng.next_u64()),
        acknowledged: 0,
        overflow: None,
    };
    state::store(dir, &state)?;
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        state::sync_dir(parent)?;
    }
    Ok(state)
}

/// Cuts a segment back to its whole records.
fn cut(seg: &Segment) -> Result<(), JournalError> {
    let file = OpenOptions::new()
        .write(true)
        .open(&seg.path)
        .map_err(io_at(&seg.path))?;
    file.set_len(seg.len)
        .and_then(|()| file.sync_all())
        .map_err(io_at(&seg.path))
}
