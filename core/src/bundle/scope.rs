//! Cutting a site's policy down to one controller's doors.
//!
//! The server keeps the whole site as one [`Bundle`] (every door) and sends each controller
//! only what its doors need: their zones and the zones enclosing them, the grants that
//! reach those zones, the people holding such grants and their badges. A stolen controller
//! reveals no one who cannot use its doors, and a large site's bundles stay small.

use super::body::Bundle;
use super::keyed::find;
use crate::ids::{CalendarId, ControllerId, DoorId, GroupId, ScheduleId};
use std::collections::BTreeSet;

/// The bundle for `controller`, holding `doors`, cut from the site-wide `site` bundle.
/// Decisions at those doors are the same with either bundle.
pub fn for_controller(site: &Bundle, controller: ControllerId, doors: &[DoorId]) -> Bundle {
    let doors: Vec<_> = site
        .doors
        .iter()
        .filter(|d| doors.contains(&d.id))
        .cloned()
        .collect();

    // Door zones and every zone enclosing them: grants on any of these can reach a door.
    let mut zones = BTreeSet::new();
    for door in &doors {
        let mut at = Some(door.zone);
        while let Some(z) = at.filter(|z| zones.insert(*z)) {
            at = find(&site.zones, z).and_then(|zone| zone.parent);
        }
    }

    let groups: Vec<_> = site
        .groups
        .iter()
        .filter_map(|g| {
            let mut group = g.clone();
            group.grants.retain(|grant| zones.contains(&grant.zone));
            (!group.grants.is_empty()).then_some(group)
        })
        .collect();
    let kept_groups: BTreeSet<GroupId> = groups.iter().map(|g| g.id).collect();

    let people: Vec<_> = site
        .people
        .iter()
        .filter_map(|p| {
            let mut person = p.clone();
            person.groups.retain(|g| kept_groups.contains(g));
            (!person.groups.is_empty()).then_some(person)
        })
        .collect();
    let badges = site
        .badges
        .iter()
        .filter(|b| find(&people, b.person).is_some())
        .cloned()
        .collect();

    let used_schedules: BTreeSet<ScheduleId> = groups
        .iter()
        .flat_map(|g| g.grants.iter().map(|grant| grant.schedule))
        .chain(doors.iter().filter_map(|d| d.unlock_schedule))
        .collect();
    let schedules: Vec<_> = site
        .schedules
        .iter()
        .filter(|s| used_schedules.contains(&s.id))
        .cloned()
        .collect();
    let used_calendars: BTreeSet<CalendarId> =
        schedules.iter().filter_map(|s| s.holidays).collect();

    let mut header = site.header.clone();
    header.controller = controller;
    let mut bundle = Bundle {
        header,
        trusted_keys: site.trusted_keys.clone(),
        // A pass names zones, not doors: every revoked serial may matter anywhere.
        revoked_serials: site.revoked_serials.clone(),
        lockdown: site
            .lockdown
            .iter()
            .copied()
            .filter(|z| zones.contains(z))
            .collect(),
        zones: site
            .zones
            .iter()
            .filter(|z| zones.contains(&z.id))
            .cloned()
            .collect(),
        doors,
        schedules,
        calendars: site
            .calendars
            .iter()
            .filter(|c| used_calendars.contains(&c.id))
            .cloned()
            .collect(),
        groups,
        people,
        badges,
    };
    bundle.normalize();
    bundle
}
