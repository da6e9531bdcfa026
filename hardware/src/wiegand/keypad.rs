//! Wiegand keypads send each key as its own short frame: 4 bits (the key's value), or
//! 8 bits (the value in the low nibble, its complement in the high nibble, so a corrupted
//! burst is caught). Keys `0`–`9`, `*` (value 10) and `#` (value 11). A PIN ends with `#`
//! or with a pause; `*` clears what was typed.

use super::assembler::Frame;
use crate::reader::ReadData;
use gatehouse_core::model::Pin;
use std::time::{Duration, Instant};

/// One key of a Wiegand keypad.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// A digit key, 0 to 9.
    Digit(u8),
    /// `*`: clears the entry.
    Star,
    /// `#`: ends the entry.
    Hash,
}

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

/// The longest PIN [`Pin::parse`] accepts; more digits make the entry unreadable.
const MAX_DIGITS: usize = 12;

/// Collects keys into a PIN.
#[derive(Debug)]
pub struct PinEntry {
    pause: Duration,
    digits: String,
    // Digits typed past MAX_DIGITS: counted, never stored.
    excess: usize,
    last: Option<Instant>,
}

impl PinEntry {
    /// An entry that a pause of `pause` after the last key ends.
    pub fn new(pause: Duration) -> Self {
        PinEntry {
            pause,
            digits: String::new(),
            excess: 0,
            last: None,
        }
    }

    /// A key pressed at `at`; the entry's read when the key ends it.
    pub fn key(&mut self, key: Key, at: Instant) -> Option<ReadData> {
        match key {
            Key::Digit(d) => {
                if self.digits.len() < MAX_DIGITS {
                    self.digits.push(char::from(b'0' + d));
                } else {
                    self.excess = self.excess.saturating_add(1);
                }
                self.last = Some(at);
                None
            }
            Key::Star => {
                self.clear();
                None
            }
            Key::Hash => Some(self.finish()),
        }
    }

    /// The entry's read if the keypad has been quiet for the pause at `now`.
    pub fn poll(&mut self, now: Instant) -> Option<ReadData> {
        let last = self.last?;
        (now.saturating_duration_since(last) >= self.pause).then(|| self.finish())
    }

    /// When a pause ends the entry in progress; `None` when nothing is typed.
    pub fn deadline(&self) -> Option<Instant> {
        self.last.map(|last| last + self.pause)
    }

    fn finish(&mut self) -> ReadData {
        let read = if self.excess > 0 {
            unreadable(format!(
                "keypad entry of {} digits is no PIN (4 to 12 digits)",
                MAX_DIGITS + self.excess
            ))
        } else {
            match Pin::parse(&self.digits) {
                Ok(pin) => ReadData::Pin(pin),
                Err(_) => unreadable(format!(
                    "keypad entry of {} digits is no PIN (4 to 12 digits)",
                    self.digits.len()
                )),
            }
        };
        self.clear();
        read
    }

    fn clear(&mut self) {
        self.digits.clear();
        self.excess = 0;
        self.last = None;
    }
}

fn unreadable(reason: String) -> ReadData {
    ReadData::Unreadable { reason }
}

#[cfg(test)]
#[path = "keypad_tests.rs"]
mod tests;
