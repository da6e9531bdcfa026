//! A verified bundle with its lookup indexes: what `decide()` reads.

use super::body::{Bundle, BundleVersion};
use super::delta::BundleDelta;
use super::error::BundleError;
use super::keyed::find;
use super::signed::SignedBundle;
use crate::card::CardId;
use crate::credential::TrustStore;
use crate::ids::{CalendarId, DoorId, GroupId, PassSerial, PersonId, ScheduleId, ZoneId};
use crate::model::{
    AccessGroup, Badge, BadgeCredential, Door, HolidayCalendar, Person, Schedule, Zone,
};
use crate::time::Timestamp;
use chrono::NaiveDateTime;
use chrono_tz::Tz;
use std::collections::HashMap;

/// A verified, consistent bundle, indexed for decisions.
#[derive(Debug)]
pub struct Policy {
    bundle: Bundle,
    time_zone: Tz,
    trust: TrustStore,
    cards: HashMap<CardId, u32>,
    qr_badges: HashMap<PassSerial, u32>,
}

impl Policy {
    /// Verifies a signed bundle against `trust`, refuses it if it is not newer than the
    /// version `held` (a rollback), checks its consistency and indexes it.
    pub fn load(
        signed: &SignedBundle,
        trust: &TrustStore,
        held: Option<BundleVersion>,
    ) -> Result<Self, BundleError> {
        let bundle = signed.verify(trust)?;
        if let Some(held) = held {
            if bundle.header.version <= held {
                return Err(BundleError::Rollback {
                    held,
                    offered: bundle.header.version,
                });
            }
        }
        Policy::index(bundle)
    }

    /// Loads a controller's first bundle, trusting the keys it names itself
    /// ([`SignedBundle::verify_first`]): only for a bundle that came over the channel pinned
    /// at enrollment, when the controller holds no bundle yet.
    pub fn load_first(signed: &SignedBundle) -> Result<Self, BundleError> {
        Policy::index(signed.verify_first()?)
    }

    /// Applies a delta to this policy's bundle and loads the result, verified against
    /// `trust`. Returns the new signed bundle (to store) and its policy.
    pub fn apply_delta(
        &self,
        delta: &BundleDelta,
        trust: &TrustStore,
    ) -> Result<(SignedBundle, Policy), BundleError> {
        let signed = delta.apply(&self.bundle)?;
        let policy = Policy::load(&signed, trust, Some(self.version()))?;
        Ok((signed, policy))
    }

    fn index(bundle: Bundle) -> Result<Self, BundleError> {
        let inconsistent = |m: String| Err(BundleError::Inconsistent(m));
        let time_zone: Tz = match bundle.header.time_zone.parse() {
            Ok(tz) => tz,
            Err(_) => {
                return inconsistent(format!("unknown time zone {:?}", bundle.header.time_zone));
            }
        };
        let mut trust = TrustStore::new();
        for key in &bundle.trusted_keys {
            match key.public() {
                Some(public) => trust.add(public),
                None => return inconsistent("a trusted key is not a valid Ed25519 key".into()),
            }
        }
        check_references(&bundle)?;
        let mut cards = HashMap::with_capacity(bundle.badges.len());
        let mut qr_badges = HashMap::new();
        for (i, badge) in bundle.badges.iter().enumerate() {
            let i = u32::try_from(i)
                .map_err(|_| BundleError::Inconsistent("too many badges".into()))?;
            let clash = match badge.credential {
                BadgeCredential::Card(card) => cards.insert(card, i).is_some(),
                BadgeCredential::Qr(serial) => qr_badges.insert(serial, i).is_some(),
            };
            if clash {
                return inconsistent(format!(
                    "badge {} shares its credential with another badge",
                    badge.id
                ));
            }
        }
        Ok(Policy {
            bundle,
            time_zone,
            trust,
            cards,
            qr_badges,
        })
    }

    /// The bundle.
    pub fn bundle(&self) -> &Bundle {
        &self.bundle
    }

    /// Which bundle this is.
    pub fn version(&self) -> BundleVersion {
        self.bundle.header.version
    }

    /// The keys that sign passes (and the next bundles).
    pub fn trust(&self) -> &TrustStore {
        &self.trust
    }

    /// The site's wall-clock time at `at`.
    pub fn local_time(&self, at: Timestamp) -> Option<NaiveDateTime> {
        Some(at.to_utc()?.with_timezone(&self.time_zone).naive_local())
    }

    /// The badge of a card.
    pub fn badge_for_card(&self, card: &CardId) -> Option<&Badge> {
        self.cards
            .get(card)
            .map(|&i| &self.bundle.badges[i as usize])
    }

    /// The staff QR badge with this serial.
    pub fn badge_for_qr(&self, serial: PassSerial) -> Option<&Badge> {
        self.qr_badges
            .get(&serial)
            .map(|&i| &self.bundle.badges[i as usize])
    }

    /// A person.
    pub fn person(&self, id: PersonId) -> Option<&Person> {
        find(&self.bundle.people, id)
    }

    /// A door.
    pub fn door(&self, id: DoorId) -> Option<&Door> {
        find(&self.bundle.doors, id)
    }

    /// A zone.
    pub fn zone(&self, id: ZoneId) -> Option<&Zone> {
        find(&self.bundle.zones, id)
    }

    /// A group.
    pub fn group(&self, id: GroupId) -> Option<&AccessGroup> {
        find(&self.bundle.groups, id)
    }

    /// A schedule.
    pub fn schedule(&self, id: ScheduleId) -> Option<&Schedule> {
        find(&self.bundle.schedules, id)
    }

    /// A holiday calendar.
    pub fn calendar(&self, id: CalendarId) -> Option<&HolidayCalendar> {
        find(&self.bundle.calendars, id)
    }

    /// Whether a pass serial is revoked.
    pub fn is_revoked(&self, serial: PassSerial) -> bool {
        self.bundle.revoked_serials.binary_search(&serial).is_ok()
    }

    /// `zone` and every zone enclosing it, innermost first. Finite: load refused cycles.
    pub fn zone_and_ancestors(&self, zone: ZoneId) -> impl Iterator<Item = &Zone> {
        std::iter::successors(self.zone(zone), |z| z.parent.and_then(|p| self.zone(p)))
    }

    /// Whether `zone` or a zone enclosing it is locked down.
    pub fn is_locked_down(&self, zone: ZoneId) -> bool {
        !self.bundle.lockdown.is_empty()
            && self
                .zone_and_ancestors(zone)
                .any(|z| self.bundle.lockdown.binary_search(&z.id).is_ok())
    }
}

/// Every id a bundle mentions exists in it, and zones form a forest (no cycles).
fn check_references(b: &Bundle) -> Result<(), BundleError> {
    let missing = |what: &str, id: &dyn std::fmt::Display, by: String| {
        Err(BundleError::Inconsistent(format!(
            "{by} names {what} {id}, which is not in the bundle"
        )))
    };
    for zone in &b.zones {
        if let Some(parent) = zone.parent {
            if find(&b.zones, parent).is_none() {
                return missing("zone", &parent, format!("zone {}", zone.id));
            }
        }
        // Walking up more steps than there are zones means a cycle.
        let mut at = zone.parent;
        for _ in 0..=b.zones.len() {
            match at {
                Some(p) if p == zone.id => {
                    return Err(BundleError::Inconsistent(format!(
                        "zone {} encloses itself",
                        zone.id
                    )));
                }
                Some(p) => at = find(&b.zones, p).and_then(|z| z.parent),
                None => break,
            }
        }
    }
    for door in &b.doors {
        if find(&b.zones, door.zone).is_none() {
            return missing("zone", &door.zone, format!("door {}", door.id));
        }
        if let Some(s) = door.unlock_schedule {
            if find(&b.schedules, s).is_none() {
                return missing("schedule", &s, format!("door {}", door.id));
            }
        }
    }
    for schedule in &b.schedules {
        if let Some(c) = schedule.holidays {
            if find(&b.calendars, c).is_none() {
                return missing("calendar", &c, format!("schedule {}", schedule.id));
            }
        }
    }
    for group in &b.groups {
        for grant in &group.grants {
            if find(&b.zones, grant.zone).is_none() {
                return missing("zone", &grant.zone, format!("group {}", group.id));
            }
            if find(&b.schedules, grant.schedule).is_none() {
                return missing("schedule", &grant.schedule, format!("group {}", group.id));
            }
        }
    }
    for person in &b.people {
        for g in &person.groups {
            if find(&b.groups, *g).is_none() {
                return missing("group", g, format!("person {}", person.id));
            }
        }
    }
    for badge in &b.badges {
        if find(&b.people, badge.person).is_none() {
            return missing("person", &badge.person, format!("badge {}", badge.id));
        }
    }
    Ok(())
}
