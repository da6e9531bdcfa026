//! Controllers' events in their audit chains: one chain row per upload, committing to the
//! `events` rows that upload stored.
//!
//! The row's payload ([`ChainedEvents`]) names the journal, the seqs stored and the SHA-256
//! of those rows as stored ([`EventDigest`]). `gatehouse audit verify` reads the rows back and
//! computes the digest again, so an `events` row changed, deleted or added directly in the
//! database breaks the chain at the upload that stored it. A copy of each event in the chain
//! (the first design) proved only the copy — the searched table could be edited unnoticed —
//! and cost a second row, with the event's bytes again, per event: the one writer of an
//! embedded database spent a third of its time on it.
//!
//! # The digest
//!
//! ```text
//! SHA-256( "gatehouse-events-v1\0" || row || row || … )   rows in ascending seq
//! row = i64 seq || i64 site || i64 at || str kind || opt door || opt zone || opt person
//!       || opt pass || opt granted || opt-str reason || str event || i64 received_at
//! i64 = 8 bytes big-endian;  str = u64 BE length || UTF-8;
//! opt = 0x00, or 0x01 || i64;  opt-str = 0x00, or 0x01 || str
//! ```
//!
//! Every field is fixed-size, tagged or length-prefixed, so two different rows never encode
//! alike.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const CONTEXT: &[u8] = b"gatehouse-events-v1\0";

/// A chain row's payload in a controller's stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainedEvents {
    /// The journal the events belong to: its 64-bit id as 16 hex digits.
    pub journal: String,
    /// The seqs stored, as inclusive ranges in ascending order.
    pub seqs: Vec<(u64, u64)>,
    /// How many events the ranges hold.
    pub events: u64,
    /// [`EventDigest`] of the stored rows, as hex.
    pub sha256: String,
}

impl ChainedEvents {
    /// The payload for the events of `journal` with these seqs (ascending, distinct) whose
    /// rows hash to `digest`.
    pub fn new(journal: u64, seqs: impl IntoIterator<Item = u64>, digest: [u8; 32]) -> Self {
        let mut ranges: Vec<(u64, u64)> = Vec::new();
        let mut events = 0;
        for seq in seqs {
            events += 1;
            match ranges.last_mut() {
                Some((_, last)) if last.checked_add(1) == Some(seq) => *last = seq,
                _ => ranges.push((seq, seq)),
            }
        }
        ChainedEvents {
            journal: format!("{journal:016x}"),
            seqs: ranges,
            events,
            sha256: hex::encode(digest),
        }
    }

    /// The payload's bytes, as chained.
    pub fn to_payload(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a payload serializes")
    }

    /// Reads a payload; `None` if it is not one.
    pub fn from_payload(payload: &[u8]) -> Option<Self> {
        serde_json::from_slice(payload).ok()
    }

    /// The journal id.
    pub fn journal_id(&self) -> Option<u64> {
        u64::from_str_radix(&self.journal, 16).ok()
    }
}

/// An `events` row, column by column, as the digest reads it.
#[derive(Clone, Copy, Debug)]
pub struct EventRowRef<'a> {
    /// `seq`.
    pub seq: i64,
    /// `site_id`.
    pub site: i64,
    /// `at`.
    pub at: i64,
    /// `kind`.
    pub kind: &'a str,
    /// `door_id`.
    pub door: Option<i64>,
    /// `zone_id`.
    pub zone: Option<i64>,
    /// `person_id`.
    pub person: Option<i64>,
    /// `pass_serial`.
    pub pass: Option<i64>,
    /// `granted`.
    pub granted: Option<i64>,
    /// `reason`.
    pub reason: Option<&'a str>,
    /// `event`: the journal entry as JSON.
    pub event: &'a str,
    /// `received_at`.
    pub received_at: i64,
}

/// The SHA-256 of a run of `events` rows (see the module's comment).
#[derive(Clone)]
pub struct EventDigest(Sha256);

impl std::fmt::Debug for EventDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EventDigest")
    }
}

impl Default for EventDigest {
    fn default() -> Self {
        EventDigest(Sha256::new_with_prefix(CONTEXT))
    }
}

impl EventDigest {
    /// Adds the next row (rows go in ascending seq).
    pub fn add(&mut self, row: &EventRowRef<'_>) {
        let h = &mut self.0;
        let int = |h: &mut Sha256, v: i64| h.update(v.to_be_bytes());
        let text = |h: &mut Sha256, s: &str| {
            h.update((s.len() as u64).to_be_bytes());
            h.update(s.as_bytes());
        };
        let opt = |h: &mut Sha256, v: Option<i64>| match v {
            None => h.update([0]),
            Some(v) => {
                h.update([1]);
                int(h, v);
            }
        };
        int(h, row.seq);
        int(h, row.site);
        int(h, row.at);
        text(h, row.kind);
        opt(h, row.door);
        opt(h, row.zone);
        opt(h, row.person);
        opt(h, row.pass);
        opt(h, row.granted);
        match row.reason {
            None => h.update([0]),
            Some(reason) => {
                h.update([1]);
                text(h, reason);
            }
        }
        text(h, row.event);
        int(h, row.received_at);
    }

    /// The digest.
    pub fn finish(self) -> [u8; 32] {
        self.0.finalize().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(seq: i64, reason: Option<&'static str>) -> EventRowRef<'static> {
        EventRowRef {
            seq,
            site: 1,
            at: 1_700_000_000_000,
            kind: "access",
            door: Some(3),
            zone: None,
            person: Some(42),
            pass: None,
            granted: Some(1),
            reason,
            event: "{}",
            received_at: 1_700_000_000_500,
        }
    }

    fn digest(rows: &[EventRowRef<'_>]) -> [u8; 32] {
        let mut d = EventDigest::default();
        for r in rows {
            d.add(r);
        }
        d.finish()
    }

    #[test]
    fn seqs_become_ranges() {
        let chained = ChainedEvents::new(u64::MAX - 1, [1, 2, 3, 7, 9, 10], [0xab; 32]);
        assert_eq!(chained.journal, "fffffffffffffffe");
        assert_eq!(chained.journal_id(), Some(u64::MAX - 1));
        assert_eq!(chained.seqs, vec![(1, 3), (7, 7), (9, 10)]);
        assert_eq!(chained.events, 6);
        let payload = chained.to_payload();
        assert_eq!(
            String::from_utf8(payload.clone()).unwrap(),
            format!(
                r#"{{"journal":"fffffffffffffffe","seqs":[[1,3],[7,7],[9,10]],"events":6,"sha256":"{}"}}"#,
                "ab".repeat(32)
            )
        );
        assert_eq!(ChainedEvents::from_payload(&payload), Some(chained));
        assert_eq!(ChainedEvents::from_payload(b"{\"seq\":1}"), None);
    }

    #[test]
    fn every_column_and_the_order_count() {
        let base = digest(&[row(1, Some("granted")), row(2, None)]);
        assert_eq!(base, digest(&[row(1, Some("granted")), row(2, None)]));
        assert_ne!(base, digest(&[row(2, None), row(1, Some("granted"))]));
        assert_ne!(base, digest(&[row(1, Some("granted"))]));
        let mut changed = row(2, None);
        changed.granted = Some(0);
        assert_ne!(base, digest(&[row(1, Some("granted")), changed]));
        // A NULL and an empty reason differ, as do a NULL and a zero door.
        assert_ne!(digest(&[row(1, None)]), digest(&[row(1, Some(""))]));
        let mut no_door = row(1, None);
        no_door.door = None;
        let mut door_zero = row(1, None);
        door_zero.door = Some(0);
        assert_ne!(digest(&[no_door]), digest(&[door_zero]));
    }
}
