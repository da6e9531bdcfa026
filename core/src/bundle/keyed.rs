//! Collections in a bundle are vectors sorted by a key, so that the encoding is canonical
//! (the same content always gives the same bytes and the same signature) and a delta can
//! be computed by merging.

use crate::credential::KeyId;
use crate::ids::{BadgeId, CalendarId, DoorId, GroupId, PassSerial, PersonId, ScheduleId, ZoneId};
use crate::model::{AccessGroup, Badge, Door, HolidayCalendar, Person, Schedule, Zone};

use super::body::SiteKey;

/// An item of a sorted bundle collection.
pub trait Keyed {
    /// The key it is sorted and replaced by.
    type Key: Ord + Copy + std::fmt::Debug;
    /// Its key.
    fn key(&self) -> Self::Key;
}

macro_rules! keyed_by_id {
    ($($t:ty => $k:ty),* $(,)?) => {$(
        impl Keyed for $t {
            type Key = $k;
            fn key(&self) -> $k {
                self.id
            }
        }
    )*};
}

keyed_by_id!(
    Zone => ZoneId,
    Door => DoorId,
    Schedule => ScheduleId,
    HolidayCalendar => CalendarId,
    AccessGroup => GroupId,
    Person => PersonId,
    Badge => BadgeId,
);

macro_rules! keyed_by_self {
    ($($t:ty),*) => {$(
        impl Keyed for $t {
            type Key = $t;
            fn key(&self) -> $t {
                *self
            }
        }
    )*};
}

keyed_by_self!(PassSerial, ZoneId);

impl Keyed for SiteKey {
    type Key = KeyId;
    fn key(&self) -> KeyId {
        self.id()
    }
}

/// Sorts a collection by key (the canonical order).
pub fn sort<T: Keyed>(items: &mut [T]) {
    items.sort_by_key(Keyed::key);
}

/// Whether keys strictly increase (sorted, no duplicates).
pub fn is_canonical<T: Keyed>(items: &[T]) -> bool {
    items.windows(2).all(|w| w[0].key() < w[1].key())
}

/// Finds an item by key in a canonical collection.
pub fn find<T: Keyed>(items: &[T], key: T::Key) -> Option<&T> {
    items
        .binary_search_by_key(&key, Keyed::key)
        .ok()
        .map(|i| &items[i])
}
