use super::{sample_bundle, trust};
use gatehouse_core::bundle::{BundleError, BundleVersion, Policy, SignedBundle};
use gatehouse_core::credential::{IssuerKey, TrustStore};
use gatehouse_core::ids::ZoneId;
use gatehouse_core::sample;
use proptest::prelude::*;

#[test]
fn sign_store_load_round_trip() {
    let signed = SignedBundle::sign(sample_bundle(3), &sample::issuer());
    let stored = signed.to_bytes();
    let again = SignedBundle::from_bytes(&stored).unwrap();
    assert_eq!(again, signed);
    // Storing without a copy gives the same bytes.
    assert_eq!(signed.clone().into_bytes(), stored);
    let policy = Policy::load(&again, &trust(), None).unwrap();
    assert_eq!(
        policy.version(),
        BundleVersion {
            epoch: 1,
            version: 3
        }
    );
    assert_eq!(policy.bundle(), &sample_bundle(3));
}

#[test]
fn a_first_bundle_verifies_against_the_keys_it_names_and_no_other() {
    let signed = SignedBundle::sign(sample_bundle(3), &sample::issuer());
    let policy = Policy::load_first(&signed).unwrap();
    assert_eq!(policy.bundle(), &sample_bundle(3));
    assert!(policy.trust().get(sample::issuer().id()).is_some());
    // Signed by a key it does not name: refused, whatever it says.
    let stranger = IssuerKey::from_seed(&[0x77; 32]);
    let foreign = SignedBundle::sign(sample_bundle(3), &stranger);
    assert_eq!(
        Policy::load_first(&foreign).unwrap_err(),
        BundleError::UnknownKey(stranger.id())
    );
    // A body changed after signing: the signature no longer covers it.
    let mut bytes = signed.to_bytes();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    let tampered = SignedBundle::from_bytes(&bytes).unwrap();
    assert!(Policy::load_first(&tampered).is_err());
}

#[test]
fn an_older_or_equal_version_is_a_rollback() {
    let signed = SignedBundle::sign(sample_bundle(3), &sample::issuer());
    let held = |epoch, version| Some(BundleVersion { epoch, version });
    assert_eq!(
        Policy::load(&signed, &trust(), held(1, 3)).unwrap_err(),
        BundleError::Rollback {
            held: BundleVersion {
                epoch: 1,
                version: 3
            },
            offered: BundleVersion {
                epoch: 1,
                version: 3
            },
        }
    );
    assert!(matches!(
        Policy::load(&signed, &trust(), held(1, 4)),
        Err(BundleError::Rollback { .. })
    ));
    assert!(matches!(
        Policy::load(&signed, &trust(), held(2, 1)),
        Err(BundleError::Rollback { .. })
    ));
    assert!(Policy::load(&signed, &trust(), held(1, 2)).is_ok());
    // A restored server starts a new epoch: its version 1 is newer than anything before.
    let mut restored = sample_bundle(1);
    restored.header.version = BundleVersion {
        epoch: 2,
        version: 1,
    };
    let restored = SignedBundle::sign(restored, &sample::issuer());
    assert!(Policy::load(&restored, &trust(), held(1, 900)).is_ok());
}

#[test]
fn untrusted_key_is_refused() {
    let other = IssuerKey::from_seed(&[77; 32]);
    let signed = SignedBundle::sign(sample_bundle(1), &other);
    assert_eq!(
        Policy::load(&signed, &trust(), None).unwrap_err(),
        BundleError::UnknownKey(other.id())
    );
    assert!(matches!(
        Policy::load(&signed, &TrustStore::new(), None),
        Err(BundleError::UnknownKey(_))
    ));
}

#[test]
fn an_inconsistent_bundle_is_refused_even_when_signed() {
    let mut bundle = sample_bundle(1);
    bundle.doors[0].zone = ZoneId(999);
    let signed = SignedBundle::sign(bundle, &sample::issuer());
    let err = Policy::load(&signed, &trust(), None).unwrap_err();
    assert!(
        matches!(&err, BundleError::Inconsistent(m) if m.contains("zone 999")),
        "{err}"
    );

    let mut cyclic = sample_bundle(1);
    cyclic.zones[0].parent = Some(ZoneId(2)); // HQ inside the office, which is inside HQ
    let signed = SignedBundle::sign(cyclic, &sample::issuer());
    assert!(matches!(
        Policy::load(&signed, &trust(), None),
        Err(BundleError::Inconsistent(_))
    ));

    let mut bad_zone = sample_bundle(1);
    bad_zone.header.time_zone = "Mars/Olympus_Mons".into();
    let signed = SignedBundle::sign(bad_zone, &sample::issuer());
    assert!(matches!(
        Policy::load(&signed, &trust(), None),
        Err(BundleError::Inconsistent(_))
    ));
}

#[test]
fn garbage_is_malformed_not_a_panic() {
    for bytes in [
        &b""[..],
        b"GHB1",
        b"GHB2aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ] {
        assert!(matches!(
            SignedBundle::from_bytes(bytes),
            Err(BundleError::Malformed(_))
        ));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any single bit flipped anywhere in a stored bundle makes it fail to load.
    #[test]
    fn any_bit_flip_fails_verification(bit in any::<prop::sample::Index>()) {
        let mut bytes = SignedBundle::sign(sample_bundle(1), &sample::issuer()).to_bytes();
        let bit = bit.index(bytes.len() * 8);
        bytes[bit / 8] ^= 0x80 >> (bit % 8);
        let loaded = SignedBundle::from_bytes(&bytes).and_then(|s| Policy::load(&s, &trust(), None));
        prop_assert!(loaded.is_err(), "bit {} flipped and the bundle still loaded", bit);
    }
}
