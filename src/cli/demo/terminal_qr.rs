//! The visitor pass as a QR code drawn in the terminal, to scan with a phone.

use qrcode::bits::Bits;
use qrcode::render::unicode::Dense1x2;
use qrcode::{EcLevel, QrCode, Version};

/// `text` as a QR code in half-block characters, or `None` if it does not fit one.
pub fn render(text: &str) -> Option<String> {
    let code = alphanumeric_qr(text)?;
    Some(code.render::<Dense1x2>().quiet_zone(true).build())
}

/// The smallest QR code at level Q holding `text` as one alphanumeric segment (base45 text
/// is entirely in the QR alphanumeric alphabet; a general segment optimiser may split digit
/// runs and need a larger version).
fn alphanumeric_qr(text: &str) -> Option<QrCode> {
    (1..=40).find_map(|v| {
        let mut bits = Bits::new(Version::Normal(v));
        bits.push_alphanumeric_data(text.as_bytes()).ok()?;
        bits.push_terminator(EcLevel::Q).ok()?;
        QrCode::with_bits(bits, EcLevel::Q).ok()
    })
}
