//! The worked example in docs/credential-format.md is what the code produces: Ed25519 is
//! deterministic, so every byte of the example is checked here.

use gatehouse_core::credential::{
    CredentialKind, PREFIX, PassClaims, TrustStore, base45, cose, issue, verify,
};
use gatehouse_core::ids::{PassSerial, PersonId, ZoneId};
use gatehouse_core::sample;
use gatehouse_core::time::Timestamp;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The example's values, as the doc lists them.
fn example() -> Vec<(&'static str, String)> {
    let key = sample::issuer();
    let claims = PassClaims {
        iss: None,
        sub: "v1042".into(),
        nbf: 1_795_593_600, // 2026-11-25T08:00:00Z
        exp: 1_795_629_600, // 2026-11-25T18:00:00Z
        iat: Some(1_795_593_300),
        kind: CredentialKind::Visitor,
        serial: PassSerial(4242),
        zones: vec![ZoneId(5), ZoneId(2)],
        escort: true,
        host: Some(PersonId(101)),
        items: vec![],
    };
    let text = issue(&key, &claims);
    let message = base45::decode(text.strip_prefix(PREFIX).unwrap()).unwrap();
    let parsed = cose::parse(&message).unwrap();
    let trust = TrustStore::with([key.public()]);
    assert!(verify(&text, &trust, Timestamp::from_unix_secs(1_795_600_000)).is_ok());
    vec![
        ("public key", hex(&key.public().to_bytes())),
        ("key id", key.id().to_string()),
        ("protected header", hex(parsed.protected)),
        ("claims", hex(parsed.payload)),
        ("signature", hex(&parsed.signature)),
        ("COSE_Sign1", hex(&message)),
        ("text", text),
    ]
}

#[test]
fn the_documented_example_is_what_the_code_produces() {
    let doc = include_str!("../../docs/credential-format.md");
    let missing: Vec<String> = example()
        .into_iter()
        .filter(|(_, value)| !doc.contains(value.as_str()))
        .map(|(name, value)| format!("{name}:\n{value}"))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/credential-format.md lacks the example's\n{}",
        missing.join("\n")
    );
}
