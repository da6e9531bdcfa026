//! Keyboard-wedge scanners "type" what they scan: key events in, one text per Enter out.
//! Pure: fed [`InputEvent`]s, so every decoding rule is a table of events in the tests.

use super::evdev::InputEvent;
use super::keymap::char_for;
use std::time::Duration;

/// `EV_KEY`: the only event type that carries keys (`EV_SYN`, `EV_MSC` are ignored).
const EV_KEY: u16 = 1;
const KEY_ENTER: u16 = 28;
const KEY_KPENTER: u16 = 96;
const KEY_LEFTSHIFT: u16 = 42;
const KEY_RIGHTSHIFT: u16 = 54;
/// Keys that type nothing and change nothing we decode: Ctrl, Alt, Caps Lock, Num Lock,
/// Meta. Scanners send some of them around a scan; they do not make it unreadable.
const IGNORED: [u16; 8] = [29, 56, 58, 69, 97, 100, 125, 126];
/// Key values: release, press, auto-repeat.
const RELEASE: i32 = 0;
const PRESS: i32 = 1;

/// Why the keys typed since the last Enter are no text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WedgeError {
    /// More characters than the configured maximum.
    #[error("scan longer than {0} characters")]
    TooLong(usize),
    /// A key that types no character on a US layout (Tab, Esc, an arrow…).
    #[error("scan contains key code {0}, which types no character")]
    UnmappedKey(u16),
    /// Keys typed, then silence longer than the gap, then more keys: a scan that lost its
    /// Enter (or someone typing on a keyboard), not one scan.
    #[error("scan ended without Enter")]
    NoEnter,
}

/// Turns key events into scanned texts.
#[derive(Debug)]
pub struct WedgeDecoder {
    max_len: usize,
    gap: Duration,
    left_shift: bool,
    right_shift: bool,
    text: String,
    len: usize,
    error: Option<WedgeError>,
    last_press: Option<Duration>,
}

impl WedgeDecoder {
    /// A decoder for texts of at most `max_len` characters whose keys come at most `gap`
    /// apart (scanners type a key every few milliseconds).
    pub fn new(max_len: usize, gap: Duration) -> Self {
        WedgeDecoder {
            max_len,
            gap,
            left_shift: false,
            right_shift: false,
            text: String::new(),
            len: 0,
            error: None,
            last_press: None,
        }
    }

    /// One event; a scan's text (or why it is none) when the event ends one.
    pub fn feed(&mut self, event: &InputEvent) -> Option<Result<String, WedgeError>> {
        if event.kind != EV_KEY {
            return None;
        }
        let down = event.value != RELEASE;
        match event.code {
            KEY_LEFTSHIFT => self.left_shift = down,
            KEY_RIGHTSHIFT => self.right_shift = down,
            // Auto-repeat comes from a key held down for long: a scanner never means it,
            // so a repeat is never a second character.
            _ if event.value == PRESS => return self.press(event.code, event.time),
            _ => {}
        }
        None
    }

    fn press(&mut self, code: u16, time: Duration) -> Option<Result<String, WedgeError>> {
        let stale = self
            .last_press
            .is_some_and(|last| time.saturating_sub(last) > self.gap);
        self.last_press = Some(time);
        let mut ended = None;
        if stale && self.started() {
            ended = Some(Err(WedgeError::NoEnter));
            self.reset();
        }
        if code == KEY_ENTER || code == KEY_KPENTER {
            let scan = self.finish();
            return ended.or(scan);
        }
        if IGNORED.contains(&code) {
            return ended;
        }
        match char_for(code, self.left_shift || self.right_shift) {
            Some(_) if self.len >= self.max_len => {
                self.error.get_or_insert(WedgeError::TooLong(self.max_len));
            }
            Some(c) => {
                self.text.push(c);
                self.len += 1;
            }
            None => {
                self.error.get_or_insert(WedgeError::UnmappedKey(code));
            }
        }
        ended
    }

    fn started(&self) -> bool {
        self.len > 0 || self.error.is_some()
    }

    fn finish(&mut self) -> Option<Result<String, WedgeError>> {
        if !self.started() {
            // A lone Enter ends nothing.
            return None;
        }
        let scan = match self.error.take() {
            Some(e) => Err(e),
            None => Ok(std::mem::take(&mut self.text)),
        };
        self.reset();
        Some(scan)
    }

    fn reset(&mut self) {
        self.text.clear();
        self.len = 0;
        self.error = None;
    }
}

#[cfg(test)]
#[path = "wedge_tests.rs"]
mod tests;
