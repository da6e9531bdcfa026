//! `gatehouse demo` as a newcomer runs it: a server and two controller processes in a folder
//! of the demo's own, cards and a visitor's QR presented with `gatehouse demo present`, each
//! decision shown with its reason, and Ctrl-C stopping everything.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::support::{Run, gatehouse};

/// The running demo: its process and its stdout, line by line.
struct Demo {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Drop for Demo {
    /// A test that fails midway still stops the demo as a user would (Ctrl-C), so its
    /// controllers stop too; killed only if it does not stop in time.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = Command::new("kill")
                .args(["-INT", &self.child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(15);
            while let Ok(None) = self.child.try_wait() {
                if Instant::now() > deadline {
                    let _ = self.child.kill();
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let _ = self.child.wait();
    }
}

impl Demo {
    fn start(dir: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
            .args(["demo", "--dir"])
            .arg(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if send.send(line).is_err() {
                    return;
                }
            }
        });
        Demo { child, lines }
    }

    /// Lines up to and including the first that `done` accepts.
    fn read_until(&self, what: &str, mut done: impl FnMut(&str) -> bool) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut read = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let last = done(&line);
                    read.push(line);
                    if last {
                        return read;
                    }
                }
                Err(e) => panic!("{what}: {e}; read so far:\n{}", read.join("\n")),
            }
        }
    }
}

/// `gatehouse demo present --dir <dir> <args>`.
fn try_present(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["demo", "present", "--dir", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    gatehouse(all)
}

/// The door's answer to a presentation that must succeed.
fn present(dir: &Path, args: &[&str]) -> String {
    try_present(dir, args).ok().line().to_owned()
}

/// The words of a decision line after its time: door, OPEN or closed, reason, who.
fn decision_words(line: &str) -> Option<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let is_decision = words.len() > 3 && (words[2] == "OPEN" || words[2] == "closed");
    is_decision.then(|| words[1..].join(" "))
}

#[test]
fn the_demo_decides_each_presentation_and_stops_on_ctrl_c() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("gatehouse-demo");
    let demo = Demo::start(&dir);
    let welcome = demo.read_until("the welcome", |l| l.starts_with("Decisions as the server"));
    let password = welcome
        .iter()
        .find_map(|l| l.split("one-time password ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the admin's one-time password is shown");
    let on_disk = std::fs::read_to_string(dir.join("data/initial-admin-password")).unwrap();
    assert_eq!(password, on_disk.trim());

    let pass = dir.join("visitor-pass.txt");
    let pass = pass.to_str().unwrap();
    // The pass printed for the visitor verifies against the server's issuer key.
    let text = std::fs::read_to_string(pass).unwrap();
    let trust = dir.join("issuer.pub");
    let verified = gatehouse([
        "credential",
        "verify",
        "--trust",
        trust.to_str().unwrap(),
        &text,
    ])
    .ok()
    .json();
    assert_eq!(verified["kind"], "visitor", "{verified}");
    assert_eq!(verified["sub"], "v1", "{verified}");
    let answers = [
        present(&dir, &["--door", "lobby", "--card", "H10301:12:1001"]),
        present(&dir, &["--door", "office", "--card", "H10301:12:1006"]),
        present(&dir, &["--door", "lobby", "--qr-file", pass]),
        present(&dir, &["--door", "office", "--card", "H10301:77:4711"]),
        present(&dir, &["--door", "server-room", "--card", "H10301:12:1002"]),
        present(&dir, &["--door", "server-room", "--card", "H10301:12:1003"]),
        present(
            &dir,
            &[
                "--door",
                "dock",
                "--side",
                "out",
                "--card",
                "H10301:12:1001",
            ],
        ),
        present(&dir, &["--door", "office", "--card", "H10301:12:1005"]),
    ];
    assert_eq!(
        answers,
        [
            "lobby-in: OPEN: granted (Alice Andersen)",
            "office-in: closed: suspended (Frank Falk)",
            "lobby-in: OPEN: granted (visitor Victor Visser)",
            "office-in: closed: unknown_credential",
            "server-room-in: closed: awaiting_second_person (Bob Brandt)",
            "server-room-in: OPEN: granted (Carol Castell)",
            // The back controller's bundle holds only the people its doors admit.
            "dock-out: closed: unknown_credential",
            "office-in: closed: zone_not_granted (Erin Ek)",
        ]
    );

    let run = try_present(&dir, &["--door", "nowhere", "--card", "H10301:12:1001"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains(
            "--door nowhere: the demo has no such door (it has dock, lobby, office, server-room)"
        ),
        "{}",
        run.stderr
    );

    // The demo's own terminal shows the same decisions, as the server received them.
    let mut shown = Vec::new();
    demo.read_until("the decisions", |line| {
        shown.extend(decision_words(line));
        shown.len() == answers.len()
    });
    assert_eq!(
        shown,
        [
            "lobby OPEN granted Alice Andersen",
            "office closed suspended Frank Falk",
            "lobby OPEN granted visitor Victor Visser",
            "office closed unknown_credential",
            "server-room closed awaiting_second_person Bob Brandt",
            "server-room OPEN granted Carol Castell",
            "dock closed unknown_credential",
            "office closed zone_not_granted Erin Ek",
        ]
    );

    // Ctrl-C: the controllers stop, then the server, and the demo exits 0.
    let controller_pids: Vec<String> = ["front-pi", "back-pi"]
        .iter()
        .map(|name| {
            let status = dir.join("controllers").join(name).join("status.json");
            let status: serde_json::Value =
                serde_json::from_slice(&std::fs::read(status).unwrap()).unwrap();
            status["pid"].to_string()
        })
        .collect();
    let interrupted = Command::new("kill")
        .args(["-INT", &demo.child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let end = demo.read_until("the stop", |l| l.starts_with("Stopped."));
    assert!(end.iter().any(|l| l.starts_with("Stopping")), "{end:?}");
    let mut demo = demo;
    assert_eq!(demo.child.wait().unwrap().code(), Some(0));
    for pid in controller_pids {
        assert!(
            !Path::new(&format!("/proc/{pid}")).exists(),
            "controller {pid} still runs"
        );
    }
    assert!(!dir.join("demo.pid").exists());
}

#[test]
fn a_folder_that_is_not_the_demos_is_never_emptied() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("payroll.xlsx"), "keep me").unwrap();
    let run = gatehouse(["demo", "--dir", tmp.path().to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("is not the demo's folder (it has no .gatehouse-demo)"),
        "{}",
        run.stderr
    );
    let kept = std::fs::read_to_string(tmp.path().join("payroll.xlsx")).unwrap();
    assert_eq!(kept, "keep me");
}

#[test]
fn presenting_without_a_running_demo_or_at_an_unknown_door_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let run = try_present(dir, &["--door", "lobby", "--card", "H10301:12:1001"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("start it with `cargo run --release -- demo`"),
        "{}",
        run.stderr
    );

    let run = try_present(dir, &["--door", "lobby", "--card", "not-a-card"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("--card not-a-card"), "{}", run.stderr);
}
