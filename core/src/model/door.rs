use crate::ids::{DoorId, ScheduleId, ZoneId};
use serde::{Deserialize, Serialize};

/// Which way a reader faces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The reader outside the door: presenting here means entering the door's zone.
    Entry,
    /// The reader inside: presenting here means leaving the door's zone.
    Exit,
}

/// A reader on a door.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reader {
    /// The door it is mounted on.
    pub door: DoorId,
    /// Entry or exit side.
    pub direction: Direction,
}

/// A door. It leads into exactly one zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Door {
    /// The door.
    pub id: DoorId,
    /// The zone one enters through it.
    pub zone: ZoneId,
    /// The door stands unlocked during this schedule (e.g. a lobby in office hours).
    pub unlock_schedule: Option<ScheduleId>,
    /// The scheduled unlock starts only once an authorised person has badged in (so a
    /// snow day does not leave the door open to nobody).
    pub first_card_unlock: bool,
}
