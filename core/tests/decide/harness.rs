//! A controller in a test: the sample site's policy, a local state and a clock.

use gatehouse_core::bundle::{Bundle, Policy, SignedBundle};
use gatehouse_core::card::CardId;
use gatehouse_core::credential::{CredentialKind, PassClaims, TrustStore, issue};
use gatehouse_core::decide::{Credential, Decision, LocalState, Presented, decide};
use gatehouse_core::ids::{DoorId, PassSerial, PersonId, ZoneId};
use gatehouse_core::model::{Direction, Pin};
use gatehouse_core::sample;
use gatehouse_core::time::{Clock, Timestamp};

/// A moment as Unix seconds from an RFC 3339 text.
pub fn t(rfc3339: &str) -> Timestamp {
    Timestamp::from_utc(
        chrono::DateTime::parse_from_rfc3339(rfc3339)
            .unwrap()
            .to_utc(),
    )
}

/// Wednesday 2026-11-25 10:00 in Berlin.
pub const WEDNESDAY_10AM: &str = "2026-11-25T10:00:00+01:00";
/// When the sample bundle was issued: early that Wednesday.
pub const ISSUED: &str = "2026-11-25T07:00:00+01:00";

pub struct Site {
    pub policy: Policy,
    pub state: LocalState,
}

impl Site {
    pub fn new() -> Self {
        Site::with(|_| {})
    }

    /// The sample site with its bundle issued at another time.
    pub fn issued(at: &str) -> Self {
        Site::build(at, |_| {})
    }

    /// The sample site with a change to its bundle.
    pub fn with(change: impl FnOnce(&mut Bundle)) -> Self {
        Site::build(ISSUED, change)
    }

    fn build(issued: &str, change: impl FnOnce(&mut Bundle)) -> Self {
        let mut bundle = sample::bundle(t(issued), 1);
        change(&mut bundle);
        let signed = SignedBundle::sign(bundle, &sample::issuer());
        let trust = TrustStore::with([sample::issuer().public()]);
        Site {
            policy: Policy::load(&signed, &trust, None).unwrap(),
            state: LocalState::new(),
        }
    }

    /// Presents and records the decision, with a trusted clock.
    pub fn present(
        &mut self,
        door: DoorId,
        direction: Direction,
        credential: Credential<'_>,
        pin: Option<&str>,
        at: &str,
    ) -> Decision {
        self.present_with_clock(door, direction, credential, pin, Clock::trusted(t(at)))
    }

    pub fn present_with_clock(
        &mut self,
        door: DoorId,
        direction: Direction,
        credential: Credential<'_>,
        pin: Option<&str>,
        clock: Clock,
    ) -> Decision {
        let pin = pin.map(|p| Pin::parse(p).unwrap());
        let presented = Presented {
            door,
            direction,
            credential,
            pin: pin.as_ref(),
        };
        let decision = decide(&self.policy, &presented, clock, &self.state);
        self.state.record(&decision);
        decision
    }

    /// A person's card at a door's entry reader.
    pub fn badge_in(&mut self, person: PersonId, door: DoorId, at: &str) -> Decision {
        self.present(door, Direction::Entry, card(person), None, at)
    }

    /// A QR text at a door's entry reader.
    pub fn scan_in(&mut self, door: DoorId, text: &str, at: &str) -> Decision {
        self.present(door, Direction::Entry, Credential::Qr(text), None, at)
    }
}

pub fn card(person: PersonId) -> Credential<'static> {
    Credential::Card(sample::card_of(person))
}

pub fn unknown_card() -> Credential<'static> {
    Credential::Card("H10301:12:9999".parse::<CardId>().unwrap())
}

/// A visitor pass for `zones`, valid from `nbf` to `exp`.
pub fn visitor_pass(serial: u64, zones: &[ZoneId], escort: bool, nbf: &str, exp: &str) -> String {
    issue(
        &sample::issuer(),
        &PassClaims {
            iss: None,
            sub: format!("v{serial}"),
            nbf: t(nbf).unix_secs(),
            exp: t(exp).unix_secs(),
            iat: Some(t(nbf).unix_secs()),
            kind: CredentialKind::Visitor,
            serial: PassSerial(serial),
            zones: zones.to_vec(),
            escort,
            host: Some(sample::people::ALICE),
            items: vec![],
        },
    )
}

/// A visitor pass for the lobby and office, valid all of Wednesday.
pub fn wednesday_pass(serial: u64, escort: bool) -> String {
    visitor_pass(
        serial,
        &[sample::zones::LOBBY, sample::zones::OFFICE],
        escort,
        "2026-11-25T08:00:00+01:00",
        "2026-11-25T18:00:00+01:00",
    )
}
