//! The door controller's targets, on the real `gatehouse-door run` process (release build)
//! with the simulated hardware and a stored 100,000-badge bundle:
//!
//! - cold start: from the process being spawned to its doors served from the cached bundle
//!   (the simulator's socket answers only after the doors are up) — target ≤ 1 s;
//! - read to strike: from a read arriving from the reader back-end to the door's outputs
//!   commanded (decided, journaled, lock and LED driven), as the controller times each read
//!   itself and reports in `status.json` — target p99 ≤ 2 ms;
//! - resident memory: the process's peak (`VmHWM`) with that bundle — target ≤ 50 MB —
//!   while serving, and again across a bundle swap: a new 100,000-badge bundle arrives,
//!   is verified and indexed while the old one still serves the doors, then replaces it.
//!
//! The controller is enrolled with a stand-in server that answers nothing (as a site whose
//! server is slow) until the reads are done; then it hands over the next bundle. Reads come at 200 a second,
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

#[path = "controller/bundle_server.rs"]
mod bundle_server;

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
    let mut next = bundle.clone();
    next.header.version.version += 1;
    let held_version = bundle.header.version.version;
    let signed = SignedBundle::sign(bundle, &sample::issuer());
    std::fs::write(state.join("bundle.bin"), signed.to_bytes()).expect("bundle.bin");
    drop(signed);
    let next_bundle = SignedBundle::sign(next, &sample::issuer()).to_bytes();
    let server = bundle_server::BundleServer::start();
    Identity {
        controller: ControllerId(1),
        server: server.url.clone(),
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
    let hwm_kb = proc_status_kb(child.id(), "VmHWM");

    // The next bundle: verified and indexed beside the one serving, then swapped in.
    server.release(next_bundle);
    let swapped = Instant::now();
    loop {
        let status = std::fs::read(state.join("status.json")).unwrap_or_default();
        let status: Value = serde_json::from_slice(&status).unwrap_or_default();
        if status["bundle"]["version"].as_u64() == Some(held_version + 1) {
            break;
        }
        assert!(swapped.elapsed() < Duration::from_secs(60), "never swapped");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    let swap_hwm_kb = proc_status_kb(child.id(), "VmHWM");
    let after_swap_kb = proc_status_kb(child.id(), "VmRSS");
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
        "rss_swap_peak_mb": swap_hwm_kb as f64 / 1024.0,
        "rss_after_swap_mb": after_swap_kb as f64 / 1024.0,
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

/// A memory figure of the process (`VmHWM`: peak resident set; `VmRSS`: now), from /proc.
fn proc_status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} in /proc/{pid}/status"))
}
