//! A Wiegand reader with its keypad: edges in, credential reads out.

use super::assembler::{Assembler, Frame, FrameError, Line};
use super::keypad::{PinEntry, key_from_frame};
use crate::reader::{CredentialRead, ReadData, ReaderId};
use std::time::{Duration, Instant};

/// One Wiegand reader (card and optional keypad on the same D0/D1 pair).
#[derive(Debug)]
pub struct WiegandReader {
    id: ReaderId,
    assembler: Assembler,
    entry: PinEntry,
}

impl WiegandReader {
    /// A reader that ends frames after `bit_timeout` of silence and a PIN after
    /// `pin_pause` without a key.
    pub fn new(id: ReaderId, bit_timeout: Duration, pin_pause: Duration) -> Self {
        WiegandReader {
            id,
            assembler: Assembler::new(bit_timeout),
            entry: PinEntry::new(pin_pause),
        }
    }

    /// Its name.
    pub fn id(&self) -> &ReaderId {
        &self.id
    }

    /// One pulse; a read when it completes one (see [`Assembler::edge`]).
    pub fn edge(&mut self, line: Line, at: Instant) -> Option<CredentialRead> {
        let frame = self.assembler.edge(line, at)?;
        self.frame_to_read(frame, at)
    }

    /// The reads complete at `now`: a frame after silence, a PIN after a pause.
    pub fn poll(&mut self, now: Instant) -> Vec<CredentialRead> {
        let mut reads = Vec::new();
        if let Some(frame) = self.assembler.poll(now) {
            reads.extend(self.frame_to_read(frame, now));
        }
        if let Some(data) = self.entry.poll(now) {
            reads.push(self.read(data, now));
        }
        reads
    }

    /// When [`WiegandReader::poll`] next has something to finish; `None` when idle.
    pub fn deadline(&self) -> Option<Instant> {
        match (self.assembler.deadline(), self.entry.deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn frame_to_read(
        &mut self,
        frame: Result<Frame, FrameError>,
        at: Instant,
    ) -> Option<CredentialRead> {
        let data = match frame {
            // A pulse or three is what a relay switching next to the cable looks like:
            // journaling it at every unlock would bury the real reads.
            Err(FrameError::TooShort(_)) => return None,
            Err(too_long) => ReadData::Unreadable {
                reason: too_long.to_string(),
            },
            Ok(frame) if frame.bits == 4 || frame.bits == 8 => match key_from_frame(&frame) {
                Ok(key) => self.entry.key(key, at)?,
                Err(e) => ReadData::Unreadable {
                    reason: e.to_string(),
                },
            },
            Ok(Frame { bits, data }) => ReadData::WiegandFrame { bits, data },
        };
        Some(self.read(data, at))
    }

    fn read(&self, data: ReadData, at: Instant) -> CredentialRead {
        CredentialRead {
            reader: self.id.clone(),
            at,
            data,
        }
    }
}

#[cfg(test)]
#[path = "reader_tests.rs"]
mod tests;
