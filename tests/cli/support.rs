//! Running `gatehouse` and tests/python/gh_pass.py, and the passes and keys tests share.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;
use tempfile::TempDir;

/// How a command ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn new(what: &str, output: Output) -> Self {
        Self {
            code: output
                .status
                .code()
                .unwrap_or_else(|| panic!("{what}: killed by a signal")),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }

    /// Panics, showing stderr, unless the command exited 0.
    pub fn ok(self) -> Self {
        assert_eq!(self.code, 0, "expected success; stderr:\n{}", self.stderr);
        self
    }

    /// The one line on stdout. Only the newline is cut: base45 has a space in its alphabet,
    /// so a pass may end in one.
    pub fn line(&self) -> &str {
        let line = self.stdout.strip_suffix('\n').unwrap_or(&self.stdout);
        assert!(
            !line.contains('\n'),
            "expected one line, got {:?}",
            self.stdout
        );
        line
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {:?}", self.stdout))
    }

    /// The reason a pass was refused: exit 1 and exactly `denied: <reason>` on stderr.
    pub fn denial(&self) -> Option<&str> {
        let reason = self.stderr.trim_end().strip_prefix("denied: ")?;
        (self.code == 1 && !reason.contains('\n')).then_some(reason)
    }

    /// Panics unless the pass was refused for `reason`.
    pub fn assert_denied(&self, reason: &str) {
        assert_eq!(
            self.denial(),
            Some(reason),
            "expected `denied: {reason}`, got {self:?}"
        );
    }
}

/// Runs the `gatehouse` binary built from this package.
pub fn gatehouse<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(args)
        .output()
        .expect("run gatehouse");
    Run::new("gatehouse", output)
}

/// A Python with requirements-test.txt installed, running tests/python/gh_pass.py.
#[derive(Debug)]
pub struct Python {
    exe: PathBuf,
}

impl Python {
    pub fn gh_pass<S: AsRef<OsStr>>(&self, args: impl IntoIterator<Item = S>) -> Run {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/gh_pass.py");
        let output = Command::new(&self.exe)
            .arg(script)
            .args(args)
            .output()
            .expect("run gh_pass.py");
        Run::new("gh_pass.py", output)
    }
}

/// The Python named by `GATEHOUSE_TEST_PYTHON`. Without a working one a test skips (prints
/// `skipped: …` and returns early on `None`), except under `CI`, where it fails: CI must
/// never pass by testing less.
pub fn python() -> Option<&'static Python> {
    static PYTHON: OnceLock<Result<Python, String>> = OnceLock::new();
    match PYTHON.get_or_init(find_python) {
        Ok(python) => Some(python),
        Err(why) if std::env::var_os("CI").is_some() => {
            panic!("{why}: run scripts/test, which creates target/pyenv from requirements-test.txt")
        }
        Err(why) => {
            eprintln!("skipped: {why} (scripts/test sets it up)");
            None
        }
    }
}

fn find_python() -> Result<Python, String> {
    let exe =
        std::env::var_os("GATEHOUSE_TEST_PYTHON").ok_or("GATEHOUSE_TEST_PYTHON is not set")?;
    let works = Command::new(&exe)
        .args(["-c", "import base45, cbor2, cryptography, pycose"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !works {
        return Err(format!(
            "GATEHOUSE_TEST_PYTHON={} cannot import pycose, cbor2, base45 and cryptography",
            exe.to_string_lossy()
        ));
    }
    Ok(Python { exe: exe.into() })
}

/// One instant written both ways: `gatehouse` takes RFC 3339, gh_pass.py Unix seconds.
#[derive(Debug, Clone, Copy)]
pub struct At {
    pub unix: i64,
    pub rfc3339: &'static str,
}

/// The passes these tests issue are valid for one day, far from the real clock.
pub const NOT_BEFORE: At = At {
    unix: 1_893_456_000,
    rfc3339: "2030-01-01T00:00:00Z",
};
pub const EXPIRES: At = At {
    unix: 1_893_542_400,
    rfc3339: "2030-01-02T00:00:00Z",
};
pub const DURING: At = At {
    unix: 1_893_499_200,
    rfc3339: "2030-01-01T12:00:00Z",
};
pub const SECOND_BEFORE: At = At {
    unix: 1_893_455_999,
    rfc3339: "2029-12-31T23:59:59Z",
};
pub const LAST_SECOND: At = At {
    unix: 1_893_542_399,
    rfc3339: "2030-01-01T23:59:59Z",
};

/// An issuer key pair in its own temporary directory.
#[derive(Debug)]
pub struct Issuer {
    dir: TempDir,
    /// The key id as printed when the key was made: 16 lowercase hex digits.
    pub kid: String,
}

impl Issuer {
    /// `gatehouse keys generate`.
    pub fn rust() -> Self {
        let dir = TempDir::new().expect("temp dir");
        let kid = gatehouse(["keys", "generate", "--out", utf8(dir.path())]);
        Self {
            kid: kid.ok().line().to_owned(),
            dir,
        }
    }

    /// `gh_pass.py keygen`: a key the Rust code had no part in making.
    pub fn python(python: &Python) -> Self {
        let dir = TempDir::new().expect("temp dir");
        let kid = python.gh_pass(["keygen", "--out", utf8(dir.path())]);
        Self {
            kid: kid.ok().line().to_owned(),
            dir,
        }
    }

    pub fn key(&self) -> String {
        utf8(&self.dir.path().join("issuer.key")).to_owned()
    }

    pub fn public(&self) -> String {
        utf8(&self.dir.path().join("issuer.pub")).to_owned()
    }

    /// `gatehouse credential issue`, valid from `NOT_BEFORE` to `EXPIRES`.
    pub fn issue(&self, kind: &str, subject: &str, zones: Option<&str>, escort: bool) -> String {
        let key = self.key();
        let mut args = vec!["credential", "issue", "--key", &key, "--kind", kind];
        args.extend(["--subject", subject]);
        args.extend([
            "--not-before",
            NOT_BEFORE.rfc3339,
            "--expires",
            EXPIRES.rfc3339,
        ]);
        if let Some(zones) = zones {
            args.extend(["--zones", zones]);
        }
        if escort {
            args.push("--escort");
        }
        let text = gatehouse(args).ok().line().to_owned();
        assert!(text.starts_with("GH1:"), "not a GH1 pass: {text:?}");
        text
    }

    /// The pass most tests use: a visitor with zones and an escort.
    pub fn visitor(&self) -> String {
        self.issue("visitor", "V0001234", Some("1,2,3"), true)
    }
}

/// Temporary directories are UTF-8 here; saying so once keeps the arguments plain `&str`.
pub fn utf8(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

/// `gatehouse credential verify --trust … --at … TEXT`.
pub fn rust_verify(trusted: &[&Issuer], at: At, text: &str) -> Run {
    let publics: Vec<String> = trusted.iter().map(|issuer| issuer.public()).collect();
    let mut args = vec!["credential", "verify"];
    for public in &publics {
        args.extend(["--trust", public]);
    }
    args.extend(["--at", at.rfc3339, text]);
    gatehouse(args)
}

/// `gh_pass.py verify --pub … --at … TEXT`.
pub fn python_verify(python: &Python, trusted: &[&Issuer], at: At, text: &str) -> Run {
    let publics: Vec<String> = trusted.iter().map(|issuer| issuer.public()).collect();
    let unix = at.unix.to_string();
    let mut args = vec!["verify"];
    for public in &publics {
        args.extend(["--pub", public]);
    }
    args.extend(["--at", &unix, text]);
    python.gh_pass(args)
}

/// A running `gatehouse server` on a free loopback port with TLS off, killed when dropped.
pub struct ServerProcess {
    child: std::process::Child,
    /// `127.0.0.1:<port>`.
    pub host: String,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Starts `gatehouse server` on `data_dir` and waits for its `listening on` line.
pub fn start_server(data_dir: &Path) -> ServerProcess {
    start_server_with(data_dir, &[])
}

/// Starts `gatehouse server` with more `GATEHOUSE_…` settings in its environment.
pub fn start_server_with(data_dir: &Path, env: &[(&str, &str)]) -> ServerProcess {
    let mut env = env.to_vec();
    env.insert(0, ("GATEHOUSE_TLS__MODE", "off"));
    launch(data_dir, "http", &env)
}

/// Starts `gatehouse server` with TLS on (its self-signed certificate, made in
/// `data_dir/tls/` at first start), as devices meet it.
pub fn start_tls_server(data_dir: &Path) -> ServerProcess {
    launch(data_dir, "https", &[])
}

/// Starts the TLS server again on `host` (`127.0.0.1:<port>`), where enrolled devices
/// expect it.
pub fn restart_tls_server(data_dir: &Path, host: &str) -> ServerProcess {
    launch_on(data_dir, host, "https", &[])
}

/// Runs the server on a free loopback port and waits for `listening on <scheme>://…`.
fn launch(data_dir: &Path, scheme: &str, env: &[(&str, &str)]) -> ServerProcess {
    launch_on(data_dir, "127.0.0.1:0", scheme, env)
}

fn launch_on(data_dir: &Path, listen: &str, scheme: &str, env: &[(&str, &str)]) -> ServerProcess {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["server", "--listen", listen, "--data-dir"])
        .arg(data_dir)
        .env("GATEHOUSE_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let prefix = format!("listening on {scheme}://");
    let host = line
        .trim()
        .strip_prefix(prefix.as_str())
        .unwrap_or_else(|| panic!("expected `{prefix}…`, got {line:?}"))
        .to_string();
    ServerProcess { child, host }
}

/// One plain HTTP/1.1 request: the status code and the body.
pub fn http(host: &str, method: &str, path: &str, json: Option<&str>) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    let body = json.unwrap_or("");
    let content_type = if json.is_some() {
        "Content-Type: application/json\r\n"
    } else {
        ""
    };
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{content_type}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {response:?}"));
    let body = response
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

/// The system clock in Unix milliseconds.
pub fn now_ms() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(since.as_millis()).unwrap()
}

/// A live enrollment code for controller `controller`, pinning the certificate the TLS
/// server made in `data/tls/`, and the same code pinning a certificate that is not it.
pub async fn enrollment_codes(
    store: &gatehouse_server::store::Store,
    site: gatehouse_core::ids::SiteId,
    controller: gatehouse_core::ids::ControllerId,
    data: &Path,
) -> (String, String) {
    use gatehouse_core::wire::enrollment::{DeviceKind as CodeKind, EnrollmentCode};
    use gatehouse_server::auth::tokens;
    use gatehouse_server::store::DeviceKind;
    use gatehouse_server::tls::ServerTls;
    let secret = tokens::random_secret();
    store
        .start_enrollment(
            site,
            DeviceKind::Controller,
            u64::from(controller.0),
            &tokens::hash(&secret),
            now_ms() + 3_600_000,
        )
        .await
        .unwrap();
    let fingerprint =
        ServerTls::from_pem_files(&data.join("tls/cert.pem"), &data.join("tls/key.pem"))
            .unwrap()
            .fingerprint();
    let code = |fingerprint| {
        EnrollmentCode {
            kind: CodeKind::Controller,
            device: u64::from(controller.0),
            secret: secret.clone(),
            fingerprint: Some(fingerprint),
        }
        .to_string()
    };
    (code(fingerprint), code([0x42; 32]))
}
