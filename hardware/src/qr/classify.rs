//! Is this scan a Gatehouse credential? Only the envelope is checked here (prefix, base45,
//! a COSE_Sign1 that parses): whether it is genuine, valid now and for this door is for
//! `decide()`, which sees the whole text.

use crate::reader::ReadData;
use gatehouse_core::credential::{PREFIX, base45, cose};

/// The read a scanned text stands for. Reasons never quote the text: it may be someone
/// else's credential.
pub fn classify(text: &str) -> ReadData {
    match check(text) {
        Ok(()) => ReadData::Qr(text.to_string()),
        Err(reason) => ReadData::Unreadable { reason },
    }
}

fn check(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("empty scan".into());
    }
    let body = text
        .strip_prefix(PREFIX)
        .ok_or_else(|| format!("not a Gatehouse code: no {PREFIX} prefix"))?;
    let bytes = base45::decode(body)
        .map_err(|_| format!("not a Gatehouse code: the text after {PREFIX} is not base45"))?;
    cose::parse(&bytes).map_err(|e| format!("not a Gatehouse code: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::test_pass::{pass_text, signed_message};

    fn unreadable(reason: &str) -> ReadData {
        ReadData::Unreadable {
            reason: reason.into(),
        }
    }

    #[test]
    fn texts_to_reads() {
        let pass = pass_text();
        let cases = [
            (pass.clone(), ReadData::Qr(pass.clone())),
            ("".into(), unreadable("empty scan")),
            (
                "https://example.com/menu".into(),
                unreadable("not a Gatehouse code: no GH1: prefix"),
            ),
            (
                pass.to_lowercase(),
                unreadable("not a Gatehouse code: no GH1: prefix"),
            ),
            (
                "GH1:not base45".into(),
                unreadable("not a Gatehouse code: the text after GH1: is not base45"),
            ),
            (
                // A CBOR tag, but not COSE_Sign1's.
                format!("{PREFIX}{}", base45::encode(&[0xc1, 0x00])),
                unreadable(
                    "not a Gatehouse code: COSE_Sign1 structure: not tagged as COSE_Sign1 (18)",
                ),
            ),
            (
                format!(
                    "{PREFIX}{}",
                    base45::encode(&[signed_message(), vec![0]].concat())
                ),
                unreadable(
                    "not a Gatehouse code: COSE_Sign1 structure: bytes after the end of the message",
                ),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(classify(&text), want, "{text}");
        }
    }
}
