use crate::card::CardId;
use crate::ids::{BadgeId, PassSerial, PersonId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// What a badge is physically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BadgeCredential {
    /// A card, named by its canonical id.
    Card(CardId),
    /// A staff QR badge: a signed credential with this serial.
    Qr(PassSerial),
}

/// The life of a badge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BadgeStatus {
    /// In use.
    Active,
    /// Temporarily blocked (may be reactivated).
    Suspended,
    /// Reported lost: blocked for good, and a use of it is worth an alarm.
    Lost,
    /// Blocked for good.
    Revoked,
}

/// A credential bound to one person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Badge {
    /// The badge.
    pub id: BadgeId,
    /// Whose it is.
    pub person: PersonId,
    /// Card or staff QR.
    pub credential: BadgeCredential,
    /// Its status.
    pub status: BadgeStatus,
    /// Not valid before (none: no start).
    pub not_before: Option<Timestamp>,
    /// Not valid at or after (none: no end).
    pub expires: Option<Timestamp>,
}

impl Badge {
    /// Whether the badge is limited in time (and so cannot be judged with a wrong clock).
    pub fn is_time_limited(&self) -> bool {
        self.not_before.is_some() || self.expires.is_some()
    }
}
