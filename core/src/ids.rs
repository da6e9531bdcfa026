//! Integer identifiers. Everything that names a person, zone or door on a wire or in a
//! credential uses these small integers, never a name: they keep passes short and keep
//! personal data out of bundles and logs.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident($inner:ty)) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $inner);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A site: one building or campus with one time zone.
    SiteId(u32)
);
id_type!(
    /// A zone (building, floor, room); zones nest.
    ZoneId(u32)
);
id_type!(
    /// A door; it leads into exactly one zone.
    DoorId(u32)
);
id_type!(
    /// A person, by a pseudonymous number that carries no personal data.
    PersonId(u64)
);
id_type!(
    /// A visitor, by a pseudonymous number (the `sub` of their pass).
    VisitorId(u64)
);
id_type!(
    /// A badge (a card or a staff QR badge) bound to one person.
    BadgeId(u64)
);
id_type!(
    /// An access group: a set of (zone, schedule) grants.
    GroupId(u32)
);
id_type!(
    /// A weekly schedule.
    ScheduleId(u32)
);
id_type!(
    /// A holiday calendar.
    CalendarId(u32)
);
id_type!(
    /// A door controller.
    ControllerId(u32)
);
id_type!(
    /// The serial number of a signed credential (visitor pass, staff QR badge, property
    /// pass): what revocation lists name.
    PassSerial(u64)
);
