//! A well-formed credential text for the scanner tests (only the envelope matters here).

use gatehouse_core::credential::{IssuerKey, PREFIX, base45, cose};

/// A COSE_Sign1 as an issuer signs it.
pub(crate) fn signed_message() -> Vec<u8> {
    cose::sign(&IssuerKey::from_seed(&[7; 32]), b"claims")
}

/// `GH1:` + base45 of [`signed_message`].
pub(crate) fn pass_text() -> String {
    format!("{PREFIX}{}", base45::encode(&signed_message()))
}
