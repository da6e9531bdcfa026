//! Searching the events controllers uploaded (`ingest.rs` stores them): by person, door,
//! zone, outcome, reason and time, newest first, a page at a time.

use super::{Store, StoreError};
use gatehouse_core::ids::SiteId;

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
    /// `access`, `door`, `controller_started`, `controller_stopping`, `journal_overflow`.
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
