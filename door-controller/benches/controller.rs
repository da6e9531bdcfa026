//! The door controller's targets, on the real `gatehouse-door run` process (release build)
//! with the simulated hardware and a stored 100,000-badge bundle:
//!
//! - cold start: from the process being spawned to its doors served from the cached bundle
//!   (the simulator's socket answers only after the doors are up) — target ≤ 1 s;
//! - read to strike: from a read arriving from the reader back-end to the door's outputs
//!   commanded (decided, journaled, lock and LED driven), as the controller times each read
//!   itself and reports in `status.json` — target p99 ≤ 2 ms;
//! - resident memory: the process's peak (`VmHWM`) with that bundle — target ≤ 50 MB.
//!
//! The controller is enrolled with a server that is not there (its sync loops back off, as
//! on a site whose server is down): the doors must not care. Reads come at 200 a second,
//! 2,000 of them, a mix of granted and unknown cards over two doors. Writes
//! `target/bench/door/controller.json` for `scripts/lib/bench_report.py`.

use gatehouse_core::bundle::SignedBundle;
use gatehouse_core::credential::IssuerKey;
use gatehouse_core::ids::ControllerId;
use gatehouse_core::sample::{self, large_site, large_site_card};
use gatehouse_core::time::Timestamp;
use gatehouse_door::sync::Identity;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const PEOPLE: u32 = 100_000;
const DOORS: u32 = 500;
const READS: u32 = 2_000;
const EVERY: Duration = Duration::from_millis(5);

fn main() {
    // `cargo bench` passes --bench (and any filter); this program takes no arguments.
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = tmp.path().join("state");
    std::fs::create_dir_all(&state).expect("state folder");

    let now_ms = i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock after 1970")
            .as_millis(),
    )
    .expect("ms fit i64");
    let bundle = large_site(PEOPLE, DOORS, Timestamp(now_ms));
    assert_eq!(bundle.header.controller, ControllerId(1));
    let badges = bundle.badges.len();
    let signed = SignedBundle::sign(bundle, &sample::issuer());
    std::fs::write(state.join("bundle.bin"), signed.to_bytes()).expect("bundle.bin");
    Identity {
        controller: ControllerId(1),
        // Nobody listens there: the server is down for the whole run.
        server: "http://127.0.0.1:9".into(),
        fingerprint: None,
        escrow_recipient: None,
        key: IssuerKey::from_seed(&[9; 32]),
    }
    .save(&state)
    .expect("identity");
    let config = write_config(tmp.path(), &state);

    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse-door"))
        .args(["run", "--config"])
        .arg(&config)
        .env("GATEHOUSE_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn gatehouse-door");
    let socket = state.join("sim.sock");
    let mut control = loop {
        if let Ok(stream) = UnixStream::connect(&socket) {
            break stream;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "never served");
        std::thread::sleep(Duration::from_millis(1));
    };
    let cold_start = started.elapsed();

    let mut reader = BufReader::new(control.try_clone().expect("clone socket"));
    let mut next = Instant::now();
    for i in 0..READS {
        // Every third card is one the bundle does not know.
        let card = if i % 3 == 2 {
            "H10301:1:1".to_owned()
        } else {
            large_site_card((i * 7919) % PEOPLE).to_string()
        };
        let door_reader = if i % 2 == 0 { "door-1-in" } else { "door-2-in" };
        let request = json!({"cmd": "card", "reader": door_reader, "card": card});
        writeln!(control, "{request}").expect("send");
        let mut line = String::new();
        reader.read_line(&mut line).expect("answer");
        assert!(line.contains("\"ok\":true"), "{request} → {line}");
        next += EVERY;
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
    // Let the last reads be decided, then read the peak memory while it runs.
    std::thread::sleep(Duration::from_millis(200));
    let hwm_kb = vm_hwm_kb(child.id());
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    assert!(child.wait().expect("wait").success(), "clean stop");

    let report: Value =
        serde_json::from_slice(&std::fs::read(state.join("status.json")).expect("status.json"))
            .expect("status JSON");
    let timing = &report["decisions"];
    assert_eq!(timing["count"], u64::from(READS), "every read decided");
    let result = json!({
        "id": "door/controller",
        "badges": badges,
        "reads": READS,
        "cold_start_ms": cold_start.as_secs_f64() * 1e3,
        "p50_us": timing["p50_us"],
        "p99_us": timing["p99_us"],
        "max_us": timing["max_us"],
        "rss_peak_mb": hwm_kb as f64 / 1024.0,
    });
    println!("bench-result {result}");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench/door");
    std::fs::create_dir_all(&dir).expect("target/bench/door");
    std::fs::write(dir.join("controller.json"), format!("{result}\n")).expect("results");
}

fn write_config(dir: &Path, state: &Path) -> PathBuf {
    let path = dir.join("door.toml");
    let mut text = format!(
        "[controller]\nname = \"bench\"\nstate_dir = \"{}\"\n[hardware]\nbackend = \"sim\"\n",
        state.display()
    );
    for door in 1..=2 {
        text.push_str(&format!(
            "[[door]]\nname = \"door-{door}\"\nid = {door}\nlock = \"fail_secure\"\n\
             [[door.reader]]\nname = \"door-{door}-in\"\ndirection = \"in\"\ninterface = \"sim\"\n"
        ));
    }
    std::fs::write(&path, text).expect("door.toml");
    path
}

/// The process's peak resident set, from /proc.
fn vm_hwm_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}
