//! COSE_Sign1 (RFC 9052) with EdDSA: the envelope of every QR credential.
//!
//! Only what Gatehouse needs: one signer, the key id in the protected header, no external
//! AAD, tagged messages. Parsing is strict (definite lengths, no duplicate labels, nothing
//! after the message) because a lenient parser is where signature bypasses live.

use super::cbor::{CborError, Reader, check_no_duplicate};
use super::keys::{IssuerKey, KeyId};
use minicbor::Encoder;
use minicbor::data::Tag;

/// CBOR tag of a COSE_Sign1 message.
const COSE_SIGN1_TAG: u64 = 18;
/// COSE header label `alg`.
const LABEL_ALG: i64 = 1;
/// COSE header label `kid`.
const LABEL_KID: i64 = 4;
/// COSE algorithm EdDSA (RFC 9053): what we write and what pycose knows.
pub const ALG_EDDSA: i64 = -8;
/// COSE algorithm Ed25519 (RFC 9864, fully specified): also accepted.
pub const ALG_ED25519: i64 = -19;

/// Why bytes are not a COSE_Sign1 we accept.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CoseError {
    /// The CBOR structure is wrong.
    #[error("COSE_Sign1 structure: {0}")]
    Structure(#[from] CborError),
    /// An algorithm other than EdDSA / Ed25519.
    #[error("unsupported COSE algorithm {0}")]
    Algorithm(i64),
    /// No `alg` in the protected header.
    #[error("protected header has no alg")]
    NoAlgorithm,
    /// No `kid` in the protected header.
    #[error("protected header has no kid")]
    NoKeyId,
    /// The key id is not 8 bytes (ours never are).
    #[error("kid is {0} bytes, not 8")]
    KeyIdLength(usize),
    /// The signature is not 64 bytes.
    #[error("signature is {0} bytes, not 64")]
    SignatureLength(usize),
}

/// A parsed COSE_Sign1, borrowing from the message bytes.
#[derive(Debug)]
pub struct Sign1<'a> {
    /// The protected header, exactly as signed.
    pub protected: &'a [u8],
    /// The key id from the protected header.
    pub kid: KeyId,
    /// The payload, exactly as signed.
    pub payload: &'a [u8],
    /// The Ed25519 signature.
    pub signature: [u8; 64],
}

impl Sign1<'_> {
    /// The bytes the signature covers.
    pub fn to_be_signed(&self) -> Vec<u8> {
        sig_structure(self.protected, self.payload)
    }
}

/// Signs `payload` with `key`: a tagged COSE_Sign1 with alg EdDSA and the key's id.
pub fn sign(key: &IssuerKey, payload: &[u8]) -> Vec<u8> {
    let mut protected = Encoder::new(Vec::with_capacity(16));
    protected
        .map(2)
        .and_then(|e| {
            e.i64(LABEL_ALG)?
                .i64(ALG_EDDSA)?
                .i64(LABEL_KID)?
                .bytes(&key.id().0)
        })
        .expect("writing to a Vec cannot fail");
    let protected = protected.into_writer();
    let signature = key.sign(&sig_structure(&protected, payload));
    let mut out = Encoder::new(Vec::with_capacity(payload.len() + 100));
    out.tag(Tag::new(COSE_SIGN1_TAG))
        .and_then(|e| {
            e.array(4)?
                .bytes(&protected)?
                .map(0)?
                .bytes(payload)?
                .bytes(&signature)
        })
        .expect("writing to a Vec cannot fail");
    out.into_writer()
}

/// Parses a tagged COSE_Sign1; does not verify the signature.
pub fn parse(bytes: &[u8]) -> Result<Sign1<'_>, CoseError> {
    let mut r = Reader::new(bytes);
    if r.tag()? != COSE_SIGN1_TAG {
        return Err(CborError::Shape("not tagged as COSE_Sign1 (18)").into());
    }
    if r.array()? != 4 {
        return Err(CborError::Shape("COSE_Sign1 is an array of 4").into());
    }
    let protected = r.bytes()?;
    // Everything that matters is signed: an unprotected header has no business here.
    if r.map()? != 0 {
        return Err(CborError::Shape("unprotected header is not empty").into());
    }
    let payload = r.bytes()?;
    let signature = r.bytes()?;
    r.finish()?;
    let signature: [u8; 64] = signature
        .try_into()
        .map_err(|_| CoseError::SignatureLength(signature.len()))?;

    let (alg, kid) = parse_protected(protected)?;
    match alg {
        Some(ALG_EDDSA | ALG_ED25519) => {}
        Some(other) => return Err(CoseError::Algorithm(other)),
        None => return Err(CoseError::NoAlgorithm),
    }
    let kid = kid.ok_or(CoseError::NoKeyId)?;
    let kid: [u8; 8] = kid
        .try_into()
        .map_err(|_| CoseError::KeyIdLength(kid.len()))?;
    Ok(Sign1 {
        protected,
        kid: KeyId(kid),
        payload,
        signature,
    })
}

fn parse_protected(bytes: &[u8]) -> Result<(Option<i64>, Option<&[u8]>), CoseError> {
    let mut r = Reader::new(bytes);
    let entries = r.map()?;
    let (mut alg, mut kid) = (None, None);
    // The count is only a claim until the entries are read: alg and kid are all we keep.
    let mut seen = Vec::with_capacity(entries.min(2));
    for _ in 0..entries {
        let label = r.label()?;
        check_no_duplicate(&mut seen, label)?;
        match label {
            Some(LABEL_ALG) => alg = Some(r.int()?),
            Some(LABEL_KID) => kid = Some(r.bytes()?),
            // `crit` or anything else we would have to understand: refuse, never ignore.
            _ => {
                return Err(
                    CborError::Shape("protected header holds more than alg and kid").into(),
                );
            }
        }
    }
    r.finish()?;
    Ok((alg, kid))
}

/// The COSE Sig_structure for Sign1: `["Signature1", protected, h'', payload]`.
fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut e = Encoder::new(Vec::with_capacity(protected.len() + payload.len() + 20));
    e.array(4)
        .and_then(|e| {
            e.str("Signature1")?
                .bytes(protected)?
                .bytes(&[])?
                .bytes(payload)
        })
        .expect("writing to a Vec cannot fail");
    e.into_writer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_then_parse() {
        let key = IssuerKey::from_seed(&[3; 32]);
        let msg = sign(&key, b"\xa0");
        let parsed = parse(&msg).unwrap();
        assert_eq!(parsed.payload, b"\xa0");
        assert_eq!(parsed.kid, key.id());
        assert!(
            key.public()
                .verify(&parsed.to_be_signed(), &parsed.signature)
        );
    }

    #[test]
    fn trailing_bytes_and_missing_tag_are_rejected() {
        let key = IssuerKey::from_seed(&[3; 32]);
        let mut msg = sign(&key, b"\xa0");
        msg.push(0);
        assert!(matches!(
            parse(&msg),
            Err(CoseError::Structure(CborError::Trailing))
        ));
        let untagged = &sign(&key, b"\xa0")[1..];
        assert!(matches!(parse(untagged), Err(CoseError::Structure(_))));
    }

    /// A message with the fully specified Ed25519 algorithm id (-19, RFC 9864), as newer
    /// COSE libraries write it.
    fn sign_with_alg(key: &IssuerKey, alg: i64, payload: &[u8]) -> Vec<u8> {
        let mut p = Encoder::new(Vec::new());
        p.map(2).unwrap().i64(LABEL_ALG).unwrap().i64(alg).unwrap();
        p.i64(LABEL_KID).unwrap().bytes(&key.id().0).unwrap();
        let protected = p.into_writer();
        let signature = key.sign(&sig_structure(&protected, payload));
        let mut e = Encoder::new(Vec::new());
        e.tag(Tag::new(COSE_SIGN1_TAG)).unwrap().array(4).unwrap();
        e.bytes(&protected)
            .unwrap()
            .map(0)
            .unwrap()
            .bytes(payload)
            .unwrap();
        e.bytes(&signature).unwrap();
        e.into_writer()
    }

    #[test]
    fn accepts_ed25519_as_alg_minus_19() {
        let key = IssuerKey::from_seed(&[3; 32]);
        let msg = sign_with_alg(&key, ALG_ED25519, b"\xa0");
        let parsed = parse(&msg).unwrap();
        assert!(
            key.public()
                .verify(&parsed.to_be_signed(), &parsed.signature)
        );
        assert_eq!(
            parse(&sign_with_alg(&key, -7, b"\xa0")).unwrap_err(),
            CoseError::Algorithm(-7)
        );
    }

    #[test]
    fn a_protected_header_claiming_huge_counts_is_an_error() {
        // Found by fuzz/qr_text: the map's entry count sized an allocation before any
        // entry was read, so 2^64 - 1 panicked (capacity overflow) and 2^28 asked for 2 GB.
        for count in [u64::MAX, 1 << 28] {
            let mut p = Encoder::new(Vec::new());
            p.map(count).unwrap();
            let mut e = Encoder::new(Vec::new());
            e.tag(Tag::new(COSE_SIGN1_TAG)).unwrap().array(4).unwrap();
            e.bytes(&p.into_writer())
                .unwrap()
                .map(0)
                .unwrap()
                .bytes(b"")
                .unwrap()
                .bytes(&[0; 64])
                .unwrap();
            assert!(matches!(
                parse(&e.into_writer()),
                Err(CoseError::Structure(CborError::Decode(_)))
            ));
        }
    }

    #[test]
    fn other_algorithms_are_rejected() {
        // Protected header {1: -7 (ES256), 4: h'0102030405060708'}.
        let mut e = Encoder::new(Vec::new());
        e.tag(Tag::new(18)).unwrap().array(4).unwrap();
        let mut p = Encoder::new(Vec::new());
        p.map(2)
            .unwrap()
            .i64(1)
            .unwrap()
            .i64(-7)
            .unwrap()
            .i64(4)
            .unwrap()
            .bytes(&[1; 8])
            .unwrap();
        e.bytes(&p.into_writer())
            .unwrap()
            .map(0)
            .unwrap()
            .bytes(b"")
            .unwrap()
            .bytes(&[0; 64])
            .unwrap();
        assert_eq!(
            parse(&e.into_writer()).unwrap_err(),
            CoseError::Algorithm(-7)
        );
    }
}
