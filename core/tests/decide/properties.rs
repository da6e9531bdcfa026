//! Properties over many generated inputs: revoked or tampered credentials never open a
//! door, and a decision depends on nothing but its inputs.

use super::harness::*;
use gatehouse_core::credential::{PREFIX, base45};
use gatehouse_core::decide::{Credential, LocalState, Presented, decide};
use gatehouse_core::ids::{DoorId, PassSerial};
use gatehouse_core::model::{BadgeStatus, Direction, Pin};
use gatehouse_core::sample::{self, doors, people};
use gatehouse_core::time::{Clock, Timestamp};
use proptest::prelude::*;

const PEOPLE: [gatehouse_core::ids::PersonId; 6] = [
    people::ALICE,
    people::BOB,
    people::CAROL,
    people::DAVE,
    people::ERIN,
    people::FRANK,
];
const DOORS: [DoorId; 4] = [doors::LOBBY, doors::OFFICE, doors::SERVER_ROOM, doors::DOCK];

fn any_moment() -> impl Strategy<Value = Timestamp> {
    // Two weeks around the bundle's issue, to the millisecond.
    let start = t(ISSUED).0 - 3 * 86_400_000;
    (start..start + 14 * 86_400_000).prop_map(Timestamp)
}

fn any_direction() -> impl Strategy<Value = Direction> {
    prop_oneof![Just(Direction::Entry), Just(Direction::Exit)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_blocked_badge_never_opens(
        who in 0..PEOPLE.len(),
        door in 0..DOORS.len(),
        status in prop_oneof![Just(BadgeStatus::Suspended), Just(BadgeStatus::Lost), Just(BadgeStatus::Revoked)],
        at in any_moment(),
        direction in any_direction(),
        floor_offset in -86_400_000i64..86_400_000,
    ) {
        let person = PEOPLE[who];
        let mut site = Site::with(|b| {
            b.badges.iter_mut().find(|x| x.person == person).unwrap().status = status;
        });
        let pin = Pin::parse(sample::BOB_PIN).unwrap();
        let presented = Presented { door: DOORS[door], direction, credential: card(person), pin: Some(&pin) };
        let clock = Clock { raw: at, floor: Timestamp(at.0 + floor_offset) };
        let d = decide(&site.policy, &presented, clock, &site.state);
        prop_assert!(!d.granted(), "{d:?}");
        site.state.record(&d);
    }

    #[test]
    fn a_revoked_pass_never_opens(serial in 1u64..1_000_000, at in any_moment(), door in 0..DOORS.len(), direction in any_direction()) {
        let site = Site::with(|b| b.revoked_serials.push(PassSerial(serial)));
        let pass = wednesday_pass(serial, false);
        let presented = Presented { door: DOORS[door], direction, credential: Credential::Qr(&pass), pin: None };
        let d = decide(&site.policy, &presented, Clock::trusted(at), &site.state);
        prop_assert!(!d.granted(), "{d:?}");
    }

    #[test]
    fn a_tampered_pass_never_opens(bit in 0usize..(140 * 8), at in any_moment()) {
        let site = Site::new();
        let text = wednesday_pass(3, false);
        let mut bytes = base45::decode(text.strip_prefix(PREFIX).unwrap()).unwrap();
        let bit = bit % (bytes.len() * 8);
        bytes[bit / 8] ^= 0x80 >> (bit % 8);
        let tampered = format!("{PREFIX}{}", base45::encode(&bytes));
        let presented = Presented { door: doors::LOBBY, direction: Direction::Entry, credential: Credential::Qr(&tampered), pin: None };
        let d = decide(&site.policy, &presented, Clock::trusted(at), &site.state);
        prop_assert!(!d.granted(), "bit {bit}: {d:?}");
    }

    #[test]
    fn decisions_are_deterministic(
        who in 0..PEOPLE.len(),
        door in 0..DOORS.len(),
        at in any_moment(),
        direction in any_direction(),
        history in proptest::collection::vec((0..PEOPLE.len(), 0..DOORS.len(), 0i64..600_000), 0..8),
    ) {
        // Two controllers with the same bundle and the same history decide the same.
        let site = Site::new();
        let mut a = LocalState::new();
        let mut b = LocalState::new();
        for (p, d, before) in history {
            let presented = Presented { door: DOORS[d], direction: Direction::Entry, credential: card(PEOPLE[p]), pin: None };
            let clock = Clock::trusted(Timestamp(at.0 - before));
            let first = decide(&site.policy, &presented, clock, &a);
            let second = decide(&site.policy, &presented, clock, &b);
            prop_assert_eq!(&first, &second);
            a.record(&first);
            b.record(&second);
        }
        let presented = Presented { door: DOORS[door], direction, credential: card(PEOPLE[who]), pin: None };
        let clock = Clock::trusted(at);
        prop_assert_eq!(decide(&site.policy, &presented, clock, &a), decide(&site.policy, &presented, clock, &b));
    }
}
