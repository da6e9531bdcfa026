//! Tampered passes: the Rust CLI and the Python verifier refuse each for the same reason.

use crate::support::{DURING, Issuer, python, python_verify, rust_verify};

/// Every variant `gh_pass.py tamper` makes, and the reasons the doc allows for it.
const EXPECTED: &[(&str, &[&str])] = &[
    // Ed25519 fails; everything before it still checks out.
    ("signature_bit", &["bad_signature"]),
    // Still valid UTF-8 and claims, just not what was signed.
    ("payload_subject_bit", &["bad_signature"]),
    ("payload_middle_bit", &["bad_signature"]),
    // The signature is checked before the claims are read: a changed payload is always a
    // bad signature, whatever the change did to the claims' CBOR.
    ("payload_not_a_map", &["bad_signature"]),
    ("payload_duplicated_label", &["bad_signature"]),
    // Another key id: no trusted key has it.
    ("protected_kid_bit", &["unknown_credential"]),
    // alg -8 becomes -7 (ES256): not an Ed25519 pass.
    ("protected_alg_bit", &["malformed"]),
    ("truncated", &["malformed"]),
    ("wrong_prefix", &["malformed"]),
    ("not_base45", &["malformed"]),
    ("untagged", &["malformed"]),
    ("indefinite_array", &["malformed"]),
    ("trailing_byte", &["malformed"]),
];

#[test]
fn both_verifiers_refuse_every_tampered_pass_for_the_same_reason() {
    let Some(python) = python() else { return };
    let issuer = Issuer::rust();
    let text = issuer.visitor();
    // The untouched pass is accepted by both: the refusals below are the tampering's doing.
    rust_verify(&[&issuer], DURING, &text).ok();
    python_verify(python, &[&issuer], DURING, &text).ok();

    let variants = python.gh_pass(["tamper", &text]).ok().json();
    let variants = variants.as_array().expect("a list of variants");
    let names: Vec<&str> = variants
        .iter()
        .map(|v| v["name"].as_str().expect("name"))
        .collect();
    let expected_names: Vec<&str> = EXPECTED.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names, expected_names,
        "gh_pass.py tamper and EXPECTED list different variants"
    );

    // Collect every mismatch before failing: one run shows the whole picture.
    let mut failures = Vec::new();
    for ((name, allowed), variant) in EXPECTED.iter().zip(variants) {
        let tampered = variant["text"].as_str().expect("text");
        let ours = rust_verify(&[&issuer], DURING, tampered);
        let theirs = python_verify(python, &[&issuer], DURING, tampered);
        let (rust, py) = (ours.denial(), theirs.denial());
        let fine = rust == py && rust.is_some_and(|reason| allowed.contains(&reason));
        if !fine {
            failures.push(format!(
                "{name}: expected one of {allowed:?} from both\n  Rust:   exit {} {:?}\n  Python: exit {} {:?}",
                ours.code, ours.stderr, theirs.code, theirs.stderr
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
