//! Events uploaded by controllers: stored once each, whatever the retries, chained per
//! controller in the audit log, and acknowledged up to the first gap in the journal.
//!
//! An upload is one transaction: the rows go in with multi-row INSERTs (the database says
//! which were new), the chain links of the new ones are computed in memory and inserted the
//! same way, and the acknowledgement continues from where the journal's last one stopped
//! (`event_journals`) instead of scanning the journal.

use super::audit_log::{append_many, lock_stream};
use super::{Store, StoreError};
use gatehouse_core::decide::Holder;
use gatehouse_core::ids::{ControllerId, SiteId};
use gatehouse_core::wire::{Event, JournalEntry, JournalId};
use sqlx::AnyConnection;
use std::collections::HashSet;
use std::fmt::Write;

/// Rows per INSERT: 10 parameters a row and 4 shared stay far below SQLite's 32,766, and
/// an upload of up to 500 entries is one statement.
const ROWS_PER_INSERT: usize = 500;

/// The journal id as stored: its 64 bits in a signed column.
fn journal_param(journal: JournalId) -> i64 {
    i64::from_be_bytes(journal.0.to_be_bytes())
}

fn seq_param(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

/// An entry as its row: the columns it is searched by, and the entry as JSON (which is
/// also its payload in the audit chain).
struct EventRow {
    seq: i64,
    at: i64,
    kind: &'static str,
    door: Option<i64>,
    zone: Option<i64>,
    person: Option<i64>,
    pass: Option<i64>,
    granted: Option<i64>,
    reason: Option<&'static str>,
    json: String,
}

fn event_row(entry: &JournalEntry) -> EventRow {
    let json = serde_json::to_string(entry).expect("journal entries serialize");
    let seq = seq_param(entry.seq);
    let bare = |at: i64, kind, json| EventRow {
        seq,
        at,
        kind,
        door: None,
        zone: None,
        person: None,
        pass: None,
        granted: None,
        reason: None,
        json,
    };
    match &entry.event {
        Event::Access(d) => EventRow {
            door: Some(i64::from(d.door.0)),
            zone: d.zone.map(|z| i64::from(z.0)),
            person: match d.holder {
                Some(Holder::Person(p)) => i64::try_from(p.0).ok(),
                _ => None,
            },
            pass: match d.holder {
                Some(Holder::Visitor(s)) => i64::try_from(s.0).ok(),
                _ => None,
            },
            granted: Some(i64::from(d.granted())),
            reason: Some(d.reason.code()),
            ..bare(d.at.0, "access", json)
        },
        Event::Door(e) => EventRow {
            door: Some(i64::from(e.door.0)),
            ..bare(e.at.0, "door", json)
        },
        Event::ControllerStarted { at } => bare(at.0, "controller_started", json),
        Event::ControllerStopping { at } => bare(at.0, "controller_stopping", json),
    }
}

impl Store {
    /// Stores a controller's journal entries, each once: entries already stored (a retried
    /// upload) are skipped, new ones are chained in the controller's audit stream in the same
    /// transaction. Returns the highest seq of `journal` up to which every entry is stored.
    pub async fn ingest_events(
        &self,
        site: SiteId,
        controller: ControllerId,
        journal: JournalId,
        entries: &[JournalEntry],
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        let c = i64::from(controller.0);
        let j = journal_param(journal);
        // A seq named twice in one upload counts once, the first time, as a retry would.
        let mut seqs = HashSet::with_capacity(entries.len());
        let rows: Vec<EventRow> = entries
            .iter()
            .filter(|e| seqs.insert(seq_param(e.seq)))
            .map(event_row)
            .collect();
        let stream = format!("controller:{}", controller.0);
        let backend = self.backend();
        let mut tx = self.begin_write().await?;
        // One upload per controller at a time (SQLite has one writer anyway): the chain's
        // head and the journal's acknowledgement cannot move under this one.
        lock_stream(&mut tx, backend, &stream).await?;
        let mut new = HashSet::with_capacity(rows.len());
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            new.extend(insert(&mut tx, (c, j, i64::from(site.0), now_ms), chunk).await?);
        }
        let payloads = rows
            .into_iter()
            .filter(|r| new.contains(&r.seq))
            .map(|r| r.json.into_bytes())
            .collect();
        append_many(&mut tx, backend, &stream, now_ms, payloads).await?;
        let highest = acknowledge(&mut tx, c, j, &seqs).await?;
        tx.commit().await?;
        Ok(highest)
    }
}

/// Inserts the rows that are not stored yet; returns the seqs of those it inserted.
/// Controller, journal, site and reception time are `$1`–`$4` in every row; each row's own
/// parameters follow in order (see the rule on `$N` in the store's module docs).
async fn insert(
    conn: &mut AnyConnection,
    (controller, journal, site, received_at): (i64, i64, i64, i64),
    rows: &[EventRow],
) -> Result<Vec<i64>, StoreError> {
    let mut sql = String::with_capacity(200 + rows.len() * 64);
    sql.push_str(
        "INSERT INTO events (controller_id, journal_id, site_id, received_at, seq, at, kind, \
         door_id, zone_id, person_id, pass_serial, granted, reason, event) VALUES ",
    );
    for i in 0..rows.len() {
        sql.push_str(if i == 0 {
            "($1, $2, $3, $4"
        } else {
            ", ($1, $2, $3, $4"
        });
        for k in 0..10 {
            write!(sql, ", ${}", 5 + 10 * i + k).expect("to a String");
        }
        sql.push(')');
    }
    sql.push_str(" ON CONFLICT DO NOTHING RETURNING seq");
    let mut query = sqlx::query_scalar(&sql)
        .bind(controller)
        .bind(journal)
        .bind(site)
        .bind(received_at);
    for r in rows {
        query = query
            .bind(r.seq)
            .bind(r.at)
            .bind(r.kind)
            .bind(r.door)
            .bind(r.zone)
            .bind(r.person)
            .bind(r.pass)
            .bind(r.granted)
            .bind(r.reason)
            .bind(r.json.as_str());
    }
    Ok(query.fetch_all(&mut *conn).await?)
}

/// Moves the journal's acknowledgement on past `uploaded` (all stored now) and past what
/// earlier uploads stored ahead of a gap, and returns it: the largest n such that seqs
/// 1..=n are all stored. Reads only from the previous acknowledgement on.
async fn acknowledge(
    conn: &mut AnyConnection,
    controller: i64,
    journal: i64,
    uploaded: &HashSet<i64>,
) -> Result<u64, StoreError> {
    let before: Option<i64> = sqlx::query_scalar(
        "SELECT stored_to FROM event_journals WHERE controller_id = $1 AND journal_id = $2",
    )
    .bind(controller)
    .bind(journal)
    .fetch_optional(&mut *conn)
    .await?;
    let mut to = before.unwrap_or(0);
    while to < i64::MAX && uploaded.contains(&(to + 1)) {
        to += 1;
    }
    let to = stored_run_end(conn, controller, journal, to).await?;
    if before != Some(to) {
        sqlx::query(
            "INSERT INTO event_journals (controller_id, journal_id, stored_to) VALUES ($1, $2, $3) \
             ON CONFLICT (controller_id, journal_id) DO UPDATE SET stored_to = excluded.stored_to",
        )
        .bind(controller)
        .bind(journal)
        .bind(to)
        .execute(&mut *conn)
        .await?;
    }
    Ok(to.unsigned_abs())
}

/// Given that seqs 1..=`from` are stored, the end of the stored run that continues from
/// there: the first stored seq at or after `from` whose successor is missing (0 when seq
/// 1 is missing).
async fn stored_run_end(
    conn: &mut AnyConnection,
    controller: i64,
    journal: i64,
    from: i64,
) -> Result<i64, StoreError> {
    if from == 0 {
        let first: Option<i64> = sqlx::query_scalar(
            "SELECT seq FROM events WHERE controller_id = $1 AND journal_id = $2 AND seq = 1",
        )
        .bind(controller)
        .bind(journal)
        .fetch_optional(&mut *conn)
        .await?;
        if first.is_none() {
            return Ok(0);
        }
    }
    let end: Option<i64> = sqlx::query_scalar(
        "SELECT e.seq FROM events e WHERE e.controller_id = $1 AND e.journal_id = $2 \
         AND e.seq >= $3 AND NOT EXISTS (SELECT 1 FROM events n WHERE n.controller_id = $1 \
         AND n.journal_id = $2 AND n.seq = e.seq + 1) ORDER BY e.seq LIMIT 1",
    )
    .bind(controller)
    .bind(journal)
    .bind(from.max(1))
    .fetch_optional(&mut *conn)
    .await?;
    Ok(end.unwrap_or(from))
}

impl Store {
    /// How far a controller's journal is stored without a gap (0 for a journal never
    /// uploaded): entries up to it were seen before.
    pub async fn journal_stored_to(
        &self,
        controller: ControllerId,
        journal: JournalId,
    ) -> Result<u64, StoreError> {
        let to: Option<i64> = sqlx::query_scalar(
            "SELECT stored_to FROM event_journals WHERE controller_id = $1 AND journal_id = $2",
        )
        .bind(i64::from(controller.0))
        .bind(journal_param(journal))
        .fetch_optional(self.pool())
        .await?;
        Ok(to.map_or(0, i64::unsigned_abs))
    }
}
