use super::{sample_bundle, trust};
use gatehouse_core::bundle::{Policy, SignedBundle, scope};
use gatehouse_core::decide::{Credential, LocalState, Presented, decide};
use gatehouse_core::ids::{ControllerId, DoorId, GroupId, ZoneId};
use gatehouse_core::model::{Direction, Pin};
use gatehouse_core::sample::{self, doors, people, zones};
use gatehouse_core::time::{Clock, Timestamp};
use proptest::prelude::*;

fn load(bundle: gatehouse_core::bundle::Bundle) -> Policy {
    Policy::load(
        &SignedBundle::sign(bundle, &sample::issuer()),
        &trust(),
        None,
    )
    .unwrap()
}

#[test]
fn a_server_room_controller_sees_only_who_may_use_its_door() {
    let scoped = scope::for_controller(&sample_bundle(1), ControllerId(7), &[doors::SERVER_ROOM]);
    assert_eq!(scoped.header.controller, ControllerId(7));
    assert_eq!(
        scoped.doors.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![doors::SERVER_ROOM]
    );
    assert_eq!(
        scoped.zones.iter().map(|z| z.id).collect::<Vec<_>>(),
        vec![zones::HQ, zones::OFFICE, zones::SERVER_ROOM],
        "the door's zone and the zones enclosing it"
    );
    let ids: Vec<_> = scoped.people.iter().map(|p| p.id).collect();
    assert!(
        !ids.contains(&people::ERIN),
        "Erin's grants are on the dock and lobby only"
    );
    assert!(ids.contains(&people::BOB));
    // The dock crew's group has no grant that reaches here, so it is gone.
    assert!(scoped.groups.iter().all(|g| g.id != GroupId(4)));
    assert!(scoped.badges.iter().all(|b| ids.contains(&b.person)));
    // The result is a consistent bundle a controller loads.
    load(scoped);
}

#[test]
fn lockdowns_outside_the_doors_zones_are_left_out() {
    let mut site = sample_bundle(1);
    site.lockdown = vec![zones::DOCK, zones::OFFICE];
    let scoped = scope::for_controller(&site, ControllerId(2), &[doors::SERVER_ROOM]);
    assert_eq!(scoped.lockdown, vec![zones::OFFICE]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Scoping never changes a decision at the controller's own doors.
    #[test]
    fn scoped_and_full_bundles_decide_alike(
        mask in 1u8..16,
        who in 0usize..6,
        door in 0usize..4,
        minutes in 0i64..(7 * 24 * 60),
        exit in any::<bool>(),
        lockdown in proptest::option::of(1u32..6),
    ) {
        let all = [doors::LOBBY, doors::OFFICE, doors::SERVER_ROOM, doors::DOCK];
        let chosen: Vec<DoorId> = all.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, d)| *d).collect();
        let mut site = sample_bundle(1);
        site.lockdown = lockdown.map(ZoneId).into_iter().collect();
        site.normalize();
        let full = load(site.clone());
        let scoped = load(scope::for_controller(&site, ControllerId(3), &chosen));
        let person = [people::ALICE, people::BOB, people::CAROL, people::DAVE, people::ERIN, people::FRANK][who];
        let pin = Pin::parse(sample::BOB_PIN).unwrap();
        let presented = Presented {
            door: chosen[door % chosen.len()],
            direction: if exit { Direction::Exit } else { Direction::Entry },
            credential: Credential::Card(sample::card_of(person)),
            pin: Some(&pin),
        };
        let clock = Clock::trusted(Timestamp(site.header.issued_at.0 + minutes * 60_000));
        let state = LocalState::new();
        let on_full = decide(&full, &presented, clock, &state);
        let on_scoped = decide(&scoped, &presented, clock, &state);
        // A person cut from the bundle is unknown to it: that is a denial either way.
        if on_scoped.reason == gatehouse_core::reason::Reason::UnknownCredential {
            prop_assert!(!on_full.granted(), "{on_full:?}");
        } else {
            prop_assert_eq!(on_scoped, on_full);
        }
    }
}
