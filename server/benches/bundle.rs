//! A controller's bundle at a 100,000-badge site: the synthetic campus of
//! `gatehouse_core::sample::large_site` (100,000 people with a card each, 500 doors, 200
//! groups) loaded into the server's store, and one controller driving 10 doors, one in
//! each building. Measures `sync::bundles::answer` — what `GET /api/v1/sync/bundle` runs:
//! the site-wide bundle read from the database, scoped to the controller, signed, encoded
//! and saved — with the site-wide cache emptied before each build, as after every policy
//! change; then the size of the delta (GHD1) after one of the controller's badges is
//! revoked.
//!
//! Loading the site is setup: zones, doors, schedules and groups through the store's own
//! calls, people, memberships and badges with multi-row INSERTs.
//!
//! `cargo bench -p gatehouse-server --bench bundle`

mod support;

use gatehouse_core::bundle::{BundleVersion, SignedBundle};
use gatehouse_core::credential::TrustStore;
use gatehouse_core::ids::{BadgeId, CalendarId, ControllerId, GroupId, ScheduleId, ZoneId};
use gatehouse_core::model::{BadgeCredential, BadgeStatus, Grant};
use gatehouse_core::sample;
use gatehouse_server::config::{Config, DatabaseUrl, TlsMode};
use gatehouse_server::startup::prepare;
use gatehouse_server::state::{AppState, system_clock};
use gatehouse_server::store::{NewDoor, NewGroup, NewSchedule, NewZone};
use gatehouse_server::sync::bundles::{Answer, answer};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Instant;
use support::{Results, percentile};

const PEOPLE: u32 = 100_000;
const DOORS: u32 = 500;
/// The controller drives doors 1 to 10: one per building.
const CONTROLLER_DOORS: u32 = 10;
const RUNS: usize = 10;
/// Rows per INSERT while loading people, memberships and badges.
const LOAD_CHUNK: usize = 1_000;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut results = Results::new("bundle");
    let dir = tempfile::tempdir().expect("temp dir");
    for line in runtime.block_on(run("sqlite", &dir.path().join("sqlite"), None)) {
        results.add(line);
    }
    match support::pg_url() {
        Some(pg) => {
            let url = runtime.block_on(support::fresh_pg_database(&pg, "gatehouse_bench_bundle"));
            for line in runtime.block_on(run("postgres", &dir.path().join("pg"), Some(url))) {
                results.add(line);
            }
        }
        None => eprintln!("bundle: PG_TEST_URL is not set; PostgreSQL skipped"),
    }
    results.write();
}

async fn run(
    backend: &str,
    data_dir: &std::path::Path,
    database_url: Option<String>,
) -> Vec<Value> {
    let mut config = Config {
        data_dir: data_dir.to_path_buf(),
        database_url: database_url.map(DatabaseUrl::new),
        ..Config::default()
    };
    config.tls.mode = TlsMode::Off;
    let state = prepare(&config, system_clock())
        .await
        .expect("prepare the server")
        .state;
    let t = Instant::now();
    let controller = load_site(&state).await;
    eprintln!(
        "bundle/{backend}: loaded {PEOPLE} people and badges in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // Cold: the site-wide bundle is read from the database every time. One untimed run
    // first (the database's caches).
    let mut cold = Vec::new();
    let mut full = Vec::new();
    for run in 0..=RUNS {
        *state.site_bundle.lock().await = None;
        let t = Instant::now();
        let (_, built) = answer(&state, controller, None).await.expect("bundle");
        let ms = t.elapsed().as_secs_f64() * 1e3;
        let Answer::Full(bytes) = built else {
            panic!("a whole bundle")
        };
        if run > 0 {
            cold.push(ms);
        }
        full = bytes;
    }
    // Warm: the site-wide bundle of this version is already built (every controller
    // after the first).
    let mut warm = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        answer(&state, controller, None).await.expect("bundle");
        warm.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let trust = TrustStore::with([state.keyring.read().expect("keyring").current().public()]);
    let held = SignedBundle::from_bytes(&full)
        .and_then(|s| s.verify(&trust))
        .expect("the bundle verifies");
    let held_version: BundleVersion = held.header.version;

    // One revocation: a badge the controller's bundle holds.
    let badge = held
        .badges
        .iter()
        .find(|b| b.status == BadgeStatus::Active)
        .expect("an active badge in scope")
        .id;
    revoke(&state, badge).await;
    let t = Instant::now();
    let (_, delta) = answer(&state, controller, Some(held_version))
        .await
        .expect("delta");
    let delta_ms = t.elapsed().as_secs_f64() * 1e3;
    let Answer::Delta(delta) = delta else {
        panic!("a delta from the version held")
    };

    let p50 = percentile(&mut cold, 50);
    eprintln!(
        "bundle/{backend}: build p50 {p50:.1} ms (max {:.1}), warm p50 {:.1} ms; {} badges in scope, {} bytes; delta for one revocation {} bytes in {delta_ms:.1} ms",
        percentile(&mut cold, 100),
        percentile(&mut warm, 50),
        held.badges.len(),
        full.len(),
        delta.len(),
    );
    state.store.close().await;
    vec![
        json!({
            "id": format!("bundle_build/{backend}"),
            "site_badges": PEOPLE,
            "scoped_badges": held.badges.len(),
            "controller_doors": CONTROLLER_DOORS,
            "bundle_bytes": full.len(),
            "runs": RUNS,
            "ms_p50": p50,
            "ms_max": percentile(&mut cold, 100),
            "warm_ms_p50": percentile(&mut warm, 50),
        }),
        json!({
            "id": format!("bundle_delta/{backend}"),
            "change": "one badge revoked",
            "bytes": delta.len(),
            "ms": delta_ms,
        }),
    ]
}

async fn revoke(state: &AppState, badge: BadgeId) {
    state
        .store
        .set_badge_status(state.site, badge, BadgeStatus::Revoked, state.now().0)
        .await
        .expect("revoke");
}

/// Loads the large site into the store; returns the benchmark's controller.
async fn load_site(state: &AppState) -> ControllerId {
    let store = &state.store;
    let site = state.site;
    let now = state.now();
    let campus = sample::large_site(PEOPLE, DOORS, now);

    let mut calendars: HashMap<CalendarId, CalendarId> = HashMap::new();
    for c in &campus.calendars {
        let made = store
            .create_calendar(site, &format!("calendar {}", c.id.0), &c.dates)
            .await
            .expect("calendar");
        calendars.insert(c.id, made.id);
    }
    let mut schedules: HashMap<ScheduleId, ScheduleId> = HashMap::new();
    for s in &campus.schedules {
        let made = store
            .create_schedule(
                site,
                &NewSchedule {
                    name: format!("schedule {}", s.id.0),
                    windows: s.windows.clone(),
                    holiday_calendar: s.holidays.map(|c| calendars[&c]),
                    holiday_windows: s.holiday_windows.clone(),
                },
            )
            .await
            .expect("schedule");
        schedules.insert(s.id, made.id);
    }
    // Sorted by id, and every parent's id is below its children's.
    let mut zones: HashMap<ZoneId, ZoneId> = HashMap::new();
    for z in &campus.zones {
        let made = store
            .create_zone(
                site,
                &NewZone {
                    name: format!("zone {}", z.id.0),
                    parent: z.parent.map(|p| zones[&p]),
                    rules: z.rules,
                },
            )
            .await
            .expect("zone");
        zones.insert(z.id, made.id);
    }
    let controller = store
        .create_controller(site, "bundle-bench")
        .await
        .expect("controller")
        .id;
    for d in &campus.doors {
        store
            .create_door(
                site,
                &NewDoor {
                    name: format!("door {}", d.id.0),
                    zone: zones[&d.zone],
                    controller: (d.id.0 <= CONTROLLER_DOORS).then_some(controller),
                    unlock_schedule: d.unlock_schedule.map(|s| schedules[&s]),
                    first_card_unlock: d.first_card_unlock,
                },
            )
            .await
            .expect("door");
    }
    let mut groups: HashMap<GroupId, GroupId> = HashMap::new();
    for g in &campus.groups {
        let made = store
            .create_group(
                site,
                &NewGroup {
                    name: format!("group {}", g.id.0),
                    grants: g
                        .grants
                        .iter()
                        .map(|grant| Grant {
                            zone: zones[&grant.zone],
                            schedule: schedules[&grant.schedule],
                        })
                        .collect(),
                },
            )
            .await
            .expect("group");
        groups.insert(g.id, made.id);
    }

    // People, memberships and badges keep the sample's ids (explicit ids are fine for
    // both databases' generated keys).
    let s = i64::from(site.0);
    let pool = store.pool();
    for chunk in campus.people.chunks(LOAD_CHUNK) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p = 3 + 4 * i;
                format!("(${p}, $1, ${}, ${}, ${}, $2, 0)", p + 1, p + 2, p + 3)
            })
            .collect();
        let sql = format!(
            "INSERT INTO people (id, site_id, display_name, lockdown_override, pin_verifier, created_at, pin_required) VALUES {}",
            rows.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(s).bind(now.0);
        for person in chunk {
            q = q
                .bind(i64::try_from(person.id.0).expect("id"))
                .bind(format!("Person {}", person.id.0))
                .bind(i64::from(person.flags.lockdown_override))
                .bind(person.pin.map(|v| v.0.to_vec()));
        }
        q.execute(pool).await.expect("people");
    }
    let members: Vec<(i64, i64)> = campus
        .people
        .iter()
        .flat_map(|p| {
            let mut gs: Vec<GroupId> = p.groups.iter().map(|g| groups[g]).collect();
            gs.sort();
            gs.dedup();
            let person = i64::try_from(p.id.0).expect("id");
            gs.into_iter().map(move |g| (i64::from(g.0), person))
        })
        .collect();
    for chunk in members.chunks(LOAD_CHUNK) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, ${})", 1 + 2 * i, 2 + 2 * i))
            .collect();
        let sql = format!(
            "INSERT INTO group_members (group_id, person_id) VALUES {}",
            rows.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (g, p) in chunk {
            q = q.bind(*g).bind(*p);
        }
        q.execute(pool).await.expect("members");
    }
    for chunk in campus.badges.chunks(LOAD_CHUNK) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p = 3 + 6 * i;
                format!(
                    "(${p}, $1, ${}, ${}, ${}, ${}, ${}, $2, $2)",
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO badges (id, site_id, person_id, card_id, status, not_before, expires, created_at, status_changed_at) VALUES {}",
            rows.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(s).bind(now.0);
        for b in chunk {
            let BadgeCredential::Card(card) = &b.credential else {
                panic!("the sample's badges are cards")
            };
            q = q
                .bind(i64::try_from(b.id.0).expect("id"))
                .bind(i64::try_from(b.person.0).expect("id"))
                .bind(card.to_string())
                .bind(match b.status {
                    BadgeStatus::Active => "active",
                    BadgeStatus::Suspended => "suspended",
                    BadgeStatus::Lost => "lost",
                    BadgeStatus::Revoked => "revoked",
                })
                .bind(b.not_before.map(|t| t.0))
                .bind(b.expires.map(|t| t.0));
        }
        q.execute(pool).await.expect("badges");
    }
    // The rows above went in behind the store's back: a new policy version says so.
    store.touch_policy(site).await.expect("policy version");

    let doors = store
        .controller_doors(site, controller)
        .await
        .expect("doors");
    assert_eq!(doors.len(), CONTROLLER_DOORS as usize);
    controller
}
