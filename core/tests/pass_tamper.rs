//! Every single-bit change to a signed pass fails verification: exhaustively, bit by bit.

use gatehouse_core::credential::{
    CredentialKind, IssuerKey, PREFIX, PassClaims, TrustStore, base45, verify_signature,
};
use gatehouse_core::ids::{PassSerial, PersonId, ZoneId};
use gatehouse_core::reason::Reason;

#[test]
fn every_bit_flip_fails_verification() {
    let key = IssuerKey::from_seed(&[21; 32]);
    let trust = TrustStore::with([key.public()]);
    let claims = PassClaims {
        iss: Some("1".into()),
        sub: "v77".into(),
        nbf: 1_790_000_000,
        exp: 1_790_086_400,
        iat: Some(1_790_000_000),
        kind: CredentialKind::Visitor,
        serial: PassSerial(77),
        zones: vec![ZoneId(5)],
        escort: true,
        host: Some(PersonId(101)),
        items: vec![],
    };
    let text = gatehouse_core::credential::issue(&key, &claims);
    assert_eq!(verify_signature(&text, &trust).unwrap().claims, claims);
    let bytes = base45::decode(text.strip_prefix(PREFIX).unwrap()).unwrap();
    let mut reasons = std::collections::BTreeSet::new();
    for bit in 0..bytes.len() * 8 {
        let mut tampered = bytes.clone();
        tampered[bit / 8] ^= 0x80 >> (bit % 8);
        let text = format!("{PREFIX}{}", base45::encode(&tampered));
        let err = verify_signature(&text, &trust)
            .expect_err(&format!("bit {bit} flipped still verifies"));
        reasons.insert(err.reason());
    }
    // Structure, key id and signature each catch some flips; none gets through.
    assert!(reasons.contains(&Reason::Malformed));
    assert!(reasons.contains(&Reason::UnknownCredential));
    assert!(reasons.contains(&Reason::BadSignature));
}

mod arbitrary_input {
    use gatehouse_core::credential::{IssuerKey, PREFIX, TrustStore, base45, verify_signature};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Any bytes at all, presented as a pass, are refused with a reason, never a panic.
        #[test]
        fn arbitrary_bytes_are_refused_not_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let trust = TrustStore::with([IssuerKey::from_seed(&[21; 32]).public()]);
            let text = format!("{PREFIX}{}", base45::encode(&bytes));
            prop_assert!(verify_signature(&text, &trust).is_err());
        }

        /// Any text, too.
        #[test]
        fn arbitrary_text_is_refused_not_a_panic(text in "\\PC{0,300}") {
            let trust = TrustStore::with([IssuerKey::from_seed(&[21; 32]).public()]);
            prop_assert!(verify_signature(&text, &trust).is_err());
            let prefixed = format!("{PREFIX}{text}");
            prop_assert!(verify_signature(&prefixed, &trust).is_err());
        }
    }
}
