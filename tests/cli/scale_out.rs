//! Scale-out: two `gatehouse server` processes on one PostgreSQL database, sharing their
//! issuer keys. A controller long-polls one replica; a badge revoked through the other
//! reaches it within 2 s (PostgreSQL LISTEN/NOTIFY wakes every replica on commit).

use super::support::start_server_with;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_core::bundle::{BundleDelta, Policy, SignedBundle};
use gatehouse_core::card::CardId;
use gatehouse_core::credential::{IssuerKey, TrustStore};
use gatehouse_core::decide::{Credential, LocalState, Presented, decide};
use gatehouse_core::ids::{BadgeId, DoorId};
use gatehouse_core::model::{Direction, Grant, TimeRange, Weekdays, WeeklyWindow, ZoneRules};
use gatehouse_core::reason::Reason;
use gatehouse_core::time::{Clock, Timestamp};
use gatehouse_core::wire::signed_request::{
    DEVICE_HEADER, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signing_message,
};
use gatehouse_server::auth::{password, tokens};
use gatehouse_server::store::{
    DeviceKind, NewBadge, NewDoor, NewGroup, NewPerson, NewSchedule, NewUser, NewZone, Role, Store,
};
use rand_core::{OsRng, RngCore};
use sqlx::{Connection, Executor};
use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// A fresh database on the PostgreSQL of `PG_TEST_URL`; `None` (skipped, said on stderr)
/// without it, a failure under CI.
fn fresh_database(rt: &tokio::runtime::Runtime) -> Option<(String, String)> {
    let Ok(admin_url) = std::env::var("PG_TEST_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "PG_TEST_URL is not set: CI needs PostgreSQL (see .ci/run)"
        );
        eprintln!("skipped: scale-out needs PostgreSQL (set PG_TEST_URL)");
        return None;
    };
    let name = format!(
        "gh_scale_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let mut admin = sqlx::AnyConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at PG_TEST_URL: {e}"));
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
    });
    let base = admin_url.split('?').next().unwrap();
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    Some((admin_url.clone(), format!("{base}/{name}")))
}

/// What the test set up through the store: a controller with its key, its door, a badge
/// that opens it and an admin's API token.
struct Fixture {
    controller: String,
    controller_key: IssuerKey,
    door: DoorId,
    card: CardId,
    badge: BadgeId,
    admin_token: String,
}

async fn fixture(url: &str) -> Fixture {
    let store = Store::open(url).await.unwrap();
    let site = store.sites().await.unwrap()[0].id;
    let now = 1_795_597_200_000;
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
    let controller = store.create_controller(site, "lobby").await.unwrap().id;
    let controller_key = IssuerKey::from_seed(&[0x42; 32]);
    store
        .set_device_key(
            site,
            DeviceKind::Controller,
            u64::from(controller.0),
            &controller_key.public().to_bytes(),
            now,
        )
        .await
        .unwrap();
    let door = store
        .create_door(
            site,
            &NewDoor {
                name: "Main".into(),
                zone: zone.id,
                controller: Some(controller),
                unlock_schedule: None,
                first_card_unlock: false,
            },
        )
        .await
        .unwrap()
        .id;
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
    let person = store
        .create_person(
            site,
            &NewPerson {
                display_name: "Alice".into(),
                email: None,
                manager: None,
                lockdown_override: false,
                pin_required: false,
            },
            now,
        )
        .await
        .unwrap();
    store.add_member(site, group.id, person.id).await.unwrap();
    let card: CardId = "H10301:12:1001".parse().unwrap();
    let badge = store
        .enroll_card(
            site,
            &NewBadge {
                person: person.id,
                card,
                not_before: None,
                expires: None,
            },
            now,
        )
        .await
        .unwrap()
        .id;
    let admin = store
        .create_user(
            site,
            &NewUser {
                username: "scale-admin".into(),
                password_hash: password::hash("a long enough password").unwrap(),
                role: Role::Admin,
                person: None,
                must_change_password: false,
            },
            now,
        )
        .await
        .unwrap();
    let admin_token = format!("{}{}", tokens::API_TOKEN_PREFIX, tokens::random_secret());
    store
        .create_api_token(admin.id, "scale-out", &tokens::hash(&admin_token), now)
        .await
        .unwrap();
    store.close().await;
    Fixture {
        controller: format!("controller:{}", controller.0),
        controller_key,
        door,
        card,
        badge,
        admin_token,
    }
}

/// An HTTP answer, read raw.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request with extra headers; the answer read to the end.
fn request(host: &str, method: &str, path: &str, headers: &[(String, String)]) -> Answer {
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(40)))
        .unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("Content-Length: 0\r\n\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete answer");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let answer = Answer {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    };
    assert_ne!(answer.header("transfer-encoding"), Some("chunked"));
    answer
}

/// A GET signed by the controller, as the sync protocol wants.
fn signed_get(host: &str, f: &Fixture, path: &str) -> Answer {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let now = i64::try_from(now).unwrap();
    let nonce = format!("{:016x}{:016x}", OsRng.next_u64(), OsRng.next_u64());
    let message = signing_message("GET", path, now, &nonce, b"");
    let signature = URL_SAFE_NO_PAD.encode(f.controller_key.sign(&message));
    let headers = [
        (DEVICE_HEADER, f.controller.clone()),
        (TIMESTAMP_HEADER, now.to_string()),
        (NONCE_HEADER, nonce),
        (SIGNATURE_HEADER, signature),
    ]
    .map(|(n, v)| (n.to_string(), v));
    request(host, "GET", path, &headers)
}

fn trust(data_dir: &Path) -> TrustStore {
    let mut trust = TrustStore::new();
    for entry in std::fs::read_dir(data_dir.join("keys")).unwrap() {
        let path = entry.unwrap().path();
        // Issuer keys only: keys/escrow.key is the reader-key escrow identity.
        let issuer = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("issuer-") && n.ends_with(".key"));
        if issuer {
            let pem = std::fs::read_to_string(&path).unwrap();
            trust.add(IssuerKey::from_pkcs8_pem(&pem).unwrap().public());
        }
    }
    trust
}

fn decide_card(policy: &Policy, f: &Fixture) -> Reason {
    let presented = Presented {
        door: f.door,
        direction: Direction::Entry,
        credential: Credential::Card(f.card),
        pin: None,
    };
    let now = Timestamp(policy.bundle().header.issued_at.0 + 1000);
    decide(policy, &presented, Clock::trusted(now), &LocalState::new()).reason
}

#[test]
fn a_revocation_through_one_replica_reaches_a_long_poll_on_the_other_within_2s() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some((admin_url, url)) = fresh_database(&rt) else {
        return;
    };
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // The safety-net poll is set far beyond the 2 s asked for: only NOTIFY can make it.
    let env = [
        ("GATEHOUSE_DATABASE_URL", url.as_str()),
        ("GATEHOUSE_SYNC__FALLBACK_POLL_SECS", "60"),
    ];
    // Replica A creates the schema, the site and the issuer key; B gets a copy of the keys.
    let a = start_server_with(dir_a.path(), &env);
    std::fs::create_dir(dir_b.path().join("keys")).unwrap();
    for entry in std::fs::read_dir(dir_a.path().join("keys")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(
            entry.path(),
            dir_b.path().join("keys").join(entry.file_name()),
        )
        .unwrap();
    }
    let b = start_server_with(dir_b.path(), &env);
    let f = rt.block_on(fixture(&url));
    let trust = trust(dir_a.path());

    // The controller syncs from B: its card opens the door.
    let first = signed_get(&b.host, &f, "/api/v1/sync/bundle");
    assert_eq!(
        first.status,
        200,
        "{}",
        String::from_utf8_lossy(&first.body)
    );
    let held = Policy::load(
        &SignedBundle::from_bytes(&first.body).unwrap(),
        &trust,
        None,
    )
    .unwrap();
    assert_eq!(decide_card(&held, &f), Reason::Granted);
    let v = held.version();

    // It long-polls B while the badge is revoked through A.
    let poll_path = format!(
        "/api/v1/sync/bundle?epoch={}&version={}&wait=20",
        v.epoch, v.version
    );
    let (b_host, poll_fixture) = (b.host.clone(), &f);
    let (answer, revoked_at, answered_at) = std::thread::scope(|s| {
        let poll = s.spawn(move || {
            let answer = signed_get(&b_host, poll_fixture, &poll_path);
            (answer, Instant::now())
        });
        // Let the long-poll settle into its wait first.
        std::thread::sleep(Duration::from_millis(1500));
        let revoked_at = Instant::now();
        let revoke = request(
            &a.host,
            "POST",
            &format!("/api/v1/badges/{}/revoke", f.badge.0),
            &[(
                "Authorization".to_string(),
                format!("Bearer {}", f.admin_token),
            )],
        );
        assert_eq!(
            revoke.status,
            200,
            "{}",
            String::from_utf8_lossy(&revoke.body)
        );
        let (answer, answered_at) = poll.join().unwrap();
        (answer, revoked_at, answered_at)
    });
    let took = answered_at.duration_since(revoked_at);
    assert_eq!(
        answer.status, 200,
        "the long-poll answered {}",
        answer.status
    );
    assert!(
        took < Duration::from_secs(2),
        "the revocation took {took:?} to arrive"
    );
    assert_eq!(
        answer.header("content-type"),
        Some("application/vnd.gatehouse.delta")
    );
    let delta = BundleDelta::from_bytes(&answer.body).unwrap();
    let (_, now) = held.apply_delta(&delta, &trust).unwrap();
    assert!(now.version() > v);
    assert_eq!(decide_card(&now, &f), Reason::Revoked);

    drop((a, b));
    rt.block_on(async {
        let mut admin = sqlx::AnyConnection::connect(&admin_url).await.unwrap();
        let name = url.rsplit('/').next().unwrap();
        admin
            .execute(format!("DROP DATABASE {name} WITH (FORCE)").as_str())
            .await
            .unwrap();
    });
}
