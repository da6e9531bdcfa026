//! Sites, zones, doors, schedules, groups, people and badges.

use crate::conformance;
use gatehouse_core::card::CardId;
use gatehouse_core::ids::{SiteId, ZoneId};
use gatehouse_core::model::{
    BadgeCredential, BadgeStatus, Grant, TimeRange, Weekdays, WeeklyWindow, ZoneRules,
};
use gatehouse_server::store::{
    NewBadge, NewDoor, NewGroup, NewPerson, NewSchedule, NewZone, Store, StoreError,
};

pub const NOW: i64 = 1_795_597_200_000;

pub async fn site(store: &Store) -> SiteId {
    store
        .create_site("HQ", "Europe/Berlin", [7; 16], NOW)
        .await
        .unwrap()
        .id
}

pub fn zone(name: &str, parent: Option<ZoneId>) -> NewZone {
    NewZone {
        name: name.into(),
        parent,
        rules: ZoneRules::default(),
    }
}

async fn sites_need_a_real_time_zone(store: Store) {
    let err = store
        .create_site("X", "Mars/Olympus", [0; 16], NOW)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Invalid {
                field: "time_zone",
                ..
            }
        ),
        "{err}"
    );
    let s = store
        .create_site("HQ", "Europe/Berlin", [7; 16], NOW)
        .await
        .unwrap();
    assert_eq!(s.policy_epoch, 1_795_597_200);
    assert_eq!(s.policy_version, 1);
    assert_eq!(store.site(s.id).await.unwrap(), s);
}
conformance!(sites, sites_need_a_real_time_zone);

async fn zones_nest_and_names_are_unique(store: Store) {
    let site = site(&store).await;
    let hq = store.create_zone(site, &zone("HQ", None)).await.unwrap();
    let office = store
        .create_zone(site, &zone("Office", Some(hq.id)))
        .await
        .unwrap();
    assert_eq!(office.parent, Some(hq.id));
    let dup = store
        .create_zone(site, &zone("Office", None))
        .await
        .unwrap_err();
    assert!(
        matches!(dup, StoreError::Conflict { field: "name" }),
        "{dup}"
    );
    let orphan = store
        .create_zone(site, &zone("Attic", Some(ZoneId(999))))
        .await
        .unwrap_err();
    assert!(
        matches!(
            orphan,
            StoreError::Invalid {
                field: "parent",
                ..
            }
        ),
        "{orphan}"
    );
    assert_eq!(store.zones(site).await.unwrap().len(), 2);
    // Every change raised the policy version: site creation, then two zones.
    assert_eq!(store.site(site).await.unwrap().policy_version, 3);
}
conformance!(zones, zones_nest_and_names_are_unique);

async fn doors_belong_to_zones_of_their_site(store: Store) {
    let site_a = site(&store).await;
    let site_b = store
        .create_site("Plant", "Europe/Berlin", [8; 16], NOW)
        .await
        .unwrap()
        .id;
    let zone_b = store
        .create_zone(site_b, &zone("Hall", None))
        .await
        .unwrap();
    let door = NewDoor {
        name: "Main".into(),
        zone: zone_b.id,
        controller: None,
        unlock_schedule: None,
        first_card_unlock: false,
    };
    let err = store.create_door(site_a, &door).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid { field: "zone", .. }),
        "{err}"
    );
    let ok = store.create_door(site_b, &door).await.unwrap();
    assert_eq!(ok.zone, zone_b.id);
    let empty = NewDoor {
        name: " ".into(),
        ..door
    };
    assert!(matches!(
        store.create_door(site_b, &empty).await,
        Err(StoreError::Invalid { field: "name", .. })
    ));
}
conformance!(doors, doors_belong_to_zones_of_their_site);

async fn schedules_validate_their_windows(store: Store) {
    let site = site(&store).await;
    let bad = NewSchedule {
        name: "Broken".into(),
        windows: vec![WeeklyWindow {
            days: Weekdays::WORKDAYS,
            time: TimeRange {
                start: 600,
                end: 600,
            },
        }],
        holiday_calendar: None,
        holiday_windows: vec![],
    };
    assert!(matches!(
        store.create_schedule(site, &bad).await,
        Err(StoreError::Invalid {
            field: "windows",
            ..
        })
    ));
    let dates = ["2026-12-25", "2026-12-26"]
        .iter()
        .map(|d| d.parse().unwrap())
        .collect();
    let cal = store
        .create_calendar(site, "Holidays", &dates)
        .await
        .unwrap();
    let good = NewSchedule {
        name: "Office hours".into(),
        windows: vec![WeeklyWindow {
            days: Weekdays::WORKDAYS,
            time: TimeRange::hm((7, 0), (19, 0)).unwrap(),
        }],
        holiday_calendar: Some(cal.id),
        holiday_windows: vec![],
    };
    let s = store.create_schedule(site, &good).await.unwrap();
    assert_eq!(store.schedules(site).await.unwrap(), vec![s]);
    assert_eq!(store.calendars(site).await.unwrap(), vec![cal]);
}
conformance!(schedules, schedules_validate_their_windows);

async fn cards_are_unique_and_lost_is_final(store: Store) {
    let site = site(&store).await;
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
    let card: CardId = "H10301:12:1001".parse().unwrap();
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
    assert_eq!(badge.credential, BadgeCredential::Card(card));
    assert_eq!(badge.status, BadgeStatus::Active);
    let again = store
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
        .unwrap_err();
    assert!(
        matches!(again, StoreError::Conflict { field: "card" }),
        "{again}"
    );
    let suspended = store
        .set_badge_status(site, badge.id, BadgeStatus::Suspended, NOW)
        .await
        .unwrap();
    assert_eq!(suspended.status, BadgeStatus::Suspended);
    store
        .set_badge_status(site, badge.id, BadgeStatus::Lost, NOW)
        .await
        .unwrap();
    let err = store
        .set_badge_status(site, badge.id, BadgeStatus::Active, NOW)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Invalid {
                field: "status",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        store.badges_of(site, alice.id).await.unwrap()[0].status,
        BadgeStatus::Lost
    );
}
conformance!(badges, cards_are_unique_and_lost_is_final);

async fn groups_grant_zones_to_members(store: Store) {
    let site = site(&store).await;
    let hq = store.create_zone(site, &zone("HQ", None)).await.unwrap();
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
                    zone: hq.id,
                    schedule: always.id,
                }],
            },
        )
        .await
        .unwrap();
    let bob = store
        .create_person(
            site,
            &NewPerson {
                display_name: "Bob".into(),
                email: Some("bob@example.com".into()),
                manager: None,
                lockdown_override: false,
                pin_required: false,
            },
            NOW,
        )
        .await
        .unwrap();
    store.add_member(site, group.id, bob.id).await.unwrap();
    store.add_member(site, group.id, bob.id).await.unwrap();
    assert_eq!(
        store.person(site, bob.id).await.unwrap().groups,
        vec![group.id]
    );
    assert_eq!(store.groups(site).await.unwrap(), vec![group.clone()]);
    let bad = NewGroup {
        name: "Nowhere".into(),
        grants: vec![Grant {
            zone: ZoneId(4242),
            schedule: always.id,
        }],
    };
    assert!(matches!(
        store.create_group(site, &bad).await,
        Err(StoreError::Invalid {
            field: "grants.zone",
            ..
        })
    ));
    store.remove_member(site, group.id, bob.id).await.unwrap();
    assert!(store.person(site, bob.id).await.unwrap().groups.is_empty());
}
conformance!(groups, groups_grant_zones_to_members);
