//! The site bundle assembled from the store is one a controller loads and decides with.

use crate::conformance;
use crate::policy::{NOW, site, zone};
use gatehouse_core::bundle::{Policy, SignedBundle, scope};
use gatehouse_core::credential::{IssuerKey, TrustStore};
use gatehouse_core::decide::{Credential, LocalState, Presented, decide};
use gatehouse_core::ids::ControllerId;
use gatehouse_core::model::{BadgeStatus, Direction, Grant, TimeRange, Weekdays, WeeklyWindow};
use gatehouse_core::reason::Reason;
use gatehouse_core::time::{Clock, Timestamp};
use gatehouse_server::store::{NewBadge, NewDoor, NewGroup, NewPerson, NewSchedule, Store};

async fn a_controller_decides_with_the_stores_bundle(store: Store) {
    let site = site(&store).await;
    let key = IssuerKey::from_seed(&[1; 32]);
    let trust = TrustStore::with([key.public()]);
    let hq = store.create_zone(site, &zone("HQ", None)).await.unwrap();
    let office = store
        .create_zone(site, &zone("Office", Some(hq.id)))
        .await
        .unwrap();
    let controller = store.create_controller(site, "ctl-1").await.unwrap();
    let door = store
        .create_door(
            site,
            &NewDoor {
                name: "Office".into(),
                zone: office.id,
                controller: Some(controller.id),
                unlock_schedule: None,
                first_card_unlock: false,
            },
        )
        .await
        .unwrap();
    let hours = store
        .create_schedule(
            site,
            &NewSchedule {
                name: "Office hours".into(),
                windows: vec![WeeklyWindow {
                    days: Weekdays::WORKDAYS,
                    time: TimeRange::hm((7, 0), (19, 0)).unwrap(),
                }],
                holiday_calendar: None,
                holiday_windows: vec![],
            },
        )
        .await
        .unwrap();
    let staff = store
        .create_group(
            site,
            &NewGroup {
                name: "Staff".into(),
                grants: vec![Grant {
                    zone: hq.id,
                    schedule: hours.id,
                }],
            },
        )
        .await
        .unwrap();
    let alice = store
        .create_person(
            site,
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
    store.add_member(site, staff.id, alice.id).await.unwrap();
    let card = "C1000-35:1234:56789".parse().unwrap();
    let badge = store
        .enroll_card(
            site,
            &NewBadge {
                person: alice.id,
                card,
                not_before: None,
                expires: None,
            },
            NOW,
        )
        .await
        .unwrap();

    let decide_now = |bundle| {
        let signed = SignedBundle::sign(
            scope::for_controller(&bundle, ControllerId(controller.id.0), &[door.id]),
            &key,
        );
        let policy = Policy::load(&signed, &trust, None).unwrap();
        let presented = Presented {
            door: door.id,
            direction: Direction::Entry,
            credential: Credential::Card(card),
            pin: None,
        };
        decide(
            &policy,
            &presented,
            Clock::trusted(Timestamp(NOW)),
            &LocalState::new(),
        )
        .reason
    };
    let before = store
        .site_bundle(site, &trust, Timestamp(NOW))
        .await
        .unwrap();
    assert_eq!(
        decide_now(before.clone()),
        Reason::Granted,
        "Wednesday 10:00 in Berlin"
    );

    store
        .set_badge_status(site, badge.id, BadgeStatus::Suspended, NOW)
        .await
        .unwrap();
    let after = store
        .site_bundle(site, &trust, Timestamp(NOW))
        .await
        .unwrap();
    assert!(
        after.header.version > before.header.version,
        "a suspension raises the version"
    );
    assert_eq!(decide_now(after), Reason::Suspended);
}
conformance!(site_bundle, a_controller_decides_with_the_stores_bundle);

async fn the_bundle_lists_people_groups_pins_and_badges_as_stored(store: Store) {
    use gatehouse_core::model::{BadgeCredential, Pin, PinVerifier};
    let site = site(&store).await;
    let trust = TrustStore::with([IssuerKey::from_seed(&[1; 32]).public()]);
    let person = |name: &str, lockdown_override, pin_required| NewPerson {
        display_name: name.into(),
        email: None,
        manager: None,
        lockdown_override,
        pin_required,
    };
    let alice = store
        .create_person(site, &person("Alice", true, true), NOW)
        .await
        .unwrap();
    let bob = store
        .create_person(site, &person("Bob", false, false), NOW)
        .await
        .unwrap();
    let mut groups = Vec::new();
    for name in ["B", "A", "C"] {
        let group = NewGroup {
            name: name.into(),
            grants: vec![],
        };
        groups.push(store.create_group(site, &group).await.unwrap().id);
    }
    for &g in &groups[..2] {
        store.add_member(site, g, alice.id).await.unwrap();
    }
    let pin = Pin::parse("4711").unwrap();
    store.set_pin(site, alice.id, Some(&pin)).await.unwrap();
    let card = "C1000-35:1234:56789".parse().unwrap();
    let badge = store
        .enroll_card(
            site,
            &NewBadge {
                person: bob.id,
                card,
                not_before: Some(Timestamp(NOW - 1_000)),
                expires: Some(Timestamp(NOW + 1_000)),
            },
            NOW,
        )
        .await
        .unwrap();

    let bundle = store
        .site_bundle(site, &trust, Timestamp(NOW))
        .await
        .unwrap();
    assert_eq!(bundle.people.len(), 2);
    let (a, b) = (&bundle.people[0], &bundle.people[1]);
    assert_eq!(a.id, alice.id);
    let mut alices = groups[..2].to_vec();
    alices.sort();
    assert_eq!(a.groups.as_slice(), alices.as_slice());
    assert!(a.flags.lockdown_override && a.flags.pin_required);
    assert!(a.pin.is_some_and(|v: PinVerifier| v.0 != [0; 16]));
    assert_eq!((b.id, b.groups.len(), b.pin), (bob.id, 0, None));
    assert!(!b.flags.lockdown_override && !b.flags.pin_required);
    assert_eq!(bundle.badges.len(), 1);
    let stored = &bundle.badges[0];
    assert_eq!((stored.id, stored.person), (badge.id, bob.id));
    assert_eq!(stored.credential, BadgeCredential::Card(card));
    assert_eq!(stored.status, BadgeStatus::Active);
    assert_eq!(stored.not_before, Some(Timestamp(NOW - 1_000)));
    assert_eq!(stored.expires, Some(Timestamp(NOW + 1_000)));
}
conformance!(
    site_bundle_rows,
    the_bundle_lists_people_groups_pins_and_badges_as_stored
);
