use crate::card::CardId;
use crate::credential::CredentialKind;
use crate::ids::{DoorId, PassSerial, PersonId, ZoneId};
use crate::model::Direction;
use crate::reason::Reason;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// Who presented: a person (card or staff QR badge) or the holder of a visitor pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Holder {
    /// A person known to the bundle.
    Person(PersonId),
    /// The holder of a visitor pass, known by its serial.
    Visitor(PassSerial),
}

/// What was presented, as the audit log names it (never the raw QR text).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialRef {
    /// A card.
    Card(CardId),
    /// A QR credential whose signature verified.
    Pass {
        /// Visitor, staff or property.
        kind: CredentialKind,
        /// Its serial.
        serial: PassSerial,
    },
    /// Input that is not a credential (bad parity, garbage QR, a forged signature).
    Unreadable,
}

/// The outcome of one presentation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Why: `granted` or the reason for the denial.
    pub reason: Reason,
    /// The door.
    pub door: DoorId,
    /// The reader's side.
    pub direction: Direction,
    /// The zone behind the door (none if the door is not in the bundle).
    pub zone: Option<ZoneId>,
    /// What was presented.
    pub credential: CredentialRef,
    /// Who presented it, once known.
    pub holder: Option<Holder>,
    /// Two-person rule: the first person, whose wait this grant ends.
    pub companion: Option<Holder>,
    /// When: the controller's clock, or its floor if the clock read earlier than that.
    pub at: Timestamp,
    /// Whether the clock read at or after the controller's floor and the bundle's
    /// issued-at.
    pub clock_trusted: bool,
}

impl Decision {
    /// Whether the door opens.
    pub fn granted(&self) -> bool {
        self.reason.is_granted()
    }
}
