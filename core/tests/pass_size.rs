//! A visitor pass fits a QR code of version 10 at error-correction level Q, so cheap
//! scanners read it off a phone screen or a thermal label.

use gatehouse_core::credential::{CredentialKind, IssuerKey, PassClaims, issue};
use gatehouse_core::ids::{PassSerial, PersonId, ZoneId};
use qrcode::bits::Bits;
use qrcode::{EcLevel, QrCode, Version};

/// The largest visitor pass the server issues in practice: an 8-character subject, three
/// zones, a 32-bit serial, a host with a 32-bit id, the escort flag, and 32-bit times.
fn largest_visitor_pass() -> String {
    issue(
        &IssuerKey::from_seed(&[8; 32]),
        &PassClaims {
            iss: None,
            sub: "v9999999".into(),
            nbf: 4_000_000_000,
            exp: 4_000_086_400,
            iat: Some(4_000_000_000),
            kind: CredentialKind::Visitor,
            serial: PassSerial(u64::from(u32::MAX)),
            zones: vec![ZoneId(200), ZoneId(201), ZoneId(255)],
            escort: true,
            host: Some(PersonId(u64::from(u32::MAX))),
            items: vec![],
        },
    )
}

/// Encodes `text` as one alphanumeric segment (the whole text is in the QR alphanumeric
/// alphabet, which is what base45 was made for) in a QR code of exactly `version`.
fn alphanumeric_qr(text: &str, version: i16) -> Result<QrCode, qrcode::types::QrError> {
    let mut bits = Bits::new(Version::Normal(version));
    bits.push_alphanumeric_data(text.as_bytes())?;
    bits.push_terminator(EcLevel::Q)?;
    QrCode::with_bits(bits, EcLevel::Q)
}

#[test]
fn the_largest_visitor_pass_fits_version_10_at_level_q() {
    let text = largest_visitor_pass();
    assert_eq!(
        text.len(),
        220,
        "the size budget in docs/credential-format.md"
    );
    let code = alphanumeric_qr(&text, 10).expect("fits version 10-Q");
    assert_eq!(code.version(), Version::Normal(10));
    assert_eq!(code.error_correction_level(), EcLevel::Q);
}

#[test]
fn the_budget_ends_just_past_it() {
    // Two more characters (one more byte of claims) no longer fit: the budget is tight on
    // purpose, and this test says where it ends.
    let text = format!("{}AB", largest_visitor_pass());
    assert!(alphanumeric_qr(&text, 10).is_err());
    assert!(alphanumeric_qr(&text, 11).is_ok());
}
