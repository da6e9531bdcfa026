//! The rules that depend on state, time and each other: how far they reach and where they
//! stop, beyond the one reason code each scenario in `reasons.rs` shows.

use super::harness::*;
use gatehouse_core::card::encode_wiegand;
use gatehouse_core::decide::{Credential, Holder};
use gatehouse_core::model::Direction;
use gatehouse_core::reason::Reason;
use gatehouse_core::sample::{self, BOB_PIN, CAROL_PIN, doors, people, zones};
use gatehouse_core::time::Clock;

const AT: &str = WEDNESDAY_10AM;

#[test]
fn a_good_wiegand_frame_decides_like_its_card() {
    let (bits, frame) = encode_wiegand(&sample::card_of(people::ALICE)).unwrap();
    let credential = Credential::WiegandFrame { bits, data: &frame };
    let d = Site::new().present(doors::LOBBY, Direction::Entry, credential, None, AT);
    assert_eq!(d.reason, Reason::Granted);
    assert_eq!(d.holder, Some(Holder::Person(people::ALICE)));
    assert_eq!(d.zone, Some(zones::LOBBY));
}

#[test]
fn a_pass_is_valid_from_nbf_until_exp() {
    let mut site = Site::new();
    let pass = wednesday_pass(5, false);
    let at = |site: &mut Site, when| site.scan_in(doors::LOBBY, &pass, when).reason;
    assert_eq!(at(&mut site, "2026-11-25T08:00:00+01:00"), Reason::Granted);
    assert_eq!(at(&mut site, "2026-11-25T17:59:59+01:00"), Reason::Granted);
}

#[test]
fn schedules_and_the_exit_side() {
    let mut site = Site::new();
    let saturday = site.badge_in(people::ALICE, doors::OFFICE, "2026-11-28T10:00:00+01:00");
    assert_eq!(saturday.reason, Reason::OutsideSchedule);
    // Leaving is never held back by time rules.
    let late = "2026-11-25T23:00:00+01:00";
    let out = site.present(
        doors::OFFICE,
        Direction::Exit,
        card(people::ALICE),
        None,
        late,
    );
    assert_eq!(out.reason, Reason::Granted);
}

#[test]
fn schedules_follow_the_sites_clock_across_dst() {
    let mut site = Site::issued("2026-10-22T00:00:00Z");
    let office = |site: &mut Site, at| site.badge_in(people::ALICE, doors::OFFICE, at).reason;
    // 05:30 UTC is 07:30 in Berlin in summer time (Friday 23 October) …
    assert_eq!(office(&mut site, "2026-10-23T05:30:00Z"), Reason::Granted);
    // … and 06:30 in winter time (Monday 26 October, the day after the change): closed.
    assert_eq!(
        office(&mut site, "2026-10-26T05:30:00Z"),
        Reason::OutsideSchedule
    );
    assert_eq!(office(&mut site, "2026-10-26T06:00:00Z"), Reason::Granted);
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
fn an_escort_opens_for_the_visitor_within_the_window() {
    let mut site = Site::new();
    let pass = wednesday_pass(8, true);
    let visitor = |site: &mut Site, at| site.scan_in(doors::LOBBY, &pass, at).reason;
    assert_eq!(
        visitor(&mut site, "2026-11-25T10:00:00+01:00"),
        Reason::EscortRequired
    );
    let host = site.badge_in(people::ALICE, doors::LOBBY, "2026-11-25T10:01:00+01:00");
    assert_eq!(host.reason, Reason::Granted);
    assert_eq!(
        visitor(&mut site, "2026-11-25T10:01:20+01:00"),
        Reason::Granted
    );
    assert_eq!(
        visitor(&mut site, "2026-11-25T10:01:31+01:00"),
        Reason::EscortRequired,
        "the window is 30 s"
    );
}

#[test]
fn the_second_of_two_people_opens_the_door() {
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
fn the_two_person_window_expires() {
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
    server_room(&mut site, people::BOB, BOB_PIN, "2026-11-25T10:00:00+01:00");
    let late = server_room(
        &mut site,
        people::CAROL,
        CAROL_PIN,
        "2026-11-25T10:00:31+01:00",
    );
    assert_eq!(late.reason, Reason::AwaitingSecondPerson);
}

#[test]
fn anti_passback_alternates_in_and_out() {
    let mut site = Site::new();
    let dock = |site: &mut Site, direction, at| {
        site.present(doors::DOCK, direction, card(people::ERIN), None, at)
            .reason
    };
    assert_eq!(
        dock(&mut site, Direction::Entry, "2026-11-25T10:00:00+01:00"),
        Reason::Granted
    );
    assert_eq!(
        dock(&mut site, Direction::Entry, "2026-11-25T10:05:00+01:00"),
        Reason::AntiPassback
    );
    assert_eq!(
        dock(&mut site, Direction::Exit, "2026-11-25T10:10:00+01:00"),
        Reason::Granted
    );
    assert_eq!(
        dock(&mut site, Direction::Exit, "2026-11-25T10:11:00+01:00"),
        Reason::AntiPassback
    );
    assert_eq!(
        dock(&mut site, Direction::Entry, "2026-11-25T10:15:00+01:00"),
        Reason::Granted
    );
    // A passage is forgotten after a day.
    assert_eq!(
        dock(&mut site, Direction::Entry, "2026-11-26T10:16:00+01:00"),
        Reason::Granted
    );
}

#[test]
fn bundle_age_limits_differ_for_staff_and_visitors() {
    let mut site = Site::new();
    let staff = site.badge_in(people::DAVE, doors::OFFICE, "2026-12-02T06:59:00+01:00");
    assert_eq!(staff.reason, Reason::Granted, "staff: seven days");
    let pass = visitor_pass(
        9,
        &[zones::LOBBY],
        false,
        "2026-11-25T08:00:00+01:00",
        "2026-11-28T08:00:00+01:00",
    );
    assert_eq!(
        site.scan_in(doors::LOBBY, &pass, "2026-11-26T07:00:00+01:00")
            .reason,
        Reason::Granted
    );
    assert_eq!(
        site.scan_in(doors::LOBBY, &pass, "2026-11-26T07:00:01+01:00")
            .reason,
        Reason::BundleTooOld,
        "visitors: one day"
    );
}

#[test]
fn a_wrong_clock_still_opens_for_permanent_badges_on_24_7_grants() {
    let mut site = Site::new();
    let wrong = Clock {
        raw: t("2025-11-25T10:00:00+01:00"),
        floor: t(AT),
    };
    let office = |site: &mut Site, person| {
        site.present_with_clock(doors::OFFICE, Direction::Entry, card(person), None, wrong)
    };
    let alice = office(&mut site, people::ALICE);
    assert_eq!(
        alice.reason,
        Reason::ClockUntrusted,
        "an office-hours grant"
    );
    assert!(!alice.clock_trusted);
    assert_eq!(alice.at, t(AT), "the floor is the best known time");
    assert_eq!(
        office(&mut site, people::DAVE).reason,
        Reason::Granted,
        "24/7, no end date"
    );
    // The bundle's issued-at is a floor too.
    let before_issue = Clock::trusted(t("2026-11-25T05:00:00+01:00"));
    let pass = wednesday_pass(10, false);
    let d = site.present_with_clock(
        doors::LOBBY,
        Direction::Entry,
        Credential::Qr(&pass),
        None,
        before_issue,
    );
    assert_eq!(d.reason, Reason::ClockUntrusted);
}
