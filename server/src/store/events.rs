//! Events uploaded by controllers: stored once each, whatever the retries, and chained per
//! controller in the audit log.

use super::audit_log::append_many;
use super::{Store, StoreError};
use gatehouse_core::decide::Holder;
use gatehouse_core::ids::{ControllerId, SiteId};
use gatehouse_core::wire::{Event, JournalEntry, JournalId};

/// The journal id as stored: its 64 bits in a signed column.
fn journal_param(journal: JournalId) -> i64 {
    i64::from_be_bytes(journal.0.to_be_bytes())
}

fn seq_param(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

/// The columns an event is searched by.
struct Columns {
    at: i64,
    kind: &'static str,
    door: Option<i64>,
    zone: Option<i64>,
    person: Option<i64>,
    pass: Option<i64>,
    granted: Option<i64>,
    reason: Option<&'static str>,
}

fn columns(event: &Event) -> Columns {
    let none = |at: i64, kind| Columns {
        at,
        kind,
        door: None,
        zone: None,
        person: None,
        pass: None,
        granted: None,
        reason: None,
    };
    match event {
        Event::Access(d) => Columns {
            at: d.at.0,
            kind: "access",
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
        },
        Event::Door(e) => Columns {
            door: Some(i64::from(e.door.0)),
            ..none(e.at.0, "door")
        },
        Event::ControllerStarted { at } => none(at.0, "controller_started"),
        Event::ControllerStopping { at } => none(at.0, "controller_stopping"),
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
        let mut tx = self.begin_write().await?;
        let mut chained = Vec::new();
        for entry in entries {
            let cols = columns(&entry.event);
            let json = serde_json::to_string(entry).expect("journal entries serialize");
            let inserted = sqlx::query(
                "INSERT INTO events (controller_id, journal_id, seq, site_id, at, kind, door_id, zone_id, person_id, \
                 pass_serial, granted, reason, event, received_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT DO NOTHING",
            )
            .bind(c)
            .bind(j)
            .bind(seq_param(entry.seq))
            .bind(i64::from(site.0))
            .bind(cols.at)
            .bind(cols.kind)
            .bind(cols.door)
            .bind(cols.zone)
            .bind(cols.person)
            .bind(cols.pass)
            .bind(cols.granted)
            .bind(cols.reason)
            .bind(&json)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 1 {
                chained.push(json.into_bytes());
            }
        }
        let backend = self.backend();
        append_many(
            &mut tx,
            backend,
            &format!("controller:{}", controller.0),
            now_ms,
            chained,
        )
        .await?;
        let highest = contiguous_prefix(&mut tx, c, j).await?;
        tx.commit().await?;
        Ok(highest)
    }
}

/// The largest n such that seqs 1..=n of the journal are all stored (0 if seq 1 is not).
async fn contiguous_prefix(
    conn: &mut sqlx::AnyConnection,
    controller: i64,
    journal: i64,
) -> Result<u64, StoreError> {
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
    let end: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(e.seq) FROM events e WHERE e.controller_id = $1 AND e.journal_id = $2 AND NOT EXISTS \
         (SELECT 1 FROM events n WHERE n.controller_id = e.controller_id AND n.journal_id = e.journal_id AND n.seq = e.seq + 1)",
    )
    .bind(controller)
    .bind(journal)
    .fetch_one(&mut *conn)
    .await?;
    Ok(end.map_or(0, i64::unsigned_abs))
}
