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

/// A search of the events.
#[derive(Clone, Debug, Default)]
pub struct EventQuery {
    /// Only this person's.
    pub person: Option<u64>,
    /// Only at this door.
    pub door: Option<u32>,
    /// Only into this zone.
    pub zone: Option<u32>,
    /// Only granted (true) or denied (false) decisions.
    pub granted: Option<bool>,
    /// Only decisions with this reason code.
    pub reason: Option<String>,
    /// From this time (Unix ms, inclusive).
    pub from: Option<i64>,
    /// Until this time (Unix ms, exclusive).
    pub to: Option<i64>,
    /// After this cursor (from the previous page).
    pub after: Option<EventCursor>,
    /// At most this many.
    pub limit: u32,
}

/// Where a page of events ended: newest first, so the next page is older.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventCursor {
    /// Event time.
    pub at: i64,
    /// Controller.
    pub controller: i64,
    /// Journal (as stored).
    pub journal: i64,
    /// Seq.
    pub seq: i64,
}

impl std::fmt::Display for EventCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}.{}.{}.{}",
            self.at, self.controller, self.journal, self.seq
        )
    }
}

impl std::str::FromStr for EventCursor {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let parts: Vec<i64> = s
            .split('.')
            .map(|p| p.parse().map_err(|_| ()))
            .collect::<Result<_, _>>()?;
        match parts.as_slice() {
            [at, controller, journal, seq] => Ok(EventCursor {
                at: *at,
                controller: *controller,
                journal: *journal,
                seq: *seq,
            }),
            _ => Err(()),
        }
    }
}

/// A stored event, as searched.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EventRecord {
    /// The controller that journaled it.
    pub controller: u64,
    /// Its seq in the controller's journal.
    pub seq: u64,
    /// When (Unix ms).
    pub at: i64,
    /// `access`, `door`, `controller_started`, `controller_stopping`.
    pub kind: String,
    /// The door.
    pub door: Option<u64>,
    /// The zone behind it.
    pub zone: Option<u64>,
    /// The person (pseudonymous id).
    pub person: Option<u64>,
    /// The visitor pass serial.
    pub pass_serial: Option<u64>,
    /// Whether the door opened (access events).
    pub granted: Option<bool>,
    /// The reason code (access events).
    pub reason: Option<String>,
    /// The journal entry as the controller sent it.
    #[schema(value_type = Object)]
    pub event: serde_json::Value,
}

impl Store {
    /// Events matching `q`, newest first, and the cursor of the next page if there is one.
    pub async fn search_events(
        &self,
        site: SiteId,
        q: &EventQuery,
    ) -> Result<(Vec<EventRecord>, Option<EventCursor>), StoreError> {
        use sqlx::Row;
        // Each filter adds its condition and its parameter, numbered in order.
        let mut conditions = vec!["site_id = $1".to_string()];
        let mut params: Vec<Param> = vec![Param::Int(i64::from(site.0))];
        let mut add = |cond: &str, p: Param| {
            params.push(p);
            conditions.push(cond.replace('?', &format!("${}", params.len())));
        };
        if let Some(p) = q.person {
            add(
                "person_id = ?",
                Param::Int(i64::try_from(p).unwrap_or(i64::MAX)),
            )
        }
        if let Some(d) = q.door {
            add("door_id = ?", Param::Int(i64::from(d)))
        }
        if let Some(z) = q.zone {
            add("zone_id = ?", Param::Int(i64::from(z)))
        }
        if let Some(g) = q.granted {
            add("granted = ?", Param::Int(i64::from(g)))
        }
        if let Some(r) = &q.reason {
            add("reason = ?", Param::Text(r.clone()))
        }
        if let Some(f) = q.from {
            add("at >= ?", Param::Int(f))
        }
        if let Some(t) = q.to {
            add("at < ?", Param::Int(t))
        }
        if let Some(c) = q.after {
            params.push(Param::Int(c.at));
            params.push(Param::Int(c.controller));
            params.push(Param::Int(c.journal));
            params.push(Param::Int(c.seq));
            let n = params.len();
            conditions.push(format!(
                "(at, controller_id, journal_id, seq) < (${}, ${}, ${}, ${})",
                n - 3,
                n - 2,
                n - 1,
                n
            ));
        }
        params.push(Param::Int(i64::from(q.limit) + 1));
        let sql = format!(
            "SELECT controller_id, journal_id, seq, at, kind, door_id, zone_id, person_id, pass_serial, granted, reason, event \
             FROM events WHERE {} ORDER BY at DESC, controller_id DESC, journal_id DESC, seq DESC LIMIT ${}",
            conditions.join(" AND "),
            params.len()
        );
        let mut query = sqlx::query(&sql);
        for p in params {
            query = match p {
                Param::Int(v) => query.bind(v),
                Param::Text(v) => query.bind(v),
            };
        }
        let rows = query.fetch_all(self.pool()).await?;
        let mut items = Vec::with_capacity(rows.len());
        let mut cursor = None;
        for (i, row) in rows.iter().enumerate() {
            if i == q.limit as usize {
                break;
            }
            let opt = |c: &str| {
                row.try_get::<Option<i64>, _>(c)
                    .map(|v| v.map(i64::unsigned_abs))
            };
            let event: String = row.try_get("event")?;
            cursor = Some(EventCursor {
                at: row.try_get("at")?,
                controller: row.try_get("controller_id")?,
                journal: row.try_get("journal_id")?,
                seq: row.try_get("seq")?,
            });
            items.push(EventRecord {
                controller: row.try_get::<i64, _>("controller_id")?.unsigned_abs(),
                seq: row.try_get::<i64, _>("seq")?.unsigned_abs(),
                at: row.try_get("at")?,
                kind: row.try_get("kind")?,
                door: opt("door_id")?,
                zone: opt("zone_id")?,
                person: opt("person_id")?,
                pass_serial: opt("pass_serial")?,
                granted: row.try_get::<Option<i64>, _>("granted")?.map(|g| g != 0),
                reason: row.try_get("reason")?,
                event: serde_json::from_str(&event)
                    .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            });
        }
        let more = rows.len() > q.limit as usize;
        Ok((items, if more { cursor } else { None }))
    }
}

/// A query parameter of one of the two types the filters use.
enum Param {
    Int(i64),
    Text(String),
}
