//! A small, fully populated sample site: what the demo shows, what `gatehouse-door
//! selftest` decides on, and what the tests and benchmarks build on.
//!
//! HQ (zone 1) holds the lobby (5), the office floor (2) with the server room (3) inside
//! it, and the loading dock (4). The server room admits only explicit grants and needs two
//! people with card + PIN; the dock has anti-passback.

mod large;

pub use large::{large_site, large_site_card};

use crate::bundle::{
    Bundle, BundleHeader, BundleVersion, DoorTimings, FORMAT_VERSION, OfflineLimits, SiteKey,
};
use crate::card::{CardFormat, CardId};
use crate::credential::IssuerKey;
use crate::ids::{
    BadgeId, CalendarId, ControllerId, GroupId, PersonId, ScheduleId, SiteId, ZoneId,
};
use crate::model::{
    AccessGroup, Badge, BadgeCredential, BadgeStatus, Door, Grant, HolidayCalendar, Person,
    PersonFlags, Pin, PinVerifier, Schedule, TimeRange, Weekdays, WeeklyWindow, Zone, ZoneRules,
};
use crate::time::Timestamp;
use chrono::NaiveDate;

/// Zone ids of the sample site.
pub mod zones {
    use crate::ids::ZoneId;
    /// The building.
    pub const HQ: ZoneId = ZoneId(1);
    /// The office floor.
    pub const OFFICE: ZoneId = ZoneId(2);
    /// The server room, inside the office floor.
    pub const SERVER_ROOM: ZoneId = ZoneId(3);
    /// The loading dock.
    pub const DOCK: ZoneId = ZoneId(4);
    /// The lobby.
    pub const LOBBY: ZoneId = ZoneId(5);
}

/// Door ids of the sample site: each leads into the zone of the same name.
pub mod doors {
    use crate::ids::DoorId;
    /// Into the lobby.
    pub const LOBBY: DoorId = DoorId(1);
    /// Into the office floor.
    pub const OFFICE: DoorId = DoorId(2);
    /// Into the server room.
    pub const SERVER_ROOM: DoorId = DoorId(3);
    /// Into the loading dock.
    pub const DOCK: DoorId = DoorId(4);
}

/// People of the sample site.
pub mod people {
    use crate::ids::PersonId;
    /// Office staff, office hours.
    pub const ALICE: PersonId = PersonId(101);
    /// IT administrator, PIN 2468.
    pub const BOB: PersonId = PersonId(102);
    /// IT administrator, PIN 1357.
    pub const CAROL: PersonId = PersonId(103);
    /// Security, lockdown override, 24/7.
    pub const DAVE: PersonId = PersonId(104);
    /// Dock crew, office hours.
    pub const ERIN: PersonId = PersonId(105);
    /// A contractor whose badge is suspended.
    pub const FRANK: PersonId = PersonId(106);
}

/// Schedule ids of the sample site.
pub mod schedules {
    use crate::ids::ScheduleId;
    /// 24/7.
    pub const ALWAYS: ScheduleId = ScheduleId(1);
    /// Monday to Friday 07:00–19:00, not on holidays.
    pub const OFFICE_HOURS: ScheduleId = ScheduleId(2);
}

/// PINs of the sample IT administrators.
pub const BOB_PIN: &str = "2468";
/// Carol's PIN.
pub const CAROL_PIN: &str = "1357";

/// The card of a sample person: H10301, facility 12, card number 1000 + the person's last
/// two digits (Alice: 1001).
pub fn card_of(person: PersonId) -> CardId {
    let number = 1000 + u32::try_from(person.0 % 100).expect("two digits");
    CardId::wiegand(CardFormat::H10301, 12, number).expect("fits H10301")
}

/// The sample site's issuer key (fixed, so runs are repeatable; never use it for real).
pub fn issuer() -> IssuerKey {
    IssuerKey::from_seed(&[0x5a; 32])
}

/// The sample site's PIN salt.
pub const PIN_SALT: [u8; 16] = [0x11; 16];

/// The sample site's header: Berlin time, a week offline for staff and a day for
/// visitors, 30-second escort and two-person windows.
pub fn header(issued_at: Timestamp, version: u64) -> BundleHeader {
    BundleHeader {
        format: FORMAT_VERSION,
        site: SiteId(1),
        controller: ControllerId(1),
        version: BundleVersion { epoch: 1, version },
        issued_at,
        max_offline: OfflineLimits {
            staff_secs: 7 * 24 * 3600,
            visitor_secs: 24 * 3600,
        },
        time_zone: "Europe/Berlin".into(),
        pin_salt: PIN_SALT,
        timings: DoorTimings {
            escort_window_secs: 30,
            two_person_window_secs: 30,
        },
    }
}

/// The sample bundle for a controller of all four doors, issued at `issued_at`.
pub fn bundle(issued_at: Timestamp, version: u64) -> Bundle {
    let zone = |id, parent, rules| Zone { id, parent, rules };
    let door = |id, zone| Door {
        id,
        zone,
        unlock_schedule: None,
        first_card_unlock: false,
    };
    let group = |id, grants: &[(ZoneId, ScheduleId)]| AccessGroup {
        id: GroupId(id),
        grants: grants
            .iter()
            .map(|&(zone, schedule)| Grant { zone, schedule })
            .collect(),
    };
    let person = |id: PersonId, groups: &[u32], flags, pin: Option<&str>| Person {
        id,
        groups: groups.iter().map(|&g| GroupId(g)).collect(),
        flags,
        pin: pin.map(|p| PinVerifier::derive(&PIN_SALT, id, &Pin::parse(p).expect("sample PIN"))),
    };
    let badge = |id: PersonId, status| Badge {
        id: BadgeId(id.0),
        person: id,
        credential: BadgeCredential::Card(card_of(id)),
        status,
        not_before: None,
        expires: None,
    };
    let holidays = ["2026-12-25", "2026-12-26", "2027-01-01"]
        .iter()
        .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("sample date"))
        .collect();
    let no_rules = ZoneRules::default();
    let mut bundle = Bundle {
        header: header(issued_at, version),
        trusted_keys: vec![SiteKey(issuer().public().to_bytes())],
        revoked_serials: vec![],
        lockdown: vec![],
        doors: vec![
            door(doors::LOBBY, zones::LOBBY),
            door(doors::OFFICE, zones::OFFICE),
            door(doors::SERVER_ROOM, zones::SERVER_ROOM),
            door(doors::DOCK, zones::DOCK),
        ],
        zones: vec![
            zone(zones::HQ, None, no_rules),
            zone(zones::OFFICE, Some(zones::HQ), no_rules),
            zone(
                zones::SERVER_ROOM,
                Some(zones::OFFICE),
                ZoneRules {
                    explicit_grant_only: true,
                    two_person: true,
                    pin_required: true,
                    anti_passback: false,
                },
            ),
            zone(
                zones::DOCK,
                Some(zones::HQ),
                ZoneRules {
                    anti_passback: true,
                    ..no_rules
                },
            ),
            zone(zones::LOBBY, Some(zones::HQ), no_rules),
        ],
        schedules: vec![
            Schedule::always(schedules::ALWAYS),
            Schedule {
                id: schedules::OFFICE_HOURS,
                windows: vec![WeeklyWindow {
                    days: Weekdays::WORKDAYS,
                    time: TimeRange::hm((7, 0), (19, 0)).expect("valid range"),
                }],
                holidays: Some(CalendarId(1)),
                holiday_windows: vec![],
            },
        ],
        calendars: vec![HolidayCalendar {
            id: CalendarId(1),
            dates: holidays,
        }],
        groups: vec![
            group(1, &[(zones::HQ, schedules::OFFICE_HOURS)]),
            group(
                2,
                &[
                    (zones::HQ, schedules::ALWAYS),
                    (zones::SERVER_ROOM, schedules::ALWAYS),
                ],
            ),
            group(3, &[(zones::HQ, schedules::ALWAYS)]),
            group(
                4,
                &[
                    (zones::DOCK, schedules::OFFICE_HOURS),
                    (zones::LOBBY, schedules::OFFICE_HOURS),
                ],
            ),
        ],
        people: vec![
            person(people::ALICE, &[1], PersonFlags::default(), None),
            person(people::BOB, &[2], PersonFlags::default(), Some(BOB_PIN)),
            person(people::CAROL, &[2], PersonFlags::default(), Some(CAROL_PIN)),
            person(
                people::DAVE,
                &[3],
                PersonFlags {
                    lockdown_override: true,
                    pin_required: false,
                },
                None,
            ),
            person(people::ERIN, &[4], PersonFlags::default(), None),
            person(people::FRANK, &[1], PersonFlags::default(), None),
        ],
        badges: vec![
            badge(people::ALICE, BadgeStatus::Active),
            badge(people::BOB, BadgeStatus::Active),
            badge(people::CAROL, BadgeStatus::Active),
            badge(people::DAVE, BadgeStatus::Active),
            badge(people::ERIN, BadgeStatus::Active),
            badge(people::FRANK, BadgeStatus::Suspended),
        ],
    };
    bundle.normalize();
    bundle
}
