use crate::ids::ZoneId;
use serde::{Deserialize, Serialize};

/// An area behind doors. Zones nest: building > floor > room.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Zone {
    /// The zone.
    pub id: ZoneId,
    /// The zone this one is inside, if any.
    pub parent: Option<ZoneId>,
    /// The rules of the zone's doors.
    pub rules: ZoneRules,
}

/// What a zone asks of the people entering it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneRules {
    /// A grant on an enclosing zone does not reach in here: only a grant naming this zone
    /// (or a zone inside it) opens it. For secure areas such as a server room.
    pub explicit_grant_only: bool,
    /// Two different authorised people must badge at the same door within the site's
    /// two-person window.
    pub two_person: bool,
    /// Card + PIN for everyone.
    pub pin_required: bool,
    /// Entry and exit readers track who is inside; a second entry (or exit) in a row is
    /// refused.
    pub anti_passback: bool,
}
