use super::*;
use gatehouse_core::bundle::{Bundle, BundleDelta, BundleVersion};
use gatehouse_core::credential::IssuerKey;
use gatehouse_core::sample;
use gatehouse_core::time::Timestamp;

const ISSUED: Timestamp = Timestamp(1_780_000_000_000);

fn signed(version: u64) -> (Bundle, SignedBundle) {
    let bundle = sample::bundle(ISSUED, version);
    (
        bundle.clone(),
        SignedBundle::sign(bundle, &sample::issuer()),
    )
}

fn version(n: u64) -> BundleVersion {
    BundleVersion {
        epoch: 1,
        version: n,
    }
}

fn store() -> (tempfile::TempDir, BundleStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = BundleStore::new(dir.path(), ControllerId(1));
    (dir, store)
}

#[test]
fn nothing_stored_is_none() {
    let (_dir, store) = store();
    assert!(store.load().unwrap().is_none());
}

#[test]
fn the_first_whole_bundle_is_stored_and_loads_back() {
    let (_dir, store) = store();
    let policy = store
        .accept(None, BundleAnswer::Whole(signed(2).1))
        .unwrap()
        .unwrap();
    assert_eq!(policy.version(), version(2));
    assert_eq!(store.load().unwrap().unwrap().version(), version(2));
}

#[test]
fn unchanged_stores_nothing() {
    let (dir, store) = store();
    assert!(
        store
            .accept(None, BundleAnswer::Unchanged)
            .unwrap()
            .is_none()
    );
    assert!(!dir.path().join(FILE).exists());
}

#[test]
fn a_delta_is_stored_as_the_signed_whole() {
    let (_dir, store) = store();
    let (old, first) = signed(2);
    let held = store
        .accept(None, BundleAnswer::Whole(first))
        .unwrap()
        .unwrap();
    let (new, new_signed) = signed(3);
    let delta = BundleDelta::between(&old, &new, &new_signed);
    let policy = store
        .accept(Some(&held), BundleAnswer::Delta(Box::new(delta)))
        .unwrap()
        .unwrap();
    assert_eq!(policy.version(), version(3));
    let reloaded = store.load().unwrap().unwrap();
    assert_eq!(reloaded.version(), version(3));
    assert_eq!(reloaded.bundle(), &new);
}

#[test]
fn an_older_or_equal_bundle_is_refused_and_the_held_one_stays() {
    let (_dir, store) = store();
    let held = store
        .accept(None, BundleAnswer::Whole(signed(5).1))
        .unwrap()
        .unwrap();
    for older in [4, 5] {
        let err = store
            .accept(Some(&held), BundleAnswer::Whole(signed(older).1))
            .unwrap_err();
        assert!(matches!(err, BundleRefused::Invalid(_)), "{err}");
    }
    assert_eq!(store.load().unwrap().unwrap().version(), version(5));
}

#[test]
fn a_bundle_signed_by_an_unknown_key_is_refused() {
    let (_dir, store) = store();
    let held = store
        .accept(None, BundleAnswer::Whole(signed(2).1))
        .unwrap()
        .unwrap();
    let forged = SignedBundle::sign(
        sample::bundle(ISSUED, 9),
        &IssuerKey::from_seed(&[0x77; 32]),
    );
    let err = store
        .accept(Some(&held), BundleAnswer::Whole(forged))
        .unwrap_err();
    assert!(matches!(err, BundleRefused::Invalid(_)), "{err}");
    assert_eq!(store.load().unwrap().unwrap().version(), version(2));
}

#[test]
fn another_controllers_bundle_is_refused() {
    let (dir, store) = store();
    let mut other = sample::bundle(ISSUED, 2);
    other.header.controller = ControllerId(7);
    let other = SignedBundle::sign(other, &sample::issuer());
    let err = store.accept(None, BundleAnswer::Whole(other)).unwrap_err();
    assert!(
        matches!(
            err,
            BundleRefused::OtherController {
                expected: ControllerId(1),
                found: ControllerId(7)
            }
        ),
        "{err}"
    );
    assert!(!dir.path().join(FILE).exists());
}

#[test]
fn a_delta_with_nothing_held_is_refused() {
    let (_dir, store) = store();
    let (old, _) = signed(2);
    let (new, new_signed) = signed(3);
    let delta = BundleDelta::between(&old, &new, &new_signed);
    let err = store
        .accept(None, BundleAnswer::Delta(Box::new(delta)))
        .unwrap_err();
    assert!(err.to_string().contains("no bundle is held"), "{err}");
}

#[test]
fn a_damaged_file_is_an_error_not_a_bundle() {
    let (dir, store) = store();
    store
        .accept(None, BundleAnswer::Whole(signed(2).1))
        .unwrap();
    let path = dir.path().join(FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    assert!(matches!(store.load(), Err(BundleRefused::Invalid(_))));
}
