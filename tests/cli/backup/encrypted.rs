//! An age-encrypted backup: nothing readable in the file, restored only with its identity.

use super::super::support::{gatehouse, utf8};
use super::support::{age_identity, bootstrap};
use std::path::Path;

#[test]
fn an_encrypted_backup_restores_only_with_its_identity() {
    let tmp = tempfile::tempdir().unwrap();
    let live = tmp.path().join("live");
    bootstrap(&live);
    let (key, wrong_key) = (tmp.path().join("key.txt"), tmp.path().join("other.txt"));
    let recipient = age_identity(&key);
    age_identity(&wrong_key);
    let backup = tmp.path().join("b.tar.age");

    let refused = gatehouse([
        "backup",
        "--data-dir",
        utf8(&live),
        "--out",
        utf8(&backup),
        "--encrypt-to",
        "age1nope",
    ]);
    assert_eq!(refused.code, 2);
    assert_eq!(
        refused.stderr,
        "--encrypt-to \"age1nope\" is not an age X25519 recipient (age1…, from age-keygen)\n"
    );
    assert!(!backup.exists());

    let made = gatehouse([
        "backup",
        "--data-dir",
        utf8(&live),
        "--out",
        utf8(&backup),
        "--encrypt-to",
        &recipient,
    ])
    .ok();
    assert!(
        made.stderr.contains(", encrypted with age\n"),
        "{}",
        made.stderr
    );
    let bytes = std::fs::read(&backup).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1\n"));
    for secret in [&b"PRIVATE KEY"[..], b"SQLite format 3", b"manifest.json"] {
        assert!(!bytes.windows(secret.len()).any(|w| w == secret));
    }

    let target = tmp.path().join("restored");
    let no_identity = gatehouse(["restore", "--data-dir", utf8(&target), utf8(&backup)]);
    assert_eq!(no_identity.code, 2);
    assert_eq!(
        no_identity.stderr,
        format!(
            "{} is encrypted with age: give --identity FILE, the age identity (AGE-SECRET-KEY-1…) it was encrypted to\n",
            utf8(&backup)
        )
    );
    let wrong = gatehouse([
        "restore",
        "--data-dir",
        utf8(&target),
        "--identity",
        utf8(&wrong_key),
        utf8(&backup),
    ]);
    assert_eq!(wrong.code, 1);
    assert_eq!(
        wrong.stderr,
        format!(
            "{} is not encrypted to the identity in {}: no recipient stanza matches it\n",
            utf8(&backup),
            utf8(&wrong_key)
        )
    );
    assert!(!target.exists(), "nothing written");

    gatehouse([
        "restore",
        "--data-dir",
        utf8(&target),
        "--identity",
        utf8(&key),
        utf8(&backup),
    ])
    .ok();
    for file in [
        "keys/current",
        "keys/escrow.key",
        "tls/key.pem",
        "tls/cert.pem",
    ] {
        assert_eq!(
            std::fs::read(target.join(file)).unwrap(),
            std::fs::read(live.join(file)).unwrap(),
            "{file}"
        );
    }
    let keys = |dir: &Path| {
        gatehouse(["keys", "list", "--data-dir", utf8(dir)])
            .ok()
            .stdout
    };
    assert_eq!(keys(&target), keys(&live));
}
