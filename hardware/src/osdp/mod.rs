//! An OSDP control panel (CP) over RS-485, with the Secure Channel.
//!
//! Layers, bottom up:
//! - [`channel`]: bytes in and out — a serial port, or an in-memory pipe in tests;
//! - [`crc`] and [`frame`]: framing, CRC-16 / checksum, resynchronisation on SOM;
//! - [`commands`] and [`replies`]: what a CP sends and what a PD answers;
//! - [`secure_channel`]: keys, the handshake's cryptograms, MAC chaining, encryption;
//! - `link`: one exchange — sequence numbers, retries, Secure Channel wrapping;
//! - [`Bus`]: several readers on one bus, brought online (keyed readers only over the
//!   Secure Channel), polled, reporting [`crate::reader::ReaderEvent`]s to a callback;
//!   [`Bus::install_key`] keys a new reader, time-boxed.
//!
//! `docs/hardware-osdp.md` explains the design, the keying procedure and the tests.

pub mod bus;
pub mod channel;
pub mod commands;
mod connect;
pub mod crc;
pub mod frame;
mod keying;
pub mod link;
mod reads;
pub mod replies;
pub mod secure_channel;
#[cfg(test)]
mod twin;

pub use bus::{Bus, BusConfig, BusError, EventSink, ReaderConfig, ReaderInfo};
pub use channel::{Channel, MemoryChannel, SerialChannel};
pub use commands::{BuzzerCommand, Command, LedColor, LedCommand, OutputCommand};
pub use keying::{InstallError, MAX_INSTALL_WINDOW};
pub use link::Timing;
pub use secure_channel::{Key, KeyError};
