//! What an escrow copy must hold once decrypted: the controller's reader key store as its
//! `export()` writes it (`hardware/src/reader_keys.rs`):
//!
//! ```json
//! {"v":1,"readers":{"lobby-in":{"scbk":"<32 hex digits>","installed_at_ms":1764115200000}}}
//! ```
//!
//! The server checks only the shape a controller's `restore()` needs, so a copy it accepts
//! is one a replacement can load; it does not judge the keys (the controller refuses weak
//! ones when it installs them). Nothing here prints a key: errors name the reader.

use serde::Deserialize;
use std::collections::BTreeMap;

/// The store format's version.
const VERSION: u32 = 1;

/// Why a decrypted copy is not a reader key store.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// Not JSON of the store's shape (the message names the field or position).
    #[error("the decrypted copy is not a reader key store: {0}")]
    Shape(String),
    /// A version this server does not know.
    #[error(
        "the decrypted copy is reader key store version {0}; this server knows version {VERSION}"
    )]
    Version(u32),
    /// A reader without a name.
    #[error("the decrypted copy names a reader with an empty id")]
    EmptyReader,
    /// A key that is not 16 bytes in hex.
    #[error("the decrypted copy's key of reader {0:?} is not 32 hex digits")]
    BadKey(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    v: u32,
    readers: BTreeMap<String, StoredKey>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredKey {
    scbk: String,
    // Read (never used) so that a copy without it, or with another type, is refused as the
    // controller would refuse it.
    #[serde(rename = "installed_at_ms")]
    _installed_at_ms: i64,
}

impl Drop for StoredKey {
    fn drop(&mut self) {
        secrecy::zeroize::Zeroize::zeroize(&mut self.scbk);
    }
}

/// A decrypted copy that has the store's shape: what may be said of it without its keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReaderKeyDocument {
    /// The readers it holds keys for, in order.
    pub readers: Vec<String>,
}

impl ReaderKeyDocument {
    /// Checks that `plaintext` is a reader key store.
    pub fn parse(plaintext: &[u8]) -> Result<ReaderKeyDocument, DocumentError> {
        // serde would take `[1, {…}]` for the struct too; the store is an object.
        if plaintext.trim_ascii_start().starts_with(b"[") {
            return Err(DocumentError::Shape(
                "expected a JSON object, found an array".into(),
            ));
        }
        let stored: Stored =
            serde_json::from_slice(plaintext).map_err(|e| DocumentError::Shape(e.to_string()))?;
        if stored.v != VERSION {
            return Err(DocumentError::Version(stored.v));
        }
        for (reader, key) in &stored.readers {
            if reader.is_empty() {
                return Err(DocumentError::EmptyReader);
            }
            if key.scbk.len() != 32 || !key.scbk.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(DocumentError::BadKey(reader.clone()));
            }
        }
        Ok(ReaderKeyDocument {
            readers: stored.readers.keys().cloned().collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "00112233445566778899aabbccddeeff";

    #[test]
    fn the_controller_s_export_is_accepted_and_names_its_readers() {
        let text = format!(
            r#"{{"v":1,"readers":{{"lobby-in":{{"scbk":"{KEY}","installed_at_ms":1764115200000}},"dock":{{"scbk":"{}","installed_at_ms":1}}}}}}"#,
            KEY.to_uppercase()
        );
        assert_eq!(
            ReaderKeyDocument::parse(text.as_bytes()).unwrap().readers,
            ["dock", "lobby-in"]
        );
        assert_eq!(
            ReaderKeyDocument::parse(br#"{"v":1,"readers":{}}"#)
                .unwrap()
                .readers,
            Vec::<String>::new()
        );
    }

    #[test]
    fn junk_is_refused_naming_what_is_wrong_and_never_a_key() {
        let cases: Vec<(String, &str)> = vec![
            ("not json".into(), "is not a reader key store: expected"),
            (
                "[]".into(),
                "is not a reader key store: expected a JSON object",
            ),
            (
                format!(r#" [1,{{"a":{{"scbk":"{KEY}","installed_at_ms":1}}}}]"#),
                "expected a JSON object, found an array",
            ),
            (
                "1".into(),
                "is not a reader key store: invalid type: integer",
            ),
            (r#"{"readers":{}}"#.into(), "missing field `v`"),
            (r#"{"v":1}"#.into(), "missing field `readers`"),
            (r#"{"v":1,"readers":{},"x":1}"#.into(), "unknown field `x`"),
            (
                r#"{"v":2,"readers":{}}"#.into(),
                "version 2; this server knows version 1",
            ),
            (
                r#"{"v":1,"readers":{"a":{"scbk":"abc","installed_at_ms":1}}}"#.into(),
                "key of reader \"a\" is not 32 hex digits",
            ),
            (
                format!(
                    r#"{{"v":1,"readers":{{"a":{{"scbk":"{}zz","installed_at_ms":1}}}}}}"#,
                    &KEY[..30]
                ),
                "key of reader \"a\" is not 32 hex digits",
            ),
            (
                format!(r#"{{"v":1,"readers":{{"a":{{"scbk":"{KEY}"}}}}}}"#),
                "missing field `installed_at_ms`",
            ),
            (
                format!(r#"{{"v":1,"readers":{{"a":{{"scbk":"{KEY}","installed_at_ms":"x"}}}}}}"#),
                "invalid type",
            ),
            (
                format!(r#"{{"v":1,"readers":{{"":{{"scbk":"{KEY}","installed_at_ms":1}}}}}}"#),
                "empty id",
            ),
        ];
        for (text, expected) in cases {
            let err = ReaderKeyDocument::parse(text.as_bytes())
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{text}: {err}");
            assert!(!err.contains(&KEY[..30]), "{text}: {err}");
        }
    }
}
