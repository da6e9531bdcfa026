//! The text form of a QR credential, `GH1:` + base45(COSE_Sign1), and its verification.

use super::claims::PassClaims;
use super::keys::{IssuerKey, KeyId, TrustStore};
use super::{base45, cose};
use crate::reason::Reason;
use crate::time::Timestamp;

/// The prefix, which is also the format version.
pub const PREFIX: &str = "GH1:";

/// Why a QR text is not a valid credential.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PassError {
    /// Not a Gatehouse credential: wrong prefix, bad base45, bad CBOR or missing claims.
    #[error("malformed: {0}")]
    Malformed(String),
    /// Signed by a key the verifier does not trust.
    #[error("unknown_credential: no trusted key {0}")]
    UnknownKey(KeyId),
    /// The signature does not verify under the named key.
    #[error("bad_signature: the signature does not verify under key {0}")]
    BadSignature(KeyId),
    /// Before `nbf`.
    #[error("not_yet_valid: valid from {0}")]
    NotYetValid(Timestamp),
    /// At or after `exp`.
    #[error("expired: expired at {0}")]
    Expired(Timestamp),
}

impl PassError {
    /// The reason code a door or the CLI reports.
    pub const fn reason(&self) -> Reason {
        match self {
            PassError::Malformed(_) => Reason::Malformed,
            PassError::UnknownKey(_) => Reason::UnknownCredential,
            PassError::BadSignature(_) => Reason::BadSignature,
            PassError::NotYetValid(_) => Reason::NotYetValid,
            PassError::Expired(_) => Reason::Expired,
        }
    }
}

/// A credential whose signature verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedPass {
    /// Its claims.
    pub claims: PassClaims,
    /// The key that signed it.
    pub key_id: KeyId,
}

impl VerifiedPass {
    /// Not valid before this time.
    pub fn not_before(&self) -> Timestamp {
        Timestamp::from_unix_secs(self.claims.nbf)
    }

    /// Not valid at or after this time.
    pub fn expires(&self) -> Timestamp {
        Timestamp::from_unix_secs(self.claims.exp)
    }

    /// Whether the validity window contains `now`.
    pub fn check_validity(&self, now: Timestamp) -> Result<(), PassError> {
        if now < self.not_before() {
            Err(PassError::NotYetValid(self.not_before()))
        } else if now >= self.expires() {
            Err(PassError::Expired(self.expires()))
        } else {
            Ok(())
        }
    }
}

/// Signs claims into the `GH1:` text a QR code carries.
pub fn issue(key: &IssuerKey, claims: &PassClaims) -> String {
    let message = cose::sign(key, &claims.to_cbor());
    let mut text = String::from(PREFIX);
    text.push_str(&base45::encode(&message));
    text
}

/// Verifies the signature of a `GH1:` text against the trust store and reads its claims;
/// does not look at the time (see [`VerifiedPass::check_validity`]).
pub fn verify_signature(text: &str, trust: &TrustStore) -> Result<VerifiedPass, PassError> {
    let malformed = |e: &dyn std::fmt::Display| PassError::Malformed(e.to_string());
    let body = text
        .strip_prefix(PREFIX)
        .ok_or_else(|| PassError::Malformed(format!("does not start with {PREFIX}")))?;
    let bytes = base45::decode(body).map_err(|e| malformed(&e))?;
    let message = cose::parse(&bytes).map_err(|e| malformed(&e))?;
    let key_id = message.kid;
    let key = trust.get(key_id).ok_or(PassError::UnknownKey(key_id))?;
    if !key.verify(&message.to_be_signed(), &message.signature) {
        return Err(PassError::BadSignature(key_id));
    }
    let claims = PassClaims::from_cbor(message.payload).map_err(|e| malformed(&e))?;
    Ok(VerifiedPass { claims, key_id })
}

/// Verifies signature and validity window at `now`.
pub fn verify(text: &str, trust: &TrustStore, now: Timestamp) -> Result<VerifiedPass, PassError> {
    let pass = verify_signature(text, trust)?;
    pass.check_validity(now)?;
    Ok(pass)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::CredentialKind;
    use crate::ids::{PassSerial, PersonId, ZoneId};

    fn claims() -> PassClaims {
        PassClaims {
            iss: Some("1".into()),
            sub: "v1234".into(),
            nbf: 1_790_000_000,
            exp: 1_790_036_000,
            iat: Some(1_790_000_000),
            kind: CredentialKind::Visitor,
            serial: PassSerial(42),
            zones: vec![ZoneId(2), ZoneId(5)],
            escort: true,
            host: Some(PersonId(101)),
            items: vec![],
        }
    }

    #[test]
    fn issue_then_verify() {
        let key = IssuerKey::from_seed(&[4; 32]);
        let text = issue(&key, &claims());
        assert!(text.starts_with(PREFIX));
        let trust = TrustStore::with([key.public()]);
        let pass = verify(&text, &trust, Timestamp::from_unix_secs(1_790_000_100)).unwrap();
        assert_eq!(pass.claims, claims());
        assert_eq!(pass.key_id, key.id());
    }

    #[test]
    fn old_passes_verify_during_a_key_rotation() {
        let old = IssuerKey::from_seed(&[4; 32]);
        let new = IssuerKey::from_seed(&[5; 32]);
        let before = issue(&old, &claims());
        let after = issue(&new, &claims());
        let during = TrustStore::with([old.public(), new.public()]);
        let at = Timestamp::from_unix_secs(1_790_000_100);
        assert_eq!(verify(&before, &during, at).unwrap().key_id, old.id());
        assert_eq!(verify(&after, &during, at).unwrap().key_id, new.id());
        let retired = TrustStore::with([new.public()]);
        assert_eq!(
            verify(&before, &retired, at).unwrap_err(),
            PassError::UnknownKey(old.id())
        );
    }

    #[test]
    fn reasons_in_order() {
        let key = IssuerKey::from_seed(&[4; 32]);
        let trust = TrustStore::with([key.public()]);
        let text = issue(&key, &claims());
        let at = Timestamp::from_unix_secs;
        assert_eq!(
            verify("GH2:ABC", &trust, at(0)).unwrap_err().reason(),
            Reason::Malformed
        );
        assert_eq!(
            verify(&text[..text.len() - 3], &trust, at(0))
                .unwrap_err()
                .reason(),
            Reason::Malformed
        );
        assert_eq!(
            verify(&text, &TrustStore::new(), at(0))
                .unwrap_err()
                .reason(),
            Reason::UnknownCredential
        );
        assert_eq!(
            verify(&text, &trust, at(1_789_999_999))
                .unwrap_err()
                .reason(),
            Reason::NotYetValid
        );
        assert_eq!(
            verify(&text, &trust, at(1_790_036_000))
                .unwrap_err()
                .reason(),
            Reason::Expired
        );
    }
}
