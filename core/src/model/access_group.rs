use crate::ids::{GroupId, ScheduleId, ZoneId};
use serde::{Deserialize, Serialize};

/// One grant: a zone (and the zones inside it) during a schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Grant {
    /// The zone.
    pub zone: ZoneId,
    /// When.
    pub schedule: ScheduleId,
}

/// A set of grants given to people together ("Engineering", "Cleaning crew").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessGroup {
    /// The group.
    pub id: GroupId,
    /// What it grants.
    pub grants: Vec<Grant>,
}
