//! Segment files: `<first seq, 20 digits>.seg`, records back to back, seqs contiguous.
//! Acknowledged entries go by deleting whole segments.

use super::frame::{self, Read};
use super::{JournalError, error::io_at};
use gatehouse_core::wire::{JournalEntry, JournalId};
use serde::Deserialize;
use std::fs;
use std::path::{Path, PathBuf};

const SUFFIX: &str = ".seg";

/// A segment as the journal keeps it in memory.
#[derive(Debug)]
pub(super) struct Segment {
    pub path: PathBuf,
    /// The seq of its first record (its name).
    pub first_seq: u64,
    /// Its records.
    pub count: u64,
    /// Its size in bytes.
    pub len: u64,
}

impl Segment {
    pub fn new(dir: &Path, first_seq: u64) -> Self {
        Segment {
            path: dir.join(format!("{first_seq:020}{SUFFIX}")),
            first_seq,
            count: 0,
            len: 0,
        }
    }

    /// The seq of its last record (`first_seq - 1` when empty).
    pub fn last_seq(&self) -> u64 {
        self.first_seq + self.count - 1
    }
}

/// The segments in `dir`, oldest first, as named (not yet read).
pub(super) fn list(dir: &Path) -> Result<Vec<Segment>, JournalError> {
    let mut segments = Vec::new();
    for item in fs::read_dir(dir).map_err(io_at(dir))? {
        let item = item.map_err(io_at(dir))?;
        let name = item.file_name();
        let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(SUFFIX)) else {
            continue;
        };
        match stem.parse::<u64>() {
            Ok(first_seq) if first_seq > 0 && stem.len() == 20 => {
                segments.push(Segment::new(dir, first_seq));
            }
            _ => {
                return Err(JournalError::State {
                    path: item.path(),
                    problem: "not a segment name (20 digits, the first seq)".into(),
                });
            }
        }
    }
    segments.sort_by_key(|s| s.first_seq);
    Ok(segments)
}

/// The fields a scan checks; the event is skipped, not built.
#[derive(Deserialize)]
struct Head {
    journal: JournalId,
    seq: u64,
}

/// What reading a segment found.
#[derive(Debug)]
pub(super) struct Scan {
    /// Whole records.
    pub count: u64,
    /// Bytes they take: the file's valid length.
    pub len: u64,
    /// Bytes after them, a torn tail, when the file is longer.
    pub torn: u64,
}

/// Reads `segment` through, checking every record's CRC, journal and seq. A bad record
/// with no good record after it in the last segment is a torn tail (a write cut short by
/// a crash or a power cut, never reported appended); anything else bad is corruption.
pub(super) fn scan(
    segment: &Segment,
    journal: JournalId,
    last: bool,
) -> Result<Scan, JournalError> {
    let buf = fs::read(&segment.path).map_err(io_at(&segment.path))?;
    let corrupt = |offset: usize, problem: String| JournalError::Corrupt {
        path: segment.path.clone(),
        offset: offset as u64,
        problem,
    };
    let mut offset = 0;
    let mut count = 0;
    loop {
        let problem = match frame::read(&buf[offset..]) {
            Read::End => break,
            Read::Record { payload, size } => {
                let head: Head = serde_json::from_slice(payload)
                    .map_err(|e| corrupt(offset, format!("not a journal entry: {e}")))?;
                let expected = segment.first_seq + count;
                if head.journal != journal || head.seq != expected {
                    return Err(corrupt(
                        offset,
                        format!(
                            "entry {}/{} where {journal}/{expected} belongs",
                            head.journal, head.seq
                        ),
                    ));
                }
                offset += size;
                count += 1;
                continue;
            }
            Read::Short => "record cut short",
            Read::Bad(problem) => problem,
        };
        if !last || frame::record_after(&buf, offset) {
            return Err(corrupt(offset, problem.into()));
        }
        break;
    }
    Ok(Scan {
        count,
        len: offset as u64,
        torn: (buf.len() - offset) as u64,
    })
}

/// The entries of `segment` with seqs in `from..=to`, at most `max`.
pub(super) fn entries(
    segment: &Segment,
    from: u64,
    to: u64,
    max: usize,
) -> Result<Vec<JournalEntry>, JournalError> {
    let buf = fs::read(&segment.path).map_err(io_at(&segment.path))?;
    let mut out = Vec::new();
    let mut offset = 0;
    let mut seq = segment.first_seq;
    let to = to.min(segment.last_seq());
    while seq <= to && out.len() < max {
        let corrupt = |problem: String| JournalError::Corrupt {
            path: segment.path.clone(),
            offset: offset as u64,
            problem,
        };
        let Read::Record { payload, size } = frame::read(&buf[offset..]) else {
            return Err(corrupt(format!("seq {seq} changed since it was written")));
        };
        if seq >= from {
            let entry: JournalEntry = serde_json::from_slice(payload)
                .map_err(|e| corrupt(format!("not a journal entry: {e}")))?;
            out.push(entry);
        }
        offset += size;
        seq += 1;
    }
    Ok(out)
}
