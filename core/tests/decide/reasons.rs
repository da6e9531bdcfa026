//! One scenario per reason code.

use super::harness::*;
use gatehouse_core::bundle::Bundle;
use gatehouse_core::card::encode_wiegand;
use gatehouse_core::credential::{PREFIX, base45};
use gatehouse_core::decide::{Credential, Holder};
use gatehouse_core::ids::PassSerial;
use gatehouse_core::model::{BadgeStatus, Direction};
use gatehouse_core::reason::Reason;
use gatehouse_core::sample::{BOB_PIN, CAROL_PIN, doors, people, zones};
use gatehouse_core::time::Clock;

const AT: &str = WEDNESDAY_10AM;

#[test]
fn granted_through_a_nested_zone() {
    // Alice's grant is on HQ; the office floor is inside it.
    let d = Site::new().badge_in(people::ALICE, doors::OFFICE, AT);
    assert_eq!(d.reason, Reason::Granted);
    assert_eq!(d.holder, Some(Holder::Person(people::ALICE)));
    assert_eq!(d.zone, Some(zones::OFFICE));
}

#[test]
fn unknown_credential() {
    let d = Site::new().present(doors::LOBBY, Direction::Entry, unknown_card(), None, AT);
    assert_eq!(d.reason, Reason::UnknownCredential);
}

#[test]
fn unknown_credential_for_a_pass_from_an_untrusted_key() {
    let foreign = gatehouse_core::credential::IssuerKey::from_seed(&[9; 32]);
    let text = wednesday_pass(1, false);
    let claims = gatehouse_core::credential::verify_signature(
        &text,
        &gatehouse_core::credential::TrustStore::with([gatehouse_core::sample::issuer().public()]),
    )
    .unwrap()
    .claims;
    let forged = gatehouse_core::credential::issue(&foreign, &claims);
    let d = Site::new().present(
        doors::LOBBY,
        Direction::Entry,
        Credential::Qr(&forged),
        None,
        AT,
    );
    assert_eq!(d.reason, Reason::UnknownCredential);
}

#[test]
fn bad_signature() {
    let text = wednesday_pass(1, false);
    let mut bytes = base45::decode(text.strip_prefix(PREFIX).unwrap()).unwrap();
    *bytes.last_mut().unwrap() ^= 0x01; // the last byte is the signature's
    let tampered = format!("{PREFIX}{}", base45::encode(&bytes));
    let d = Site::new().present(
        doors::LOBBY,
        Direction::Entry,
        Credential::Qr(&tampered),
        None,
        AT,
    );
    assert_eq!(d.reason, Reason::BadSignature);
}

#[test]
fn malformed_qr_and_card_frames() {
    let mut site = Site::new();
    let d = site.present(
        doors::LOBBY,
        Direction::Entry,
        Credential::Qr("https://example.com/"),
        None,
        AT,
    );
    assert_eq!(d.reason, Reason::Malformed);
    let (bits, mut frame) =
        encode_wiegand(&gatehouse_core::sample::card_of(people::ALICE)).unwrap();
    frame[1] ^= 0x10; // a data bit: parity no longer holds
    let d = site.present(
        doors::LOBBY,
        Direction::Entry,
        Credential::WiegandFrame { bits, data: &frame },
        None,
        AT,
    );
    assert_eq!(d.reason, Reason::Malformed);
}

#[test]
fn a_good_wiegand_frame_decides_like_its_card() {
    let (bits, frame) = encode_wiegand(&gatehouse_core::sample::card_of(people::ALICE)).unwrap();
    let d = Site::new().present(
        doors::LOBBY,
        Direction::Entry,
        Credential::WiegandFrame { bits, data: &frame },
        None,
        AT,
    );
    assert_eq!(d.reason, Reason::Granted);
}

#[test]
fn revoked_pass_serial_and_lost_badge() {
    let mut site = Site::with(|b: &mut Bundle| {
        b.revoked_serials.push(PassSerial(77));
        b.badges
            .iter_mut()
            .find(|x| x.person == people::ERIN)
            .unwrap()
            .status = BadgeStatus::Lost;
    });
    let pass = wednesday_pass(77, false);
    let d = site.present(
        doors::LOBBY,
        Direction::Entry,
        Credential::Qr(&pass),
        None,
        AT,
    );
    assert_eq!(d.reason, Reason::Revoked);
    assert_eq!(
        site.badge_in(people::ERIN, doors::LOBBY, AT).reason,
        Reason::Revoked
    );
}

#[test]
fn suspended() {
    assert_eq!(
        Site::new()
            .badge_in(people::FRANK, doors::OFFICE, AT)
            .reason,
        Reason::Suspended
    );
}

#[test]
fn expired_and_not_yet_valid() {
    let mut site = Site::new();
    let pass = wednesday_pass(5, false);
    let lobby = |site: &mut Site, at| {
        site.present(
            doors::LOBBY,
            Direction::Entry,
            Credential::Qr(&pass),
            None,
            at,
        )
        .reason
    };
    assert_eq!(
        lobby(&mut site, "2026-11-25T07:59:59+01:00"),
        Reason::NotYetValid
    );
    assert_eq!(
        lobby(&mut site, "2026-11-25T08:00:00+01:00"),
        Reason::Granted
    );
    assert_eq!(
        lobby(&mut site, "2026-11-25T18:00:00+01:00"),
        Reason::Expired
    );
}

#[test]
fn zone_not_granted() {
    let mut site = Site::new();
    // The server room admits explicit grants only: Alice's HQ grant does not reach it.
    assert_eq!(
        site.badge_in(people::ALICE, doors::SERVER_ROOM, AT).reason,
        Reason::ZoneNotGranted
    );
    // Erin's grants are on the dock and the lobby, not the office.
    assert_eq!(
        site.badge_in(people::ERIN, doors::OFFICE, AT).reason,
        Reason::ZoneNotGranted
    );
    // A visitor pass for the lobby and office does not open the dock.
    let pass = wednesday_pass(6, false);
    let d = site.present(
        doors::DOCK,
        Direction::Entry,
        Credential::Qr(&pass),
        None,
        AT,
    );
    assert_eq!(d.reason, Reason::ZoneNotGranted);
}

#[test]
fn outside_schedule() {
    let mut site = Site::new();
    assert_eq!(
        site.badge_in(people::ALICE, doors::OFFICE, "2026-11-25T19:00:00+01:00")
            .reason,
        Reason::OutsideSchedule
    );
    assert_eq!(
        site.badge_in(people::ALICE, doors::OFFICE, "2026-11-28T10:00:00+01:00")
            .reason,
        Reason::OutsideSchedule,
        "Saturday"
    );
    // Leaving is never held back by time rules.
    let d = site.present(
        doors::OFFICE,
        Direction::Exit,
        card(people::ALICE),
        None,
        "2026-11-25T23:00:00+01:00",
    );
    assert_eq!(d.reason, Reason::Granted);
}

#[test]
fn holiday() {
    // Friday 25 December is in the holiday calendar; the office-hours window would be open.
    let d = Site::issued("2026-12-25T06:00:00+01:00").badge_in(
        people::ALICE,
        doors::OFFICE,
        "2026-12-25T10:00:00+01:00",
    );
    assert_eq!(d.reason, Reason::Holiday);
}

#[test]
fn schedules_follow_the_sites_clock_across_dst() {
    let mut site = Site::issued("2026-10-22T00:00:00Z");
    // 05:30 UTC is 07:30 in Berlin in summer time (Friday 23 October) …
    assert_eq!(
        site.badge_in(people::ALICE, doors::OFFICE, "2026-10-23T05:30:00Z")
            .reason,
        Reason::Granted
    );
    // … and 06:30 in winter time (Monday 26 October, the day after the change): closed.
    assert_eq!(
        site.badge_in(people::ALICE, doors::OFFICE, "2026-10-26T05:30:00Z")
            .reason,
        Reason::OutsideSchedule
    );
    assert_eq!(
        site.badge_in(people::ALICE, doors::OFFICE, "2026-10-26T06:00:00Z")
            .reason,
        Reason::Granted
    );
}

#[test]
fn lockdown_lets_only_overrides_pass() {
    let mut site = Site::with(|b| b.lockdown.push(zones::HQ));
    assert_eq!(
        site.badge_in(people::ALICE, doors::OFFICE, AT).reason,
        Reason::Lockdown
    );
    assert_eq!(
        site.badge_in(people::DAVE, doors::OFFICE, AT).reason,
        Reason::Granted
    );
}

#[test]
fn escort_required_until_staff_badges_first() {
    let mut site = Site::new();
    let pass = wednesday_pass(8, true);
    let visitor = |site: &mut Site, at| {
        site.present(
            doors::LOBBY,
            Direction::Entry,
            Credential::Qr(&pass),
            None,
            at,
        )
        .reason
    };
    assert_eq!(
        visitor(&mut site, "2026-11-25T10:00:00+01:00"),
        Reason::EscortRequired
    );
    assert_eq!(
        site.badge_in(people::ALICE, doors::LOBBY, "2026-11-25T10:01:00+01:00")
            .reason,
        Reason::Granted
    );
    assert_eq!(
        visitor(&mut site, "2026-11-25T10:01:20+01:00"),
        Reason::Granted
    );
    assert_eq!(
        visitor(&mut site, "2026-11-25T10:01:31+01:00"),
        Reason::EscortRequired,
        "window is 30 s"
    );
}

#[test]
fn two_person_rule() {
    let mut site = Site::new();
    let server_room = |site: &mut Site, person, pin, at| {
        site.present(
            doors::SERVER_ROOM,
            Direction::Entry,
            card(person),
            Some(pin),
            at,
        )
    };
    let first = server_room(&mut site, people::BOB, BOB_PIN, "2026-11-25T10:00:00+01:00");
    assert_eq!(first.reason, Reason::AwaitingSecondPerson);
    // The same person again does not count as a second.
    let again = server_room(&mut site, people::BOB, BOB_PIN, "2026-11-25T10:00:05+01:00");
    assert_eq!(again.reason, Reason::AwaitingSecondPerson);
    let second = server_room(
        &mut site,
        people::CAROL,
        CAROL_PIN,
        "2026-11-25T10:00:20+01:00",
    );
    assert_eq!(second.reason, Reason::Granted);
    assert_eq!(second.companion, Some(Holder::Person(people::BOB)));
}

#[test]
fn two_person_window_expires() {
    let mut site = Site::new();
    let first = site.present(
        doors::SERVER_ROOM,
        Direction::Entry,
        card(people::BOB),
        Some(BOB_PIN),
        "2026-11-25T10:00:00+01:00",
    );
    assert_eq!(first.reason, Reason::AwaitingSecondPerson);
    let late = site.present(
        doors::SERVER_ROOM,
        Direction::Entry,
        card(people::CAROL),
        Some(CAROL_PIN),
        "2026-11-25T10:00:31+01:00",
    );
    assert_eq!(late.reason, Reason::AwaitingSecondPerson);
}

#[test]
fn pin_required_and_wrong_pin() {
    let mut site = Site::new();
    let d = site.present(
        doors::SERVER_ROOM,
        Direction::Entry,
        card(people::BOB),
        None,
        AT,
    );
    assert_eq!(d.reason, Reason::PinRequired);
    let d = site.present(
        doors::SERVER_ROOM,
        Direction::Entry,
        card(people::BOB),
        Some(CAROL_PIN),
        AT,
    );
    assert_eq!(d.reason, Reason::WrongPin);
}

#[test]
fn anti_passback() {
    let mut site = Site::new();
    assert_eq!(
        site.badge_in(people::ERIN, doors::DOCK, "2026-11-25T10:00:00+01:00")
            .reason,
        Reason::Granted
    );
    assert_eq!(
        site.badge_in(people::ERIN, doors::DOCK, "2026-11-25T10:05:00+01:00")
            .reason,
        Reason::AntiPassback
    );
    let out = site.present(
        doors::DOCK,
        Direction::Exit,
        card(people::ERIN),
        None,
        "2026-11-25T10:10:00+01:00",
    );
    assert_eq!(out.reason, Reason::Granted);
    let out_again = site.present(
        doors::DOCK,
        Direction::Exit,
        card(people::ERIN),
        None,
        "2026-11-25T10:11:00+01:00",
    );
    assert_eq!(out_again.reason, Reason::AntiPassback);
    assert_eq!(
        site.badge_in(people::ERIN, doors::DOCK, "2026-11-25T10:15:00+01:00")
            .reason,
        Reason::Granted
    );
}

#[test]
fn bundle_too_old() {
    let mut site = Site::new();
    // Staff tolerate 7 days without a refresh, visitors 1 day.
    assert_eq!(
        site.badge_in(people::DAVE, doors::OFFICE, "2026-12-02T06:59:00+01:00")
            .reason,
        Reason::Granted
    );
    assert_eq!(
        site.badge_in(people::DAVE, doors::OFFICE, "2026-12-02T07:00:01+01:00")
            .reason,
        Reason::BundleTooOld
    );
    let pass = visitor_pass(
        9,
        &[zones::LOBBY],
        false,
        "2026-11-25T08:00:00+01:00",
        "2026-11-28T08:00:00+01:00",
    );
    let lobby = |site: &mut Site, at| {
        site.present(
            doors::LOBBY,
            Direction::Entry,
            Credential::Qr(&pass),
            None,
            at,
        )
        .reason
    };
    assert_eq!(
        lobby(&mut site, "2026-11-26T07:00:00+01:00"),
        Reason::Granted
    );
    assert_eq!(
        lobby(&mut site, "2026-11-26T07:00:01+01:00"),
        Reason::BundleTooOld,
        "visitors: one day"
    );
}

#[test]
fn clock_untrusted() {
    let mut site = Site::new();
    // The clock reads a year ago, below the persisted floor: it cannot be believed.
    let wrong = Clock {
        raw: t("2025-11-25T10:00:00+01:00"),
        floor: t(AT),
    };
    let pass = wednesday_pass(10, false);
    let d = site.present_with_clock(
        doors::LOBBY,
        Direction::Entry,
        Credential::Qr(&pass),
        None,
        wrong,
    );
    assert_eq!(d.reason, Reason::ClockUntrusted, "a time-limited pass");
    assert!(!d.clock_trusted);
    assert_eq!(d.at, t(AT), "the floor is the best known time");
    let d = site.present_with_clock(
        doors::OFFICE,
        Direction::Entry,
        card(people::ALICE),
        None,
        wrong,
    );
    assert_eq!(d.reason, Reason::ClockUntrusted, "an office-hours grant");
    // A permanent badge with a 24/7 grant needs no clock.
    let d = site.present_with_clock(
        doors::OFFICE,
        Direction::Entry,
        card(people::DAVE),
        None,
        wrong,
    );
    assert_eq!(d.reason, Reason::Granted);
    // The bundle's issued-at is a floor too.
    let before_issue = Clock::trusted(t("2026-11-25T05:00:00+01:00"));
    let d = site.present_with_clock(
        doors::LOBBY,
        Direction::Entry,
        Credential::Qr(&pass),
        None,
        before_issue,
    );
    assert_eq!(d.reason, Reason::ClockUntrusted);
}

#[test]
fn a_property_pass_opens_no_door() {
    use gatehouse_core::credential::{CredentialKind, PassClaims, issue};
    let text = issue(
        &gatehouse_core::sample::issuer(),
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
            items: vec![gatehouse_core::model::ItemId(1)],
        },
    );
    let d = Site::new().present(
        doors::LOBBY,
        Direction::Entry,
        Credential::Qr(&text),
        None,
        AT,
    );
    assert_eq!(d.reason, Reason::ZoneNotGranted);
}

#[test]
fn every_reason_code_has_a_scenario_here() {
    // Keep this list in step with the tests above: a new reason code needs a scenario.
    let covered = [
        Reason::Granted,
        Reason::UnknownCredential,
        Reason::BadSignature,
        Reason::Malformed,
        Reason::Revoked,
        Reason::Suspended,
        Reason::Expired,
        Reason::NotYetValid,
        Reason::ZoneNotGranted,
        Reason::OutsideSchedule,
        Reason::Holiday,
        Reason::Lockdown,
        Reason::EscortRequired,
        Reason::AwaitingSecondPerson,
        Reason::PinRequired,
        Reason::WrongPin,
        Reason::AntiPassback,
        Reason::BundleTooOld,
        Reason::ClockUntrusted,
    ];
    assert_eq!(covered.len(), Reason::ALL.len());
    assert!(Reason::ALL.iter().all(|r| covered.contains(r)));
}
