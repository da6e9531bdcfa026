//! The export form of a checkpoint: one JSON object per line, hashes and signature in hex,
//! so checkpoints can be appended to a file off the database and read back by anyone.
//!
//! ```text
//! {"stream":"admin","seq":17,"head":"<64 hex>","signed_at":1700000000000,"key_id":"<16 hex>","signature":"<128 hex>"}
//! ```
//!
//! The same form is the checkpoint's serde form, so API responses and backups agree with
//! the export file.

use super::checkpoint::Checkpoint;
use gatehouse_core::credential::KeyId;
use serde::{Deserialize, Serialize};

/// Why a line is not a checkpoint.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointParseError {
    /// Not a JSON object with the checkpoint's fields and types.
    #[error("not a checkpoint: {0}")]
    Json(String),
    /// A field is not hexadecimal.
    #[error("checkpoint field {field} is not hexadecimal")]
    Hex {
        /// The field's name.
        field: &'static str,
    },
    /// A field has the wrong number of bytes.
    #[error("checkpoint field {field} has {found} bytes, expected {expected}")]
    Length {
        /// The field's name.
        field: &'static str,
        /// The bytes it must have.
        expected: usize,
        /// The bytes it has.
        found: usize,
    },
    /// Seq 0: no chain has a row 0, so no checkpoint can name it.
    #[error("checkpoint names row 0, which no chain has")]
    ZeroSeq,
}

/// The JSON shape. Unknown fields are refused: this is security evidence, and a field we
/// do not understand is not one to drop silently.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    stream: String,
    seq: u64,
    head: String,
    signed_at: i64,
    key_id: String,
    signature: String,
}

impl From<Checkpoint> for Wire {
    fn from(c: Checkpoint) -> Self {
        Wire {
            stream: c.stream,
            seq: c.seq,
            head: hex::encode(c.head),
            signed_at: c.signed_at,
            key_id: hex::encode(c.key_id.0),
            signature: hex::encode(c.signature),
        }
    }
}

/// Decodes a hex field of exactly `N` bytes.
fn bytes<const N: usize>(field: &'static str, text: &str) -> Result<[u8; N], CheckpointParseError> {
    let decoded = hex::decode(text).map_err(|_| CheckpointParseError::Hex { field })?;
    let found = decoded.len();
    decoded
        .try_into()
        .map_err(|_| CheckpointParseError::Length {
            field,
            expected: N,
            found,
        })
}

impl TryFrom<Wire> for Checkpoint {
    type Error = CheckpointParseError;

    fn try_from(w: Wire) -> Result<Self, Self::Error> {
        if w.seq == 0 {
            return Err(CheckpointParseError::ZeroSeq);
        }
        Ok(Checkpoint {
            head: bytes("head", &w.head)?,
            key_id: KeyId(bytes("key_id", &w.key_id)?),
            signature: bytes("signature", &w.signature)?,
            stream: w.stream,
            seq: w.seq,
            signed_at: w.signed_at,
        })
    }
}

impl Serialize for Checkpoint {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Wire::from(self.clone()).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Checkpoint {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Checkpoint::try_from(Wire::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

impl Checkpoint {
    /// One line of the export file, without the line break.
    pub fn to_json_line(&self) -> String {
        // Compact serde_json escapes control characters inside strings, so the line never
        // contains a raw newline, whatever the stream name.
        serde_json::to_string(&Wire::from(self.clone()))
            .expect("strings and integers always serialize to JSON")
    }

    /// Reads one line of the export file (surrounding whitespace, such as the line break,
    /// is ignored). Checks the form only: call [`Checkpoint::verify`] before trusting it.
    pub fn from_json_line(line: &str) -> Result<Self, CheckpointParseError> {
        let wire: Wire = serde_json::from_str(line.trim())
            .map_err(|e| CheckpointParseError::Json(e.to_string()))?;
        Checkpoint::try_from(wire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Head;
    use gatehouse_core::credential::{IssuerKey, TrustStore};

    fn sample() -> Checkpoint {
        let key = IssuerKey::from_seed(&[9; 32]);
        let head = Head {
            seq: 42,
            hash: [0xc3; 32],
        };
        Checkpoint::sign("controller:12", head, 1_700_000_000_123, &key)
    }

    #[test]
    fn a_line_round_trips_and_still_verifies() {
        let checkpoint = sample();
        let line = checkpoint.to_json_line();
        assert!(!line.contains('\n'));
        let again = Checkpoint::from_json_line(&format!("{line}\r\n")).unwrap();
        assert_eq!(again, checkpoint);
        let trust = TrustStore::with([IssuerKey::from_seed(&[9; 32]).public()]);
        assert_eq!(again.verify(&trust), Ok(()));
    }

    #[test]
    fn the_line_is_hex_and_named_fields() {
        let value: serde_json::Value = serde_json::from_str(&sample().to_json_line()).unwrap();
        assert_eq!(value["stream"], "controller:12");
        assert_eq!(value["seq"], 42);
        assert_eq!(value["head"], "c3".repeat(32));
        assert_eq!(value["signed_at"], 1_700_000_000_123i64);
        assert_eq!(value["key_id"].as_str().unwrap().len(), 16);
        assert_eq!(value["signature"].as_str().unwrap().len(), 128);
        // The serde form is the same object.
        assert_eq!(serde_json::to_value(sample()).unwrap(), value);
        let back: Checkpoint = serde_json::from_value(value).unwrap();
        assert_eq!(back, sample());
    }

    #[test]
    fn a_stream_with_a_newline_stays_on_one_line() {
        let mut checkpoint = sample();
        checkpoint.stream = "evil\nstream".into();
        let line = checkpoint.to_json_line();
        assert!(!line.contains('\n'));
        assert_eq!(Checkpoint::from_json_line(&line).unwrap(), checkpoint);
    }

    fn with(field: &str, value: serde_json::Value) -> String {
        let mut object: serde_json::Value = serde_json::from_str(&sample().to_json_line()).unwrap();
        object[field] = value;
        object.to_string()
    }

    #[test]
    fn bad_lines_are_errors_not_panics() {
        use CheckpointParseError as E;
        let cases = [
            ("".to_owned(), None),
            ("not json".to_owned(), None),
            ("[1,2]".to_owned(), None),
            ("{}".to_owned(), None),
            (with("seq", (-1).into()), None),
            (with("seq", "17".into()), None),
            (with("extra", 1.into()), None),
            (with("seq", 0.into()), Some(E::ZeroSeq)),
            (
                with("head", "zz".repeat(32).into()),
                Some(E::Hex { field: "head" }),
            ),
            (with("head", "abc".into()), Some(E::Hex { field: "head" })),
            (
                with("head", "ab".repeat(31).into()),
                Some(E::Length {
                    field: "head",
                    expected: 32,
                    found: 31,
                }),
            ),
            (
                with("key_id", "ab".repeat(9).into()),
                Some(E::Length {
                    field: "key_id",
                    expected: 8,
                    found: 9,
                }),
            ),
            (
                with("signature", "".into()),
                Some(E::Length {
                    field: "signature",
                    expected: 64,
                    found: 0,
                }),
            ),
        ];
        for (line, expected) in cases {
            let error = Checkpoint::from_json_line(&line).unwrap_err();
            match expected {
                Some(expected) => assert_eq!(error, expected, "{line}"),
                None => assert!(matches!(error, E::Json(_)), "{line}: {error:?}"),
            }
        }
    }
}
