//! The OSDP Secure Channel (OSDP v2.2 annex D): keys, session key derivation, the
//! CHLNG / CCRYPT / SCRYPT / RMAC_I handshake's cryptograms, MAC chaining and data
//! encryption.

mod aes_block;
mod key;
mod session;

pub(crate) use key::SCBK_D;
pub use key::{Key, KeyError};
pub use session::{Handshake, Session, SessionError};
