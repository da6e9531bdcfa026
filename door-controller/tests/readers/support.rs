//! A controller on a stored sample bundle (issued a minute ago), run as a process, and
//! what it journaled and reported.

use gatehouse_core::bundle::SignedBundle;
use gatehouse_core::credential::{CredentialKind, IssuerKey, PassClaims, issue};
use gatehouse_core::ids::{ControllerId, PassSerial};
use gatehouse_core::reason::Reason;
use gatehouse_core::sample::{self, people, zones};
use gatehouse_core::time::Timestamp;
use gatehouse_core::wire::{DoorEventKind, Event};
use gatehouse_door::journal::{Journal, JournalConfig};
use gatehouse_door::sync::Identity;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Now, as Unix seconds.
pub fn now_secs() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970");
    i64::try_from(since.as_secs()).expect("seconds fit i64")
}

/// A visitor pass for the lobby, valid for the next hour, no escort.
pub fn lobby_pass() -> String {
    let now = now_secs();
    issue(
        &sample::issuer(),
        &PassClaims {
            iss: None,
            sub: "v77".into(),
            nbf: now - 60,
            exp: now + 3600,
            iat: Some(now - 60),
            kind: CredentialKind::Visitor,
            serial: PassSerial(77),
            zones: vec![zones::LOBBY],
            escort: false,
            host: Some(people::ALICE),
            items: vec![],
        },
    )
}

/// A state folder holding the sample bundle and an enrollment with a server that is not
/// there (the doors must not care), and a configuration of the lobby door (id 1) on the
/// simulator plus `doors` (TOML, e.g. more `[[door]]` tables) with `readers` on the lobby.
pub struct Site {
    dir: tempfile::TempDir,
    /// The configuration file.
    pub config: PathBuf,
}

impl Site {
    pub fn new(lobby_readers: &str, more_doors: &str) -> Site {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = dir.path().join("state");
        std::fs::create_dir_all(&state).expect("state folder");
        let issued = Timestamp::from_unix_secs(now_secs() - 60);
        let signed = SignedBundle::sign(sample::bundle(issued, 1), &sample::issuer());
        std::fs::write(state.join("bundle.bin"), signed.to_bytes()).expect("bundle.bin");
        Identity {
            controller: ControllerId(1),
            server: "http://127.0.0.1:9".into(),
            fingerprint: None,
            escrow_recipient: None,
            key: IssuerKey::from_seed(&[9; 32]),
        }
        .save(&state)
        .expect("identity");
        let config = dir.path().join("door.toml");
        let text = format!(
            "[controller]\nname = \"bench\"\nstate_dir = \"{}\"\n[hardware]\nbackend = \"sim\"\n\
             [[door]]\nname = \"lobby\"\nid = 1\nlock = \"fail_secure\"\nstrike_time = \"1s\"\n\
             {lobby_readers}{more_doors}",
            state.display()
        );
        std::fs::write(&config, text).expect("config");
        Site { dir, config }
    }

    /// A path in the site's folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The state folder.
    pub fn state(&self) -> PathBuf {
        self.path("state")
    }

    /// Starts `gatehouse-door run` and waits until its doors serve.
    pub fn run(&self) -> Controller {
        let log = std::fs::File::create(self.path("controller.log")).expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_gatehouse-door"))
            .args(["run", "--config"])
            .arg(&self.config)
            .env("GATEHOUSE_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("spawn gatehouse-door");
        let controller = Controller {
            child,
            state: self.state(),
            log: self.path("controller.log"),
        };
        // The simulator's socket opens after the doors serve.
        let deadline = Instant::now() + Duration::from_secs(20);
        while UnixStream::connect(controller.state.join("sim.sock")).is_err() {
            assert!(
                Instant::now() < deadline,
                "the controller never served: {}",
                controller.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        controller
    }
}

/// A running controller, killed if a test fails before stopping it.
pub struct Controller {
    child: Child,
    state: PathBuf,
    log: PathBuf,
}

impl Drop for Controller {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Controller {
    /// What it logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// One request on the simulator's control socket.
    pub fn sim(&self, request: &Value) -> Value {
        let mut stream = UnixStream::connect(self.state.join("sim.sock")).expect("sim socket");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        writeln!(stream, "{request}").expect("send");
        let mut line = String::new();
        BufReader::new(&stream)
            .read_line(&mut line)
            .expect("answer");
        let answer: Value = serde_json::from_str(&line).expect("JSON");
        assert_eq!(answer["ok"], true, "{request} → {answer}");
        answer
    }

    /// The states the lobby's lock was driven to, in order.
    fn lobby_lock(&self) -> Vec<String> {
        let record = self.sim(&json!({"cmd": "record"}));
        record["record"]
            .as_array()
            .expect("a record")
            .iter()
            .filter(|c| c["door"] == "lobby" && c["output"] == "lock")
            .map(|c| c["state"].as_str().expect("a state").to_owned())
            .collect()
    }

    /// Waits until the lobby's lock was driven to `want`, in order (a strike time runs out
    /// on its own clock), and asserts it.
    pub fn assert_lobby_lock(&self, want: &[&str]) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut got = self.lobby_lock();
        while got != want && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
            got = self.lobby_lock();
        }
        assert_eq!(got, want, "{}", self.log());
    }

    /// Waits until the log says `needle`.
    pub fn logged(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.log().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "never logged {needle:?}: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// This process's status report once `ready` holds of it (it is rewritten every 5 s
    /// when something changed).
    pub fn status_when(&self, what: &str, ready: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let status = std::fs::read(self.state.join("status.json"))
                .ok()
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
            if let Some(status) = &status {
                if status["pid"] == self.child.id() && ready(status) {
                    return status.clone();
                }
            }
            assert!(
                Instant::now() < deadline,
                "{what}: {status:#?}\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops it as systemd does (SIGTERM) and returns what it journaled.
    pub fn stop(mut self) -> Vec<Event> {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        assert!(killed.success());
        let status = self.child.wait().expect("wait");
        assert_eq!(status.code(), Some(0), "{}", self.log());
        let journal =
            Journal::open(self.state.join("journal"), JournalConfig::default()).expect("journal");
        journal
            .pending(10_000)
            .expect("entries")
            .into_iter()
            .map(|e| e.event)
            .collect()
    }
}

/// The reasons of the access decisions in `events`, in order.
pub fn reasons(events: &[Event]) -> Vec<Reason> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Access(d) => Some(d.reason),
            _ => None,
        })
        .collect()
}

/// The reader health events of `events` at door `door`, in order.
pub fn reader_health(events: &[Event], door: u32) -> Vec<DoorEventKind> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Door(d) if d.door.0 == door => Some(d.kind),
            _ => None,
        })
        .filter(|k| {
            matches!(
                k,
                DoorEventKind::ReaderOnline { .. } | DoorEventKind::ReaderOffline { .. }
            )
        })
        .collect()
}

/// A pseudo-terminal: the test holds the master side, the controller opens the slave by
/// its path as it opens `/dev/ttyACM0` on a door.
pub struct Pty {
    pub master: serialport::TTYPort,
    // Held open: closing every slave descriptor would hang the pty up.
    _slave: serialport::TTYPort,
    pub path: String,
}

impl Pty {
    pub fn new() -> Pty {
        let (master, slave) = serialport::TTYPort::pair().expect("openpty");
        let path = serialport::SerialPort::name(&slave).expect("the slave's path");
        Pty {
            master,
            _slave: slave,
            path,
        }
    }

    /// Types `line` as a line-mode scanner does.
    pub fn scan(&mut self, line: &str) {
        self.master
            .write_all(format!("{line}\r\n").as_bytes())
            .expect("write to the pty");
    }
}
