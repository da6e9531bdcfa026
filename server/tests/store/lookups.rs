//! Finding things: a zone by id, people by name a page at a time; group membership of
//! unknown groups and people; names that must not be blank.

use crate::conformance;
use crate::policy::{NOW, site, zone};
use gatehouse_core::ids::{GroupId, PersonId, ZoneId};
use gatehouse_server::store::{NewGroup, NewPerson, NewSchedule, PeopleQuery, Store, StoreError};
use std::collections::BTreeSet;

fn person(name: &str) -> NewPerson {
    NewPerson {
        display_name: name.into(),
        email: None,
        manager: None,
        lockdown_override: false,
        pin_required: false,
    }
}

async fn zones_are_found_by_id_in_their_site(store: Store) {
    let site_a = site(&store).await;
    let site_b = store
        .create_site("Plant", "Europe/Berlin", [8; 16], NOW)
        .await
        .unwrap()
        .id;
    let hq = store.create_zone(site_a, &zone("HQ", None)).await.unwrap();
    assert_eq!(store.zone(site_a, hq.id).await.unwrap(), hq);
    for (site, id) in [(site_b, hq.id), (site_a, ZoneId(4242))] {
        let err = store.zone(site, id).await.unwrap_err();
        assert!(
            matches!(err, StoreError::NotFound { what: "zone", id: looked_for } if looked_for == i64::from(id.0)),
            "{err}"
        );
    }
}
conformance!(zone_by_id, zones_are_found_by_id_in_their_site);

async fn people_come_by_name_a_page_at_a_time(store: Store) {
    let site = site(&store).await;
    let other = store
        .create_site("Plant", "Europe/Berlin", [8; 16], NOW)
        .await
        .unwrap()
        .id;
    store
        .create_person(other, &person("Sam Smith (elsewhere)"), NOW)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for name in [
        "Ann Smith",
        "Ben Smithers",
        "Cat Jones",
        "Dan SMITH",
        "Eve 100%",
        "Fay a_b",
    ] {
        ids.push(
            store
                .create_person(site, &person(name), NOW)
                .await
                .unwrap()
                .id,
        );
    }
    let group = store
        .create_group(
            site,
            &NewGroup {
                name: "Staff".into(),
                grants: vec![],
            },
        )
        .await
        .unwrap();
    store.add_member(site, group.id, ids[1]).await.unwrap();

    let names = |page: &gatehouse_server::store::PeoplePage| -> Vec<String> {
        page.items.iter().map(|p| p.display_name.clone()).collect()
    };
    let query = |name: Option<&str>, after: Option<PersonId>, limit: u32| PeopleQuery {
        name: name.map(str::to_string),
        after,
        limit,
    };

    let all = store.people(site, &query(None, None, 50)).await.unwrap();
    assert_eq!(all.items.len(), 6);
    assert_eq!(all.next, None);
    assert_eq!(all.items[1].groups, vec![group.id]);
    assert!(all.items[0].groups.is_empty());

    let first = store
        .people(site, &query(Some("SMITH"), None, 2))
        .await
        .unwrap();
    assert_eq!(names(&first), ["Ann Smith", "Ben Smithers"]);
    assert_eq!(first.next, Some(ids[1]));
    assert_eq!(first.items[1].groups, vec![group.id]);
    let second = store
        .people(site, &query(Some("smith"), first.next, 2))
        .await
        .unwrap();
    assert_eq!(names(&second), ["Dan SMITH"]);
    assert_eq!(second.next, None);

    // Exactly a page left: no next page.
    let exact = store
        .people(site, &query(None, Some(ids[1]), 4))
        .await
        .unwrap();
    assert_eq!(exact.items.len(), 4);
    assert_eq!(exact.next, None);

    // LIKE's wildcards and escape are plain characters in a search.
    for (search, found) in [
        ("%", vec!["Eve 100%"]),
        ("_", vec!["Fay a_b"]),
        ("a_b", vec!["Fay a_b"]),
        ("\\", vec![]),
        ("nobody", vec![]),
    ] {
        let page = store
            .people(site, &query(Some(search), None, 50))
            .await
            .unwrap();
        assert_eq!(names(&page), found, "{search:?}");
    }
}
conformance!(people_pages, people_come_by_name_a_page_at_a_time);

async fn membership_needs_a_group_and_a_person(store: Store) {
    let site = site(&store).await;
    let ann = store
        .create_person(site, &person("Ann"), NOW)
        .await
        .unwrap();
    let group = store
        .create_group(
            site,
            &NewGroup {
                name: "Staff".into(),
                grants: vec![],
            },
        )
        .await
        .unwrap();
    let version = store.site(site).await.unwrap().policy_version;
    for (g, p, missing) in [
        (GroupId(4242), ann.id, "group"),
        (group.id, PersonId(4242), "person"),
    ] {
        let add = store.add_member(site, g, p).await.unwrap_err();
        assert!(
            matches!(add, StoreError::NotFound { what, .. } if what == missing),
            "{add}"
        );
        let remove = store.remove_member(site, g, p).await.unwrap_err();
        assert!(
            matches!(remove, StoreError::NotFound { what, .. } if what == missing),
            "{remove}"
        );
    }
    assert_eq!(store.site(site).await.unwrap().policy_version, version);
}
conformance!(membership, membership_needs_a_group_and_a_person);

async fn names_must_not_be_blank(store: Store) {
    let site = site(&store).await;
    let blank = NewSchedule {
        name: " ".into(),
        windows: vec![],
        holiday_calendar: None,
        holiday_windows: vec![],
    };
    let group = NewGroup {
        name: String::new(),
        grants: vec![],
    };
    let errors = [
        store.create_schedule(site, &blank).await.unwrap_err(),
        store.create_group(site, &group).await.unwrap_err(),
        store
            .create_calendar(site, "", &BTreeSet::new())
            .await
            .unwrap_err(),
        store.create_controller(site, "\t").await.unwrap_err(),
    ];
    for err in errors {
        assert!(
            matches!(err, StoreError::Invalid { field: "name", .. }),
            "{err}"
        );
    }
}
conformance!(blank_names, names_must_not_be_blank);
