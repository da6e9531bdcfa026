//! The whole system with real processes: a TLS `gatehouse server`, and a controller
//! (`gatehouse door run`, the same code as `gatehouse-door run` on a Pi) on the simulated
//! hardware, enrolled with a one-time code. With the server stopped the doors go on deciding
//! from the stored bundle; a revocation made while the controller was cut off applies once
//! it reconnects; every journaled event reaches the server exactly once.

use super::backup::controller::{add_staff, open, populate};
use super::support::{enrollment_codes, restart_tls_server, start_tls_server};
use gatehouse_core::model::BadgeStatus;
use gatehouse_server::store::{EventQuery, Store};
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

    /// The controller's status report once `ready` holds of it.
    fn status_when(&self, what: &str, ready: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(bytes) = std::fs::read(self.state.join("status.json")) {
                if let Ok(status) = serde_json::from_slice::<Value>(&bytes) {
                    if ready(&status) {
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

fn config(dir: &Path, state: &Path, door: u32) -> PathBuf {
    let path = dir.join("door.toml");
    let text = format!(
        r#"
[controller]
name = "lobby-pi"
state_dir = "{}"
[hardware]
backend = "sim"
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
        state.display()
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// The Access events the server holds for the site: (seq, reason), by seq; and every seq.
async fn server_events(store: &Store) -> (Vec<(u64, String)>, Vec<u64>) {
    let site = store.sites().await.unwrap()[0].id;
    let query = EventQuery {
        limit: 1000,
        ..EventQuery::default()
    };
    let (mut events, _) = store.search_events(site, &query).await.unwrap();
    events.sort_by_key(|e| e.seq);
    let seqs = events.iter().map(|e| e.seq).collect();
    let access = events
        .iter()
        .filter(|e| e.kind == "access")
        .map(|e| (e.seq, e.reason.clone().unwrap_or_default()))
        .collect();
    (access, seqs)
}

#[test]
fn a_controller_decides_offline_and_every_event_reaches_the_server_once() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let state = tmp.path().join("state");
    let server = start_tls_server(&data);
    let url = format!("https://{}", server.host);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (code, door, bob_badge) = runtime.block_on(async {
        let (controller, _, group, _alice) = populate(&data).await;
        let (store, site) = open(&data).await;
        let bob = add_staff(&store, site, group, "Bob", BOB).await;
        let bob_badge = store.badges_of(site, bob).await.unwrap()[0].id;
        let door = store.doors(site).await.unwrap()[0].id;
        let (code, _) = enrollment_codes(&store, site, controller.id, &data).await;
        store.close().await;
        (code, door, bob_badge)
    });
    let config = config(tmp.path(), &state, door.0);

    let enrolled = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args([
            "door", "enroll", "--server", &url, "--code", &code, "--config",
        ])
        .arg(&config)
        .output()
        .unwrap();
    assert!(
        enrolled.status.success(),
        "{}",
        String::from_utf8_lossy(&enrolled.stderr)
    );

    let controller = ControllerProcess::start(&config, &state);
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
        let (store, site) = open(&data).await;
        store
            .set_badge_status(
                site,
                bob_badge,
                BadgeStatus::Revoked,
                super::support::now_ms(),
            )
            .await
            .unwrap();
        store.close().await;
    });
    controller.present(BOB);
    let offline =
        controller.status_when("the failed syncs", |s| s["sync"]["last_error"].is_string());
    let held = offline["bundle"]["version"].as_u64().unwrap();

    // Back online: the revocation arrives, and Bob is refused.
    let server = restart_tls_server(&data, url.trim_start_matches("https://"));
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

    let (access, seqs) = runtime.block_on(async {
        let (store, _) = open(&data).await;
        let events = server_events(&store).await;
        store.close().await;
        events
    });
    let reasons: Vec<&str> = access.iter().map(|(_, r)| r.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "granted",
            "unknown_credential",
            "granted",
            "granted",
            "revoked"
        ]
    );
    // Every seq up to the last the controller reported, once each (the stop event may
    // not have been uploaded before the stop).
    let want: Vec<u64> = (1..=last_seq).collect();
    assert_eq!(seqs[..want.len()], want[..], "{seqs:?}");
}
