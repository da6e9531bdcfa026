//! The escrow of the controllers' OSDP reader keys (docs/hardware-reader-keys.md).
//!
//! A keyed reader refuses every key but its own, so a controller whose SD card dies must not
//! take its readers' keys with it. The controller encrypts its reader key store to the
//! server's escrow recipient and uploads it; a replacement enrolled under the same id asks
//! for it back. The server keeps only the ciphertext in the database, so a database dump or
//! a replica does not hold reader keys in the clear; the identity that opens it lives in
//! the data directory beside the issuer keys ([`key`]), and what a copy must hold once
//! opened is checked by [`document`] without depending on the hardware crate.

pub mod document;
pub mod key;

pub use document::{DocumentError, ReaderKeyDocument};
pub use key::{EscrowKey, EscrowKeyError, OpenError};
