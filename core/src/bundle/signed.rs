//! A signed bundle: the encoded body and the server's Ed25519 signature over it.
//!
//! Byte layout: `"GHB1"` (magic and format), 8-byte key id, 64-byte signature, body.
//! The signature covers `"gatehouse-bundle-v1\0"` followed by SHA-256 of the body: the
//! context string keeps a bundle signature from ever being valid as anything else, and
//! hashing first lets a delta be checked against the re-encoded whole.

use super::body::Bundle;
use super::error::BundleError;
use crate::credential::{IssuerKey, KeyId, TrustStore};
use sha2::{Digest, Sha256};

const MAGIC: &[u8; 4] = b"GHB1";
const CONTEXT: &[u8] = b"gatehouse-bundle-v1\0";
const HEADER_LEN: usize = 4 + 8 + 64;

/// An encoded bundle with its signature: what travels and what a controller stores.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedBundle {
    body: Vec<u8>,
    key_id: KeyId,
    signature: [u8; 64],
}

impl std::fmt::Debug for SignedBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedBundle")
            .field("body_len", &self.body.len())
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// The message a bundle signature covers.
pub(super) fn signed_message(body: &[u8]) -> Vec<u8> {
    let mut message = CONTEXT.to_vec();
    message.extend_from_slice(&Sha256::digest(body));
    message
}

impl SignedBundle {
    /// Puts the bundle in canonical order, encodes and signs it.
    pub fn sign(mut bundle: Bundle, key: &IssuerKey) -> Self {
        bundle.normalize();
        let body = bundle.encode();
        let signature = key.sign(&signed_message(&body));
        SignedBundle {
            body,
            key_id: key.id(),
            signature,
        }
    }

    /// Assembles a signed bundle from a body and a signature received separately (a
    /// delta's signature over the re-encoded whole). Not verified yet.
    pub(super) fn from_parts(body: Vec<u8>, key_id: KeyId, signature: [u8; 64]) -> Self {
        SignedBundle {
            body,
            key_id,
            signature,
        }
    }

    /// The stored / transmitted form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + self.body.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.key_id.0);
        out.extend_from_slice(&self.signature);
        out.extend_from_slice(&self.body);
        out
    }

    /// The stored / transmitted form, reusing the body's buffer: storing a large bundle
    /// then holds one copy of it, not two.
    pub fn into_bytes(self) -> Vec<u8> {
        let mut bytes = self.body;
        let header = [MAGIC.as_slice(), &self.key_id.0, &self.signature].concat();
        bytes.splice(0..0, header);
        bytes
    }

    /// Reads the stored form; does not verify.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, BundleError> {
        if bytes.len() < HEADER_LEN || &bytes[..4] != MAGIC {
            return Err(BundleError::Malformed(
                "not a signed bundle of format GHB1".into(),
            ));
        }
        let key_id = KeyId(bytes[4..12].try_into().expect("8 bytes"));
        let signature = bytes[12..76].try_into().expect("64 bytes");
        Ok(SignedBundle {
            body: bytes[HEADER_LEN..].to_vec(),
            key_id,
            signature,
        })
    }

    /// The key that signed it.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The signature.
    pub fn signature(&self) -> [u8; 64] {
        self.signature
    }

    /// The encoded body's length in bytes.
    pub fn body_len(&self) -> usize {
        self.body.len()
    }

    /// Checks the signature against the keys the bundle itself names in `trusted_keys`:
    /// how a newly enrolled controller takes its first bundle, which reached it over the
    /// TLS channel pinned at enrollment (that channel vouches for the server). Every later
    /// bundle must be signed by a key the held one trusts ([`SignedBundle::verify`]).
    pub fn verify_first(&self) -> Result<Bundle, BundleError> {
        // Decoded once, before the signature is checked against the keys it names: a
        // second decode would hold two whole bundles in memory at once.
        let bundle = Bundle::decode(&self.body)?;
        let trust = TrustStore::with(
            bundle
                .trusted_keys
                .iter()
                .filter_map(super::body::SiteKey::public),
        );
        self.check_signature(&trust)?;
        canonical(bundle)
    }

    /// Checks the signature against trusted keys, then decodes the body and checks that it
    /// is canonical.
    pub fn verify(&self, trust: &TrustStore) -> Result<Bundle, BundleError> {
        self.check_signature(trust)?;
        canonical(Bundle::decode(&self.body)?)
    }

    fn check_signature(&self, trust: &TrustStore) -> Result<(), BundleError> {
        let key = trust
            .get(self.key_id)
            .ok_or(BundleError::UnknownKey(self.key_id))?;
        if !key.verify(&signed_message(&self.body), &self.signature) {
            return Err(BundleError::BadSignature(self.key_id));
        }
        Ok(())
    }
}

/// `bundle`, if its collections are in canonical order.
fn canonical(bundle: Bundle) -> Result<Bundle, BundleError> {
    if !bundle.is_canonical() {
        return Err(BundleError::Malformed(
            "collections are not in canonical order".into(),
        ));
    }
    Ok(bundle)
}
