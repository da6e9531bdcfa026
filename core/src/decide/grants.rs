//! Which grants reach a door's zone, and whether their schedules are open.

use crate::bundle::Policy;
use crate::ids::ZoneId;
use crate::model::{Person, ScheduleCheck};
use crate::reason::Reason;
use chrono::NaiveDateTime;

/// The zones whose grants reach into `zone`: the zone itself, then the zones enclosing it,
/// up to and including the first that admits only explicit grants. Zones nest, so a grant
/// on a building opens its floors, but not a server room marked explicit-grant-only.
pub fn covering_zones(policy: &Policy, zone: ZoneId) -> Vec<ZoneId> {
    let mut out = Vec::with_capacity(4);
    for z in policy.zone_and_ancestors(zone) {
        out.push(z.id);
        if z.rules.explicit_grant_only {
            break;
        }
    }
    out
}

/// Whether a list of granted zones (a visitor pass's) reaches into the door's zone.
pub fn zones_cover(granted: &[ZoneId], covering: &[ZoneId]) -> bool {
    granted.iter().any(|z| covering.contains(z))
}

/// What a person's grants say about entering a zone at a local time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantCheck {
    /// No grant reaches the zone.
    NoGrant,
    /// A grant reaches it; the schedules say this.
    Granted {
        /// Some reaching grant has a 24/7 schedule (so no clock is needed).
        always: bool,
    },
}

/// Whether any of `person`'s grants reaches one of the `covering` zones.
pub fn person_grant(policy: &Policy, person: &Person, covering: &[ZoneId]) -> GrantCheck {
    let mut found = None;
    for grant in reaching_grants(policy, person, covering) {
        let always = policy.schedule(grant).is_some_and(|s| s.is_always());
        if always {
            return GrantCheck::Granted { always: true };
        }
        found = Some(GrantCheck::Granted { always: false });
    }
    found.unwrap_or(GrantCheck::NoGrant)
}

/// Checks the schedules of the person's reaching grants at `local`: `None` if one is open,
/// else the reason (a holiday if some schedule would have been open but for one).
pub fn schedule_denial(
    policy: &Policy,
    person: &Person,
    covering: &[ZoneId],
    local: NaiveDateTime,
) -> Option<Reason> {
    let mut reason = Reason::OutsideSchedule;
    for schedule_id in reaching_grants(policy, person, covering) {
        let Some(schedule) = policy.schedule(schedule_id) else {
            continue;
        };
        let calendar = schedule.holidays.and_then(|c| policy.calendar(c));
        match schedule.check(local, |d| calendar.is_some_and(|c| c.contains(d))) {
            ScheduleCheck::Open => return None,
            ScheduleCheck::ClosedForHoliday => reason = Reason::Holiday,
            ScheduleCheck::Closed => {}
        }
    }
    Some(reason)
}

/// The schedules of the person's grants that reach one of the covering zones.
fn reaching_grants<'a>(
    policy: &'a Policy,
    person: &'a Person,
    covering: &'a [ZoneId],
) -> impl Iterator<Item = crate::ids::ScheduleId> + 'a {
    person
        .groups
        .iter()
        .filter_map(|g| policy.group(*g))
        .flat_map(|g| g.grants.iter())
        .filter(|grant| covering.contains(&grant.zone))
        .map(|grant| grant.schedule)
}
