//! Checking a stream of the audit log as stored: its chain, page by page, against the signed
//! checkpoints, and for a controller's stream the `events` rows each chain row accounts for
//! (`crate::audit::ChainedEvents`) — what `gatehouse audit verify` reports.

use super::{Store, StoreError};
use crate::audit::{
    ChainBreak, ChainedEvents, Checkpoint, EventDigest, EventRowRef, Head, Verifier,
};

/// Chain rows read per query: a long chain is checked page by page.
const PAGE: u32 = 10_000;

/// A stream that checked out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifiedStream {
    /// Its chain rows.
    pub rows: u64,
    /// Its head (`None` for a stream with no rows).
    pub head: Option<Head>,
}

/// An `events` row as read back for the digest.
type StoredRow = (
    i64,
    i64,
    i64,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    String,
    i64,
);

impl Store {
    /// Checks `stream` against `checkpoints` (their signatures checked by the caller): the
    /// outer error is the database's, the inner one the first problem found.
    pub async fn verify_audit_stream(
        &self,
        stream: &str,
        checkpoints: &[&Checkpoint],
    ) -> Result<Result<VerifiedStream, ChainBreak>, StoreError> {
        let controller = controller_of(stream);
        let mut verifier = Verifier::new(stream, checkpoints.iter().copied());
        let (mut after, mut rows, mut chained) = (0, 0u64, 0u64);
        loop {
            let page = self.audit_entries(stream, after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for entry in &page {
                if let Err(e) = verifier.push(entry) {
                    return Ok(Err(e));
                }
                if let Some(controller) = controller {
                    let Some(events) = ChainedEvents::from_payload(&entry.payload) else {
                        return Ok(Err(ChainBreak::NotEvents {
                            stream: stream.to_string(),
                            seq: entry.seq,
                        }));
                    };
                    if let Some(found) = self.events_differ(controller, &events).await? {
                        return Ok(Err(ChainBreak::EventsChanged {
                            stream: stream.to_string(),
                            seq: entry.seq,
                            expected: events.events,
                            found,
                        }));
                    }
                    chained += events.events;
                }
                rows += 1;
            }
        }
        let head = match verifier.finish() {
            Ok(head) => head,
            Err(e) => return Ok(Err(e)),
        };
        if let Some(controller) = controller {
            let stored: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE controller_id = $1")
                    .bind(controller)
                    .fetch_one(self.pool())
                    .await?;
            let stored = stored.unsigned_abs();
            if stored != chained {
                return Ok(Err(ChainBreak::UnchainedEvents {
                    stream: stream.to_string(),
                    chained,
                    stored,
                }));
            }
        }
        Ok(Ok(VerifiedStream { rows, head }))
    }

    /// Reads back the events a chain row accounts for and compares them with it: `None` if
    /// they are as it says, else how many of them were found.
    async fn events_differ(
        &self,
        controller: i64,
        events: &ChainedEvents,
    ) -> Result<Option<u64>, StoreError> {
        let mut found = 0u64;
        let mut digest = EventDigest::default();
        let journal = events
            .journal_id()
            .map(|j| i64::from_be_bytes(j.to_be_bytes()));
        for &(first, last) in journal.map_or(&[][..], |_| &events.seqs) {
            let rows: Vec<StoredRow> = sqlx::query_as(
                "SELECT seq, site_id, at, kind, door_id, zone_id, person_id, pass_serial, \
                 granted, reason, event, received_at FROM events \
                 WHERE controller_id = $1 AND journal_id = $2 AND seq >= $3 AND seq <= $4 \
                 ORDER BY seq",
            )
            .bind(controller)
            .bind(journal)
            .bind(i64::try_from(first).unwrap_or(i64::MAX))
            .bind(i64::try_from(last).unwrap_or(i64::MAX))
            .fetch_all(self.pool())
            .await?;
            for r in &rows {
                found += 1;
                digest.add(&EventRowRef {
                    seq: r.0,
                    site: r.1,
                    at: r.2,
                    kind: &r.3,
                    door: r.4,
                    zone: r.5,
                    person: r.6,
                    pass: r.7,
                    granted: r.8,
                    reason: r.9.as_deref(),
                    event: &r.10,
                    received_at: r.11,
                });
            }
        }
        let intact = found == events.events && hex::encode(digest.finish()) == events.sha256;
        Ok((!intact).then_some(found))
    }
}

/// The controller whose events a stream chains: `controller:<id>`.
fn controller_of(stream: &str) -> Option<i64> {
    stream.strip_prefix("controller:")?.parse().ok()
}
