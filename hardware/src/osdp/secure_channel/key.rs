//! Secure Channel base keys.

use std::fmt;

/// SCBK-D, the default key every OSDP reader accepts in install mode (`0x30..0x3F`). Used
/// only inside a time-boxed key installation, never for a running session; private to this
/// crate, so no caller can make it a reader's key or install it as one.
pub(crate) const SCBK_D: Key = Key([
    0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
]);

/// A 128-bit Secure Channel base key. Its `Debug` never shows it; it is wiped from memory
/// when dropped. Outside this crate a `Key` is never weak: [`Key::new`] refuses SCBK-D and
/// repeated bytes, and SCBK-D itself is not exported, so [`crate::osdp::Bus::install_key`]
/// cannot be handed the default key as a reader's new one.
#[derive(Clone, PartialEq, Eq)]
pub struct Key(pub(crate) [u8; 16]);

/// A key that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not 32 hex digits.
    #[error("a Secure Channel key is 32 hex digits")]
    Hex,
    /// SCBK-D, all zeros or one repeated byte: a key an attacker guesses first.
    #[error("weak Secure Channel key (the default key, or one repeated byte)")]
    Weak,
}

impl Key {
    /// A fresh random key, for one reader.
    pub fn random() -> Key {
        use rand::RngCore;
        let mut k = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut k);
        Key(k)
    }

    /// A key from its bytes, refusing weak ones.
    pub fn new(bytes: [u8; 16]) -> Result<Key, KeyError> {
        if bytes == SCBK_D.0 || bytes.iter().all(|&b| b == bytes[0]) {
            return Err(KeyError::Weak);
        }
        Ok(Key(bytes))
    }

    /// A key from 32 hex digits, refusing weak ones.
    pub fn from_hex(text: &str) -> Result<Key, KeyError> {
        let v = hex::decode(text.trim()).map_err(|_| KeyError::Hex)?;
        let bytes: [u8; 16] = v.try_into().map_err(|_| KeyError::Hex)?;
        Key::new(bytes)
    }

    /// The key bytes.
    pub fn bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == SCBK_D {
            f.write_str("Key(SCBK-D)")
        } else {
            f.write_str("Key(..)")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses_weak_keys() {
        let k = Key::from_hex("00112233445566778899aabbccddeeff").expect("key");
        assert_eq!(k.bytes()[15], 0xFF);
        assert_eq!(format!("{k:?}"), "Key(..)");
        assert_eq!(
            Key::from_hex("303132333435363738393a3b3c3d3e3f"),
            Err(KeyError::Weak)
        );
        assert_eq!(
            Key::from_hex("00000000000000000000000000000000"),
            Err(KeyError::Weak)
        );
        assert_eq!(Key::from_hex("0011"), Err(KeyError::Hex));
        assert_eq!(
            Key::from_hex("zz112233445566778899aabbccddeeff"),
            Err(KeyError::Hex)
        );
        assert_ne!(Key::random(), Key::random());
    }
}
