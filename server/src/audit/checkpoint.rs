//! Signed checkpoints: the server's signature over a chain head at a moment.
//!
//! A chain alone cannot show that rows were deleted from its end, nor that every row from
//! some point on was rewritten consistently. A checkpoint can: it says "stream S had
//! reached row N with hash H", signed with the issuer key that never leaves the server.
//! Exported off the database, checkpoints outlive whoever tampers with it.

use super::chain::Head;
use gatehouse_core::credential::{IssuerKey, KeyId, TrustStore};

/// Context string of the checkpoint signature; distinct from the chain's
/// (`gatehouse-audit-v1\0`) and from every other signature the issuer key makes.
const CONTEXT: &[u8] = b"gatehouse-checkpoint-v1\0";

/// A signed chain head. Plain data so the store can load it from its columns; call
/// [`Checkpoint::verify`] before trusting one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The stream whose head this is.
    pub stream: String,
    /// The head's seq.
    pub seq: u64,
    /// The head's hash.
    pub head: [u8; 32],
    /// When the server signed it, in Unix milliseconds.
    pub signed_at: i64,
    /// The issuer key that signed it.
    pub key_id: KeyId,
    /// Ed25519 signature over [`Checkpoint::signed_message`].
    pub signature: [u8; 64],
}

/// Why a checkpoint's signature cannot be trusted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// Signed by a key the verifier does not trust (not ours, or removed).
    #[error(
        "checkpoint of stream {stream} at row {seq} is signed by key {key_id}, which is not trusted"
    )]
    UnknownKey {
        /// The checkpoint's stream.
        stream: String,
        /// The checkpoint's row.
        seq: u64,
        /// The key it names.
        key_id: KeyId,
    },
    /// The signature does not cover these contents: altered or forged.
    #[error(
        "checkpoint of stream {stream} at row {seq} has a bad signature (it was altered or forged)"
    )]
    BadSignature {
        /// The checkpoint's stream.
        stream: String,
        /// The checkpoint's row.
        seq: u64,
    },
}

/// The bytes a checkpoint signature covers (construction in the module docs). The key id
/// is inside so a signature cannot be re-labelled as another key's.
fn signed_message(
    stream: &str,
    seq: u64,
    head: &[u8; 32],
    signed_at: i64,
    key_id: KeyId,
) -> Vec<u8> {
    let mut message = Vec::with_capacity(CONTEXT.len() + 8 + stream.len() + 8 + 32 + 8 + 8);
    message.extend_from_slice(CONTEXT);
    message.extend_from_slice(&(stream.len() as u64).to_be_bytes());
    message.extend_from_slice(stream.as_bytes());
    message.extend_from_slice(&seq.to_be_bytes());
    message.extend_from_slice(head);
    message.extend_from_slice(&signed_at.to_be_bytes());
    message.extend_from_slice(&key_id.0);
    message
}

impl Checkpoint {
    /// Signs `head` of `stream` at `signed_at` (Unix ms; the caller owns the clock).
    pub fn sign(stream: &str, head: Head, signed_at: i64, key: &IssuerKey) -> Self {
        let key_id = key.id();
        let signature = key.sign(&signed_message(
            stream, head.seq, &head.hash, signed_at, key_id,
        ));
        Checkpoint {
            stream: stream.to_owned(),
            seq: head.seq,
            head: head.hash,
            signed_at,
            key_id,
            signature,
        }
    }

    /// The bytes the signature covers.
    pub fn signed_message(&self) -> Vec<u8> {
        signed_message(
            &self.stream,
            self.seq,
            &self.head,
            self.signed_at,
            self.key_id,
        )
    }

    /// Checks the signature against the trusted keys. Says nothing about the chain: pass
    /// the checkpoint to a [`super::Verifier`] for that.
    pub fn verify(&self, trust: &TrustStore) -> Result<(), CheckpointError> {
        let key = trust
            .get(self.key_id)
            .ok_or_else(|| CheckpointError::UnknownKey {
                stream: self.stream.clone(),
                seq: self.seq,
                key_id: self.key_id,
            })?;
        if key.verify(&self.signed_message(), &self.signature) {
            Ok(())
        } else {
            Err(CheckpointError::BadSignature {
                stream: self.stream.clone(),
                seq: self.seq,
            })
        }
    }

    /// The chain head this checkpoint vouches for.
    pub fn head(&self) -> Head {
        Head {
            seq: self.seq,
            hash: self.head,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> IssuerKey {
        IssuerKey::from_seed(&[3; 32])
    }

    fn sample() -> Checkpoint {
        let head = Head {
            seq: 17,
            hash: [0x5a; 32],
        };
        Checkpoint::sign("admin", head, 1_700_000_000_000, &key())
    }

    #[test]
    fn a_signed_checkpoint_verifies_under_its_key() {
        let checkpoint = sample();
        assert_eq!(checkpoint.key_id, key().id());
        assert_eq!(checkpoint.head().seq, 17);
        assert_eq!(
            checkpoint.verify(&TrustStore::with([key().public()])),
            Ok(())
        );
    }

    #[test]
    fn an_untrusted_key_is_refused() {
        let other = IssuerKey::from_seed(&[4; 32]);
        assert_eq!(
            sample().verify(&TrustStore::with([other.public()])),
            Err(CheckpointError::UnknownKey {
                stream: "admin".into(),
                seq: 17,
                key_id: key().id(),
            })
        );
    }

    #[test]
    fn every_altered_field_breaks_the_signature() {
        let trust = TrustStore::with([key().public()]);
        let alterations: [fn(&mut Checkpoint); 5] = [
            |c| c.stream.push('x'),
            |c| c.seq += 1,
            |c| c.head[31] ^= 1,
            |c| c.signed_at += 1,
            |c| c.signature[0] ^= 1,
        ];
        for alter in alterations {
            let mut checkpoint = sample();
            alter(&mut checkpoint);
            assert!(
                matches!(
                    checkpoint.verify(&trust),
                    Err(CheckpointError::BadSignature { .. })
                ),
                "{checkpoint:?}"
            );
        }
    }

    #[test]
    fn a_signature_under_another_trusted_key_id_is_refused() {
        // Both keys trusted: re-labelling the key id must not make the signature valid.
        let other = IssuerKey::from_seed(&[4; 32]);
        let trust = TrustStore::with([key().public(), other.public()]);
        let mut checkpoint = sample();
        checkpoint.key_id = other.id();
        assert!(matches!(
            checkpoint.verify(&trust),
            Err(CheckpointError::BadSignature { .. })
        ));
    }

    #[test]
    fn the_message_is_domain_separated() {
        let message = sample().signed_message();
        assert!(message.starts_with(b"gatehouse-checkpoint-v1\0"));
        assert_eq!(message.len(), 24 + 8 + 5 + 8 + 32 + 8 + 8);
        assert_eq!(
            sample().signature,
            key().sign(&message),
            "the signature covers exactly the documented message"
        );
    }
}
