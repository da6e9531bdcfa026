//! What readers produce, whatever they are (OSDP, Wiegand, QR scanner, the simulator):
//! credential reads and health changes, each naming its reader and when it happened.
//!
//! Back-ends send [`ReaderEvent`]s into a channel the door controller reads; nothing above
//! this crate knows which kind of reader a read came from, except through
//! [`CredentialRead::data`].

use gatehouse_core::card::CardId;
use gatehouse_core::model::Pin;
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

/// A reader, by the name the controller's configuration gives it (e.g. `lobby-in`).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReaderId(Arc<str>);

impl ReaderId {
    /// The reader named `name`.
    pub fn new(name: &str) -> Self {
        ReaderId(Arc::from(name))
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ReaderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReaderId({})", self.0)
    }
}

impl fmt::Display for ReaderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a reader read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadData {
    /// A card, decoded by the reader or the back-end (OSDP formatted card data, a UID, a
    /// Wiegand frame the back-end decoded).
    Card(CardId),
    /// A raw Wiegand frame (`bits` bits, first bit in the most significant bit of the first
    /// byte), left for `decide()` to decode, so a frame with bad parity is journaled as
    /// `malformed` like any other unreadable input.
    WiegandFrame {
        /// Frame length in bits.
        bits: usize,
        /// The bits.
        data: Vec<u8>,
    },
    /// A PIN typed on the reader's keypad (digits, ended by `#` or a pause).
    Pin(Pin),
    /// The text of a scanned QR code.
    Qr(String),
    /// Something was read that is no credential at all: a scan that is not a Gatehouse QR
    /// code, keypad input that is no PIN, a card format the back-end cannot name. Journaled,
    /// never a crash.
    Unreadable {
        /// What was wrong, for the journal (never the raw input: it may be a credential).
        reason: String,
    },
}

/// One read at one reader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialRead {
    /// The reader.
    pub reader: ReaderId,
    /// When the back-end received it (monotonic; the controller maps it to its clock).
    pub at: Instant,
    /// What was read.
    pub data: ReadData,
}

/// A reader's state as its back-end sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReaderHealth {
    /// Answering; `secure` when over an established OSDP Secure Channel.
    Online {
        /// Over the Secure Channel.
        secure: bool,
    },
    /// Not answering (OSDP: no reply within the offline timeout; QR scanner: device gone).
    Offline,
    /// The reader reports its enclosure opened or tampered with.
    Tamper,
    /// A keyed OSDP reader that answered without the Secure Channel, or with a key that is
    /// not its own: an alarm, never a fallback to a plain channel.
    SecureChannelRefused {
        /// What kind of refusal: for code to act on (never parse `reason`).
        cause: RefusalCause,
        /// What happened, for the alarm (human-readable; its wording may change).
        reason: String,
    },
}

/// Why a reader's Secure Channel was refused ([`ReaderHealth::SecureChannelRefused`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefusalCause {
    /// The reader answered the handshake with another key (its client cryptogram does not
    /// match the key we hold): a swapped, reset or tampered reader.
    WrongKey,
    /// The reader answered in the clear where the Secure Channel was due (the challenge,
    /// or a frame inside a session): a capability downgrade.
    Downgrade,
    /// The reader refused the Secure Channel (a NAK to the challenge or to our server
    /// cryptogram) or answered the handshake with something else.
    Refused,
    /// A MAC did not check (a reply's MAC, the initial R-MAC) or encrypted data did not
    /// decrypt: a forged, replayed or corrupted frame.
    BadMac,
}

impl RefusalCause {
    /// A short snake_case name (`wrong_key`, `downgrade`, `refused`, `bad_mac`).
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalCause::WrongKey => "wrong_key",
            RefusalCause::Downgrade => "downgrade",
            RefusalCause::Refused => "refused",
            RefusalCause::BadMac => "bad_mac",
        }
    }
}

/// What a reader back-end reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReaderEvent {
    /// A credential was read.
    Read(CredentialRead),
    /// The reader's health changed.
    Health {
        /// The reader.
        reader: ReaderId,
        /// When the change was seen.
        at: Instant,
        /// Its new state.
        health: ReaderHealth,
    },
}
