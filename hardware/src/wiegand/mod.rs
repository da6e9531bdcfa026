//! Wiegand readers: frames assembled from D0/D1 edges, keypad bursts turned into PINs, and
//! the reads a door controller gets from them.
//!
//! Everything here is pure and fed timestamped edges, so it is tested over simulated time;
//! the GPIO back-end (`gpio`, feature `rpi`) only supplies the edges. Card frames leave this
//! module as [`ReadData::WiegandFrame`](crate::reader::ReadData::WiegandFrame): `decide()`
//! decodes them with `gatehouse_core::card::decode_wiegand`, so a bad-parity frame is
//! journaled as `malformed` like any other unreadable input.

mod assembler;
mod driver;
mod keypad;
#[cfg(test)]
mod prop_tests;
mod reader;

pub use assembler::{Assembler, DEFAULT_TIMEOUT, Frame, FrameError, Line, MAX_BITS, MIN_BITS};
pub use driver::run;
pub use keypad::{Key, KeyError, PinEntry, key_from_frame};
pub use reader::WiegandReader;
