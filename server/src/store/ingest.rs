//! Events uploaded by controllers: stored once each, whatever the retries, chained per
//! controller in the audit log, and acknowledged up to the first gap in the journal.
//!
//! Writing an upload, under its controller's lock: one query finds which of its seqs are
//! stored already, the new rows go in with multi-row INSERTs, one row of the controller's
//! audit chain commits to them (their digest, `crate::audit::ChainedEvents`), and the
//! acknowledgement continues from
//! where the journal's last one stopped (`event_journals`) instead of scanning the
//! journal. On PostgreSQL each upload is a transaction and uploads run concurrently; on
//! SQLite, whose single writer is the limit, uploads that arrive together share one
//! transaction (group commit, [`Store::ingest_events`]).

use super::audit_log::{append, lock_stream};
use super::multi_row::insert_sql;
use super::{Backend, Store, StoreError};
use crate::audit::{ChainedEvents, EventDigest, EventRowRef};
use gatehouse_core::decide::Holder;
use gatehouse_core::ids::{ControllerId, SiteId};
use gatehouse_core::wire::{Event, JournalEntry, JournalId};
use sqlx::AnyConnection;
use std::collections::HashSet;
use tokio::sync::oneshot;

/// Rows per INSERT: 14 parameters a row stay far below SQLite's 32,766, and an upload of
/// up to 500 entries is one statement.
const ROWS_PER_INSERT: usize = 500;

/// The journal id as stored: its 64 bits in a signed column.
fn journal_param(journal: JournalId) -> i64 {
    i64::from_be_bytes(journal.0.to_be_bytes())
}

fn seq_param(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

/// An entry as its row: the columns it is searched by, and the entry as JSON.
#[derive(Debug)]
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
        Event::JournalOverflow { first_at, .. } => bare(first_at.0, "journal_overflow", json),
    }
}

/// An upload, ready to write: its rows built (and serialized) before any lock is taken.
#[derive(Debug)]
struct Upload {
    site: i64,
    controller: i64,
    journal_id: JournalId,
    /// The journal id as stored.
    journal: i64,
    stream: String,
    now_ms: i64,
    /// Its entries' seqs.
    seqs: HashSet<i64>,
    rows: Vec<EventRow>,
}

impl Upload {
    fn new(
        site: SiteId,
        controller: ControllerId,
        journal: JournalId,
        entries: &[JournalEntry],
        now_ms: i64,
    ) -> Self {
        // A seq named twice in one upload counts once, the first time, as a retry would.
        let mut seqs = HashSet::with_capacity(entries.len());
        let rows = entries
            .iter()
            .filter(|e| seqs.insert(seq_param(e.seq)))
            .map(event_row)
            .collect();
        Upload {
            site: i64::from(site.0),
            controller: i64::from(controller.0),
            journal_id: journal,
            journal: journal_param(journal),
            stream: format!("controller:{}", controller.0),
            now_ms,
            seqs,
            rows,
        }
    }

    /// A row as it is stored, for the chain's digest.
    fn stored<'a>(&self, r: &'a EventRow) -> EventRowRef<'a> {
        EventRowRef {
            seq: r.seq,
            site: self.site,
            at: r.at,
            kind: r.kind,
            door: r.door,
            zone: r.zone,
            person: r.person,
            pass: r.pass,
            granted: r.granted,
            reason: r.reason,
            event: &r.json,
            received_at: self.now_ms,
        }
    }
}

/// Uploads waiting for SQLite's writer, written together by whichever of them gets its
/// turn first (group commit).
#[derive(Default)]
pub(crate) struct IngestQueue(std::sync::Mutex<Vec<Waiting>>);

struct Waiting {
    upload: Upload,
    done: oneshot::Sender<Result<u64, StoreError>>,
}

impl std::fmt::Debug for IngestQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IngestQueue")
    }
}

impl IngestQueue {
    fn push(&self, waiting: Waiting) {
        self.0.lock().expect("ingest queue").push(waiting);
    }

    fn take(&self) -> Vec<Waiting> {
        std::mem::take(&mut *self.0.lock().expect("ingest queue"))
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
        let upload = Upload::new(site, controller, journal, entries, now_ms);
        match self.backend() {
            Backend::Postgres => {
                let mut tx = self.begin_write().await?;
                let highest = write(&mut tx, Backend::Postgres, &upload).await?;
                tx.commit().await?;
                Ok(highest)
            }
            Backend::Sqlite => self.ingest_together(upload).await,
        }
    }

    /// SQLite: uploads that arrive while another is being written queue up, and the first
    /// of them to get the writer's turn writes them all in one transaction. A transaction
    /// of 500 events dirties nearly as many index pages as one of 4,000 (the person and
    /// door indexes take each row somewhere else), and every page goes to the WAL and back
    /// at the checkpoint, so with several controllers uploading at once this more than
    /// doubles what one writer stores per second. PostgreSQL writes uploads concurrently.
    async fn ingest_together(&self, upload: Upload) -> Result<u64, StoreError> {
        let (done, mut answer) = oneshot::channel();
        self.ingest_queue.push(Waiting { upload, done });
        let turn = tokio::select! {
            // An earlier turn took this upload along.
            result = &mut answer => return Self::answered(result),
            turn = self.writer.clone().lock_owned() => turn,
        };
        let group = self.ingest_queue.take();
        if !group.is_empty() {
            // On a task of its own, so a caller that goes away (a dropped connection)
            // cannot leave the others of its group without an answer.
            let store = self.clone();
            tokio::spawn(async move {
                store.write_group(group).await;
                drop(turn);
            });
        }
        Self::answered(answer.await)
    }

    fn answered(
        result: Result<Result<u64, StoreError>, oneshot::error::RecvError>,
    ) -> Result<u64, StoreError> {
        result.map_err(|_| StoreError::Database(sqlx::Error::WorkerCrashed))?
    }

    /// Writes a group of uploads in one transaction (the caller holds the writer's turn);
    /// if that fails, each one alone, so one bad upload does not fail the others.
    async fn write_group(&self, group: Vec<Waiting>) {
        if group.len() > 1 {
            let uploads: Vec<&Upload> = group.iter().map(|w| &w.upload).collect();
            if let Ok(highest) = self.write_uploads(&uploads).await {
                for (waiting, highest) in group.into_iter().zip(highest) {
                    waiting.done.send(Ok(highest)).ok();
                }
                return;
            }
        }
        for waiting in group {
            let result = self.write_uploads(&[&waiting.upload]).await;
            waiting.done.send(result.map(|h| h[0])).ok();
        }
    }

    async fn write_uploads(&self, uploads: &[&Upload]) -> Result<Vec<u64>, StoreError> {
        // IMMEDIATE: the write lock from the start. The writer's turn keeps the store's
        // other transactions out, but not its single-statement writes (nonces, last seen);
        // one of those committing between this transaction's first read and its first
        // write would make SQLite refuse the write (SQLITE_BUSY_SNAPSHOT).
        let mut tx = self.write_pool().begin_with("BEGIN IMMEDIATE").await?;
        let mut highest = Vec::with_capacity(uploads.len());
        for upload in uploads {
            highest.push(write(&mut tx, Backend::Sqlite, upload).await?);
        }
        tx.commit().await?;
        Ok(highest)
    }
}

/// Writes one upload in the caller's transaction; the highest seq stored without a gap.
async fn write(conn: &mut AnyConnection, backend: Backend, u: &Upload) -> Result<u64, StoreError> {
    // One upload per controller at a time (SQLite has one writer anyway): the chain's
    // head and the journal's acknowledgement cannot move under this one.
    lock_stream(conn, backend, &u.stream).await?;
    let stored = already_stored(conn, u.controller, u.journal, &u.rows).await?;
    let mut new: Vec<&EventRow> = u.rows.iter().filter(|r| !stored.contains(&r.seq)).collect();
    if !new.is_empty() {
        // In seq order, as the chain's digest takes them and `audit verify` reads them back.
        new.sort_unstable_by_key(|r| r.seq);
        for chunk in new.chunks(ROWS_PER_INSERT) {
            insert(conn, backend, u, chunk).await?;
        }
        let mut digest = EventDigest::default();
        for r in &new {
            digest.add(&u.stored(r));
        }
        let chained = ChainedEvents::new(
            u.journal_id.0,
            new.iter().map(|r| r.seq.unsigned_abs()),
            digest.finish(),
        );
        append(conn, backend, &u.stream, u.now_ms, chained.to_payload()).await?;
    }
    acknowledge(conn, u.controller, u.journal, &u.seqs).await
}

/// Inserts rows (none of them stored yet: the caller holds the controller's lock).
async fn insert(
    conn: &mut AnyConnection,
    backend: Backend,
    u: &Upload,
    rows: &[&EventRow],
) -> Result<(), StoreError> {
    let sql = insert_sql(backend, "events", &EVENT_COLUMNS, rows.len());
    let mut query = sqlx::query(&sql);
    for r in rows {
        query = query
            .bind(u.controller)
            .bind(u.journal)
            .bind(r.seq)
            .bind(u.site)
            .bind(r.at)
            .bind(r.kind)
            .bind(r.door)
            .bind(r.zone)
            .bind(r.person)
            .bind(r.pass)
            .bind(r.granted)
            .bind(r.reason)
            .bind(r.json.as_str())
            .bind(u.now_ms);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// The seqs of `rows` that are stored already (a retried or overlapping upload), read as
/// ranges of the journal's key: a range scan of the primary key whatever the planner's
/// statistics say (PostgreSQL, with a table grown since its last ANALYZE, turned a list of
/// 500 seqs into a scan of the whole journal). Seqs far apart get ranges of their own, so
/// an odd upload cannot make the server read a long stretch of the journal.
async fn already_stored(
    conn: &mut AnyConnection,
    controller: i64,
    journal: i64,
    rows: &[EventRow],
) -> Result<HashSet<i64>, StoreError> {
    let mut seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
    seqs.sort_unstable();
    let mut ranges: Vec<(i64, i64)> = Vec::new();
    for seq in seqs {
        match ranges.last_mut() {
            Some((_, end)) if seq - *end <= MAX_RANGE_GAP => *end = seq,
            _ => ranges.push((seq, seq)),
        }
    }
    let mut stored = HashSet::new();
    for (first, last) in ranges {
        let found: Vec<i64> = sqlx::query_scalar(
            "SELECT seq FROM events WHERE controller_id = $1 AND journal_id = $2 \
             AND seq >= $3 AND seq <= $4",
        )
        .bind(controller)
        .bind(journal)
        .bind(first)
        .bind(last)
        .fetch_all(&mut *conn)
        .await?;
        stored.extend(found);
    }
    Ok(stored)
}

const EVENT_COLUMNS: [&str; 14] = [
    "controller_id",
    "journal_id",
    "seq",
    "site_id",
    "at",
    "kind",
    "door_id",
    "zone_id",
    "person_id",
    "pass_serial",
    "granted",
    "reason",
    "event",
    "received_at",
];

/// The widest run of absent seqs one range of [`already_stored`] reads across.
const MAX_RANGE_GAP: i64 = 64;

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
