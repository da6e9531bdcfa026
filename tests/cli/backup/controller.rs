//! A controller and a site over real HTTP: the store populated as an admin would, signed
//! sync requests, and bundles loaded the way a controller loads them.

use super::support::now_ms;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_core::bundle::{BundleDelta, BundleError, BundleVersion, Policy, SignedBundle};
use gatehouse_core::credential::{IssuerKey, TrustStore};
use gatehouse_core::ids::{ControllerId, GroupId, PersonId, SiteId};
use gatehouse_core::model::{Grant, TimeRange, Weekdays, WeeklyWindow, ZoneRules};
use gatehouse_core::wire::signed_request::{
    DEVICE_HEADER, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signing_message,
};
use gatehouse_server::auth::{password, tokens};
use gatehouse_server::store::{
    DeviceKind, NewBadge, NewDoor, NewGroup, NewPerson, NewSchedule, NewUser, NewZone, Role, Store,
};
use rand_core::{OsRng, RngCore};
use std::io::{Read, Write};
use std::path::Path;

/// A plain HTTP/1.1 answer with its headers and raw body (bundles are binary).
pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Vec<u8>,
}

impl Reply {
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

pub(super) fn get(host: &str, path: &str, headers: &[(&str, String)]) -> Reply {
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

pub(super) fn dechunk(mut data: &[u8]) -> Vec<u8> {
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
pub(crate) struct Controller {
    pub(crate) id: ControllerId,
    pub(super) key: IssuerKey,
}

impl Controller {
    /// `GET /api/v1/sync/bundle`, signed, saying which bundle it holds.
    pub(super) fn sync(&self, host: &str, held: Option<BundleVersion>) -> Reply {
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
    pub(super) fn update(
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
pub(super) fn people(policy: &Policy) -> Vec<PersonId> {
    let mut ids: Vec<PersonId> = policy.bundle().people.iter().map(|p| p.id).collect();
    ids.sort();
    ids
}

pub(crate) async fn open(data: &Path) -> (Store, SiteId) {
    let store = Store::open(&Store::sqlite_url(&data.join("gatehouse.db")))
        .await
        .unwrap();
    let site = store.sites().await.unwrap()[0].id;
    (store, site)
}

/// A staff member whose card opens the controller's door around the clock.
pub(crate) async fn add_staff(
    store: &Store,
    site: SiteId,
    group: GroupId,
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
pub(crate) async fn populate(data: &Path) -> (Controller, String, GroupId, PersonId) {
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

pub(super) fn people_names(host: &str, token: &str) -> Vec<String> {
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
