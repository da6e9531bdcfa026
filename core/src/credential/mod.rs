//! QR credentials: visitor passes, staff QR badges and property passes, signed by the
//! server's issuer key and verified offline. Format: `docs/credential-format.md`.

pub mod base45;
mod cbor;
mod claims;
pub mod cose;
mod keys;
mod pass;

pub use cbor::CborError;
pub use claims::{CredentialKind, PassClaims};
pub use keys::{IssuerKey, KeyError, KeyId, PublicKey, TrustStore};
pub use pass::{PREFIX, PassError, VerifiedPass, issue, verify, verify_signature};
