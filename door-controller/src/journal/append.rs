//! Appending, and the policy when full: the journal never writes over entries the server
//! has not acknowledged. A refused event is counted (how many, first and last time, in
//! `journal.json` before `append` returns) and, as soon as there is room again, one
//! `Event::JournalOverflow` entry says what is missing, ahead of any newer event.

use super::flusher::Target;
use super::segment::Segment;
use super::state::{self, Overflow};
use super::{Journal, JournalError, error::io_at, frame};
use gatehouse_core::wire::Event;
use std::fs::OpenOptions;
use std::io::Write;
use std::sync::Arc;

/// What became of an event.
#[must_use]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Appended {
    /// Written under this seq: in the file now, on the disk within the sync interval.
    Stored {
        /// Its seq.
        seq: u64,
    },
    /// The journal is full of unacknowledged entries: the event was counted, not stored.
    Refused {
        /// Events refused since the journal filled up, this one included.
        dropped: u64,
    },
}

impl Journal {
    /// Writes `event` under the next seq, or counts it as refused when the journal is full
    /// of entries the server has not acknowledged.
    pub fn append(&mut self, event: &Event) -> Result<Appended, JournalError> {
        self.check_healthy()?;
        self.settle_overflow()?;
        let record = self.encode(event)?;
        if self.state.overflow.is_some() || !self.has_room(record.len()) {
            return self.refuse(event);
        }
        let seq = self.write(&record)?;
        Ok(Appended::Stored { seq })
    }

    /// Journals the refused events as one overflow entry, if there are some and there is
    /// room; on opening, first finds out whether that entry was written before a crash.
    pub(super) fn settle_overflow(&mut self) -> Result<(), JournalError> {
        let Some(o) = self.state.overflow else {
            return Ok(());
        };
        if self.last_seq() <= o.after_seq {
            let record = self.encode(&Event::JournalOverflow {
                dropped: o.dropped,
                first_at: o.first_at,
                last_at: o.last_at,
            })?;
            if !self.has_room(record.len()) {
                return Ok(());
            }
            self.check_healthy()?;
            self.write(&record)?;
            // On the disk before the count is forgotten.
            self.sync()?;
        }
        // Forgotten here first: if storing fails, opening again sees the entry after
        // `after_seq` and does not write it twice.
        self.state.overflow = None;
        state::store(&self.dir, &self.state)
    }

    fn refuse(&mut self, event: &Event) -> Result<Appended, JournalError> {
        let at = event.at();
        let o = self.state.overflow.get_or_insert(Overflow {
            dropped: 0,
            first_at: at,
            last_at: at,
            after_seq: self.next_seq - 1,
        });
        o.dropped += 1;
        o.first_at = o.first_at.min(at);
        o.last_at = o.last_at.max(at);
        let dropped = o.dropped;
        state::store(&self.dir, &self.state)?;
        Ok(Appended::Refused { dropped })
    }

    fn encode(&self, event: &Event) -> Result<Vec<u8>, JournalError> {
        frame::encode(self.id(), self.next_seq, event).map_err(|len| JournalError::TooLarge {
            len,
            max: frame::MAX_PAYLOAD,
        })
    }

    fn has_room(&self, record: usize) -> bool {
        self.bytes + record as u64 <= self.config.max_bytes
    }

    fn check_healthy(&self) -> Result<(), JournalError> {
        let failed = match (&self.failed, self.flusher.failed()) {
            (Some(problem), _) => (self.target_path(), problem.clone()),
            (None, Some(failed)) => failed,
            (None, None) => return Ok(()),
        };
        Err(JournalError::Failed {
            path: failed.0,
            problem: failed.1,
        })
    }

    fn target_path(&self) -> std::path::PathBuf {
        self.segments
            .last()
            .map_or_else(|| self.dir.clone(), |s| s.path.clone())
    }

    /// Writes a record encoded for `next_seq`, starting a new segment when the last one is
    /// full; returns its seq once the write(2) is done.
    fn write(&mut self, record: &[u8]) -> Result<u64, JournalError> {
        let target = match (&self.target, self.segments.last()) {
            (Some(target), Some(seg))
                if seg.count == 0 || seg.len + record.len() as u64 <= self.config.segment_bytes =>
            {
                target.clone()
            }
            _ => self.start_segment()?,
        };
        let seg = self.segments.last_mut().expect("a segment to write to");
        if let Err(e) = (&target.file).write_all(record) {
            // Cut back what was written of it, so the next record does not follow garbage.
            let cut = target
                .file
                .set_len(seg.len)
                .and_then(|()| target.file.sync_data());
            self.failed = Some(match cut {
                Ok(()) => format!("write failed: {e}"),
                Err(c) => format!("write failed ({e}), and so did cutting it back ({c})"),
            });
            return Err(io_at(&target.path)(e));
        }
        seg.count += 1;
        seg.len += record.len() as u64;
        self.bytes += record.len() as u64;
        let seq = self.next_seq;
        self.next_seq += 1;
        self.flusher.wrote(&target, seq);
        Ok(seq)
    }

    /// Closes the last segment (fsynced, so only the last one can have a torn tail) and
    /// starts one at `next_seq`.
    fn start_segment(&mut self) -> Result<Arc<Target>, JournalError> {
        self.sync()?;
        let seg = Segment::new(&self.dir, self.next_seq);
        let file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .open(&seg.path)
            .map_err(io_at(&seg.path))?;
        state::sync_dir(&self.dir)?;
        let target = Arc::new(Target {
            file,
            path: seg.path.clone(),
        });
        self.segments.push(seg);
        self.target = Some(target.clone());
        Ok(target)
    }
}
