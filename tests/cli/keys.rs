//! `gatehouse keys generate`.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::support::{Issuer, python};

#[test]
fn generate_writes_a_private_key_only_its_owner_reads_and_prints_the_key_id() {
    let issuer = Issuer::rust();

    assert_eq!(issuer.kid.len(), 16, "key id {:?}", issuer.kid);
    assert!(
        issuer
            .kid
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "key id is not lowercase hex: {:?}",
        issuer.kid
    );
    let key = fs::read_to_string(issuer.key()).expect("issuer.key");
    assert!(
        key.starts_with("-----BEGIN PRIVATE KEY-----\n"),
        "not PKCS#8 PEM:\n{key}"
    );
    let mode = fs::metadata(issuer.key())
        .expect("issuer.key")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "issuer.key mode {mode:o}");
    let public = fs::read_to_string(issuer.public()).expect("issuer.pub");
    assert!(
        public.starts_with("-----BEGIN PUBLIC KEY-----\n"),
        "not SPKI PEM:\n{public}"
    );

    let Some(python) = python() else { return };
    // The doc's key id: SHA-256 over the raw public key, first 8 bytes, computed in Python.
    let kid = python.gh_pass(["kid", "--pub", &issuer.public()]).ok();
    assert_eq!(kid.line(), issuer.kid);
}

#[test]
fn two_generated_keys_differ() {
    assert_ne!(Issuer::rust().kid, Issuer::rust().kid);
}
