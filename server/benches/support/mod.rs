//! What the server benchmarks share: where results go, PostgreSQL databases of their own,
//! percentiles, and the access events they store.
//!
//! Each benchmark writes its results to `target/bench/server/<name>.json` (a JSON object per
//! measurement, one per line) and prints the same lines prefixed with `bench-result`;
//! `scripts/lib/bench_report.py` reads the files and compares them with the targets.

#![allow(dead_code)] // Each bench uses its own part of this module.

use gatehouse_core::card::CardId;
use gatehouse_core::decide::{CredentialRef, Decision, Holder};
use gatehouse_core::ids::{DoorId, PersonId, ZoneId};
use gatehouse_core::model::Direction;
use gatehouse_core::reason::Reason;
use gatehouse_core::time::Timestamp;
use gatehouse_core::wire::{Event, JournalEntry, JournalId};
use serde_json::Value;
use sqlx::Connection;
use std::io::Write;
use std::path::PathBuf;

/// `target/bench` of the workspace.
pub fn bench_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&dir).expect("create target/bench");
    dir
}

/// One benchmark's results, written by [`Results::write`] at the end: a run that panics
/// leaves no file, and the report says the result is missing.
#[derive(Debug)]
pub struct Results {
    name: &'static str,
    lines: Vec<Value>,
}

impl Results {
    pub fn new(name: &'static str) -> Self {
        // An old file must not pass for this run's.
        std::fs::remove_file(Self::path_of(name)).ok();
        Results {
            name,
            lines: Vec::new(),
        }
    }

    fn path_of(name: &str) -> PathBuf {
        let dir = bench_dir().join("server");
        std::fs::create_dir_all(&dir).expect("create target/bench/server");
        dir.join(format!("{name}.json"))
    }

    /// Records one measurement (`{"id": "ingest/sqlite", ...}`) and prints it.
    pub fn add(&mut self, line: Value) {
        println!("bench-result {line}");
        self.lines.push(line);
    }

    pub fn write(self) {
        let mut file = std::fs::File::create(Self::path_of(self.name)).expect("results file");
        for line in &self.lines {
            writeln!(file, "{line}").expect("write results");
        }
    }
}

/// The PostgreSQL server to benchmark on (`PG_TEST_URL`, as for the tests), if any.
pub fn pg_url() -> Option<String> {
    std::env::var("PG_TEST_URL").ok().filter(|u| !u.is_empty())
}

/// `url` with its database replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let server = base.rsplit_once('/').map_or(base, |(s, _)| s);
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

/// Whether database `name` exists on the server of `url`.
pub async fn pg_database_exists(url: &str, name: &str) -> bool {
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .expect("connect to PostgreSQL");
    let found: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(&mut conn)
        .await
        .expect("look for the database");
    found.is_some()
}

/// An empty database `name` on the server of `url` (dropped first if it exists); its URL.
pub async fn fresh_pg_database(url: &str, name: &str) -> String {
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .expect("connect to PostgreSQL");
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .expect("drop the bench database");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create the bench database");
    with_database(url, name)
}

/// The system clock, Unix ms.
pub fn now_ms() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970");
    i64::try_from(since.as_millis()).expect("fits")
}

/// The `p`-th percentile (1–100, nearest rank) of `samples`, which it sorts.
pub fn percentile(samples: &mut [f64], p: usize) -> f64 {
    samples.sort_by(f64::total_cmp);
    let rank = (p * samples.len()).div_ceil(100).max(1);
    samples[rank.min(samples.len()) - 1]
}

/// An access decision as a controller journals it: person `person` badging at `door`.
pub fn access_entry(journal: u64, seq: u64, person: u64, door: u32, at_ms: i64) -> JournalEntry {
    let reason = if seq % 20 == 0 {
        Reason::OutsideSchedule
    } else {
        Reason::Granted
    };
    let card: CardId = format!("C1000-35:1234:{}", person % 1_000_000)
        .parse()
        .expect("a Corporate 1000 card");
    JournalEntry {
        journal: JournalId(journal),
        seq,
        event: Event::Access(Decision {
            reason,
            door: DoorId(door),
            direction: Direction::Entry,
            zone: Some(ZoneId(10_000 + door)),
            credential: CredentialRef::Card(card),
            holder: Some(Holder::Person(PersonId(person))),
            companion: None,
            at: Timestamp(at_ms),
            clock_trusted: true,
        }),
    }
}
