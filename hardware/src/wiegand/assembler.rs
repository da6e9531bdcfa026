//! Frame assembly: a Wiegand reader sends one bit per pulse (a low pulse on D0 is a 0, on
//! D1 a 1) and marks the end of a frame only by falling silent. So a frame ends when no bit
//! has arrived for the inter-bit timeout.

use gatehouse_core::card::{CardId, WiegandError, decode_wiegand};
use std::time::{Duration, Instant};

/// Readers space bits 1–2 ms apart; a 25 ms silence is far longer than any gap inside a
/// frame and far shorter than the pause between two presentations.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(25);
/// Shorter frames are line noise (a keypad burst is 4 bits, the shortest real frame).
pub const MIN_BITS: usize = 4;
/// Longer frames are noise or a format nobody installs; 64 bits fit every known one.
pub const MAX_BITS: usize = 64;

/// The data line an edge came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Line {
    /// D0: a pulse is a 0 bit.
    D0,
    /// D1: a pulse is a 1 bit.
    D1,
}

/// A complete frame: `bits` bits, the first sent in the most significant bit of `data[0]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Frame length in bits.
    pub bits: usize,
    /// The bits, left-aligned (`bits.div_ceil(8)` bytes).
    pub data: Vec<u8>,
}

impl Frame {
    /// The card this frame encodes, in one of the formats core decodes (26, 34, 35, 37
    /// bits, parity checked). Readers leave this to `decide()`; tools and tests call it.
    pub fn decode(&self) -> Result<CardId, WiegandError> {
        decode_wiegand(self.bits, &self.data)
    }
}

/// Why a burst of pulses is not a frame.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Fewer than [`MIN_BITS`] pulses: noise.
    #[error("wiegand_too_short: {0} bits")]
    TooShort(usize),
    /// More than [`MAX_BITS`] pulses: noise or an unsupported reader.
    #[error("wiegand_too_long: {0} bits")]
    TooLong(usize),
}

/// Collects bits until the line falls silent. Fed `(line, time)` edges in time order; the
/// caller asks [`Assembler::poll`] after [`Assembler::deadline`] passes.
#[derive(Debug)]
pub struct Assembler {
    timeout: Duration,
    // Bit i of the frame is bit 63 - i: left-aligned like the output.
    bits: u64,
    // Counts past MAX_BITS too (saturating), so an overlong burst is reported by length.
    count: usize,
    last: Option<Instant>,
}

impl Assembler {
    /// An assembler ending frames after `timeout` of silence.
    pub fn new(timeout: Duration) -> Self {
        Assembler {
            timeout,
            bits: 0,
            count: 0,
            last: None,
        }
    }

    /// One pulse on `line` at `at`. When it comes after a silence longer than the timeout,
    /// the previous frame is complete and is returned (the caller may have polled late).
    pub fn edge(&mut self, line: Line, at: Instant) -> Option<Result<Frame, FrameError>> {
        let finished = self.poll(at);
        if self.count < MAX_BITS && line == Line::D1 {
            self.bits |= 1u64 << (63 - self.count);
        }
        self.count = self.count.saturating_add(1);
        // Never move the last-bit time backwards: an out-of-order stamp is no silence.
        self.last = Some(self.last.map_or(at, |last| last.max(at)));
        finished
    }

    /// The frame in progress if the line has been silent for the timeout at `now`.
    pub fn poll(&mut self, now: Instant) -> Option<Result<Frame, FrameError>> {
        let last = self.last?;
        // An edge stamped before the last one (clock skew between lines) is no silence.
        if now.saturating_duration_since(last) < self.timeout {
            return None;
        }
        Some(self.take())
    }

    /// When the frame in progress ends if no other bit arrives; `None` when idle.
    pub fn deadline(&self) -> Option<Instant> {
        self.last.map(|last| last + self.timeout)
    }

    fn take(&mut self) -> Result<Frame, FrameError> {
        let (bits, count) = (self.bits, self.count);
        *self = Assembler::new(self.timeout);
        if count < MIN_BITS {
            return Err(FrameError::TooShort(count));
        }
        if count > MAX_BITS {
            return Err(FrameError::TooLong(count));
        }
        let data = bits.to_be_bytes()[..count.div_ceil(8)].to_vec();
        Ok(Frame { bits: count, data })
    }
}

impl Default for Assembler {
    fn default() -> Self {
        Assembler::new(DEFAULT_TIMEOUT)
    }
}

#[cfg(test)]
#[path = "assembler_tests.rs"]
mod tests;
