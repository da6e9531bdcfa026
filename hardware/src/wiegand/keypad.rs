//! Wiegand keypads send each key as its own short frame: 4 bits (the key's value), or
//! 8 bits (the value in the low nibble, its complement in the high nibble, so a corrupted
//! burst is caught). Keys `0`–`9`, `*` (value 10) and `#` (value 11). A PIN ends with `#`
//! or with a pause; `*` clears what was typed.

use super::assembler::Frame;
/// One key of a Wiegand keypad, and the PIN assembler shared with the OSDP keypad.
pub use crate::pin_entry::{PinEntry, PinKey as Key};
#[cfg(test)]
use crate::reader::ReadData;
#[cfg(test)]
use gatehouse_core::model::Pin;
#[cfg(test)]
use std::time::{Duration, Instant};

/// Why a 4- or 8-bit frame is no key.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// A value no keypad key sends (12 to 15).
    #[error("keypad_unknown_key: value {0}")]
    UnknownValue(u8),
    /// An 8-bit burst whose high nibble is not the complement of its low nibble.
    #[error("keypad_bad_check: high nibble is not the complement of the low nibble")]
    BadCheck,
    /// Not 4 or 8 bits long.
    #[error("keypad_bad_length: {0} bits")]
    BadLength(usize),
}

/// The key a 4- or 8-bit frame stands for.
pub fn key_from_frame(frame: &Frame) -> Result<Key, KeyError> {
    let first = frame.data.first().copied().unwrap_or(0);
    let value = match frame.bits {
        4 => first >> 4,
        8 if first >> 4 == !first & 0x0f => first & 0x0f,
        8 => return Err(KeyError::BadCheck),
        other => return Err(KeyError::BadLength(other)),
    };
    match value {
        0..=9 => Ok(Key::Digit(value)),
        10 => Ok(Key::Star),
        11 => Ok(Key::Hash),
        other => Err(KeyError::UnknownValue(other)),
    }
}

#[cfg(test)]
#[path = "keypad_tests.rs"]
mod tests;
