//! Assembling a PIN from keypad keys, whatever the keypad (Wiegand bursts, OSDP
//! osdp_KEYPAD replies): digits are collected until `#` or a pause ends the entry; `*`
//! clears it. An entry of 4 to 12 digits is a PIN; anything else is unreadable (journaled,
//! never the digits themselves). A pause ending the entry means digits typed and abandoned
//! are never prefixed to the next person's PIN.

use crate::reader::ReadData;
use gatehouse_core::model::Pin;
use std::time::{Duration, Instant};

/// One keypad key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinKey {
    /// A digit key, 0 to 9.
    Digit(u8),
    /// `*`: clears the entry.
    Star,
    /// `#`: ends the entry.
    Hash,
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
    pub fn key(&mut self, key: PinKey, at: Instant) -> Option<ReadData> {
        match key {
            PinKey::Digit(d) => {
                if self.digits.len() < MAX_DIGITS {
                    self.digits.push(char::from(b'0' + d));
                } else {
                    self.excess = self.excess.saturating_add(1);
                }
                self.last = Some(at);
                None
            }
            PinKey::Star => {
                self.clear();
                None
            }
            PinKey::Hash => Some(self.finish()),
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
