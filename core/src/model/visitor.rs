use crate::ids::{PassSerial, PersonId, VisitorId, ZoneId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// Where a visitor pass is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitorPassStatus {
    /// Issued and usable within its window.
    Active,
    /// The visitor checked out; the serial is revoked.
    CheckedOut,
    /// Revoked by staff.
    Revoked,
}

/// A visitor pass as the server records it; the visitor carries it as a signed QR.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorPass {
    /// The serial in the QR.
    pub serial: PassSerial,
    /// The visitor's pseudonymous id (the QR's `sub`).
    pub visitor: VisitorId,
    /// The member of staff responsible for the visitor.
    pub host: PersonId,
    /// Zones the pass opens.
    pub zones: Vec<ZoneId>,
    /// Whether an escort must badge first at each door.
    pub escort: bool,
    /// Valid from.
    pub not_before: Timestamp,
    /// Valid until (exclusive).
    pub expires: Timestamp,
    /// Its status.
    pub status: VisitorPassStatus,
}
