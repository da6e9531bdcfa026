//! What the doors decided, as the server receives it from the controllers' journals: one
//! line per event, with the door, the person and the reason.

use gatehouse_core::ids::{PassSerial, PersonId, SiteId};
use gatehouse_server::store::{EventQuery, EventRecord, Store, StoreError};
use std::collections::HashMap;

/// How much older than the newest event shown a newly uploaded one may be and still be
/// shown (Unix ms).
const LATE_MS: i64 = 60_000;

/// The events not shown yet.
#[derive(Debug)]
pub struct Feed {
    store: Store,
    site: SiteId,
    since: i64,
    /// The events shown since `since`, by controller and seq, with their time.
    shown: HashMap<(u64, u64), i64>,
    doors: HashMap<u64, String>,
    controllers: HashMap<u64, String>,
}

impl Feed {
    /// A feed of the events from `since` (Unix ms) on; `doors` and `controllers` name the
    /// doors and controllers by id.
    pub fn new(
        store: Store,
        site: SiteId,
        since: i64,
        doors: HashMap<u64, String>,
        controllers: HashMap<u64, String>,
    ) -> Self {
        Feed {
            store,
            site,
            since,
            shown: HashMap::new(),
            doors,
            controllers,
        }
    }

    /// The lines of the events that arrived since the last call, oldest first.
    pub async fn next_lines(&mut self) -> Result<Vec<String>, StoreError> {
        let query = EventQuery {
            from: Some(self.since),
            limit: 500,
            ..EventQuery::default()
        };
        let (mut events, _) = self.store.search_events(self.site, &query).await?;
        events.retain(|e| !self.shown.contains_key(&(e.controller, e.seq)));
        events.sort_by_key(|e| (e.at, e.controller, e.seq));
        let mut lines = Vec::with_capacity(events.len());
        for event in events {
            self.shown.insert((event.controller, event.seq), event.at);
            lines.push(self.line(&event).await);
        }
        // Each poll reads only the last minute before the newest event shown (an upload
        // may bring an event a little older than one already shown), not the whole run.
        if let Some(&newest) = self.shown.values().max() {
            self.since = self.since.max(newest - LATE_MS);
            let since = self.since;
            self.shown.retain(|_, at| *at >= since);
        }
        Ok(lines)
    }

    async fn line(&self, event: &EventRecord) -> String {
        let time = chrono::DateTime::from_timestamp_millis(event.at)
            .map(|t| t.format("%H:%M:%S").to_string())
            .unwrap_or_default();
        // A door's events name the door; the controller's own name the controller.
        let place = match event.door {
            Some(door) => self.doors.get(&door),
            None => self.controllers.get(&event.controller),
        };
        let place = place.map_or("", String::as_str);
        let what = match event.kind.as_str() {
            "access" => {
                let mark = if event.granted == Some(true) {
                    "OPEN  "
                } else {
                    "closed"
                };
                let who = holder_name(&self.store, self.site, event).await;
                let reason = event.reason.as_deref().unwrap_or("");
                format!("{mark}  {reason:<22} {who}")
            }
            "door" => format!("door    {}", door_event_kind(&event.event)),
            other => other.replace('_', " "),
        };
        format!("  {time}  {place:<12} {what}")
    }
}

/// Whose credential a decision was about: a person's or a visitor's name (the pass serial
/// if the visitor's record is gone), or nothing for an unknown card.
pub async fn holder_name(store: &Store, site: SiteId, event: &EventRecord) -> String {
    if let Some(person) = event.person {
        return match store.person(site, PersonId(person)).await {
            Ok(record) => record.display_name,
            Err(_) => format!("person {person}"),
        };
    }
    let Some(serial) = event.pass_serial else {
        return String::new();
    };
    match store.visitor_pass(site, PassSerial(serial)).await {
        Ok(pass) => match store.visitor(site, pass.visitor).await {
            Ok(visitor) => format!("visitor {}", visitor.display_name),
            Err(_) => format!("visitor pass {serial}"),
        },
        Err(_) => format!("visitor pass {serial}"),
    }
}

/// The kind of a door event (`forced_open`, `tamper`) from the journal entry's JSON.
fn door_event_kind(event: &serde_json::Value) -> String {
    match &event["door"]["kind"] {
        serde_json::Value::String(kind) => kind.clone(),
        serde_json::Value::Object(map) => map.keys().next().cloned().unwrap_or_default(),
        _ => String::new(),
    }
}
