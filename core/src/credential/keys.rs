//! Issuer keys: Ed25519 signing keys with key ids, and the trust store verifiers use.
//!
//! Only the server holds an [`IssuerKey`]. Controllers, kiosks and guard stations hold a
//! [`TrustStore`] of public keys: several at once, so that keys rotate without stranding
//! passes issued under the previous key.

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, KeypairBytes,
};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// A key id: the first 8 bytes of SHA-256 over the raw 32-byte Ed25519 public key.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct KeyId(pub [u8; 8]);

impl KeyId {
    /// The key id of a public key.
    pub fn of(key: &VerifyingKey) -> Self {
        let digest = Sha256::digest(key.as_bytes());
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest[..8]);
        KeyId(id)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// Why key material could not be read.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Not a PKCS#8 PEM Ed25519 private key.
    #[error("not an Ed25519 private key in PKCS#8 PEM: {0}")]
    PrivatePem(String),
    /// Not a SubjectPublicKeyInfo PEM Ed25519 public key.
    #[error("not an Ed25519 public key in SubjectPublicKeyInfo PEM: {0}")]
    PublicPem(String),
    /// Not 32 bytes of a valid Ed25519 public key.
    #[error("not a valid Ed25519 public key")]
    PublicBytes,
}

/// An Ed25519 signing key and its id. Held by the server only.
pub struct IssuerKey {
    signing: SigningKey,
    id: KeyId,
}

impl fmt::Debug for IssuerKey {
    // Never print key material, not even in a debug log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuerKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl IssuerKey {
    /// A key from 32 secret bytes (the caller brings the randomness).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let signing = SigningKey::from_bytes(seed);
        let id = KeyId::of(&signing.verifying_key());
        IssuerKey { signing, id }
    }

    /// Reads a PKCS#8 PEM private key.
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, KeyError> {
        let signing =
            SigningKey::from_pkcs8_pem(pem).map_err(|e| KeyError::PrivatePem(e.to_string()))?;
        let id = KeyId::of(&signing.verifying_key());
        Ok(IssuerKey { signing, id })
    }

    /// The private key as PKCS#8 PEM (for the key file; handle with care).
    ///
    /// Written as PKCS#8 v1 (RFC 5208, the private key only): OpenSSL and Python's
    /// `cryptography` refuse the v2 form with the public key that ed25519-dalek writes by
    /// default, and an issuer key should open in the standard tools.
    pub fn to_pkcs8_pem(&self) -> String {
        KeypairBytes {
            secret_key: self.signing.to_bytes(),
            public_key: None,
        }
        .to_pkcs8_pem(LineEnding::LF)
        .expect("an Ed25519 key always encodes as PKCS#8")
        .to_string()
    }

    /// The key id.
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// The matching public key.
    pub fn public(&self) -> PublicKey {
        PublicKey {
            key: self.signing.verifying_key(),
            id: self.id,
        }
    }

    /// Signs a message.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }
}

/// An Ed25519 public key and its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicKey {
    key: VerifyingKey,
    id: KeyId,
}

impl PublicKey {
    /// From the raw 32 bytes.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, KeyError> {
        let key = VerifyingKey::from_bytes(bytes).map_err(|_| KeyError::PublicBytes)?;
        Ok(PublicKey {
            key,
            id: KeyId::of(&key),
        })
    }

    /// Reads a SubjectPublicKeyInfo PEM public key.
    pub fn from_spki_pem(pem: &str) -> Result<Self, KeyError> {
        let key = VerifyingKey::from_public_key_pem(pem)
            .map_err(|e| KeyError::PublicPem(e.to_string()))?;
        Ok(PublicKey {
            key,
            id: KeyId::of(&key),
        })
    }

    /// As SubjectPublicKeyInfo PEM.
    pub fn to_spki_pem(&self) -> String {
        self.key
            .to_public_key_pem(Default::default())
            .expect("an Ed25519 key always encodes as SPKI")
    }

    /// The raw 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// The key id.
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// Whether `signature` is this key's Ed25519 signature over `message`. Strict
    /// verification: rejects non-canonical and small-order encodings.
    pub fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        let signature = Signature::from_bytes(signature);
        self.key.verify_strict(message, &signature).is_ok()
    }
}

/// The public keys a verifier trusts, by key id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustStore {
    keys: Vec<PublicKey>,
}

impl TrustStore {
    /// An empty store (trusts nothing).
    pub fn new() -> Self {
        TrustStore::default()
    }

    /// A store trusting these keys.
    pub fn with(keys: impl IntoIterator<Item = PublicKey>) -> Self {
        let mut store = TrustStore::new();
        keys.into_iter().for_each(|k| store.add(k));
        store
    }

    /// Trusts one more key (a no-op if it is already trusted).
    pub fn add(&mut self, key: PublicKey) {
        if self.get(key.id()).is_none() {
            self.keys.push(key);
        }
    }

    /// The trusted key with this id. A handful of keys at most: a scan beats a map.
    pub fn get(&self, id: KeyId) -> Option<&PublicKey> {
        self.keys.iter().find(|k| k.id == id)
    }

    /// Every trusted key.
    pub fn keys(&self) -> &[PublicKey] {
        &self.keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trip_keeps_the_key_id() {
        let key = IssuerKey::from_seed(&[7; 32]);
        let pem = key.to_pkcs8_pem();
        // PKCS#8 v1: 48 bytes of DER, which base64 writes as 64 characters.
        assert_eq!(pem.lines().nth(1).unwrap().len(), 64, "{pem}");
        let again = IssuerKey::from_pkcs8_pem(&pem).unwrap();
        assert_eq!(again.id(), key.id());
        let public = PublicKey::from_spki_pem(&key.public().to_spki_pem()).unwrap();
        assert_eq!(public, key.public());
        assert_eq!(key.id().to_string().len(), 16);
    }

    #[test]
    fn signatures_verify_only_under_their_key_and_message() {
        let key = IssuerKey::from_seed(&[1; 32]);
        let other = IssuerKey::from_seed(&[2; 32]);
        let sig = key.sign(b"open door 4");
        assert!(key.public().verify(b"open door 4", &sig));
        assert!(!key.public().verify(b"open door 5", &sig));
        assert!(!other.public().verify(b"open door 4", &sig));
    }

    #[test]
    fn bad_pem_is_an_error_not_a_panic() {
        assert!(matches!(
            IssuerKey::from_pkcs8_pem("nonsense"),
            Err(KeyError::PrivatePem(_))
        ));
        assert!(matches!(
            PublicKey::from_spki_pem(
                "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
            ),
            Err(KeyError::PublicPem(_))
        ));
    }
}
