//! The table of scenarios: one per reason code, each asserting that exact reason. The
//! rules that combine with state and time get tests of their own in `rules.rs`.

use super::harness::*;
use gatehouse_core::bundle::Bundle;
use gatehouse_core::card::encode_wiegand;
use gatehouse_core::credential::{
    CredentialKind, IssuerKey, PREFIX, PassClaims, TrustStore, base45, issue, verify_signature,
};
use gatehouse_core::decide::{Credential, Decision};
use gatehouse_core::ids::PassSerial;
use gatehouse_core::model::{BadgeStatus, Direction, ItemId};
use gatehouse_core::reason::Reason;
use gatehouse_core::sample::{self, BOB_PIN, CAROL_PIN, doors, people, zones};
use gatehouse_core::time::Clock;
use std::collections::BTreeSet;

const AT: &str = WEDNESDAY_10AM;

/// One row: the reason it must give, what it shows, and the presentation.
struct Scenario {
    reason: Reason,
    what: &'static str,
    run: fn() -> Decision,
}

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            reason: Reason::Granted,
            what: "a grant on HQ opens the office floor inside it",
            run: || Site::new().badge_in(people::ALICE, doors::OFFICE, AT),
        },
        Scenario {
            reason: Reason::UnknownCredential,
            what: "a card bound to no badge",
            run: || Site::new().present(doors::LOBBY, Direction::Entry, unknown_card(), None, AT),
        },
        Scenario {
            reason: Reason::UnknownCredential,
            what: "a pass signed by a key the site does not trust",
            run: || {
                let claims = verify_signature(
                    &wednesday_pass(1, false),
                    &TrustStore::with([sample::issuer().public()]),
                )
                .unwrap()
                .claims;
                let forged = issue(&IssuerKey::from_seed(&[9; 32]), &claims);
                Site::new().scan_in(doors::LOBBY, &forged, AT)
            },
        },
        Scenario {
            reason: Reason::BadSignature,
            what: "a pass whose signature was changed",
            run: || {
                let text = wednesday_pass(1, false);
                let mut bytes = base45::decode(text.strip_prefix(PREFIX).unwrap()).unwrap();
                *bytes.last_mut().unwrap() ^= 0x01; // the last byte is the signature's
                Site::new().scan_in(
                    doors::LOBBY,
                    &format!("{PREFIX}{}", base45::encode(&bytes)),
                    AT,
                )
            },
        },
        Scenario {
            reason: Reason::Malformed,
            what: "a QR code that is not a credential",
            run: || Site::new().scan_in(doors::LOBBY, "https://example.com/", AT),
        },
        Scenario {
            reason: Reason::Malformed,
            what: "a Wiegand frame with bad parity",
            run: || {
                let (bits, mut frame) = encode_wiegand(&sample::card_of(people::ALICE)).unwrap();
                frame[1] ^= 0x10;
                let credential = Credential::WiegandFrame { bits, data: &frame };
                Site::new().present(doors::LOBBY, Direction::Entry, credential, None, AT)
            },
        },
        Scenario {
            reason: Reason::Revoked,
            what: "a visitor pass whose serial is revoked",
            run: || {
                let mut site = Site::with(|b| b.revoked_serials.push(PassSerial(77)));
                site.scan_in(doors::LOBBY, &wednesday_pass(77, false), AT)
            },
        },
        Scenario {
            reason: Reason::Revoked,
            what: "a badge reported lost",
            run: || {
                let mut site = Site::with(|b| set_status(b, people::ERIN, BadgeStatus::Lost));
                site.badge_in(people::ERIN, doors::LOBBY, AT)
            },
        },
        Scenario {
            reason: Reason::Suspended,
            what: "a suspended badge",
            run: || Site::new().badge_in(people::FRANK, doors::OFFICE, AT),
        },
        Scenario {
            reason: Reason::Expired,
            what: "a visitor pass at its expiry",
            run: || {
                Site::new().scan_in(
                    doors::LOBBY,
                    &wednesday_pass(5, false),
                    "2026-11-25T18:00:00+01:00",
                )
            },
        },
        Scenario {
            reason: Reason::NotYetValid,
            what: "a visitor pass a second before it starts",
            run: || {
                Site::new().scan_in(
                    doors::LOBBY,
                    &wednesday_pass(5, false),
                    "2026-11-25T07:59:59+01:00",
                )
            },
        },
        Scenario {
            reason: Reason::ZoneNotGranted,
            what: "an HQ grant does not reach the explicit-grant-only server room",
            run: || Site::new().badge_in(people::ALICE, doors::SERVER_ROOM, AT),
        },
        Scenario {
            reason: Reason::ZoneNotGranted,
            what: "a visitor pass for lobby and office at the dock",
            run: || Site::new().scan_in(doors::DOCK, &wednesday_pass(6, false), AT),
        },
        Scenario {
            reason: Reason::ZoneNotGranted,
            what: "a property pass opens no door",
            run: || Site::new().scan_in(doors::LOBBY, &property_pass(), AT),
        },
        Scenario {
            reason: Reason::OutsideSchedule,
            what: "office hours end at 19:00",
            run: || Site::new().badge_in(people::ALICE, doors::OFFICE, "2026-11-25T19:00:00+01:00"),
        },
        Scenario {
            reason: Reason::Holiday,
            what: "office hours on Christmas Day",
            run: || {
                Site::issued("2026-12-25T06:00:00+01:00").badge_in(
                    people::ALICE,
                    doors::OFFICE,
                    "2026-12-25T10:00:00+01:00",
                )
            },
        },
        Scenario {
            reason: Reason::Lockdown,
            what: "HQ locked down, no override",
            run: || {
                Site::with(|b| b.lockdown.push(zones::HQ)).badge_in(
                    people::ALICE,
                    doors::OFFICE,
                    AT,
                )
            },
        },
        Scenario {
            reason: Reason::EscortRequired,
            what: "an escorted visitor alone at the door",
            run: || Site::new().scan_in(doors::LOBBY, &wednesday_pass(8, true), AT),
        },
        Scenario {
            reason: Reason::AwaitingSecondPerson,
            what: "the first of two at the server room",
            run: || {
                let mut site = Site::new();
                site.present(
                    doors::SERVER_ROOM,
                    Direction::Entry,
                    card(people::BOB),
                    Some(BOB_PIN),
                    AT,
                )
            },
        },
        Scenario {
            reason: Reason::PinRequired,
            what: "card without PIN at a card + PIN door",
            run: || {
                Site::new().present(
                    doors::SERVER_ROOM,
                    Direction::Entry,
                    card(people::BOB),
                    None,
                    AT,
                )
            },
        },
        Scenario {
            reason: Reason::WrongPin,
            what: "someone else's PIN",
            run: || {
                let mut site = Site::new();
                site.present(
                    doors::SERVER_ROOM,
                    Direction::Entry,
                    card(people::BOB),
                    Some(CAROL_PIN),
                    AT,
                )
            },
        },
        Scenario {
            reason: Reason::AntiPassback,
            what: "a second entry to the dock without leaving",
            run: || {
                let mut site = Site::new();
                site.badge_in(people::ERIN, doors::DOCK, "2026-11-25T10:00:00+01:00");
                site.badge_in(people::ERIN, doors::DOCK, "2026-11-25T10:05:00+01:00")
            },
        },
        Scenario {
            reason: Reason::BundleTooOld,
            what: "a staff card a week and a second after the last bundle",
            run: || Site::new().badge_in(people::DAVE, doors::OFFICE, "2026-12-02T07:00:01+01:00"),
        },
        Scenario {
            reason: Reason::ClockUntrusted,
            what: "a time-limited pass with the clock behind its floor",
            run: || {
                let wrong = Clock {
                    raw: t("2025-11-25T10:00:00+01:00"),
                    floor: t(AT),
                };
                let pass = wednesday_pass(10, false);
                Site::new().present_with_clock(
                    doors::LOBBY,
                    Direction::Entry,
                    Credential::Qr(&pass),
                    None,
                    wrong,
                )
            },
        },
    ]
}

#[test]
fn every_scenario_gives_its_reason_code() {
    let failures: Vec<String> = scenarios()
        .into_iter()
        .filter_map(|s| {
            let got = (s.run)().reason;
            (got != s.reason).then(|| format!("{}: expected {}, got {got}", s.what, s.reason))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_reason_code_has_a_scenario() {
    let covered: BTreeSet<Reason> = scenarios().iter().map(|s| s.reason).collect();
    let missing: Vec<_> = Reason::ALL
        .iter()
        .filter(|r| !covered.contains(r))
        .collect();
    assert!(
        missing.is_empty(),
        "reason codes without a scenario: {missing:?}"
    );
}

fn set_status(b: &mut Bundle, person: gatehouse_core::ids::PersonId, status: BadgeStatus) {
    b.badges
        .iter_mut()
        .find(|x| x.person == person)
        .unwrap()
        .status = status;
}

fn property_pass() -> String {
    issue(
        &sample::issuer(),
        &PassClaims {
            iss: None,
            sub: "101".into(),
            nbf: t("2026-11-25T08:00:00+01:00").unix_secs(),
            exp: t("2026-11-25T18:00:00+01:00").unix_secs(),
            iat: None,
            kind: CredentialKind::Property,
            serial: PassSerial(501),
            zones: vec![zones::HQ],
            escort: false,
            host: None,
            items: vec![ItemId(1)],
        },
    )
}
