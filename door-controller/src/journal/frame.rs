//! One record on disk: `len: u32 LE | crc32(payload): u32 LE | payload`, the payload being
//! the JSON of a `JournalEntry` (core's events are tagged enums, which JSON encodes and
//! postcard cannot). A record cut short or garbled fails the length or CRC check.

use gatehouse_core::wire::{Event, JournalId};
use serde::Serialize;

/// Bytes before the payload.
pub(super) const HEADER: usize = 8;
/// The largest payload: events are a few hundred bytes, so a larger length is garbage.
pub(super) const MAX_PAYLOAD: usize = 16 * 1024;
/// Every payload starts so (the fields of `JournalEntry` in order): lets a scan past a bad
/// record find whether a good one follows.
pub(super) const PAYLOAD_START: &[u8] = b"{\"journal\":";

/// A `JournalEntry` borrowing its event: the same JSON, without a clone.
#[derive(Serialize)]
struct EntryRef<'a> {
    journal: JournalId,
    seq: u64,
    event: &'a Event,
}

/// The record of an entry, or the payload's length when it is too large.
pub(super) fn encode(journal: JournalId, seq: u64, event: &Event) -> Result<Vec<u8>, usize> {
    let payload = serde_json::to_vec(&EntryRef {
        journal,
        seq,
        event,
    })
    .expect("events serialize");
    if payload.len() > MAX_PAYLOAD {
        return Err(payload.len());
    }
    let len = u32::try_from(payload.len()).expect("bounded by MAX_PAYLOAD");
    let mut record = Vec::with_capacity(HEADER + payload.len());
    record.extend_from_slice(&len.to_le_bytes());
    record.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    record.extend_from_slice(&payload);
    Ok(record)
}

/// What starts at some offset of a segment.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Read<'a> {
    /// The end of the file, exactly.
    End,
    /// A whole record whose CRC matches.
    Record {
        /// Its payload.
        payload: &'a [u8],
        /// Its size with the header.
        size: usize,
    },
    /// The record runs past the end of the file.
    Short,
    /// The header or the CRC is wrong.
    Bad(&'static str),
}

/// Reads the record at the start of `buf`.
pub(super) fn read(buf: &[u8]) -> Read<'_> {
    if buf.is_empty() {
        return Read::End;
    }
    let Some((header, rest)) = buf.split_first_chunk::<HEADER>() else {
        return Read::Short;
    };
    let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
    let crc = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
    if len == 0 || len > MAX_PAYLOAD {
        return Read::Bad("impossible length");
    }
    let Some(payload) = rest.get(..len) else {
        return Read::Short;
    };
    if crc32fast::hash(payload) != crc {
        return Read::Bad("checksum mismatch");
    }
    Read::Record {
        payload,
        size: HEADER + len,
    }
}

/// Whether a whole, checksummed record starts anywhere in `buf` after `offset`.
pub(super) fn record_after(buf: &[u8], offset: usize) -> bool {
    let from = offset + 1 + HEADER;
    let Some(tail) = buf.get(from..) else {
        return false;
    };
    tail.windows(PAYLOAD_START.len())
        .enumerate()
        .filter(|(_, w)| *w == PAYLOAD_START)
        .any(|(i, _)| matches!(read(&buf[from + i - HEADER..]), Read::Record { .. }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use gatehouse_core::time::Timestamp;

    fn record() -> Vec<u8> {
        encode(
            JournalId(9),
            1,
            &Event::ControllerStarted { at: Timestamp(5) },
        )
        .unwrap()
    }

    #[test]
    fn a_record_reads_back_and_any_cut_is_short() {
        let r = record();
        assert_eq!(
            read(&r),
            Read::Record {
                payload: &r[HEADER..],
                size: r.len()
            }
        );
        assert!(r[HEADER..].starts_with(PAYLOAD_START));
        for cut in 1..r.len() {
            assert_eq!(read(&r[..cut]), Read::Short, "cut at {cut}");
        }
    }

    #[test]
    fn a_flipped_bit_or_zeroes_are_bad() {
        let mut r = record();
        r[HEADER + 3] ^= 1;
        assert_eq!(read(&r), Read::Bad("checksum mismatch"));
        assert_eq!(read(&[0; 64]), Read::Bad("impossible length"));
    }

    #[test]
    fn a_record_is_found_after_garbage() {
        let mut buf = vec![7; 20];
        assert!(!record_after(&buf, 0));
        buf.extend(record());
        assert!(record_after(&buf, 0));
        assert!(!record_after(&buf, 20));
    }
}
