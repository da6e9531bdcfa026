//! libosdp's peripheral device (tests/python/osdp_pd.py) on a pseudo-terminal, driven
//! through its JSON lines.

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// The Python with libosdp, from `GATEHOUSE_TEST_PYTHON` (scripts/test sets it). Without
/// it the test is skipped, except under `CI`, where that is a failure.
pub fn python() -> Option<PathBuf> {
    let why = match std::env::var_os("GATEHOUSE_TEST_PYTHON") {
        None => "GATEHOUSE_TEST_PYTHON is not set".to_owned(),
        Some(exe) => {
            let works = Command::new(&exe)
                .args(["-c", "import osdp"])
                .output()
                .is_ok_and(|o| o.status.success());
            if works {
                return Some(PathBuf::from(exe));
            }
            format!(
                "GATEHOUSE_TEST_PYTHON={} cannot import osdp (libosdp)",
                exe.to_string_lossy()
            )
        }
    };
    if std::env::var_os("CI").is_some() {
        panic!("{why}: run scripts/test, which creates target/pyenv from requirements-test.txt");
    }
    eprintln!("skipped: {why} (scripts/test sets it up)");
    None
}

/// A running PD; killed when dropped.
pub struct Pd {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<Value>,
    /// Everything it printed so far.
    pub seen: Vec<Value>,
    /// The pty slave the control panel opens.
    pub pty: String,
}

impl Pd {
    /// Starts the PD at `address`, with its key and install mode as asked.
    pub fn start(python: &PathBuf, address: u8, scbk: Option<&str>, install_mode: bool) -> Pd {
        let mut args = vec!["--address".to_owned(), address.to_string()];
        if let Some(k) = scbk {
            args.extend(["--scbk".to_owned(), k.to_owned()]);
        }
        if install_mode {
            args.push("--install-mode".to_owned());
        }
        Pd::launch(python, &args)
    }

    /// Starts plain PDs at `addresses`, all on one line (a multi-drop bus): each hears
    /// every byte the control panel sends and answers its own address. Requests name the
    /// reader with `"address"`; the first is the default.
    pub fn start_line(python: &PathBuf, addresses: &[u8]) -> Pd {
        let (first, rest) = addresses.split_first().expect("at least one address");
        let mut args = vec!["--address".to_owned(), first.to_string()];
        for address in rest {
            args.extend(["--also".to_owned(), address.to_string()]);
        }
        Pd::launch(python, &args)
    }

    fn launch(python: &PathBuf, args: &[String]) -> Pd {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/python/osdp_pd.py");
        let mut cmd = Command::new(python);
        cmd.arg(script).args(args);
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start osdp_pd.py");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    if tx.send(v).is_err() {
                        return;
                    }
                }
            }
        });
        let mut pd = Pd {
            child,
            stdin,
            lines,
            seen: Vec::new(),
            pty: String::new(),
        };
        let ready = pd
            .wait_for(Duration::from_secs(10), |v| v.get("pty").is_some())
            .expect("the PD's pty");
        pd.pty = ready["pty"].as_str().expect("pty path").to_owned();
        pd
    }

    /// Sends one request line.
    pub fn tell(&mut self, request: Value) {
        writeln!(self.stdin, "{request}").expect("write to the PD");
        self.stdin.flush().expect("flush");
    }

    /// Reads lines until one matches `pred` (returned) or `timeout` passes.
    pub fn wait_for(&mut self, timeout: Duration, pred: impl Fn(&Value) -> bool) -> Option<Value> {
        if let Some(v) = self.seen.iter().find(|v| pred(v)) {
            return Some(v.clone());
        }
        let deadline = Instant::now() + timeout;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(v) => {
                    self.seen.push(v.clone());
                    if pred(&v) {
                        return Some(v);
                    }
                }
                Err(_) => return None,
            }
        }
        None
    }

    /// Collects what arrived so far without waiting.
    pub fn drain(&mut self) {
        while let Ok(v) = self.lines.try_recv() {
            self.seen.push(v);
        }
    }
}

impl Drop for Pd {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}
