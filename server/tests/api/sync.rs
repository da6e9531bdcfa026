//! Controller sync: the bundle a controller gets is scoped to its doors and signed; an
//! up-to-date controller gets 204; a change comes as a delta; a long-poll wakes on a change.

use super::harness::{Auth, NOW, TestServer};
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_core::bundle::{BundleDelta, Policy, SignedBundle};
use gatehouse_core::decide::{Credential, LocalState, Presented, decide};
use gatehouse_core::ids::ControllerId;
use gatehouse_core::model::{
    BadgeStatus, Direction, Grant, TimeRange, Weekdays, WeeklyWindow, ZoneRules,
};
use gatehouse_core::reason::Reason;
use gatehouse_core::time::{Clock, Timestamp};
use gatehouse_core::wire::signed_request::server_time_message;
use gatehouse_server::store::{
    BadgeRecord, DeviceKind, NewBadge, NewDoor, NewGroup, NewPerson, NewSchedule, NewZone,
};
use std::time::{Duration, Instant};

pub struct Site {
    pub server: TestServer,
    pub controller: Auth,
    pub badge: BadgeRecord,
    pub door: gatehouse_core::ids::DoorId,
    pub card: gatehouse_core::card::CardId,
}

/// A door on the controller, and a person whose card opens it 24/7.
pub async fn site() -> Site {
    let server = TestServer::new().await;
    let controller = server.device(DeviceKind::Controller).await;
    let Auth::Device { name, .. } = &controller else {
        unreachable!()
    };
    let controller_id = ControllerId(name.strip_prefix("controller:").unwrap().parse().unwrap());
    let (store, s) = (&server.state.store, server.state.site);
    let zone = store
        .create_zone(
            s,
            &NewZone {
                name: "HQ".into(),
                parent: None,
                rules: ZoneRules::default(),
            },
        )
        .await
        .unwrap();
    let other_zone = store
        .create_zone(
            s,
            &NewZone {
                name: "Annex".into(),
                parent: None,
                rules: ZoneRules::default(),
            },
        )
        .await
        .unwrap();
    let door = store
        .create_door(
            s,
            &NewDoor {
                name: "Main".into(),
                zone: zone.id,
                controller: Some(controller_id),
                unlock_schedule: None,
                first_card_unlock: false,
            },
        )
        .await
        .unwrap();
    store
        .create_door(
            s,
            &NewDoor {
                name: "Annex".into(),
                zone: other_zone.id,
                controller: None,
                unlock_schedule: None,
                first_card_unlock: false,
            },
        )
        .await
        .unwrap();
    let always = store
        .create_schedule(
            s,
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
            s,
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
            s,
            &NewPerson {
                display_name: "Alice".into(),
                email: None,
                manager: None,
                lockdown_override: false,
                pin_required: false,
            },
            NOW,
        )
        .await
        .unwrap();
    store.add_member(s, group.id, person.id).await.unwrap();
    let card = "H10301:12:1001".parse().unwrap();
    let badge = store
        .enroll_card(
            s,
            &NewBadge {
                person: person.id,
                card,
                not_before: None,
                expires: None,
            },
            NOW,
        )
        .await
        .unwrap();
    Site {
        server,
        controller,
        badge,
        door: door.id,
        card,
    }
}

fn decide_card(policy: &Policy, site: &Site) -> Reason {
    decide_at(policy, site, Credential::Card(site.card))
}

/// The reason `decide()` gives for `credential` at the site's door, at [`NOW`].
pub fn decide_at(policy: &Policy, site: &Site, credential: Credential<'_>) -> Reason {
    let presented = Presented {
        door: site.door,
        direction: Direction::Entry,
        credential,
        pin: None,
    };
    decide(
        policy,
        &presented,
        Clock::trusted(Timestamp(NOW)),
        &LocalState::new(),
    )
    .reason
}

/// The controller's whole bundle as it is now, verified and loaded.
pub async fn fetch_policy(site: &Site) -> Policy {
    let reply = site
        .server
        .get(&site.controller, "/api/v1/sync/bundle")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.json);
    let trust = site.server.state.keyring.read().unwrap().trust_store();
    Policy::load(
        &SignedBundle::from_bytes(&reply.body).unwrap(),
        &trust,
        None,
    )
    .unwrap()
}

#[tokio::test]
async fn a_controller_gets_its_signed_scoped_bundle_and_signed_time() {
    let site = site().await;
    let reply = site
        .server
        .get(&site.controller, "/api/v1/sync/bundle")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.json);
    assert_eq!(
        reply.headers["content-type"],
        "application/vnd.gatehouse.bundle"
    );
    let trust = site.server.state.keyring.read().unwrap().trust_store();
    let signed = SignedBundle::from_bytes(&reply.body).unwrap();
    let policy = Policy::load(&signed, &trust, None).unwrap();
    assert_eq!(
        policy
            .bundle()
            .doors
            .iter()
            .map(|d| d.id)
            .collect::<Vec<_>>(),
        vec![site.door],
        "only its own doors"
    );
    assert_eq!(
        reply.headers["x-gh-bundle-version"],
        policy.version().to_string()
    );
    assert_eq!(decide_card(&policy, &site), Reason::Granted);

    let time: i64 = reply.headers["x-gh-server-time"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(time, NOW);
    let signature: [u8; 64] = URL_SAFE_NO_PAD
        .decode(reply.headers["x-gh-server-time-signature"].as_bytes())
        .unwrap()
        .try_into()
        .unwrap();
    let Auth::Device { name, .. } = &site.controller else {
        unreachable!()
    };
    let key = trust.keys()[0];
    assert!(key.verify(
        &server_time_message(time, name, reply.nonce.as_deref().unwrap()),
        &signature
    ));
    assert!(
        !key.verify(
            &server_time_message(time, name, "another-nonce-0000"),
            &signature
        ),
        "bound to the request"
    );

    // Up to date: nothing to send.
    let v = policy.version();
    let again = site
        .server
        .get(
            &site.controller,
            &format!(
                "/api/v1/sync/bundle?epoch={}&version={}",
                v.epoch, v.version
            ),
        )
        .await;
    assert_eq!(again.status, StatusCode::NO_CONTENT);
    assert!(again.headers.contains_key("x-gh-server-time"));
}

#[tokio::test]
async fn a_suspension_arrives_as_a_delta() {
    let site = site().await;
    let trust = site.server.state.keyring.read().unwrap().trust_store();
    let first = site
        .server
        .get(&site.controller, "/api/v1/sync/bundle")
        .await;
    let held = Policy::load(
        &SignedBundle::from_bytes(&first.body).unwrap(),
        &trust,
        None,
    )
    .unwrap();
    let v = held.version();
    site.server
        .state
        .store
        .set_badge_status(
            site.server.state.site,
            site.badge.id,
            BadgeStatus::Suspended,
            NOW,
        )
        .await
        .unwrap();
    // Wait for the watcher to see the change.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let reply = site
        .server
        .get(
            &site.controller,
            &format!(
                "/api/v1/sync/bundle?epoch={}&version={}",
                v.epoch, v.version
            ),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.headers["content-type"],
        "application/vnd.gatehouse.delta"
    );
    assert!(
        reply.body.len() < 1024,
        "a one-badge change is small: {} bytes",
        reply.body.len()
    );
    let delta = BundleDelta::from_bytes(&reply.body).unwrap();
    let (_, policy) = held.apply_delta(&delta, &trust).unwrap();
    assert!(policy.version() > v);
    assert_eq!(decide_card(&policy, &site), Reason::Suspended);
}

#[tokio::test]
async fn a_long_poll_wakes_when_the_policy_changes() {
    let site = site().await;
    let trust = site.server.state.keyring.read().unwrap().trust_store();
    let first = site
        .server
        .get(&site.controller, "/api/v1/sync/bundle")
        .await;
    let v = Policy::load(
        &SignedBundle::from_bytes(&first.body).unwrap(),
        &trust,
        None,
    )
    .unwrap()
    .version();
    let store = site.server.state.store.clone();
    let (s, badge) = (site.server.state.site, site.badge.id);
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        store
            .set_badge_status(s, badge, BadgeStatus::Revoked, NOW)
            .await
            .unwrap();
    });
    let started = Instant::now();
    let reply = site
        .server
        .get(
            &site.controller,
            &format!(
                "/api/v1/sync/bundle?epoch={}&version={}&wait=20",
                v.epoch, v.version
            ),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "woke after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn bad_queries_are_named() {
    let site = site().await;
    let half = site
        .server
        .get(&site.controller, "/api/v1/sync/bundle?epoch=1")
        .await;
    assert_eq!(half.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(half.json["field"], "version");
    let long = site
        .server
        .get(&site.controller, "/api/v1/sync/bundle?wait=60")
        .await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(long.json["field"], "wait");
}

/// The keys a controller trusts: those of the bundle it holds.
fn held_trust(policy: &Policy) -> gatehouse_core::credential::TrustStore {
    gatehouse_core::credential::TrustStore::with(
        policy
            .bundle()
            .trusted_keys
            .iter()
            .filter_map(|k| k.public()),
    )
}

#[tokio::test]
async fn after_a_rotation_each_bundle_verifies_with_the_keys_of_the_one_held() {
    let site = site().await;
    let held = fetch_policy(&site).await;
    let old_kid = site.server.state.keyring.read().unwrap().current().id();
    let new_kid = site.server.state.keyring.write().unwrap().rotate().unwrap();
    let store = &site.server.state.store;
    store.touch_policy(site.server.state.site).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;

    let next = |policy: &Policy| {
        let v = policy.version();
        format!(
            "/api/v1/sync/bundle?epoch={}&version={}",
            v.epoch, v.version
        )
    };
    // First bundle after the rotation: signed with the old key, bringing the new one in.
    let reply = site.server.get(&site.controller, &next(&held)).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.json);
    let delta = BundleDelta::from_bytes(&reply.body).unwrap();
    let (signed, second) = held.apply_delta(&delta, &held_trust(&held)).unwrap();
    assert_eq!(signed.key_id(), old_kid);
    assert_eq!(second.bundle().trusted_keys.len(), 2);

    // The next: signed with the new key, which the held bundle now trusts.
    store.touch_policy(site.server.state.site).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let reply = site.server.get(&site.controller, &next(&second)).await;
    let delta = BundleDelta::from_bytes(&reply.body).unwrap();
    let (signed, third) = second.apply_delta(&delta, &held_trust(&second)).unwrap();
    assert_eq!(signed.key_id(), new_kid);
    assert_eq!(decide_card(&third, &site), Reason::Granted);
}
