//! Prometheus metrics, scraped at `GET /metrics` by a user allowed to read events (an API
//! token in `Authorization: Bearer …`): the numbers describe the building, so they are not
//! public.
//!
//! Counted as things happen, for this process since it started (several replicas are
//! several scrape targets, summed by Prometheus): requests and their latencies per route
//! ([`track`], a layer on every route), and event entries received and ingested (the upload
//! handler, [`Metrics::events_uploaded`]). Read from the database at each scrape, for the
//! whole site: controllers enrolled and online, open and unacknowledged alarms by kind, and
//! the policy version. docs/server.md lists every series.

mod requests;
mod scrape;
mod text;

pub use requests::{BUCKETS, UNMATCHED, track};
pub use scrape::routes;
pub use text::CONTENT_TYPE;

use requests::RouteStats;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use text::Text;

/// What the server counts between scrapes.
#[derive(Debug, Default)]
pub struct Metrics {
    /// By route template.
    requests: Mutex<BTreeMap<String, RouteStats>>,
    events_received: AtomicU64,
    events_ingested: AtomicU64,
}

impl Metrics {
    /// Counts an accepted upload: `received` journal entries, of which `new` were past the
    /// journal's acknowledged point.
    pub fn events_uploaded(&self, received: usize, new: usize) {
        let n = |count: usize| u64::try_from(count).unwrap_or(u64::MAX);
        self.events_received
            .fetch_add(n(received), Ordering::Relaxed);
        self.events_ingested.fetch_add(n(new), Ordering::Relaxed);
    }

    /// Writes the counters.
    fn write(&self, text: &mut Text) {
        self.write_requests(text);
        let counter = |text: &mut Text, name, help, value: &AtomicU64| {
            text.family(name, "counter", help);
            text.sample(name, &[], value.load(Ordering::Relaxed));
        };
        counter(
            text,
            "gatehouse_events_received_total",
            "Journal entries received in accepted uploads, retried uploads included.",
            &self.events_received,
        );
        counter(
            text,
            "gatehouse_events_ingested_total",
            "Journal entries received past their journal's acknowledged point: new events.",
            &self.events_ingested,
        );
    }
}
