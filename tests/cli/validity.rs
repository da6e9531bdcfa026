//! When a pass is valid, whose key it needs, and what is a command-line error instead.

use crate::support::{
    DURING, EXPIRES, Issuer, LAST_SECOND, NOT_BEFORE, SECOND_BEFORE, gatehouse, python,
    python_verify, rust_verify,
};

#[test]
fn valid_from_not_before_until_just_before_expiry() {
    let issuer = Issuer::rust();
    let text = issuer.visitor();
    let python = python();
    let cases = [
        (SECOND_BEFORE, Some("not_yet_valid")),
        (NOT_BEFORE, None),
        (LAST_SECOND, None),
        (EXPIRES, Some("expired")),
    ];
    for (at, denied) in cases {
        let ours = rust_verify(&[&issuer], at, &text);
        match denied {
            Some(reason) => ours.assert_denied(reason),
            None => assert_eq!(ours.ok().json()["sub"], "V0001234", "at {}", at.rfc3339),
        }
        if let Some(python) = python {
            let theirs = python_verify(python, &[&issuer], at, &text);
            match denied {
                Some(reason) => theirs.assert_denied(reason),
                None => _ = theirs.ok(),
            }
        }
    }
}

#[test]
fn a_pass_from_an_untrusted_key_is_an_unknown_credential() {
    let (issuer, other) = (Issuer::rust(), Issuer::rust());
    let text = issuer.visitor();

    rust_verify(&[&other], DURING, &text).assert_denied("unknown_credential");
    if let Some(python) = python() {
        python_verify(python, &[&other], DURING, &text).assert_denied("unknown_credential");
    }
}

#[test]
fn several_trusted_keys_each_verify_their_own_passes() {
    // Key rotation: passes signed by the old key stay valid while the new one is trusted.
    let (old, new) = (Issuer::rust(), Issuer::rust());
    for issuer in [&old, &new] {
        let claims = rust_verify(&[&old, &new], DURING, &issuer.visitor())
            .ok()
            .json();
        assert_eq!(claims["kind"], "visitor");
    }
}

#[test]
fn without_at_the_pass_is_checked_against_the_clock() {
    let issuer = Issuer::rust();
    let (key, public) = (issuer.key(), issuer.public());
    let mut issue = vec!["credential", "issue", "--key", &key];
    issue.extend(
        "--kind staff --subject P0000042 --not-before 2000-01-01T00:00:00Z \
         --expires 2100-01-01T00:00:00Z"
            .split_whitespace(),
    );
    let text = gatehouse(issue).ok().line().to_owned();

    let claims = gatehouse(["credential", "verify", "--trust", &public, &text])
        .ok()
        .json();
    let validity = (claims["nbf"].as_i64(), claims["exp"].as_i64());
    assert_eq!(validity, (Some(946_684_800), Some(4_102_444_800)));
}

#[test]
fn a_wrong_command_line_exits_2_not_denied() {
    let issuer = Issuer::rust();
    let text = issuer.visitor();
    let missing = issuer.key() + ".missing";
    let issue = format!(
        "--kind visitor --subject V1 --not-before {} --expires {}",
        NOT_BEFORE.rfc3339, EXPIRES.rfc3339
    );
    let cases: [Vec<&str>; 3] = [
        // No --trust.
        vec!["credential", "verify", "--at", DURING.rfc3339, &text],
        // Key files that do not exist.
        vec![
            "credential",
            "verify",
            "--trust",
            &missing,
            "--at",
            DURING.rfc3339,
            &text,
        ],
        ["credential", "issue", "--key", &missing]
            .into_iter()
            .chain(issue.split(' '))
            .collect(),
    ];
    for args in cases {
        let run = gatehouse(&args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(
            run.denial().is_none() && !run.stderr.is_empty(),
            "{args:?}: {run:?}"
        );
        assert!(run.stdout.is_empty(), "{args:?}: {run:?}");
    }
}
