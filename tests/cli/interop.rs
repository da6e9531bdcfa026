//! Passes cross between the Rust CLI and the independent Python implementation.

use serde_json::{Value, json};

use crate::support::{
    DURING, EXPIRES, Issuer, NOT_BEFORE, Python, python, python_verify, rust_verify,
};

/// Panics unless `actual` has every field of `expected`, with the same value.
fn assert_claims(who: &str, actual: &Value, expected: &Value) {
    for (key, want) in expected.as_object().expect("an object") {
        assert_eq!(
            actual.get(key),
            Some(want),
            "{who}: claim {key:?} in {actual}"
        );
    }
}

/// Panics unless the fields both verifiers print are equal.
fn assert_agree(rust: &Value, python: &Value) {
    let rust = rust.as_object().expect("Rust prints an object");
    for (key, value) in python.as_object().expect("Python prints an object") {
        if let Some(theirs) = rust.get(key) {
            assert_eq!(theirs, value, "Rust and Python disagree on {key:?}");
        }
    }
}

#[test]
fn rust_issued_passes_verify_in_python() {
    let Some(python) = python() else { return };
    let issuer = Issuer::rust();
    let cases = [
        ("visitor", "V0001234", Some("1,2,3"), true, json!([1, 2, 3])),
        ("staff", "P0000042", None, false, json!([])),
        ("property", "P0000042", None, false, json!([])),
    ];
    for (kind, subject, zones, escort, zone_list) in cases {
        let text = issuer.issue(kind, subject, zones, escort);
        let expected = json!({
            "sub": subject,
            "kind": kind,
            "zones": zone_list,
            "escort": escort,
            "nbf": NOT_BEFORE.unix,
            "exp": EXPIRES.unix,
        });

        let theirs = python_verify(python, &[&issuer], DURING, &text).ok().json();
        assert_claims("Python", &theirs, &expected);
        let ours = rust_verify(&[&issuer], DURING, &text).ok().json();
        assert_claims("Rust", &ours, &expected);
        assert!(ours["serial"].is_u64(), "serial {}", ours["serial"]);
        assert_agree(&ours, &theirs);
    }
}

/// `gh_pass.py issue` of a pass valid from `NOT_BEFORE` to `EXPIRES`.
fn python_issue(python: &Python, issuer: &Issuer, claims: &str) -> String {
    let (key, nbf, exp) = (
        issuer.key(),
        NOT_BEFORE.unix.to_string(),
        EXPIRES.unix.to_string(),
    );
    let mut args = vec![
        "issue",
        "--key",
        &key,
        "--not-before",
        &nbf,
        "--expires",
        &exp,
    ];
    args.extend(claims.split_whitespace());
    python.gh_pass(args).ok().line().to_owned()
}

#[test]
fn python_issued_passes_verify_in_rust() {
    let Some(python) = python() else { return };
    let issuer = Issuer::python(python);
    let cases = [
        (
            "--kind visitor --subject V0001234 --serial 4294967295 --zones 1,2,3 --escort \
             --host 77 --iat 1893450000",
            json!({"sub": "V0001234", "kind": "visitor", "serial": 4_294_967_295_u64,
                   "zones": [1, 2, 3], "escort": true}),
        ),
        (
            "--kind property --subject C0000007 --serial 9 --items 5,6",
            json!({"sub": "C0000007", "kind": "property", "serial": 9, "zones": [],
                   "escort": false}),
        ),
    ];
    for (claims, mut expected) in cases {
        expected["nbf"] = json!(NOT_BEFORE.unix);
        expected["exp"] = json!(EXPIRES.unix);
        let text = python_issue(python, &issuer, claims);

        let ours = rust_verify(&[&issuer], DURING, &text).ok().json();
        assert_claims("Rust", &ours, &expected);
        let theirs = python_verify(python, &[&issuer], DURING, &text).ok().json();
        assert_claims("Python", &theirs, &expected);
        assert_agree(&ours, &theirs);
    }
}

#[test]
fn python_signs_with_a_rust_generated_key() {
    // The private key file is standard PKCS#8 and matches the public key file.
    let Some(python) = python() else { return };
    let issuer = Issuer::rust();
    let text = python_issue(
        python,
        &issuer,
        "--kind staff --subject P0000042 --serial 1",
    );

    let claims = rust_verify(&[&issuer], DURING, &text).ok().json();
    let expected = json!({"sub": "P0000042", "kind": "staff", "serial": 1});
    assert_claims("Rust", &claims, &expected);
}
