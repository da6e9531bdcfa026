//! Handing entries out for upload, and deleting them once the server has them.

use super::segment;
use super::state;
use super::{Journal, JournalError, error::io_at};
use gatehouse_core::wire::JournalEntry;
use std::fs;

impl Journal {
    /// The oldest entries the server has not acknowledged, at most `max` (the server takes
    /// 1000 an upload). Only entries already fsynced: a seq the server holds is never lost
    /// to a power cut and given to another event.
    pub fn pending(&self, max: usize) -> Result<Vec<JournalEntry>, JournalError> {
        let from = self.state.acknowledged + 1;
        let to = self.flusher.synced().min(self.last_seq());
        let mut out = Vec::new();
        for seg in &self.segments {
            if out.len() >= max || seg.first_seq > to {
                break;
            }
            if seg.count == 0 || seg.last_seq() < from {
                continue;
            }
            out.extend(segment::entries(seg, from, to, max - out.len())?);
        }
        Ok(out)
    }

    /// The server stores every entry up to `highest_seq` (its `BatchAck`): records that,
    /// deletes the segments it covers wholly, and journals refused events if that made
    /// room. An older acknowledgement than one already recorded changes nothing.
    pub fn acknowledge(&mut self, highest_seq: u64) -> Result<(), JournalError> {
        if highest_seq <= self.state.acknowledged {
            return Ok(());
        }
        if highest_seq > self.last_seq() {
            return Err(JournalError::AckBeyondEnd {
                highest: highest_seq,
                last: self.last_seq(),
            });
        }
        self.state.acknowledged = highest_seq;
        state::store(&self.dir, &self.state)?;
        let covered = self
            .segments
            .iter()
            .take_while(|s| s.last_seq() <= highest_seq)
            .count();
        if covered > 0 {
            for seg in &self.segments[..covered] {
                fs::remove_file(&seg.path).map_err(io_at(&seg.path))?;
            }
            for seg in self.segments.drain(..covered) {
                self.bytes -= seg.len;
            }
            if self.segments.is_empty() {
                self.target = None;
            }
            state::sync_dir(&self.dir)?;
        }
        self.settle_overflow()
    }
}
