use crate::ids::SiteId;
use serde::{Deserialize, Serialize};

/// A building or campus. Its schedules and holidays are in its own time zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    /// The site.
    pub id: SiteId,
    /// A name for people (not sent to controllers).
    pub name: String,
    /// IANA time zone name, e.g. `Europe/Berlin`.
    pub time_zone: String,
}
