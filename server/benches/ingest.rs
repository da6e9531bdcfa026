//! Event ingest through the real upload endpoint: a `gatehouse server` process (plain HTTP
//! on loopback) on SQLite, then on PostgreSQL when `PG_TEST_URL` names a server, with
//! several controllers enrolled the way an installer does it (one-time code, own Ed25519
//! key) uploading signed batches of 500 access events at once, each over its own
//! keep-alive connection. The measure is events stored (acknowledged) per second of wall
//! time; afterwards the rows are counted and one controller's audit chain and the events it
//! accounts for are verified.
//!
//! The server binary is `target/release/gatehouse` (`cargo build --release --bin gatehouse`,
//! which `scripts/bench` does), or `GATEHOUSE_BIN`.
//!
//! `cargo bench -p gatehouse-server --bench ingest`

mod support;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_core::credential::IssuerKey;
use gatehouse_core::ids::ControllerId;
use gatehouse_core::wire::signed_request::{
    DEVICE_HEADER, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signing_message,
};
use gatehouse_core::wire::{BatchAck, EventBatch, WIRE_VERSION};
use gatehouse_server::store::Store;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use serde_json::{Value, json};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;
use support::{Results, access_entry, percentile};

/// Controllers uploading at once.
const CONTROLLERS: u64 = 8;
/// Entries per upload, as the target states it.
const BATCH: u64 = 500;
/// Timed uploads per controller (after [`WARM_UP`] untimed ones).
const BATCHES: u64 = 100;
const WARM_UP: u64 = 4;
const PATH: &str = "/api/v1/sync/events";

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut results = Results::new("ingest");
    let dir = tempfile::tempdir().expect("temp dir");
    results.add(runtime.block_on(run("sqlite", &dir.path().join("sqlite"), None)));
    match support::pg_url() {
        Some(url) => {
            let db = runtime.block_on(support::fresh_pg_database(&url, "gatehouse_bench_ingest"));
            results.add(runtime.block_on(run("postgres", &dir.path().join("pg"), Some(db))));
        }
        None => eprintln!("ingest: PG_TEST_URL is not set; PostgreSQL skipped"),
    }
    results.write();
}

fn server_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("GATEHOUSE_BIN") {
        return bin.into();
    }
    // target/release/deps/ingest-<hash> → target/release/gatehouse
    let exe = std::env::current_exe().expect("bench path");
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps")
        .join("gatehouse");
    assert!(
        bin.is_file(),
        "{} not found: run `cargo build --release --bin gatehouse` first, or set GATEHOUSE_BIN",
        bin.display()
    );
    bin
}

/// A `gatehouse server` process, killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn start_server(data_dir: &Path, database_url: Option<&str>) -> Server {
    let mut command = Command::new(server_binary());
    command
        .args(["server", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env("GATEHOUSE_TLS__MODE", "off")
        .env("GATEHOUSE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(url) = database_url {
        command.env("GATEHOUSE_DATABASE_URL", url);
    }
    let mut child = command.spawn().expect("start gatehouse server");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read the listening line");
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("expected `listening on http://…`, got {line:?}"))
        .to_string();
    Server { child, addr }
}

/// CPU time used by a process so far (user + system), in seconds, from /proc.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) in parentheses.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

/// One keep-alive HTTP/1.1 connection.
struct Client {
    sender: SendRequest<Full<Bytes>>,
    addr: String,
}

struct Reply {
    status: u16,
    headers: hyper::HeaderMap,
    body: Bytes,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

impl Client {
    async fn connect(addr: &str) -> Client {
        let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        let (sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .expect("HTTP handshake");
        tokio::spawn(conn);
        Client {
            sender,
            addr: addr.to_string(),
        }
    }

    async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: Bytes,
    ) -> Reply {
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.addr);
        if !body.is_empty() {
            req = req.header("content-type", "application/json");
        }
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        if self.sender.ready().await.is_err() {
            // The server closed the connection (it may, between requests): a new one.
            eprintln!("ingest: reconnecting to {}", self.addr);
            *self = Client::connect(&self.addr).await;
        }
        let res = self
            .sender
            .send_request(req.body(Full::new(body)).expect("request"))
            .await
            .expect("response");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.expect("body").to_bytes();
        Reply {
            status,
            headers,
            body,
        }
    }
}

/// An admin's session, signed in through the API with the bootstrapped one-time password.
struct Admin {
    client: Client,
    cookie: String,
    csrf: String,
}

impl Admin {
    async fn sign_in(addr: &str, data_dir: &Path) -> Admin {
        let mut client = Client::connect(addr).await;
        let one_time = std::fs::read_to_string(data_dir.join("initial-admin-password"))
            .expect("initial admin password");
        let login = |password: &str| json!({"username": "admin", "password": password});
        let reply = client
            .send(
                "POST",
                "/api/v1/auth/login",
                &[],
                login(one_time.trim()).to_string().into(),
            )
            .await;
        assert_eq!(reply.status, 200, "login: {:?}", reply.json());
        let cookie = reply.headers["set-cookie"]
            .to_str()
            .expect("cookie")
            .split(';')
            .next()
            .expect("cookie pair")
            .to_string();
        let csrf = reply.json()["csrf_token"]
            .as_str()
            .expect("csrf")
            .to_string();
        let mut admin = Admin {
            client,
            cookie,
            csrf,
        };
        let changed = admin
            .post(
                "/api/v1/auth/password",
                json!({"current_password": one_time.trim(), "new_password": "bench password 1234"}),
            )
            .await;
        assert_eq!(changed.status, 200, "password change: {:?}", changed.json());
        admin
    }

    async fn post(&mut self, path: &str, body: Value) -> Reply {
        let headers = [
            ("cookie", self.cookie.clone()),
            ("x-csrf-token", self.csrf.clone()),
        ];
        self.client
            .send("POST", path, &headers, body.to_string().into())
            .await
    }

    /// A new controller, enrolled with its own key as a device does it.
    async fn enroll_controller(&mut self, addr: &str, name: &str) -> Device {
        let created = self
            .post("/api/v1/controllers", json!({"name": name}))
            .await;
        assert_eq!(created.status, 201, "controller: {:?}", created.json());
        let id = created.json()["id"].as_u64().expect("controller id");
        let code = self
            .post(
                &format!("/api/v1/controllers/{id}/enrollment-code"),
                json!({}),
            )
            .await;
        assert_eq!(code.status, 201, "enrollment code: {:?}", code.json());
        let key = IssuerKey::from_seed(&rand::random::<[u8; 32]>());
        let mut device_client = Client::connect(addr).await;
        let enrolled = device_client
            .send(
                "POST",
                "/api/v1/enroll",
                &[],
                json!({
                    "code": code.json()["code"],
                    "public_key": URL_SAFE_NO_PAD.encode(key.public().to_bytes()),
                })
                .to_string()
                .into(),
            )
            .await;
        assert_eq!(enrolled.status, 200, "enroll: {:?}", enrolled.json());
        Device {
            id: ControllerId(u32::try_from(id).expect("small id")),
            name: enrolled.json()["device"]
                .as_str()
                .expect("device")
                .to_string(),
            key,
            client: device_client,
        }
    }
}

struct Device {
    id: ControllerId,
    name: String,
    key: IssuerKey,
    client: Client,
}

impl Device {
    /// Uploads one batch, signed now; the acknowledged seq.
    async fn upload(&mut self, body: &Bytes) -> u64 {
        let now = support::now_ms();
        let nonce = format!("{:032x}", rand::random::<u128>());
        let signature = self
            .key
            .sign(&signing_message("POST", PATH, now, &nonce, body));
        let headers = [
            (DEVICE_HEADER, self.name.clone()),
            (TIMESTAMP_HEADER, now.to_string()),
            (NONCE_HEADER, nonce),
            (SIGNATURE_HEADER, URL_SAFE_NO_PAD.encode(signature)),
        ];
        let reply = self.client.send("POST", PATH, &headers, body.clone()).await;
        assert_eq!(reply.status, 200, "upload: {:?}", reply.json());
        let ack: BatchAck = serde_json::from_slice(&reply.body).expect("a BatchAck");
        ack.highest_seq
    }
}

/// The bodies of a controller's uploads: `count` batches of [`BATCH`] access events.
fn bodies(controller: ControllerId, journal: u64, first_batch: u64, count: u64) -> Vec<Bytes> {
    let start_ms = support::now_ms() - 86_400_000;
    (first_batch..first_batch + count)
        .map(|b| {
            let entries = (b * BATCH + 1..=(b + 1) * BATCH)
                .map(|seq| {
                    let n = seq * 7919 + u64::from(controller.0) * 104_729;
                    let at = start_ms + i64::try_from(seq * 150).expect("small");
                    access_entry(
                        journal,
                        seq,
                        1_000_000 + n % 5_000,
                        u32::try_from(n % 500).expect("small") + 1,
                        at,
                    )
                })
                .collect();
            let batch = EventBatch {
                v: WIRE_VERSION,
                controller,
                entries,
            };
            Bytes::from(serde_json::to_vec(&batch).expect("serialize"))
        })
        .collect()
}

async fn run(backend: &'static str, data_dir: &Path, database_url: Option<String>) -> Value {
    let server = start_server(data_dir, database_url.as_deref());
    let mut admin = Admin::sign_in(&server.addr, data_dir).await;
    let mut devices = Vec::new();
    for c in 0..CONTROLLERS {
        devices.push(
            admin
                .enroll_controller(&server.addr, &format!("bench-{c}"))
                .await,
        );
    }
    let journal = |d: &Device| 0xbe0c_0000_0000_0000 | u64::from(d.id.0);

    // Warm up (connections, caches, prepared statements), untimed.
    for device in &mut devices {
        for body in bodies(device.id, journal(device), 0, WARM_UP) {
            device.upload(&body).await;
        }
    }
    let work: Vec<(Device, Vec<Bytes>)> = devices
        .into_iter()
        .map(|d| {
            let b = bodies(d.id, journal(&d), WARM_UP, BATCHES);
            (d, b)
        })
        .collect();
    let body_bytes: usize = work.iter().flat_map(|(_, b)| b).map(Bytes::len).sum();

    let server_cpu = cpu_seconds(server.child.id());
    let own_cpu = cpu_seconds(std::process::id());
    let started = Instant::now();
    let tasks: Vec<_> = work
        .into_iter()
        .map(|(mut device, bodies)| {
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(bodies.len());
                let mut acked = 0;
                for body in &bodies {
                    let t = Instant::now();
                    acked = device.upload(body).await;
                    latencies.push(t.elapsed().as_secs_f64() * 1e3);
                }
                (device.id, acked, latencies)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut ids = Vec::new();
    for task in tasks {
        let (id, acked, l) = task.await.expect("uploader");
        assert_eq!(
            acked,
            (WARM_UP + BATCHES) * BATCH,
            "controller {} acknowledged",
            id.0
        );
        ids.push(id);
        latencies.extend(l);
    }
    let elapsed = started.elapsed();
    let server_cpu = cpu_seconds(server.child.id()) - server_cpu;
    let own_cpu = cpu_seconds(std::process::id()) - own_cpu;
    drop(admin);
    drop(server);

    let events = CONTROLLERS * BATCHES * BATCH;
    let rate = events as f64 / elapsed.as_secs_f64();
    check_stored(data_dir, database_url.as_deref(), ids[0]).await;
    let us_per_event = |cpu: f64| cpu * 1e6 / events as f64;
    eprintln!(
        "ingest/{backend}: {events} events in {:.2} s = {rate:.0} events/s ({CONTROLLERS} controllers, batches of {BATCH}, {:.1} MB of JSON); CPU per event: server process {:.1} µs, uploaders {:.1} µs",
        elapsed.as_secs_f64(),
        body_bytes as f64 / 1e6,
        us_per_event(server_cpu),
        us_per_event(own_cpu),
    );
    json!({
        "id": format!("ingest/{backend}"),
        "events": events,
        "seconds": elapsed.as_secs_f64(),
        "events_per_sec": rate,
        "controllers": CONTROLLERS,
        "batch": BATCH,
        "upload_ms_p50": percentile(&mut latencies, 50),
        "upload_ms_p95": percentile(&mut latencies, 95),
        "server_cpu_us_per_event": us_per_event(server_cpu),
        "uploader_cpu_us_per_event": us_per_event(own_cpu),
    })
}

/// Every event stored once, and one controller's chain intact.
async fn check_stored(data_dir: &Path, database_url: Option<&str>, controller: ControllerId) {
    let url = database_url.map_or_else(
        || Store::sqlite_url(&data_dir.join("gatehouse.db")),
        str::to_string,
    );
    let store = Store::open(&url).await.expect("open the bench database");
    let total = CONTROLLERS * (WARM_UP + BATCHES) * BATCH;
    let count = |sql: &'static str| {
        let pool = store.pool().clone();
        async move {
            let n: i64 = sqlx::query_scalar(sql)
                .fetch_one(&pool)
                .await
                .expect("count");
            n.unsigned_abs()
        }
    };
    assert_eq!(count("SELECT COUNT(*) FROM events").await, total);
    // One chain row per upload, each accounting for the 500 events it stored.
    assert_eq!(
        count("SELECT COUNT(*) FROM audit_log WHERE stream LIKE 'controller:%'").await,
        CONTROLLERS * (WARM_UP + BATCHES)
    );
    let stream = format!("controller:{}", controller.0);
    let verified = store
        .verify_audit_stream(&stream, &[])
        .await
        .expect("read the chain")
        .expect("the chain and its events verify");
    assert_eq!(verified.rows, WARM_UP + BATCHES);
    store.close().await;
}
