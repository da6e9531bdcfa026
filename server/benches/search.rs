//! Event search at volume: one person's events over 30 days, first page (100, the API's
//! default), in a table of 10,000,000 events spread over 5,000 people, 500 doors, 20
//! controllers and one year — through `Store::search_events`, as `GET /api/v1/events`
//! calls it. Reports the 95th percentile of many searches, each for a random person and a
//! random 30-day window, after a warm-up.
//!
//! Filling the table is setup, not measured: rows are generated inside the database
//! (a recursive CTE on SQLite, `generate_series` on PostgreSQL) with the indexes dropped,
//! and the indexes are built afterwards. The filled SQLite file is kept at
//! `target/bench/search-10m.db` and the PostgreSQL database `gatehouse_bench_search` is
//! kept too, so later runs skip the fill; delete either to fill it again.
//!
//! `cargo bench -p gatehouse-server --bench search`

mod support;

use gatehouse_core::ids::SiteId;
use gatehouse_core::wire::JournalEntry;
use gatehouse_server::store::{Backend, EventQuery, Store};
use serde_json::{Value, json};
use sqlx::Row;
use std::time::Instant;
use support::{Results, percentile};

const EVENTS: i64 = 10_000_000;
const PEOPLE: i64 = 5_000;
const CONTROLLERS: i64 = 20;
const DOORS: i64 = 500;
/// Thursday 1 January 2026, 00:00 UTC.
const YEAR_START_MS: i64 = 1_767_225_600_000;
const YEAR_MS: i64 = 365 * 86_400_000;
const DAYS_30_MS: i64 = 30 * 86_400_000;
/// Rows per fill transaction.
const FILL_CHUNK: i64 = 1_000_000;
/// Changes when the generated content does, so an old cached fill is not reused.
const FILL_VERSION: i64 = 1;
const WARM_UP: usize = 200;
const SEARCHES: usize = 2_000;
const PAGE: u32 = 100;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut results = Results::new("search");
    let path = support::bench_dir().join("search-10m.db");
    results.add(runtime.block_on(async {
        let url = Store::sqlite_url(&path);
        let mut store = Store::open(&url).await.expect("open the search database");
        if !is_filled(&store).await {
            store.close().await;
            for suffix in ["", "-wal", "-shm"] {
                let mut file = path.clone().into_os_string();
                file.push(suffix);
                std::fs::remove_file(file).ok();
            }
            store = Store::open(&url).await.expect("create the search database");
            fill(&store).await;
        }
        measure("sqlite", &store).await
    }));
    match support::pg_url() {
        Some(pg) => results.add(runtime.block_on(async {
            const NAME: &str = "gatehouse_bench_search";
            let url = support::with_database(&pg, NAME);
            if !support::pg_database_exists(&pg, NAME).await {
                support::fresh_pg_database(&pg, NAME).await;
            }
            let mut store = Store::open(&url).await.expect("open the search database");
            if !is_filled(&store).await {
                store.close().await;
                support::fresh_pg_database(&pg, NAME).await;
                store = Store::open(&url).await.expect("create the search database");
                fill(&store).await;
            }
            measure("postgres", &store).await
        })),
        None => eprintln!("search: PG_TEST_URL is not set; PostgreSQL skipped"),
    }
    results.write();
}

async fn is_filled(store: &Store) -> bool {
    let filled = sqlx::query_scalar::<_, i64>("SELECT version FROM bench_fill WHERE events = $1")
        .bind(EVENTS)
        .fetch_optional(store.pool())
        .await
        .ok()
        .flatten()
        == Some(FILL_VERSION);
    if filled {
        eprintln!("search: reusing the filled database");
    }
    filled
}

/// The site the events belong to (the first one).
async fn site(store: &Store) -> SiteId {
    store.sites().await.expect("sites")[0].id
}

/// The JSON of an access entry, as an SQL expression over the columns `journal`, `seq`,
/// `person`, `door` and `at`: a real entry serialized with marker values, cut at them.
fn event_json_sql() -> String {
    let markers = [
        (900_000_000_001_u64, "journal"),
        (900_000_000_002, "seq"),
        (900_000_000_003, "person"),
        (900_000_004, "door"),
        (900_010_004, "door + 10000"),
        (900_000_000_005, "at"),
    ];
    let text = serde_json::to_string(&support::access_entry(
        900_000_000_001,
        900_000_000_002,
        900_000_000_003,
        900_000_004,
        900_000_000_005,
    ))
    .expect("serialize");
    let mut found: Vec<(usize, &str, &str)> = markers
        .iter()
        .map(|(value, column)| {
            let v = value.to_string();
            let at = text
                .find(&format!(":{v}"))
                .unwrap_or_else(|| panic!("{v} in {text}"));
            (at + 1, *column, &text[at + 1..at + 1 + v.len()])
        })
        .collect();
    found.sort();
    let mut sql = String::new();
    let mut last = 0;
    for (at, column, value) in found {
        sql.push_str(&format!(
            "'{}' || CAST({column} AS TEXT) || ",
            &text[last..at]
        ));
        last = at + value.len();
    }
    sql.push_str(&format!("'{}'", &text[last..]));
    sql
}

async fn fill(store: &Store) {
    let started = Instant::now();
    let site = store
        .create_site("Search bench", "UTC", [0; 16], YEAR_START_MS)
        .await
        .expect("site")
        .id;
    let mut first_controller = None;
    for c in 0..CONTROLLERS {
        let id = store
            .create_controller(site, &format!("search-bench-{c}"))
            .await
            .expect("controller")
            .id;
        let first = *first_controller.get_or_insert(i64::from(id.0));
        assert_eq!(i64::from(id.0), first + c, "controller ids are consecutive");
    }
    let first_controller = first_controller.expect("controllers");
    // One connection, set up for bulk work (this session only).
    let mut conn = store.pool().acquire().await.expect("a connection");
    let pool = &mut *conn;
    let sqlite = store.backend() == Backend::Sqlite;
    let session: &[&str] = if sqlite {
        &["PRAGMA synchronous = OFF", "PRAGMA cache_size = -1000000"]
    } else {
        &[
            "SET synchronous_commit = off",
            "SET maintenance_work_mem = '1GB'",
        ]
    };
    for setting in session {
        sqlx::query(setting)
            .execute(&mut *pool)
            .await
            .expect("setting");
    }
    // The indexes are built once at the end, not row by row.
    let index_sql: Vec<(String, String)> = if sqlite {
        sqlx::query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL",
        )
        .fetch_all(&mut *pool)
        .await
        .expect("indexes")
        .iter()
        .map(|r| (r.get("name"), r.get("sql")))
        .collect()
    } else {
        sqlx::query(
            "SELECT CAST(indexname AS TEXT) AS indexname, indexdef FROM pg_indexes WHERE tablename = 'events' AND indexname NOT LIKE '%_pkey'",
        )
        .fetch_all(&mut *pool)
        .await
        .expect("indexes")
        .iter()
        .map(|r| (r.get("indexname"), r.get("indexdef")))
        .collect()
    };
    for (name, _) in &index_sql {
        sqlx::query(&format!("DROP INDEX {name}"))
            .execute(&mut *pool)
            .await
            .expect("drop index");
    }
    let rows = |from: i64, to: i64| {
        if sqlite {
            format!(
                "(WITH RECURSIVE n(i) AS (SELECT {from} UNION ALL SELECT i + 1 FROM n WHERE i < {to}) SELECT i FROM n) AS g"
            )
        } else {
            format!("generate_series(CAST({from} AS BIGINT), CAST({to} AS BIGINT)) AS g(i)")
        }
    };
    // Event i: controller i % 20, its seq i / 20 + 1, every ~3.15 s through the year,
    // a pseudo-random person and door (multiplicative hashing).
    let columns = format!(
        "SELECT {first_controller} + i % {CONTROLLERS} AS controller, 1 AS journal, i / {CONTROLLERS} + 1 AS seq, \
         {YEAR_START_MS} + i * {step} AS at, 1000000 + (i * 2654435761 % 4294967291) % {PEOPLE} AS person, \
         1 + (i * 40503 % 65521) % {DOORS} AS door",
        step = YEAR_MS / EVENTS
    );
    let json = event_json_sql();
    let mut from = 0;
    while from < EVENTS {
        let to = (from + FILL_CHUNK).min(EVENTS) - 1;
        let sql = format!(
            "INSERT INTO events (controller_id, journal_id, seq, site_id, at, kind, door_id, zone_id, person_id, \
             pass_serial, granted, reason, event, received_at) \
             SELECT controller, journal, seq, {site}, at, 'access', door, door + 10000, person, NULL, 1, 'granted', \
             {json}, at + 1000 FROM ({columns} FROM {rows}) AS e",
            site = site.0,
            rows = rows(from, to),
        );
        let t = Instant::now();
        sqlx::query(&sql).execute(&mut *pool).await.expect("fill");
        eprintln!(
            "search: rows {from}..={to} in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        from = to + 1;
    }
    for (name, sql) in &index_sql {
        let t = Instant::now();
        sqlx::query(sql)
            .execute(&mut *pool)
            .await
            .expect("create index");
        eprintln!("search: index {name} in {:.1} s", t.elapsed().as_secs_f64());
    }
    if !sqlite {
        // What autovacuum would do soon after a bulk insert; the SQLite server gathers
        // no statistics, so neither does its fill.
        sqlx::query("ANALYZE events")
            .execute(&mut *pool)
            .await
            .expect("analyze");
    }
    // A generated row must read back as what a controller uploads.
    let sample: String = sqlx::query_scalar("SELECT event FROM events LIMIT 1")
        .fetch_one(&mut *pool)
        .await
        .expect("a row");
    serde_json::from_str::<JournalEntry>(&sample)
        .unwrap_or_else(|e| panic!("generated event {sample}: {e}"));
    sqlx::query("CREATE TABLE bench_fill (version BIGINT NOT NULL, events BIGINT NOT NULL)")
        .execute(&mut *pool)
        .await
        .expect("marker");
    sqlx::query("INSERT INTO bench_fill (version, events) VALUES ($1, $2)")
        .bind(FILL_VERSION)
        .bind(EVENTS)
        .execute(&mut *pool)
        .await
        .expect("marker");
    if sqlite {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut *pool)
            .await
            .expect("checkpoint");
    }
    eprintln!(
        "search: filled {EVENTS} events in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

/// A small deterministic generator for the searches (the same ones on every run).
struct Mix(u64);

impl Mix {
    fn below(&mut self, n: i64) -> i64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        i64::try_from((z ^ (z >> 31)) % n.unsigned_abs()).expect("below n")
    }
}

async fn measure(backend: &str, store: &Store) -> Value {
    let site = site(store).await;
    let mut mix = Mix(0x5ea7_c400);
    let mut query = || {
        let person = 1_000_000 + mix.below(PEOPLE);
        let to = YEAR_START_MS + DAYS_30_MS + mix.below(YEAR_MS - DAYS_30_MS);
        EventQuery {
            person: Some(person.unsigned_abs()),
            from: Some(to - DAYS_30_MS),
            to: Some(to),
            limit: PAGE,
            ..EventQuery::default()
        }
    };
    for _ in 0..WARM_UP {
        store.search_events(site, &query()).await.expect("search");
    }
    let mut ms = Vec::with_capacity(SEARCHES);
    let mut found = 0;
    for _ in 0..SEARCHES {
        let q = query();
        let t = Instant::now();
        let (items, _) = store.search_events(site, &q).await.expect("search");
        ms.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(items.iter().all(|e| e.person == q.person));
        found += items.len();
    }
    let mean_found = found as f64 / SEARCHES as f64;
    let p50 = percentile(&mut ms, 50);
    let p95 = percentile(&mut ms, 95);
    eprintln!(
        "search/{backend}: p50 {p50:.2} ms, p95 {p95:.2} ms over {SEARCHES} searches, {mean_found:.0} events a page on average"
    );
    json!({
        "id": format!("search/{backend}"),
        "events": EVENTS,
        "people": PEOPLE,
        "searches": SEARCHES,
        "page": PAGE,
        "mean_items": mean_found,
        "ms_p50": p50,
        "ms_p95": p95,
        "ms_max": percentile(&mut ms, 100),
    })
}
