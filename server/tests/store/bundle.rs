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
