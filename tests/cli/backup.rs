//! `gatehouse backup` and `gatehouse restore` on real data directories, with real server
//! processes: a backup restores into a working server whose controllers resync — the data
//! is there, the policy epoch moved, and a controller that held a newer bundle of the old
//! epoch accepts the restored server's bundle. Encrypted backups, damaged files and the
//! off-site copy with retention are checked the same way.

use super::support::{Run, gatehouse, http, start_server, utf8};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_core::bundle::{BundleDelta, BundleError, BundleVersion, Policy, SignedBundle};
use gatehouse_core::credential::{IssuerKey, TrustStore};
use gatehouse_core::ids::{ControllerId, PersonId, SiteId};
use gatehouse_core::model::{Grant, TimeRange, Weekdays, WeeklyWindow, ZoneRules};
use gatehouse_core::wire::signed_request::{
    DEVICE_HEADER, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signing_message,
};
use gatehouse_server::auth::{password, tokens};
use gatehouse_server::data_dir::DataDir;
use gatehouse_server::keyring::Keyring;
use gatehouse_server::store::{
    DeviceKind, NewBadge, NewDoor, NewGroup, NewPerson, NewSchedule, NewUser, NewZone, Role, Store,
};
use rand_core::{OsRng, RngCore};
use std::io::{BufRead, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// `gatehouse` with extra environment variables.
fn gatehouse_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("run gatehouse");
    Run {
        code: output.status.code().expect("exited"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// Starts and stops a server with its default TLS once, so `data` holds what a real first
/// start leaves: site, admin, issuer key, and the self-signed certificate and its key.
fn bootstrap(data: &Path) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args([
            "server",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            utf8(data),
        ])
        .env("GATEHOUSE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    child.kill().ok();
    child.wait().ok();
    assert!(line.starts_with("listening on https://"), "{line:?}");
    assert!(data.join("tls/key.pem").is_file());
}

fn mode_of(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn now_ms() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(since.as_millis()).unwrap()
}

/// A plain HTTP/1.1 answer with its headers and raw body (bundles are binary).
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn get(host: &str, path: &str, headers: &[(&str, String)]) -> Reply {
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v == "chunked")
    {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..eol]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[eol + 2..eol + 2 + size]);
        data = &data[eol + 2 + size + 2..];
    }
}

/// An enrolled controller: its id and its own signing key.
struct Controller {
    id: ControllerId,
    key: IssuerKey,
}

impl Controller {
    /// `GET /api/v1/sync/bundle`, signed, saying which bundle it holds.
    fn sync(&self, host: &str, held: Option<BundleVersion>) -> Reply {
        let path = match held {
            Some(v) => format!(
                "/api/v1/sync/bundle?epoch={}&version={}",
                v.epoch, v.version
            ),
            None => "/api/v1/sync/bundle".to_owned(),
        };
        let mut nonce = [0u8; 16];
        OsRng.fill_bytes(&mut nonce);
        let nonce: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
        let now = now_ms();
        let signature = self
            .key
            .sign(&signing_message("GET", &path, now, &nonce, b""));
        get(
            host,
            &path,
            &[
                (DEVICE_HEADER, format!("controller:{}", self.id.0)),
                (TIMESTAMP_HEADER, now.to_string()),
                (NONCE_HEADER, nonce),
                (SIGNATURE_HEADER, URL_SAFE_NO_PAD.encode(signature)),
            ],
        )
    }

    /// Syncs and loads what comes back over `held` the way a controller does: a whole
    /// bundle or a delta, verified with the keys it trusts, never older than what it holds.
    fn update(
        &self,
        host: &str,
        held: Option<&Policy>,
        trust: &TrustStore,
    ) -> Result<Policy, BundleError> {
        let reply = self.sync(host, held.map(Policy::version));
        assert_eq!(
            reply.status,
            200,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
        match reply.header("content-type") {
            Some("application/vnd.gatehouse.bundle") => Policy::load(
                &SignedBundle::from_bytes(&reply.body)?,
                trust,
                held.map(Policy::version),
            ),
            Some("application/vnd.gatehouse.delta") => {
                let delta = BundleDelta::from_bytes(&reply.body)?;
                Ok(held
                    .expect("a delta needs a held bundle")
                    .apply_delta(&delta, trust)?
                    .1)
            }
            other => panic!("unexpected content type {other:?}"),
        }
    }
}

/// The people in a bundle (bundles carry ids, never names).
fn people(policy: &Policy) -> Vec<PersonId> {
    let mut ids: Vec<PersonId> = policy.bundle().people.iter().map(|p| p.id).collect();
    ids.sort();
    ids
}

async fn open(data: &Path) -> (Store, SiteId) {
    let store = Store::open(&Store::sqlite_url(&data.join("gatehouse.db")))
        .await
        .unwrap();
    let site = store.sites().await.unwrap()[0].id;
    (store, site)
}

/// A staff member whose card opens the controller's door around the clock.
async fn add_staff(
    store: &Store,
    site: SiteId,
    group: gatehouse_core::ids::GroupId,
    name: &str,
    card: &str,
) -> PersonId {
    let person = store
        .create_person(
            site,
            &NewPerson {
                display_name: name.into(),
                email: None,
                manager: None,
                lockdown_override: false,
                pin_required: false,
            },
            now_ms(),
        )
        .await
        .unwrap();
    store.add_member(site, group, person.id).await.unwrap();
    store
        .enroll_card(
            site,
            &NewBadge {
                person: person.id,
                card: card.parse().unwrap(),
                not_before: None,
                expires: None,
            },
            now_ms(),
        )
        .await
        .unwrap();
    person.id
}

/// The bootstrapped site, populated through the store: a door on an enrolled controller,
/// a staff group, Alice with a card, and an auditor's API token. Returns the controller and
/// the token.
async fn populate(data: &Path) -> (Controller, String, gatehouse_core::ids::GroupId, PersonId) {
    let (store, site) = open(data).await;
    let zone = store
        .create_zone(
            site,
            &NewZone {
                name: "HQ".into(),
                parent: None,
                rules: ZoneRules::default(),
            },
        )
        .await
        .unwrap();
    let controller = store.create_controller(site, "lobby-pi").await.unwrap();
    store
        .create_door(
            site,
            &NewDoor {
                name: "Main".into(),
                zone: zone.id,
                controller: Some(controller.id),
                unlock_schedule: None,
                first_card_unlock: false,
            },
        )
        .await
        .unwrap();
    let always = store
        .create_schedule(
            site,
            &NewSchedule {
                name: "24/7".into(),
                windows: vec![WeeklyWindow {
                    days: Weekdays::ALL,
                    time: TimeRange::ALL_DAY,
                }],
                holiday_calendar: None,
                holiday_windows: vec![],
            },
        )
        .await
        .unwrap();
    let group = store
        .create_group(
            site,
            &NewGroup {
                name: "Staff".into(),
                grants: vec![Grant {
                    zone: zone.id,
                    schedule: always.id,
                }],
            },
        )
        .await
        .unwrap();
    let alice = add_staff(&store, site, group.id, "Alice", "H10301:12:1001").await;

    let key = IssuerKey::from_seed(&[7; 32]);
    store
        .set_device_key(
            site,
            DeviceKind::Controller,
            u64::from(controller.id.0),
            &key.public().to_bytes(),
            now_ms(),
        )
        .await
        .unwrap();
    let auditor = store
        .create_user(
            site,
            &NewUser {
                username: "auditor".into(),
                password_hash: password::hash("a long enough password").unwrap(),
                role: Role::Auditor,
                person: None,
                must_change_password: false,
            },
            now_ms(),
        )
        .await
        .unwrap();
    let token = format!("{}{}", tokens::API_TOKEN_PREFIX, tokens::random_secret());
    store
        .create_api_token(auditor.id, "backup test", &tokens::hash(&token), now_ms())
        .await
        .unwrap();
    store.close().await;
    (
        Controller {
            id: controller.id,
            key,
        },
        token,
        group.id,
        alice,
    )
}

fn people_names(host: &str, token: &str) -> Vec<String> {
    let reply = get(
        host,
        "/api/v1/people",
        &[("Authorization", format!("Bearer {token}"))],
    );
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let page: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    let mut names: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["display_name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

fn files_under(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        if entry.file_type().unwrap().is_dir() {
            out.extend(
                files_under(&entry.path())
                    .into_iter()
                    .map(|f| format!("{name}/{f}")),
            );
        } else {
            out.push(name);
        }
    }
    out.sort();
    out
}

#[test]
fn a_restored_server_has_the_data_a_new_epoch_and_its_controllers_resync() {
    let tmp = tempfile::tempdir().unwrap();
    let live = tmp.path().join("live");
    bootstrap(&live);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (controller, token, group, alice) = runtime.block_on(populate(&live));
    let trust = Keyring::open(&DataDir::new(&live)).unwrap().trust_store();
    let backup = tmp.path().join("nightly.tar");

    let (before_backup, before_backup_signed, held_live) = {
        let server = start_server(&live);
        // Something in the admin chain, and a checkpoint of it, for the restore to carry.
        let wrong = r#"{"username":"admin","password":"certainly not right"}"#;
        assert_eq!(
            http(&server.host, "POST", "/api/v1/auth/login", Some(wrong)).0,
            401
        );
        gatehouse(["audit", "checkpoint", "--data-dir", utf8(&live)]).ok();

        let reply = controller.sync(&server.host, None);
        assert_eq!(reply.status, 200);
        let first_signed = SignedBundle::from_bytes(&reply.body).unwrap();
        let first = Policy::load(&first_signed, &trust, None).unwrap();
        assert_eq!(people(&first), [alice]);

        // Backed up while the server serves.
        let made = gatehouse(["backup", "--data-dir", utf8(&live), "--out", utf8(&backup)]).ok();
        assert_eq!(made.line(), utf8(&backup));
        assert_eq!(mode_of(&backup), 0o600);
        assert!(
            made.stderr.starts_with(&format!(
                "backed up site 1 (\"Gatehouse\") at policy {}: 6 files, ",
                first.version()
            )),
            "{}",
            made.stderr
        );

        // The live server goes on after the backup; the controller follows it.
        let bob = runtime.block_on(async {
            let (store, site) = open(&live).await;
            let bob = add_staff(&store, site, group, "Bob", "H10301:12:1002").await;
            store.close().await;
            bob
        });
        let later = controller
            .update(&server.host, Some(&first), first.trust())
            .unwrap();
        assert_eq!(people(&later), [alice, bob]);
        assert_eq!(later.version().epoch, first.version().epoch);
        assert!(later.version().version > first.version().version);
        (first, first_signed, later)
    };

    // The live server is lost; the backup is restored on a new machine.
    let restored = tmp.path().join("restored");
    let run = gatehouse(["restore", "--data-dir", utf8(&restored), utf8(&backup)]).ok();
    let line = run.line().to_owned();
    let prefix = "restored site 1 (\"Gatehouse\") from the backup of ";
    let suffix_start = format!(
        " into {}: policy {} -> ",
        utf8(&restored),
        before_backup.version()
    );
    assert!(
        line.starts_with(prefix) && line.contains(&suffix_start),
        "{line}"
    );
    let new_version = line
        .split(" -> ")
        .nth(1)
        .and_then(|v| v.strip_suffix(" (new epoch)"))
        .unwrap()
        .to_owned();

    // Keys and certificate are byte for byte the live server's, private. (The epoch bump
    // may leave the database's WAL beside it: part of the database, not of the backup.)
    let restored_files: Vec<String> = files_under(&restored)
        .into_iter()
        .filter(|f| !f.ends_with("-wal") && !f.ends_with("-shm"))
        .collect();
    assert_eq!(
        restored_files,
        [
            "checkpoints/checkpoints.jsonl".to_owned(),
            "gatehouse.db".to_owned(),
            "keys/current".to_owned(),
            format!("keys/issuer-{}.key", trust.keys()[0].id()),
            "tls/cert.pem".to_owned(),
            "tls/key.pem".to_owned(),
        ]
    );
    for file in ["keys/current", "tls/cert.pem", "tls/key.pem"] {
        assert_eq!(
            std::fs::read(restored.join(file)).unwrap(),
            std::fs::read(live.join(file)).unwrap(),
            "{file}"
        );
        assert_eq!(mode_of(&restored.join(file)), 0o600, "{file}");
    }

    let server = start_server(&restored);
    // (a) the data is there, as it was at the backup.
    assert_eq!(people_names(&server.host, &token), ["Alice"]);

    // (b) and (c): the controller still holds the live server's later bundle. It gets a
    // whole bundle of a new epoch, which its own policy load accepts over what it holds.
    let reply = controller.sync(&server.host, Some(held_live.version()));
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("application/vnd.gatehouse.bundle")
    );
    assert_eq!(
        reply.header("x-gh-bundle-version"),
        Some(new_version.as_str())
    );
    let signed = SignedBundle::from_bytes(&reply.body).unwrap();
    let resynced = Policy::load(&signed, held_live.trust(), Some(held_live.version())).unwrap();
    assert!(resynced.version().epoch > held_live.version().epoch);
    assert_eq!(resynced.version().version, 1);
    assert_eq!(resynced.version().to_string(), new_version);
    assert_eq!(people(&resynced), [alice]);
    // Without the new epoch, the restored state (the backup's version) would be refused as
    // a rollback by that same controller.
    assert_eq!(
        Policy::load(
            &before_backup_signed,
            held_live.trust(),
            Some(held_live.version())
        )
        .unwrap_err(),
        BundleError::Rollback {
            held: held_live.version(),
            offered: before_backup.version(),
        }
    );
    // An up-to-date controller is told so.
    assert_eq!(
        controller
            .sync(&server.host, Some(resynced.version()))
            .status,
        204
    );
    drop(server);

    // The audit chains verify, with the restore recorded in the admin chain.
    let verify = gatehouse(["audit", "verify", "--data-dir", utf8(&restored)]).ok();
    assert!(
        verify.stdout.contains("ok admin: 2 entries, 1 checkpoints"),
        "{}",
        verify.stdout
    );
}

/// An age identity file as `age-keygen` writes it; returns its recipient.
fn age_identity(path: &Path) -> String {
    use age::secrecy::ExposeSecret;
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    std::fs::write(
        path,
        format!(
            "# created: 2026-11-25T10:00:00Z\n# public key: {recipient}\n{}\n",
            identity.to_string().expose_secret()
        ),
    )
    .unwrap();
    recipient
}

#[test]
fn an_encrypted_backup_restores_only_with_its_identity() {
    let tmp = tempfile::tempdir().unwrap();
    let live = tmp.path().join("live");
    bootstrap(&live);
    let (key, wrong_key) = (tmp.path().join("key.txt"), tmp.path().join("other.txt"));
    let recipient = age_identity(&key);
    age_identity(&wrong_key);
    let backup = tmp.path().join("b.tar.age");

    let refused = gatehouse([
        "backup",
        "--data-dir",
        utf8(&live),
        "--out",
        utf8(&backup),
        "--encrypt-to",
        "age1nope",
    ]);
    assert_eq!(refused.code, 2);
    assert_eq!(
        refused.stderr,
        "--encrypt-to \"age1nope\" is not an age X25519 recipient (age1…, from age-keygen)\n"
    );
    assert!(!backup.exists());

    let made = gatehouse([
        "backup",
        "--data-dir",
        utf8(&live),
        "--out",
        utf8(&backup),
        "--encrypt-to",
        &recipient,
    ])
    .ok();
    assert!(
        made.stderr.contains(", encrypted with age\n"),
        "{}",
        made.stderr
    );
    let bytes = std::fs::read(&backup).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1\n"));
    for secret in [&b"PRIVATE KEY"[..], b"SQLite format 3", b"manifest.json"] {
        assert!(!bytes.windows(secret.len()).any(|w| w == secret));
    }

    let target = tmp.path().join("restored");
    let no_identity = gatehouse(["restore", "--data-dir", utf8(&target), utf8(&backup)]);
    assert_eq!(no_identity.code, 2);
    assert_eq!(
        no_identity.stderr,
        format!(
            "{} is encrypted with age: give --identity FILE, the age identity (AGE-SECRET-KEY-1…) it was encrypted to\n",
            utf8(&backup)
        )
    );
    let wrong = gatehouse([
        "restore",
        "--data-dir",
        utf8(&target),
        "--identity",
        utf8(&wrong_key),
        utf8(&backup),
    ]);
    assert_eq!(wrong.code, 1);
    assert_eq!(
        wrong.stderr,
        format!(
            "{} is not encrypted to the identity in {}: no recipient stanza matches it\n",
            utf8(&backup),
            utf8(&wrong_key)
        )
    );
    assert!(!target.exists(), "nothing written");

    gatehouse([
        "restore",
        "--data-dir",
        utf8(&target),
        "--identity",
        utf8(&key),
        utf8(&backup),
    ])
    .ok();
    for file in ["keys/current", "tls/key.pem", "tls/cert.pem"] {
        assert_eq!(
            std::fs::read(target.join(file)).unwrap(),
            std::fs::read(live.join(file)).unwrap(),
            "{file}"
        );
    }
    let keys = |dir: &Path| {
        gatehouse(["keys", "list", "--data-dir", utf8(dir)])
            .ok()
            .stdout
    };
    assert_eq!(keys(&target), keys(&live));
}

#[test]
fn a_damaged_backup_is_refused_naming_the_member_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let live = tmp.path().join("live");
    bootstrap(&live);
    let backup = tmp.path().join("b.tar");
    gatehouse(["backup", "--data-dir", utf8(&live), "--out", utf8(&backup)]).ok();
    let bytes = std::fs::read(&backup).unwrap();
    let target = tmp.path().join("restored");
    let restore = |file: &Path| gatehouse(["restore", "--data-dir", utf8(&target), utf8(file)]);

    // One byte flipped inside the database.
    let db_at = bytes
        .windows(16)
        .position(|w| w == b"SQLite format 3\0")
        .unwrap();
    let mut flipped = bytes.clone();
    flipped[db_at + 2000] ^= 0x20;
    let flipped_file = tmp.path().join("flipped.tar");
    std::fs::write(&flipped_file, &flipped).unwrap();
    let run = restore(&flipped_file);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        format!(
            "{} is damaged, truncated or was altered (gatehouse.db does not match its SHA-256 in the manifest); nothing was restored\n",
            utf8(&flipped_file)
        )
    );
    assert!(!target.exists(), "nothing written");

    // Cut in the middle of the database.
    let cut_file = tmp.path().join("cut.tar");
    std::fs::write(&cut_file, &bytes[..db_at + 4096]).unwrap();
    let run = restore(&cut_file);
    assert_eq!(run.code, 1);
    let prefix = format!(
        "{} is damaged, truncated or was altered (gatehouse.db has 4096 bytes, the manifest says ",
        utf8(&cut_file)
    );
    assert!(run.stderr.starts_with(&prefix), "{}", run.stderr);
    assert!(
        run.stderr.ends_with("); nothing was restored\n"),
        "{}",
        run.stderr
    );
    assert!(!target.exists(), "nothing written");

    // Not a backup at all.
    let text = tmp.path().join("notes.txt");
    std::fs::write(&text, "not a backup\n").unwrap();
    let run = restore(&text);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .starts_with(&format!("{} is not a Gatehouse backup: ", utf8(&text))),
        "{}",
        run.stderr
    );
    assert!(!target.exists(), "nothing written");

    // A directory in use is not overwritten unless asked to.
    let busy = gatehouse(["restore", "--data-dir", utf8(&live), utf8(&backup)]);
    assert_eq!(busy.code, 2);
    assert_eq!(
        busy.stderr,
        format!(
            "{} is not empty; restore into an empty directory, or give --force to replace the files the backup holds\n",
            utf8(&live)
        )
    );
    gatehouse([
        "restore",
        "--force",
        "--data-dir",
        utf8(&live),
        utf8(&backup),
    ])
    .ok();
    let server = start_server(&live);
    let (status, body) = http(&server.host, "GET", "/api/v1/health", None);
    assert_eq!(status, 200, "{body}");
}

#[test]
fn backups_are_copied_off_site_and_retention_keeps_the_newest() {
    let tmp = tempfile::tempdir().unwrap();
    let live = tmp.path().join("live");
    bootstrap(&live);
    let offsite = tmp.path().join("offsite");
    std::fs::create_dir(&offsite).unwrap();
    // Files retention must never touch: not named as Gatehouse names its backups.
    for other in ["notes.txt", "gatehouse-backup-manual.tar"] {
        std::fs::write(offsite.join(other), "keep me").unwrap();
    }
    let config = tmp.path().join("gatehouse.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\n[backup]\noffsite_dir = {:?}\nkeep = 2\n",
            utf8(&live),
            utf8(&offsite)
        ),
    )
    .unwrap();

    let mut made = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let run = gatehouse(["backup", "--config", utf8(&config)]).ok();
        made.push(PathBuf::from(run.line()));
        last = Some(run);
    }
    let name = |p: &PathBuf| p.file_name().unwrap().to_str().unwrap().to_owned();
    for path in &made {
        assert_eq!(path.parent().unwrap(), live.join("backups"));
        assert!(name(path).starts_with("gatehouse-backup-") && name(path).ends_with("Z.tar"));
    }
    assert_eq!(
        files_under(&live.join("backups")),
        [name(&made[1]), name(&made[2])]
    );
    let mut expected = vec![
        name(&made[1]),
        name(&made[2]),
        "gatehouse-backup-manual.tar".to_owned(),
        "notes.txt".to_owned(),
    ];
    expected.sort();
    assert_eq!(files_under(&offsite), expected);
    for kept in &made[1..] {
        let copy = offsite.join(name(kept));
        assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(kept).unwrap());
        assert_eq!(mode_of(&copy), 0o600);
    }
    let stderr = last.unwrap().stderr;
    for line in [
        format!("off-site copy: {}", utf8(&offsite.join(name(&made[2])))),
        format!("deleted old backup: {}", utf8(&made[0])),
        format!(
            "deleted old backup: {}",
            utf8(&offsite.join(name(&made[0])))
        ),
    ] {
        assert!(stderr.lines().any(|l| l == line), "{line:?} in {stderr}");
    }

    // The environment overrides the file, as for every setting.
    let run = gatehouse_env(
        &["backup", "--config", utf8(&config)],
        &[("GATEHOUSE_BACKUP__KEEP", "1")],
    )
    .ok();
    let newest = name(&PathBuf::from(run.line()));
    let mut expected = vec![
        newest.clone(),
        "gatehouse-backup-manual.tar".to_owned(),
        "notes.txt".to_owned(),
    ];
    expected.sort();
    assert_eq!(files_under(&offsite), expected);
    assert_eq!(
        files_under(&live.join("backups")),
        std::slice::from_ref(&newest)
    );

    // The off-site copy is a backup like any other.
    let restored = tmp.path().join("restored");
    gatehouse([
        "restore",
        "--data-dir",
        utf8(&restored),
        utf8(&offsite.join(&newest)),
    ])
    .ok();
    assert!(restored.join("gatehouse.db").is_file());
}

/// A fresh PostgreSQL database for one test, dropped at the end; `None` (skipped) without
/// `PG_TEST_URL`, except under CI.
struct PgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl Drop for PgDatabase {
    // Dropped even when the test fails; on a thread of its own, since the test's runtime
    // may be running.
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        std::thread::spawn(move || {
            use sqlx::{Connection, Executor};
            let runtime = tokio::runtime::Runtime::new().unwrap();
            runtime.block_on(async {
                let mut admin = sqlx::AnyConnection::connect(&admin_url).await.unwrap();
                admin
                    .execute(format!("DROP DATABASE {name} WITH (FORCE)").as_str())
                    .await
                    .unwrap();
            });
        })
        .join()
        .ok();
    }
}

impl PgDatabase {
    async fn create() -> Option<PgDatabase> {
        use sqlx::{Connection, Executor};
        let Ok(admin_url) = std::env::var("PG_TEST_URL") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "PG_TEST_URL is not set: CI needs PostgreSQL (see .ci/run)"
            );
            eprintln!("skipped: PostgreSQL backup (set PG_TEST_URL)");
            return None;
        };
        sqlx::any::install_default_drivers();
        let name = format!("gh_backup_{:016x}", OsRng.next_u64());
        let mut admin = sqlx::AnyConnection::connect(&admin_url).await.unwrap();
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        let base = admin_url.split('?').next().unwrap();
        let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
        Some(PgDatabase {
            admin_url,
            name,
            url,
        })
    }

    async fn policy(&self) -> BundleVersion {
        let store = Store::open(&self.url).await.unwrap();
        let site = store.sites().await.unwrap()[0].clone();
        store.close().await;
        BundleVersion {
            epoch: site.policy_epoch,
            version: site.policy_version,
        }
    }
}

#[test]
fn on_postgresql_the_file_carries_the_rest_and_restore_starts_a_new_epoch() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = runtime.block_on(PgDatabase::create()) else {
        return;
    };
    let Some(empty) = runtime.block_on(PgDatabase::create()) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let live = tmp.path().join("live");
    let on_pg = [("GATEHOUSE_DATABASE_URL", db.url.as_str())];
    gatehouse_env(
        &[
            "admin",
            "create",
            "--data-dir",
            utf8(&live),
            "--username",
            "op",
            "--role",
            "auditor",
        ],
        &on_pg,
    )
    .ok();
    gatehouse(["keys", "list", "--data-dir", utf8(&live)]).ok();
    let before = runtime.block_on(db.policy());

    let backup = tmp.path().join("b.tar");
    let made = gatehouse_env(
        &["backup", "--data-dir", utf8(&live), "--out", utf8(&backup)],
        &on_pg,
    )
    .ok();
    assert!(
        made.stderr
            .contains(&format!("at policy {before}: 2 files, ")),
        "{}",
        made.stderr
    );
    assert!(
        made.stderr.lines().any(|l| l
            == "the database is PostgreSQL and is NOT in this file: dump it with pg_dump (see docs/server.md, \"Backups and restore\")"),
        "{}",
        made.stderr
    );
    let bytes = std::fs::read(&backup).unwrap();
    assert!(!bytes.windows(12).any(|w| w == b"gatehouse.db"));

    // Restored with a SQLite configuration: refused, nothing written.
    let sqlite_target = tmp.path().join("sqlite");
    let run = gatehouse(["restore", "--data-dir", utf8(&sqlite_target), utf8(&backup)]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "{} was taken from PostgreSQL and holds no database: restore the pg_dump with pg_restore, set database_url to that database, then run restore again\n",
            utf8(&backup)
        )
    );
    assert!(!sqlite_target.exists());

    // Onto a database the dump was not restored into: refused, nothing written.
    let target = tmp.path().join("restored");
    let run = gatehouse_env(
        &["restore", "--data-dir", utf8(&target), utf8(&backup)],
        &[("GATEHOUSE_DATABASE_URL", empty.url.as_str())],
    );
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "the database has no site 1 (\"Gatehouse\"): on PostgreSQL, restore the pg_dump with pg_restore before running restore\n"
    );
    assert!(!target.exists());

    // Onto the restored database (here: the same one): keys back, a new epoch.
    let run = gatehouse_env(
        &["restore", "--data-dir", utf8(&target), utf8(&backup)],
        &on_pg,
    )
    .ok();
    let after = runtime.block_on(db.policy());
    assert!(after.epoch > before.epoch);
    assert_eq!(after.version, 1);
    assert!(
        run.line()
            .ends_with(&format!(": policy {before} -> {after} (new epoch)")),
        "{}",
        run.stdout
    );
    let keys = |dir: &Path| {
        gatehouse(["keys", "list", "--data-dir", utf8(dir)])
            .ok()
            .stdout
    };
    assert_eq!(keys(&target), keys(&live));

    // A SQLite backup is refused by a PostgreSQL configuration.
    let sqlite_live = tmp.path().join("sqlite-live");
    bootstrap(&sqlite_live);
    let sqlite_backup = tmp.path().join("s.tar");
    gatehouse([
        "backup",
        "--data-dir",
        utf8(&sqlite_live),
        "--out",
        utf8(&sqlite_backup),
    ])
    .ok();
    let run = gatehouse_env(
        &[
            "restore",
            "--data-dir",
            utf8(&tmp.path().join("x")),
            utf8(&sqlite_backup),
        ],
        &on_pg,
    );
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "{} holds a SQLite database, but the configuration names PostgreSQL (database_url); restore it with a SQLite configuration\n",
            utf8(&sqlite_backup)
        )
    );
}
