use crate::ids::{PassSerial, PersonId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// An item that may leave the building on a property pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ItemId(pub u64);

/// An item on a property pass.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The item.
    pub id: ItemId,
    /// Asset tag, if the company tags it.
    pub asset_tag: Option<String>,
    /// Manufacturer serial number.
    pub serial_number: Option<String>,
    /// What it is ("ThinkPad T14, grey").
    pub description: String,
}

/// Where a property pass is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PropertyPassStatus {
    /// Requested, waiting for the manager.
    Requested,
    /// Approved: the carrier may take the items out within the window.
    Approved,
    /// The items left (logged by a guard).
    Removed,
    /// The items came back.
    Returned,
    /// Refused or revoked.
    Revoked,
}

/// Permission for one person to take items out of the building.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyPass {
    /// The serial in the QR.
    pub serial: PassSerial,
    /// Who carries the items out.
    pub carrier: PersonId,
    /// What may leave.
    pub items: Vec<Item>,
    /// Why (e.g. repair, home office).
    pub reason: String,
    /// Valid from.
    pub not_before: Timestamp,
    /// Valid until (exclusive).
    pub expires: Timestamp,
    /// When the items are due back, if they are coming back.
    pub return_by: Option<Timestamp>,
    /// Its status.
    pub status: PropertyPassStatus,
}
