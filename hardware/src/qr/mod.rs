//! QR scanners: serial (USB CDC) scanners in line mode and USB keyboard-wedge scanners read
//! through evdev. Both end as text, which [`classify`] turns into a read: a Gatehouse
//! credential (`GH1:` + base45 of a COSE_Sign1) becomes [`ReadData::Qr`], anything else
//! [`ReadData::Unreadable`] — journaled, never a crash. The signature is `decide()`'s job.
//!
//! [`ReadData::Qr`]: crate::reader::ReadData::Qr
//! [`ReadData::Unreadable`]: crate::reader::ReadData::Unreadable

mod classify;
mod evdev;
mod keymap;
mod lines;
#[cfg(test)]
mod prop_tests;
mod serial;
#[cfg(test)]
mod test_pass;
mod wedge;

pub use classify::classify;
pub use evdev::{EVENT_SIZE, InputEvent, WedgeConfig, read_event, run_events, run_wedge};
pub use keymap::char_for;
pub use lines::{LineError, LineSplitter};
pub use serial::{ScannerError, SerialConfig, SerialScanner};
pub use wedge::{WedgeDecoder, WedgeError};

/// The longest scan accepted by default, in characters. A Gatehouse pass is a few hundred;
/// this leaves room for a visitor pass with many zones and items.
pub const DEFAULT_MAX_LEN: usize = 2048;
