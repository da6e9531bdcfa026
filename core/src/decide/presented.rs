use crate::card::CardId;
use crate::ids::DoorId;
use crate::model::{Direction, Pin};

/// What a reader read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential<'a> {
    /// A card, already decoded (OSDP formatted card data, a UID).
    Card(CardId),
    /// A raw Wiegand frame: `bits` bits left-aligned in `data`. Decoded by `decide()`, so a
    /// frame with bad parity is journaled as `malformed` like any other unreadable input.
    WiegandFrame {
        /// Frame length in bits.
        bits: usize,
        /// The bits, first bit in the most significant bit of the first byte.
        data: &'a [u8],
    },
    /// The text of a scanned QR code.
    Qr(&'a str),
}

/// A presentation at a reader: a credential, perhaps with a PIN from the keypad.
#[derive(Clone, Copy, Debug)]
pub struct Presented<'a> {
    /// The door.
    pub door: DoorId,
    /// The side of the door the reader is on.
    pub direction: Direction,
    /// What was read.
    pub credential: Credential<'a>,
    /// The PIN typed with it, if any.
    pub pin: Option<&'a Pin>,
}
