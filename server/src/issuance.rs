//! Signing QR credentials: the claims of a visitor pass, a staff QR badge or a property
//! pass, built from what the store registered, signed with the key the register names.
//!
//! Ed25519 signatures are deterministic, so signing the same registered pass again gives
//! the same text: a lost screen or a jammed label printer is answered by signing again,
//! and nothing secret (the QR text) needs storing. A pass signed with a key that has
//! since been retired from the keyring cannot be shown again; it must be reissued.

use crate::keyring::Keyring;
use crate::store::{IssuedPass, PropertyPassRecord, VisitorPassRecord};
use gatehouse_core::credential::{PassClaims, issue};

/// Why a pass cannot be signed.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    /// The key that signed it is no longer in the keyring.
    #[error("pass {serial} was signed with key {key}, which has been retired; issue a new pass")]
    KeyRetired {
        /// The pass.
        serial: u64,
        /// Its key.
        key: String,
    },
}

fn claims(pass: &IssuedPass) -> PassClaims {
    PassClaims {
        iss: None,
        sub: pass.subject.clone(),
        nbf: pass.not_before.unix_secs(),
        exp: pass.expires.unix_secs(),
        iat: Some(pass.issued_at.unix_secs()),
        kind: pass.kind,
        serial: pass.serial,
        zones: Vec::new(),
        escort: false,
        host: None,
        items: Vec::new(),
    }
}

fn sign(keyring: &Keyring, pass: &IssuedPass, claims: &PassClaims) -> Result<String, IssueError> {
    let key = keyring
        .get(pass.key_id)
        .ok_or_else(|| IssueError::KeyRetired {
            serial: pass.serial.0,
            key: pass.key_id.to_string(),
        })?;
    Ok(issue(key, claims))
}

/// The `GH1:` text of a visitor pass.
pub fn visitor_pass_text(
    keyring: &Keyring,
    pass: &IssuedPass,
    visitor: &VisitorPassRecord,
) -> Result<String, IssueError> {
    let mut c = claims(pass);
    c.zones = visitor.zones.clone();
    c.escort = visitor.escort;
    c.host = Some(visitor.host);
    sign(keyring, pass, &c)
}

/// The `GH1:` text of a staff QR badge: the person's access comes from their groups in
/// the bundle, so the QR names only them and its serial.
pub fn staff_badge_text(keyring: &Keyring, pass: &IssuedPass) -> Result<String, IssueError> {
    sign(keyring, pass, &claims(pass))
}

/// The `GH1:` text of an approved property pass: the carrier and the item ids.
pub fn property_pass_text(
    keyring: &Keyring,
    pass: &IssuedPass,
    property: &PropertyPassRecord,
) -> Result<String, IssueError> {
    let mut c = claims(pass);
    c.items = property.items.iter().map(|i| i.id).collect();
    sign(keyring, pass, &c)
}
