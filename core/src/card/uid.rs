//! Raw card UIDs (MIFARE Classic 4 bytes, Ultralight/DESFire 7 bytes, 10-byte triple size).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A raw card UID of 4, 7 or 10 bytes (ISO/IEC 14443-3 single, double, triple size).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Uid {
    len: u8,
    bytes: [u8; 10],
}

/// Why bytes are not a card UID.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UidError {
    /// ISO/IEC 14443 UIDs are 4, 7 or 10 bytes long.
    #[error("a card UID is 4, 7 or 10 bytes, not {0}")]
    BadLength(usize),
    /// The text form is hexadecimal.
    #[error("a card UID is written in hexadecimal")]
    NotHex,
}

impl Uid {
    /// A UID from its bytes, as the reader reports them.
    pub fn new(bytes: &[u8]) -> Result<Self, UidError> {
        if !matches!(bytes.len(), 4 | 7 | 10) {
            return Err(UidError::BadLength(bytes.len()));
        }
        let mut buf = [0u8; 10];
        buf[..bytes.len()].copy_from_slice(bytes);
        let len = u8::try_from(bytes.len()).map_err(|_| UidError::BadLength(bytes.len()))?;
        Ok(Uid { len, bytes: buf })
    }

    /// A UID from hexadecimal text (upper or lower case).
    pub fn from_hex(text: &str) -> Result<Self, UidError> {
        if text.len() % 2 != 0 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(UidError::NotHex);
        }
        let bytes: Vec<u8> = (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).map_err(|_| UidError::NotHex))
            .collect::<Result<_, _>>()?;
        Uid::new(&bytes)
    }

    /// The UID's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl fmt::Display for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_bytes()
            .iter()
            .try_for_each(|b| write!(f, "{b:02X}"))
    }
}

impl fmt::Debug for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uid({self})")
    }
}

// On the wire a UID is its bytes (compact in bundles) or hex text (in JSON).
impl Serialize for Uid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            s.serialize_bytes(self.as_bytes())
        }
    }
}

impl<'de> Deserialize<'de> for Uid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            let text = String::deserialize(d)?;
            Uid::from_hex(&text).map_err(serde::de::Error::custom)
        } else {
            let bytes: &[u8] = <&[u8]>::deserialize(d)?;
            Uid::new(bytes).map_err(serde::de::Error::custom)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_iso_lengths_only() {
        assert!(Uid::new(&[1, 2, 3, 4]).is_ok());
        assert!(Uid::new(&[0; 7]).is_ok());
        assert!(Uid::new(&[0; 10]).is_ok());
        assert_eq!(Uid::new(&[0; 5]), Err(UidError::BadLength(5)));
        assert_eq!(Uid::new(&[]), Err(UidError::BadLength(0)));
    }

    #[test]
    fn hex_round_trip() {
        let uid = Uid::from_hex("04a1b2c3d4e580").unwrap();
        assert_eq!(uid.to_string(), "04A1B2C3D4E580");
        assert_eq!(Uid::from_hex("04a1b2c"), Err(UidError::NotHex));
        assert_eq!(Uid::from_hex("zz112233"), Err(UidError::NotHex));
    }
}
