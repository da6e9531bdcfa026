//! The OSDP Secure Channel (OSDP v2.2 annex D): keys, session key derivation, the
//! CHLNG / CCRYPT / SCRYPT / RMAC_I handshake's cryptograms, MAC chaining and data
//! encryption.

mod aes_block;
mod key;
mod session;

pub use key::{Key, KeyError, SCBK_D};
pub use session::{Handshake, Session, SessionError};
