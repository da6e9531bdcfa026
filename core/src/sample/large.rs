//! A large synthetic site for benchmarks and load tests: a campus of buildings, floors and
//! rooms, every door into its own room, and as many people and badges as asked for. The
//! content is pseudo-random but the same on every run.

use crate::bundle::{Bundle, SiteKey};
use crate::card::{CardFormat, CardId};
use crate::ids::{BadgeId, CalendarId, DoorId, GroupId, PassSerial, PersonId, ScheduleId, ZoneId};
use crate::model::{
    AccessGroup, Badge, BadgeCredential, BadgeStatus, Door, Grant, HolidayCalendar, Person,
    PersonFlags, Pin, PinVerifier, Schedule, TimeRange, Weekdays, WeeklyWindow, Zone, ZoneRules,
};
use crate::time::Timestamp;
use chrono::NaiveDate;

use super::{PIN_SALT, issuer};

const BUILDINGS: u32 = 10;
const FLOORS_PER_BUILDING: u32 = 10;
const GROUPS: u32 = 200;
const SCHEDULES: u32 = 5;

/// SplitMix64: a tiny deterministic generator, so the site is the same on every run
/// without a randomness dependency in core.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u32) -> u32 {
        u32::try_from(self.next() % u64::from(n)).expect("below n fits u32")
    }
}

/// The zone id of room `door` (rooms are numbered after the campus, buildings and floors).
fn room_zone(door: u32) -> ZoneId {
    ZoneId(10_000 + door)
}

/// The card of synthetic person `i`: Corporate 1000 for most, H10304 for every tenth.
pub fn large_site_card(i: u32) -> CardId {
    if i % 10 == 0 {
        CardId::wiegand(CardFormat::H10304, 777, i % (1 << 19)).expect("fits H10304")
    } else {
        CardId::wiegand(CardFormat::Corporate1000, 1234, i % (1 << 20)).expect("fits C1000")
    }
}

/// A campus with `people` people (one card each) and `doors` doors, issued at `issued_at`.
/// 30% of badges have an end date, 5% of people have a PIN, 2,000 pass serials are revoked.
pub fn large_site(people: u32, doors: u32, issued_at: Timestamp) -> Bundle {
    let mut mix = Mix(0x006a_7e40_115e);
    let campus = ZoneId(1);
    let building = |b: u32| ZoneId(100 + b);
    let floor = |b: u32, f: u32| ZoneId(1000 + b * FLOORS_PER_BUILDING + f);

    let mut zones = vec![Zone {
        id: campus,
        parent: None,
        rules: ZoneRules::default(),
    }];
    for b in 0..BUILDINGS {
        zones.push(Zone {
            id: building(b),
            parent: Some(campus),
            rules: ZoneRules::default(),
        });
        for f in 0..FLOORS_PER_BUILDING {
            zones.push(Zone {
                id: floor(b, f),
                parent: Some(building(b)),
                rules: ZoneRules::default(),
            });
        }
    }
    let mut door_list = Vec::new();
    for d in 0..doors {
        let (b, f) = (d % BUILDINGS, (d / BUILDINGS) % FLOORS_PER_BUILDING);
        let secure = d % 10 == 9;
        zones.push(Zone {
            id: room_zone(d),
            parent: Some(floor(b, f)),
            rules: ZoneRules {
                explicit_grant_only: secure,
                pin_required: secure,
                ..ZoneRules::default()
            },
        });
        door_list.push(Door {
            id: DoorId(d + 1),
            zone: room_zone(d),
            unlock_schedule: None,
            first_card_unlock: false,
        });
    }

    let mut schedules = vec![Schedule::always(ScheduleId(1))];
    for s in 2..=SCHEDULES {
        // Eleven-hour shifts starting 09:00 … 15:00; the last runs past midnight.
        let start = 5 + 2 * u16::try_from(s).expect("small");
        let end = if start + 11 <= 24 {
            start + 11
        } else {
            start + 11 - 24
        };
        schedules.push(Schedule {
            id: ScheduleId(s),
            windows: vec![WeeklyWindow {
                days: Weekdays::WORKDAYS,
                time: TimeRange::hm((start, 0), (end, 0)).expect("valid"),
            }],
            holidays: Some(CalendarId(1)),
            holiday_windows: vec![],
        });
    }
    let holidays = (1..=12)
        .map(|m| NaiveDate::from_ymd_opt(2026, m, 1).expect("valid date"))
        .collect();

    let groups = (1..=GROUPS)
        .map(|g| {
            let grants = (0..1 + mix.below(4))
                .map(|_| {
                    let zone = match mix.below(3) {
                        0 => building(mix.below(BUILDINGS)),
                        1 => floor(mix.below(BUILDINGS), mix.below(FLOORS_PER_BUILDING)),
                        _ => room_zone(mix.below(doors.max(1))),
                    };
                    Grant {
                        zone,
                        schedule: ScheduleId(1 + mix.below(SCHEDULES)),
                    }
                })
                .collect();
            AccessGroup {
                id: GroupId(g),
                grants,
            }
        })
        .collect();

    let mut person_list = Vec::with_capacity(people as usize);
    let mut badges = Vec::with_capacity(people as usize);
    for i in 0..people {
        let id = PersonId(1_000_000 + u64::from(i));
        let pin = (i % 20 == 0).then(|| {
            let digits = format!("{:04}", i % 10_000);
            PinVerifier::derive(&PIN_SALT, id, &Pin::parse(&digits).expect("four digits"))
        });
        person_list.push(Person {
            id,
            groups: (0..1 + mix.below(3))
                .map(|_| GroupId(1 + mix.below(GROUPS)))
                .collect(),
            flags: PersonFlags {
                lockdown_override: i % 500 == 0,
                pin_required: false,
            },
            pin,
        });
        let expires =
            (mix.below(10) < 3).then(|| issued_at.plus_secs(i64::from(mix.below(365 * 86_400))));
        badges.push(Badge {
            id: BadgeId(5_000_000 + u64::from(i)),
            person: id,
            credential: BadgeCredential::Card(large_site_card(i)),
            status: if i % 100 == 7 {
                BadgeStatus::Suspended
            } else {
                BadgeStatus::Active
            },
            not_before: None,
            expires,
        });
    }

    let mut bundle = Bundle {
        header: super::header(issued_at, 1),
        trusted_keys: vec![SiteKey(issuer().public().to_bytes())],
        revoked_serials: (0..2000).map(|s| PassSerial(900_000 + s)).collect(),
        lockdown: vec![],
        doors: door_list,
        zones,
        schedules,
        calendars: vec![HolidayCalendar {
            id: CalendarId(1),
            dates: holidays,
        }],
        groups,
        people: person_list,
        badges,
    };
    bundle.normalize();
    bundle
}
