//! The whole system with real processes: a TLS `gatehouse server`, and a controller
//! (`gatehouse door run`, the same code as `gatehouse-door run` on a Pi) on the simulated
//! hardware, enrolled with a one-time code. With the server stopped the doors go on deciding
//! from the stored bundle; a revocation made while the controller was cut off applies once
//! it reconnects; every journaled event reaches the server exactly once.

use super::backup::controller::{add_staff, open, populate};
use super::support::{
    ServerProcess, enrollment_codes, now_ms, restart_tls_server, start_tls_server,
};
use gatehouse_core::ids::BadgeId;
use gatehouse_core::model::BadgeStatus;
use gatehouse_core::time::Timestamp;
use gatehouse_core::wire::{Command as DoorCommand, CommandOutcome, Scope};
use gatehouse_server::store::{EventQuery, EventRecord};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ALICE: &str = "H10301:12:1001";
const BOB: &str = "H10301:12:1002";
const STRANGER: &str = "H10301:99:4242";

/// A controller process, killed if the test fails before stopping it.
struct ControllerProcess {
    child: Child,
    state: PathBuf,
}

impl Drop for ControllerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ControllerProcess {
    fn start(config: &Path, state: &Path) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
            .args(["door", "run", "--config"])
            .arg(config)
            .env("GATEHOUSE_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        ControllerProcess {
            child,
            state: state.to_path_buf(),
        }
    }

    /// One request on the simulator's control socket.
    fn sim(&self, request: Value) -> Value {
        let mut stream = UnixStream::connect(self.state.join("sim.sock")).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        writeln!(stream, "{request}").unwrap();
        let mut line = String::new();
        BufReader::new(&stream).read_line(&mut line).unwrap();
        let answer: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(answer["ok"], true, "{request} → {answer}");
        answer
    }

    /// Presents a card and lets the strike time (1 s) run out, so each grant is its own
    /// unlock in the output record.
    fn present(&self, card: &str) {
        self.sim(json!({"cmd": "card", "reader": "main-in", "card": card}));
        std::thread::sleep(Duration::from_millis(1500));
    }

    /// The lock's states in the output record, in order.
    fn lock_record(&self) -> Vec<String> {
        let record = self.sim(json!({"cmd": "record"}));
        record["record"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["output"] == "lock")
            .map(|c| c["state"].as_str().unwrap().to_owned())
            .collect()
    }

    /// This process's status report once `ready` holds of it (a report left by an earlier,
    /// killed process has another pid and is passed over).
    fn status_when(&self, what: &str, ready: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(bytes) = std::fs::read(self.state.join("status.json")) {
                if let Ok(status) = serde_json::from_slice::<Value>(&bytes) {
                    if status["pid"] == self.child.id() && ready(&status) {
                        return status;
                    }
                    assert!(Instant::now() < deadline, "{what}: {status:#}");
                }
            }
            assert!(Instant::now() < deadline, "{what}: no status report");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits for the simulator's socket.
    fn wait_for_socket(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while UnixStream::connect(self.state.join("sim.sock")).is_err() {
            assert!(Instant::now() < deadline, "the simulator never listened");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM, as systemd stops it; the exit status.
    fn stop(mut self) -> i32 {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(killed.success());
        self.child.wait().unwrap().code().unwrap_or(-1)
    }
}

pub(super) fn config(dir: &Path, door: u32) -> PathBuf {
    let path = dir.join("door.toml");
    let text = format!(
        r#"
[controller]
name = "lobby-pi"
state_dir = "{dir}/state"
[hardware]
backend = "sim"
sim_record = "{dir}/sim-record.jsonl"
[[door]]
name = "main"
id = {door}
lock = "fail_secure"
strike_time = "1s"
[[door.reader]]
name = "main-in"
direction = "in"
interface = "sim"
"#,
        dir = dir.display()
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// The site in `dir/data` (a door on a controller, Alice and Bob with cards), and a
/// controller configured in `dir` and enrolled with the server at `url`: its config file
/// and Bob's badge.
pub(super) async fn enrolled_controller(dir: &Path, url: &str) -> (PathBuf, BadgeId) {
    let data = dir.join("data");
    let (controller, _, group, _alice) = populate(&data).await;
    let (store, site) = open(&data).await;
    let bob = add_staff(&store, site, group, "Bob", BOB).await;
    let bob_badge = store.badges_of(site, bob).await.unwrap()[0].id;
    let door = store.doors(site).await.unwrap()[0].id;
    let (code, _) = enrollment_codes(&store, site, controller.id, &data).await;
    store.close().await;
    let config = config(dir, door.0);
    enroll(&config, url, &code);
    (config, bob_badge)
}

/// `gatehouse door enroll`, which must succeed.
pub(super) fn enroll(config: &Path, url: &str, code: &str) {
    let enrolled = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args([
            "door", "enroll", "--server", url, "--code", code, "--config",
        ])
        .arg(config)
        .output()
        .unwrap();
    assert!(
        enrolled.status.success(),
        "{}",
        String::from_utf8_lossy(&enrolled.stderr)
    );
}

/// A server with the site, and a controller configured and enrolled with it (not yet
/// started), all in one temporary folder.
pub(super) struct Enrolled {
    pub(super) tmp: tempfile::TempDir,
    /// The server's data folder.
    pub(super) data: PathBuf,
    pub(super) url: String,
    pub(super) runtime: tokio::runtime::Runtime,
    /// The controller's configuration file.
    pub(super) config: PathBuf,
    pub(super) bob_badge: BadgeId,
}

impl Enrolled {
    /// The site and its running server.
    pub(super) fn start() -> (Enrolled, ServerProcess) {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let server = start_tls_server(&data);
        let url = format!("https://{}", server.host);
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let (config, bob_badge) = runtime.block_on(enrolled_controller(tmp.path(), &url));
        let site = Enrolled {
            tmp,
            data,
            url,
            runtime,
            config,
            bob_badge,
        };
        (site, server)
    }

    /// The controller's state folder.
    pub(super) fn state(&self) -> PathBuf {
        self.tmp.path().join("state")
    }
}

/// Every event the server holds for the site, by seq.
fn server_events(runtime: &tokio::runtime::Runtime, data: &Path) -> Vec<EventRecord> {
    runtime.block_on(async {
        let (store, site) = open(data).await;
        let query = EventQuery {
            limit: 1000,
            ..EventQuery::default()
        };
        let (mut events, next) = store.search_events(site, &query).await.unwrap();
        assert!(next.is_none(), "more than a page of events");
        store.close().await;
        events.sort_by_key(|e| e.seq);
        events
    })
}

/// The reasons of the access decisions among `events`, in order.
fn reasons(events: &[EventRecord]) -> Vec<&str> {
    events
        .iter()
        .filter(|e| e.kind == "access")
        .map(|e| e.reason.as_deref().unwrap_or(""))
        .collect()
}

/// Every seq from 1 to `last_seq` is on the server once (the stop event, journaled after
/// the last report, may or may not have been uploaded before the stop).
fn assert_every_seq_once(events: &[EventRecord], last_seq: u64) {
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    let want: Vec<u64> = (1..=last_seq).collect();
    let whole = seqs.len() >= want.len() && seqs[..want.len()] == want[..];
    assert!(whole && seqs.len() <= want.len() + 1, "{seqs:?}");
}

#[test]
fn a_controller_decides_offline_and_every_event_reaches_the_server_once() {
    let (enrolled, server) = Enrolled::start();
    let Enrolled {
        data,
        url,
        runtime,
        bob_badge,
        ..
    } = &enrolled;
    let controller = ControllerProcess::start(&enrolled.config, &enrolled.state());
    controller.wait_for_socket();
    controller.status_when("the first bundle", |s| s["bundle"].is_object());

    // Online: Alice opens, a stranger does not.
    controller.present(ALICE);
    controller.present(STRANGER);

    // The network cut: the server stops. The doors go on deciding from the bundle, and
    // Bob's badge is revoked meanwhile (his card still opens: the controller cannot know).
    drop(server);
    controller.present(ALICE);
    runtime.block_on(async {
        let (store, site) = open(data).await;
        store
            .set_badge_status(site, *bob_badge, BadgeStatus::Revoked, now_ms())
            .await
            .unwrap();
        store.close().await;
    });
    controller.present(BOB);
    let offline =
        controller.status_when("the failed syncs", |s| s["sync"]["last_error"].is_string());
    let held = offline["bundle"]["version"].as_u64().unwrap();

    // Back online: the revocation arrives, and Bob is refused.
    let server = restart_tls_server(data, url.trim_start_matches("https://"));
    controller.status_when("the bundle with the revocation", |s| {
        s["bundle"]["version"].as_u64().unwrap() > held
    });
    controller.present(BOB);

    let last = controller.status_when("every event acknowledged", |s| {
        s["journal"]["backlog"] == 0 && s["journal"]["last_seq"].as_u64().unwrap() >= 6
    });
    let last_seq = last["journal"]["last_seq"].as_u64().unwrap();

    // Granted three times: the lock opened three times, and relocked after each.
    let unlocks = controller
        .lock_record()
        .iter()
        .filter(|s| *s == "unlocked")
        .count();
    assert_eq!(unlocks, 3);

    assert_eq!(controller.stop(), 0, "a clean stop on SIGTERM");
    drop(server);

    let events = server_events(runtime, data);
    assert_eq!(
        reasons(&events),
        [
            "granted",
            "unknown_credential",
            "granted",
            "granted",
            "revoked"
        ]
    );
    assert_every_seq_once(&events, last_seq);
}

#[test]
fn sigkill_at_random_points_loses_and_duplicates_nothing() {
    const KILLS: usize = 5;
    let (enrolled, server) = Enrolled::start();
    let Enrolled {
        tmp, data, runtime, ..
    } = &enrolled;
    let (config, state) = (&enrolled.config, enrolled.state());

    let mut presented = 0;
    for run in 0..KILLS {
        let mut controller = ControllerProcess::start(config, &state);
        controller.wait_for_socket();
        if run == 0 {
            controller.status_when("the first bundle", |s| s["bundle"].is_object());
        }
        // A stream of reads, killed at a random moment of it.
        let kill_at = Instant::now() + Duration::from_millis(300 + random_below(2200));
        while Instant::now() < kill_at {
            let card = if presented % 3 == 2 { STRANGER } else { ALICE };
            controller.sim(json!({"cmd": "card", "reader": "main-in", "card": card}));
            presented += 1;
            std::thread::sleep(Duration::from_millis(random_below(150)));
        }
        controller.child.kill().unwrap();
        controller.child.wait().unwrap();
    }

    let controller = ControllerProcess::start(config, &state);
    controller.wait_for_socket();
    let settled = controller.status_when("every event acknowledged", |s| {
        s["journal"]["backlog"] == 0 && s["journal"]["last_seq"].as_u64().unwrap() > 0
    });
    let last_seq = settled["journal"]["last_seq"].as_u64().unwrap();
    assert_eq!(controller.stop(), 0);
    drop(server);

    let events = server_events(runtime, data);
    assert_every_seq_once(&events, last_seq);
    let starts = events
        .iter()
        .filter(|e| e.kind == "controller_started")
        .count();
    assert_eq!(starts, KILLS + 1, "one start event per run");
    let decided = reasons(&events);
    assert!(
        decided.len() <= presented,
        "{} of {presented}",
        decided.len()
    );
    assert!(
        decided
            .iter()
            .all(|r| ["granted", "unknown_credential"].contains(r)),
        "{decided:?}"
    );
    // Journal before strike: every unlock the door saw follows a grant on the record.
    let record = std::fs::read_to_string(tmp.path().join("sim-record.jsonl")).unwrap();
    let unlocks = record
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|c| c["output"] == "lock" && c["state"] == "unlocked")
        .count();
    let grants = decided.iter().filter(|r| **r == "granted").count();
    assert!(unlocks > 0, "the stream opened the door");
    assert!(
        unlocks <= grants,
        "{unlocks} unlocks, {grants} grants on the server"
    );
}

/// A random number below `n` (the kill points and pauses of the crash test).
fn random_below(n: u64) -> u64 {
    use rand_core::{OsRng, RngCore};
    OsRng.next_u64() % n
}

#[test]
fn commands_reach_the_doors_and_are_acknowledged() {
    let (enrolled, server) = Enrolled::start();
    let Enrolled { data, runtime, .. } = &enrolled;
    let controller = ControllerProcess::start(&enrolled.config, &enrolled.state());
    controller.wait_for_socket();
    controller.status_when("the first bundle", |s| s["bundle"].is_object());
    let door = runtime.block_on(async {
        let (store, site) = open(data).await;
        let door = store.doors(site).await.unwrap()[0].id;
        store.close().await;
        door
    });
    let issue = |command: DoorCommand| -> Option<CommandOutcome> {
        runtime.block_on(async {
            let (store, site) = open(data).await;
            let issued = store
                .issue_command(site, command, None, Timestamp(now_ms()))
                .await
                .unwrap();
            let deadline = Instant::now() + Duration::from_secs(30);
            let outcome = loop {
                let record = store.command(site, issued.id).await.unwrap();
                if let Some(outcome) = record.deliveries.first().and_then(|d| d.outcome.clone()) {
                    break Some(outcome);
                }
                if Instant::now() > deadline {
                    break None;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            };
            store.close().await;
            outcome
        })
    };

    // A guard opens the door from the console.
    let unlock = DoorCommand::MomentaryUnlock { door, seconds: 2 };
    assert_eq!(issue(unlock), Some(CommandOutcome::Applied));
    assert_eq!(controller.lock_record().last().unwrap(), "unlocked");

    // Lockdown: Alice has no override; a remote unlock is refused while it lasts.
    let lockdown = DoorCommand::Lockdown { scope: Scope::Site };
    assert_eq!(issue(lockdown), Some(CommandOutcome::Applied));
    controller.status_when("the lockdown", |s| s["doors"][0]["lockdown"] == true);
    controller.present(ALICE);
    assert_eq!(
        issue(unlock),
        Some(CommandOutcome::Rejected(format!(
            "door {door} is locked down"
        )))
    );
    let release = DoorCommand::Release { scope: Scope::Site };
    assert_eq!(issue(release), Some(CommandOutcome::Applied));
    controller.status_when("the release", |s| s["doors"][0]["lockdown"] == false);
    controller.present(ALICE);

    controller.status_when("every event acknowledged", |s| {
        s["journal"]["backlog"] == 0 && s["journal"]["last_seq"].as_u64().unwrap() >= 3
    });
    assert_eq!(controller.stop(), 0);
    drop(server);
    let events = server_events(runtime, data);
    assert_eq!(reasons(&events), ["lockdown", "granted"]);
}
