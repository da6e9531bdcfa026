//! Where a door decides: a read at a reader becomes a decision, with the bundle held,
//! the clock and floor, and the controller's memory of recent decisions.
//!
//! Card-then-PIN is one transaction: a card whose decision is `pin_required` is held for
//! [`PIN_WAIT`]; a PIN at the same reader within it decides the card again with the PIN,
//! and only that decision is journaled. No PIN in time journals the `pin_required` denial.

use gatehouse_core::bundle::Policy;
use gatehouse_core::decide::{
    Credential, CredentialRef, Decision, Holder, LocalState, Presented, decide, judge,
};
use gatehouse_core::ids::DoorId;
use gatehouse_core::model::Direction;
use gatehouse_core::reason::Reason;
use gatehouse_core::time::{Clock, Timestamp};
use gatehouse_hardware::reader::ReadData;
use std::time::{Duration, Instant};

/// How long a card waits for its PIN.
pub const PIN_WAIT: Duration = Duration::from_secs(10);

/// Where a reader is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReaderPlace {
    /// The door's index in the controller's door list.
    pub door: usize,
    /// The door's id in the bundle.
    pub door_id: DoorId,
    /// Which side of the door.
    pub direction: Direction,
}

/// A card read waiting for its PIN.
#[derive(Debug)]
pub struct AwaitingPin {
    read: ReadData,
    /// Its `pin_required` decision, journaled if no PIN comes.
    pub decision: Decision,
    /// When the wait ends.
    pub until: Instant,
}

/// What a read came to.
#[derive(Debug)]
pub enum Outcome {
    /// Decided: journal it, then act on it.
    Decided(Decision),
    /// A card waiting for its PIN (nothing to journal yet).
    AwaitPin(AwaitingPin),
}

/// Decides one read at `place`. `waiting` is the card this reader holds for a PIN, if
/// any (taken by a PIN; a new card replaces it, and its denial is returned to journal).
pub fn decide_read(
    policy: Option<&Policy>,
    place: ReaderPlace,
    read: ReadData,
    waiting: Option<AwaitingPin>,
    clock: Clock,
    state: &LocalState,
    now: Instant,
) -> (Outcome, Option<Decision>) {
    let Some(policy) = policy else {
        // Never enrolled, or the bundle on disk was refused: nothing can be judged.
        let credential = match &read {
            ReadData::Card(card) => CredentialRef::Card(*card),
            _ => CredentialRef::Unreadable,
        };
        let decision = unjudged_denial(place, credential, Reason::BundleTooOld, clock);
        return (Outcome::Decided(decision), waiting.map(|w| w.decision));
    };
    if let ReadData::Pin(pin) = &read {
        return match waiting {
            Some(w) if w.until > now => {
                let decision = decide_credential(policy, place, &w.read, Some(pin), clock, state);
                (Outcome::Decided(decision), None)
            }
            // A PIN with no card before it: keypad input that is no credential.
            stale => {
                let decision =
                    unjudged_denial(place, CredentialRef::Unreadable, Reason::Malformed, clock);
                (Outcome::Decided(decision), stale.map(|w| w.decision))
            }
        };
    }
    let earlier = waiting.map(|w| w.decision);
    let decision = decide_credential(policy, place, &read, None, clock, state);
    if decision.reason == Reason::PinRequired {
        let until = now + PIN_WAIT;
        return (
            Outcome::AwaitPin(AwaitingPin {
                read,
                decision,
                until,
            }),
            earlier,
        );
    }
    (Outcome::Decided(decision), earlier)
}

fn decide_credential(
    policy: &Policy,
    place: ReaderPlace,
    read: &ReadData,
    pin: Option<&gatehouse_core::model::Pin>,
    clock: Clock,
    state: &LocalState,
) -> Decision {
    let credential = match read {
        ReadData::Card(card) => Credential::Card(*card),
        ReadData::WiegandFrame { bits, data } => Credential::WiegandFrame { bits: *bits, data },
        ReadData::Qr(text) => Credential::Qr(text),
        ReadData::Pin(_) | ReadData::Unreadable { .. } => {
            return unjudged_denial(place, CredentialRef::Unreadable, Reason::Malformed, clock);
        }
    };
    let presented = Presented {
        door: place.door_id,
        direction: place.direction,
        credential,
        pin,
    };
    decide(policy, &presented, clock, state)
}

/// A denial `decide()` could not make: no bundle to decide with, or input that is no
/// credential at all.
fn unjudged_denial(
    place: ReaderPlace,
    credential: CredentialRef,
    reason: Reason,
    clock: Clock,
) -> Decision {
    let judged = judge(clock, Timestamp(0));
    Decision {
        reason,
        door: place.door_id,
        direction: place.direction,
        zone: None,
        credential,
        holder: None,
        companion: None,
        at: judged.now,
        clock_trusted: judged.trusted,
    }
}

/// Whether the decision's holder passes a locked-down door (the person's override flag;
/// a visitor never does).
pub fn lockdown_override(policy: Option<&Policy>, decision: &Decision) -> bool {
    match (policy, decision.holder) {
        (Some(policy), Some(Holder::Person(id))) => {
            policy.person(id).is_some_and(|p| p.flags.lockdown_override)
        }
        _ => false,
    }
}

/// A grant at a door a lockdown command closed (the bundle does not know of it yet) is a
/// `lockdown` denial for anyone without the override, journaled as such.
pub fn apply_lockdown(decision: &mut Decision, locked_down: bool, overrides: bool) {
    if locked_down && decision.granted() && !overrides {
        decision.reason = Reason::Lockdown;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gatehouse_core::bundle::SignedBundle;
    use gatehouse_core::model::Pin;
    use gatehouse_core::sample::{self, doors, people};

    /// Wednesday 25 November 2026, 10:00 in Berlin.
    const WEDNESDAY_10AM: Timestamp = Timestamp(1_795_597_200_000);

    fn policy() -> Policy {
        let signed = SignedBundle::sign(
            sample::bundle(WEDNESDAY_10AM.plus_secs(-3600), 1),
            &sample::issuer(),
        );
        Policy::load_first(&signed).unwrap()
    }

    fn place(door: DoorId) -> ReaderPlace {
        ReaderPlace {
            door: 0,
            door_id: door,
            direction: Direction::Entry,
        }
    }

    fn card(person: gatehouse_core::ids::PersonId) -> ReadData {
        ReadData::Card(sample::card_of(person))
    }

    fn pin(digits: &str) -> ReadData {
        ReadData::Pin(Pin::parse(digits).unwrap())
    }

    fn read(
        policy: Option<&Policy>,
        door: DoorId,
        data: ReadData,
        waiting: Option<AwaitingPin>,
        now: Instant,
    ) -> (Outcome, Option<Decision>) {
        let clock = Clock::trusted(WEDNESDAY_10AM);
        decide_read(
            policy,
            place(door),
            data,
            waiting,
            clock,
            &LocalState::new(),
            now,
        )
    }

    /// Bob's card at the server room (card + PIN): waiting for his PIN.
    fn bob_at_the_server_room(policy: &Policy, now: Instant) -> Outcome {
        let (outcome, earlier) = read(
            Some(policy),
            doors::SERVER_ROOM,
            card(people::BOB),
            None,
            now,
        );
        assert!(earlier.is_none());
        outcome
    }

    fn decided(outcome: Outcome) -> Decision {
        match outcome {
            Outcome::Decided(d) => d,
            Outcome::AwaitPin(w) => panic!("waiting for a PIN: {w:?}"),
        }
    }

    fn waiting(outcome: Outcome) -> AwaitingPin {
        match outcome {
            Outcome::AwaitPin(w) => w,
            Outcome::Decided(d) => panic!("decided: {d:?}"),
        }
    }

    #[test]
    fn without_a_bundle_every_read_is_denied_as_bundle_too_old() {
        let now = Instant::now();
        let (outcome, earlier) = read(None, doors::OFFICE, card(people::ALICE), None, now);
        let d = decided(outcome);
        assert_eq!(d.reason, Reason::BundleTooOld);
        assert_eq!(
            d.credential,
            CredentialRef::Card(sample::card_of(people::ALICE))
        );
        assert_eq!((d.door, d.at), (doors::OFFICE, WEDNESDAY_10AM));
        assert!(earlier.is_none());
    }

    #[test]
    fn card_then_pin_is_one_decision() {
        let policy = policy();
        let now = Instant::now();
        let cases = [
            ("the right PIN", "2468", Reason::AwaitingSecondPerson),
            ("a wrong PIN", "1111", Reason::WrongPin),
        ];
        for (what, digits, want) in cases {
            let (outcome, earlier) = read(
                Some(&policy),
                doors::SERVER_ROOM,
                card(people::BOB),
                None,
                now,
            );
            let w = waiting(outcome);
            assert_eq!(w.decision.reason, Reason::PinRequired, "{what}");
            assert_eq!(w.until, now + PIN_WAIT);
            assert!(earlier.is_none());
            let later = now + Duration::from_secs(3);
            let (outcome, earlier) = read(
                Some(&policy),
                doors::SERVER_ROOM,
                pin(digits),
                Some(w),
                later,
            );
            let d = decided(outcome);
            assert_eq!(d.reason, want, "{what}");
            assert_eq!(d.holder, Some(Holder::Person(people::BOB)), "{what}");
            assert!(earlier.is_none(), "{what}: only one decision is journaled");
        }
    }

    #[test]
    fn a_pin_too_late_journals_the_card_as_pin_required() {
        let policy = policy();
        let now = Instant::now();
        let outcome = bob_at_the_server_room(&policy, now);
        let late = now + PIN_WAIT + Duration::from_millis(1);
        let (outcome, earlier) = read(
            Some(&policy),
            doors::SERVER_ROOM,
            pin("2468"),
            Some(waiting(outcome)),
            late,
        );
        assert_eq!(decided(outcome).reason, Reason::Malformed);
        assert_eq!(earlier.map(|d| d.reason), Some(Reason::PinRequired));
    }

    #[test]
    fn a_new_card_replaces_one_waiting_for_its_pin() {
        let policy = policy();
        let now = Instant::now();
        let outcome = bob_at_the_server_room(&policy, now);
        let (outcome, earlier) = read(
            Some(&policy),
            doors::SERVER_ROOM,
            card(people::ALICE),
            Some(waiting(outcome)),
            now,
        );
        let earlier = earlier.expect("Bob's read is journaled");
        assert_eq!(earlier.reason, Reason::PinRequired);
        assert_eq!(earlier.holder, Some(Holder::Person(people::BOB)));
        assert_eq!(decided(outcome).holder, Some(Holder::Person(people::ALICE)));
    }

    #[test]
    fn input_that_is_no_credential_is_malformed() {
        let policy = policy();
        let now = Instant::now();
        let inputs = [
            pin("2468"),
            ReadData::Unreadable {
                reason: "not a Gatehouse QR code".into(),
            },
        ];
        for data in inputs {
            let (outcome, _) = read(Some(&policy), doors::OFFICE, data, None, now);
            let d = decided(outcome);
            assert_eq!(d.reason, Reason::Malformed);
            assert_eq!(d.credential, CredentialRef::Unreadable);
        }
    }

    #[test]
    fn a_commanded_lockdown_turns_a_grant_without_override_into_lockdown() {
        let policy = policy();
        let now = Instant::now();
        for (person, overrides) in [(people::ALICE, false), (people::DAVE, true)] {
            let (outcome, _) = read(Some(&policy), doors::OFFICE, card(person), None, now);
            let mut d = decided(outcome);
            assert_eq!(d.reason, Reason::Granted, "{person:?}");
            assert_eq!(lockdown_override(Some(&policy), &d), overrides);
            apply_lockdown(&mut d, true, overrides);
            let want = if overrides {
                Reason::Granted
            } else {
                Reason::Lockdown
            };
            assert_eq!(d.reason, want, "{person:?}");
        }
    }
}
