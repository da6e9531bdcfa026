//! The demo's site, entered through the store as an admin would through the console: a
//! building with a lobby, an office floor, a server room under the two-person rule and a
//! loading dock; two door controllers; six people with cards; one visitor with a pass.

use gatehouse_core::ids::{ControllerId, DoorId, GroupId, PersonId, SiteId, ZoneId};
use gatehouse_core::model::{BadgeStatus, Grant, TimeRange, Weekdays, WeeklyWindow, ZoneRules};
use gatehouse_core::time::Timestamp;
use gatehouse_server::issuance::{IssueError, visitor_pass_text};
use gatehouse_server::state::AppState;
use gatehouse_server::store::{
    NewBadge, NewDoor, NewGroup, NewPerson, NewSchedule, NewVisitor, NewVisitorPass, NewZone,
    Store, StoreError,
};

/// A door as the demo names it: on the server, on its controller and at `present`.
#[derive(Debug)]
pub struct DemoDoor {
    /// The local name (`lobby`), also the prefix of its readers (`lobby-in`, `lobby-out`).
    pub name: &'static str,
    /// Its id on the server.
    pub id: DoorId,
}

/// A door controller of the demo and the doors wired to it.
#[derive(Debug)]
pub struct DemoController {
    /// Its name (`front-pi`).
    pub name: &'static str,
    /// Its id on the server.
    pub id: ControllerId,
    /// Its doors.
    pub doors: Vec<DemoDoor>,
}

/// Someone with a card, and what the demo says of them.
#[derive(Debug)]
pub struct DemoPerson {
    /// Their name.
    pub name: &'static str,
    /// Their card's text form.
    pub card: &'static str,
    /// What their card opens, for the newcomer.
    pub note: &'static str,
}

/// What was entered.
#[derive(Debug)]
pub struct DemoSite {
    /// The two controllers.
    pub controllers: Vec<DemoController>,
    /// The staff.
    pub people: Vec<DemoPerson>,
    /// The visitor pass's QR text.
    pub visitor_pass: String,
}

/// Why the site could not be entered.
#[derive(Debug)]
pub enum SeedError {
    /// The store refused something.
    Store(StoreError),
    /// The visitor pass could not be signed.
    Pass(IssueError),
}

impl From<StoreError> for SeedError {
    fn from(e: StoreError) -> Self {
        SeedError::Store(e)
    }
}

impl From<IssueError> for SeedError {
    fn from(e: IssueError) -> Self {
        SeedError::Pass(e)
    }
}

impl std::fmt::Display for SeedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SeedError::Store(e) => write!(f, "the store refused the demo site: {e}"),
            SeedError::Pass(e) => write!(f, "the visitor pass: {e}"),
        }
    }
}

/// A member of staff as the demo enters them.
struct StaffMember {
    name: &'static str,
    card: &'static str,
    /// Indexes of the groups `seed` creates.
    groups: &'static [usize],
    lockdown_override: bool,
    suspended: bool,
    /// What to try with their card.
    note: &'static str,
}

/// The groups, as indexes in the order `seed` creates them.
const STAFF_GROUP: usize = 0;
const IT: usize = 1;
const SECURITY: usize = 2;
const LOGISTICS: usize = 3;

const STAFF: [StaffMember; 6] = [
    StaffMember {
        name: "Alice Andersen",
        card: "H10301:12:1001",
        groups: &[STAFF_GROUP],
        lockdown_override: false,
        suspended: false,
        note: "lobby, office floor; hosts the visitor",
    },
    StaffMember {
        name: "Bob Brandt",
        card: "H10301:12:1002",
        groups: &[STAFF_GROUP, IT],
        lockdown_override: false,
        suspended: false,
        note: "also the server room, with a second IT person",
    },
    StaffMember {
        name: "Carol Castell",
        card: "H10301:12:1003",
        groups: &[STAFF_GROUP, IT],
        lockdown_override: false,
        suspended: false,
        note: "also the server room, with a second IT person",
    },
    StaffMember {
        name: "Dave Dorn",
        card: "H10301:12:1004",
        groups: &[SECURITY],
        lockdown_override: true,
        suspended: false,
        note: "security: every door but the server room, even in lockdown",
    },
    StaffMember {
        name: "Erin Ek",
        card: "H10301:12:1005",
        groups: &[LOGISTICS],
        lockdown_override: false,
        suspended: false,
        note: "lobby and loading dock",
    },
    StaffMember {
        name: "Frank Falk",
        card: "H10301:12:1006",
        groups: &[STAFF_GROUP],
        lockdown_override: false,
        suspended: true,
        note: "his card is suspended",
    },
];

/// Enters the site into the store behind `state`.
pub async fn seed(state: &AppState) -> Result<DemoSite, SeedError> {
    let (store, site, now) = (&state.store, state.site, state.now());
    let zone = |name: &str, parent, rules| {
        let new = NewZone {
            name: name.into(),
            parent,
            rules,
        };
        async move { store.create_zone(site, &new).await.map(|z| z.id) }
    };
    let hq = zone("HQ", None, ZoneRules::default()).await?;
    let lobby = zone("Lobby", Some(hq), ZoneRules::default()).await?;
    let office = zone("Office floor", Some(hq), ZoneRules::default()).await?;
    let server_room = zone(
        "Server room",
        Some(hq),
        ZoneRules {
            explicit_grant_only: true,
            two_person: true,
            ..ZoneRules::default()
        },
    )
    .await?;
    let dock = zone("Loading dock", Some(hq), ZoneRules::default()).await?;

    let front = store.create_controller(site, "front-pi").await?.id;
    let back = store.create_controller(site, "back-pi").await?.id;
    let door = |name: &'static str, title: &str, zone, controller| {
        let new = NewDoor {
            name: title.into(),
            zone,
            controller: Some(controller),
            unlock_schedule: None,
            first_card_unlock: false,
        };
        async move {
            let id = store.create_door(site, &new).await?.id;
            Ok::<_, StoreError>(DemoDoor { name, id })
        }
    };
    let controllers = vec![
        DemoController {
            name: "front-pi",
            id: front,
            doors: vec![
                door("lobby", "Lobby", lobby, front).await?,
                door("office", "Office floor", office, front).await?,
            ],
        },
        DemoController {
            name: "back-pi",
            id: back,
            doors: vec![
                door("server-room", "Server room", server_room, back).await?,
                door("dock", "Loading dock", dock, back).await?,
            ],
        },
    ];

    let always = store
        .create_schedule(
            site,
            &NewSchedule {
                name: "Around the clock".into(),
                windows: vec![WeeklyWindow {
                    days: Weekdays::ALL,
                    time: TimeRange::ALL_DAY,
                }],
                holiday_calendar: None,
                holiday_windows: vec![],
            },
        )
        .await?
        .id;
    // In the order of STAFF_GROUP, IT, SECURITY, LOGISTICS.
    let mut groups: Vec<GroupId> = Vec::new();
    for (name, zones) in [
        ("Staff", vec![lobby, office]),
        ("IT", vec![server_room]),
        ("Security", vec![hq]),
        ("Logistics", vec![lobby, dock]),
    ] {
        groups.push(group(store, site, name, &zones, always).await?);
    }

    let mut people = Vec::new();
    let mut host = None;
    for member in &STAFF {
        let person = staff(store, site, member, now).await?;
        for &g in member.groups {
            store.add_member(site, groups[g], person).await?;
        }
        if member.suspended {
            let badge = store.badges_of(site, person).await?[0].id;
            store
                .set_badge_status(site, badge, BadgeStatus::Suspended, now.0)
                .await?;
        }
        host.get_or_insert(person);
        people.push(DemoPerson {
            name: member.name,
            card: member.card,
            note: member.note,
        });
    }
    let host = host.expect("the demo has staff");
    let visitor_pass = visitor(state, host, &[lobby, office]).await?;
    Ok(DemoSite {
        controllers,
        people,
        visitor_pass,
    })
}

async fn group(
    store: &Store,
    site: SiteId,
    name: &str,
    zones: &[ZoneId],
    schedule: gatehouse_core::ids::ScheduleId,
) -> Result<GroupId, StoreError> {
    let grants = zones.iter().map(|&zone| Grant { zone, schedule }).collect();
    let new = NewGroup {
        name: name.into(),
        grants,
    };
    Ok(store.create_group(site, &new).await?.id)
}

async fn staff(
    store: &Store,
    site: SiteId,
    member: &StaffMember,
    now: Timestamp,
) -> Result<PersonId, StoreError> {
    let person = store
        .create_person(
            site,
            &NewPerson {
                display_name: member.name.into(),
                email: None,
                manager: None,
                lockdown_override: member.lockdown_override,
                pin_required: false,
            },
            now.0,
        )
        .await?
        .id;
    let badge = NewBadge {
        person,
        card: member.card.parse().expect("the demo's cards are valid"),
        not_before: None,
        expires: None,
    };
    store.enroll_card(site, &badge, now.0).await?;
    Ok(person)
}

/// A visitor hosted by `host`, with a pass for `zones` from now for twelve hours; its QR
/// text.
async fn visitor(state: &AppState, host: PersonId, zones: &[ZoneId]) -> Result<String, SeedError> {
    let (store, site, now) = (&state.store, state.site, state.now());
    let visitor = store
        .create_visitor(
            site,
            &NewVisitor {
                display_name: "Victor Visser".into(),
                company: Some("Acme Audit".into()),
                email: None,
                host,
            },
            now,
        )
        .await?;
    let key = state.keyring.read().expect("keyring lock").current().id();
    let pass = store
        .issue_visitor_pass(
            site,
            visitor.id,
            &NewVisitorPass {
                zones: zones.to_vec(),
                escort: false,
                not_before: None,
                expires: Timestamp(now.0 + 12 * 3_600_000),
            },
            key,
            now,
        )
        .await?;
    let issued = store.issued_pass(site, pass.serial).await?;
    let keyring = state.keyring.read().expect("keyring lock");
    Ok(visitor_pass_text(&keyring, &issued, &pass)?)
}
