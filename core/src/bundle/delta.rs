//! Deltas: what changed between two versions of a controller's bundle.
//!
//! A delta names the version it starts from, carries the new header and, per collection,
//! the items added or changed and the keys removed. It also carries the server's signature
//! over the resulting whole bundle: the controller applies the delta, re-encodes, and
//! checks that signature, so a controller only ever stores a signed complete bundle and a
//! wrong delta can never leave it with a bundle the server did not sign.

use super::body::{Bundle, BundleHeader, BundleVersion, FORMAT_VERSION, SiteKey};
use super::error::BundleError;
use super::keyed::Keyed;
use super::signed::SignedBundle;
use crate::credential::KeyId;
use crate::ids::{PassSerial, ZoneId};
use crate::model::{AccessGroup, Badge, Door, HolidayCalendar, Person, Schedule, Zone};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

const MAGIC: &[u8; 4] = b"GHD1";

/// Changes to one sorted collection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(
    serialize = "T: Serialize, T::Key: Serialize",
    deserialize = "T: Deserialize<'de>, T::Key: Deserialize<'de>"
))]
pub struct CollectionDelta<T: Keyed> {
    /// Items added or changed, sorted by key.
    pub upserts: Vec<T>,
    /// Keys removed, sorted.
    pub removals: Vec<T::Key>,
}

impl<T: Keyed + Clone + PartialEq> CollectionDelta<T> {
    /// What turns `old` into `new` (both canonical).
    pub fn between(old: &[T], new: &[T]) -> Self {
        let (mut upserts, mut removals) = (Vec::new(), Vec::new());
        let (mut i, mut j) = (0, 0);
        while i < old.len() || j < new.len() {
            match (old.get(i), new.get(j)) {
                (Some(o), Some(n)) => match o.key().cmp(&n.key()) {
                    Ordering::Less => {
                        removals.push(o.key());
                        i += 1;
                    }
                    Ordering::Greater => {
                        upserts.push(n.clone());
                        j += 1;
                    }
                    Ordering::Equal => {
                        if o != n {
                            upserts.push(n.clone());
                        }
                        i += 1;
                        j += 1;
                    }
                },
                (Some(o), None) => {
                    removals.push(o.key());
                    i += 1;
                }
                (None, Some(n)) => {
                    upserts.push(n.clone());
                    j += 1;
                }
                (None, None) => unreachable!("the loop condition holds"),
            }
        }
        CollectionDelta { upserts, removals }
    }

    /// `items` with the changes applied, still canonical.
    pub fn apply(&self, items: &[T]) -> Vec<T> {
        let mut out = Vec::with_capacity(items.len() + self.upserts.len());
        let (mut ups, mut rems) = (
            self.upserts.iter().peekable(),
            self.removals.iter().peekable(),
        );
        for item in items {
            let key = item.key();
            while let Some(u) = ups.next_if(|u| u.key() < key) {
                out.push(u.clone());
            }
            while rems.next_if(|&&r| r < key).is_some() {}
            if ups.peek().is_some_and(|u| u.key() == key) {
                out.push(ups.next().expect("peeked").clone());
            } else if rems.next_if(|&&r| r == key).is_none() {
                out.push(item.clone());
            }
        }
        out.extend(ups.cloned());
        out
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.upserts.is_empty() && self.removals.is_empty()
    }
}

/// Everything that changed from one bundle version to the next, and the signature over the
/// complete result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleDelta {
    /// The version this delta applies to.
    pub from: BundleVersion,
    /// The new header (its `version` is the result's).
    pub header: BundleHeader,
    /// Trusted keys.
    pub trusted_keys: CollectionDelta<SiteKey>,
    /// Revoked pass serials.
    pub revoked_serials: CollectionDelta<PassSerial>,
    /// Zones under lockdown.
    pub lockdown: CollectionDelta<ZoneId>,
    /// Doors.
    pub doors: CollectionDelta<Door>,
    /// Zones.
    pub zones: CollectionDelta<Zone>,
    /// Schedules.
    pub schedules: CollectionDelta<Schedule>,
    /// Holiday calendars.
    pub calendars: CollectionDelta<HolidayCalendar>,
    /// Access groups.
    pub groups: CollectionDelta<AccessGroup>,
    /// People.
    pub people: CollectionDelta<Person>,
    /// Badges.
    pub badges: CollectionDelta<Badge>,
    /// The key that signed the resulting bundle.
    pub key_id: KeyId,
    /// Its signature over the resulting bundle (64 bytes).
    pub signature: Vec<u8>,
}

impl BundleDelta {
    /// The delta from `old` to the signed bundle `new` (which must be a verified encoding of
    /// `new_bundle`).
    pub fn between(old: &Bundle, new_bundle: &Bundle, new: &SignedBundle) -> Self {
        BundleDelta {
            from: old.header.version,
            header: new_bundle.header.clone(),
            trusted_keys: CollectionDelta::between(&old.trusted_keys, &new_bundle.trusted_keys),
            revoked_serials: CollectionDelta::between(
                &old.revoked_serials,
                &new_bundle.revoked_serials,
            ),
            lockdown: CollectionDelta::between(&old.lockdown, &new_bundle.lockdown),
            doors: CollectionDelta::between(&old.doors, &new_bundle.doors),
            zones: CollectionDelta::between(&old.zones, &new_bundle.zones),
            schedules: CollectionDelta::between(&old.schedules, &new_bundle.schedules),
            calendars: CollectionDelta::between(&old.calendars, &new_bundle.calendars),
            groups: CollectionDelta::between(&old.groups, &new_bundle.groups),
            people: CollectionDelta::between(&old.people, &new_bundle.people),
            badges: CollectionDelta::between(&old.badges, &new_bundle.badges),
            key_id: new.key_id(),
            signature: new.signature().to_vec(),
        }
    }

    /// Applies the delta to the bundle held and returns the resulting signed bundle, not
    /// yet verified: verify it (e.g. with [`super::Policy::load`]) before storing it.
    pub fn apply(&self, held: &Bundle) -> Result<SignedBundle, BundleError> {
        if self.from != held.header.version {
            return Err(BundleError::DeltaBase {
                held: held.header.version,
                from: self.from,
            });
        }
        if self.header.format != FORMAT_VERSION {
            return Err(BundleError::Malformed(format!(
                "delta format {}",
                self.header.format
            )));
        }
        let signature: [u8; 64] = self
            .signature
            .as_slice()
            .try_into()
            .map_err(|_| BundleError::Malformed("delta signature is not 64 bytes".into()))?;
        let result = Bundle {
            header: self.header.clone(),
            trusted_keys: self.trusted_keys.apply(&held.trusted_keys),
            revoked_serials: self.revoked_serials.apply(&held.revoked_serials),
            lockdown: self.lockdown.apply(&held.lockdown),
            doors: self.doors.apply(&held.doors),
            zones: self.zones.apply(&held.zones),
            schedules: self.schedules.apply(&held.schedules),
            calendars: self.calendars.apply(&held.calendars),
            groups: self.groups.apply(&held.groups),
            people: self.people.apply(&held.people),
            badges: self.badges.apply(&held.badges),
        };
        Ok(SignedBundle::from_parts(
            result.encode(),
            self.key_id,
            signature,
        ))
    }

    /// The transmitted form: `"GHD1"` then the postcard encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend(postcard::to_allocvec(self).expect("a delta always encodes"));
        out
    }

    /// Reads the transmitted form.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, BundleError> {
        let body = bytes
            .strip_prefix(MAGIC)
            .ok_or_else(|| BundleError::Malformed("not a bundle delta of format GHD1".into()))?;
        postcard::from_bytes(body).map_err(|e| BundleError::Malformed(format!("delta: {e}")))
    }
}
