//! Base45 (RFC 9285): bytes as text in exactly the QR code alphanumeric alphabet, so a QR
//! code holds the text in its dense alphanumeric mode.

const ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Why text is not base45.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Base45Error {
    /// A character outside the base45 alphabet (note: lower case is not in it).
    #[error("character {0:?} is not in the base45 alphabet")]
    BadCharacter(char),
    /// A length of 1 modulo 3 cannot come from any byte string.
    #[error("base45 text of length {0} is truncated")]
    BadLength(usize),
    /// A group decodes to a value too large for its byte count.
    #[error("base45 group at offset {0} is out of range")]
    OutOfRange(usize),
}

/// Encodes bytes as base45 text.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(2) * 3);
    let mut push = |value: u32, digits: usize| {
        let mut v = value;
        for _ in 0..digits {
            out.push(char::from(ALPHABET[(v % 45) as usize]));
            v /= 45;
        }
    };
    for pair in bytes.chunks(2) {
        match *pair {
            [a, b] => push(u32::from(a) * 256 + u32::from(b), 3),
            [a] => push(u32::from(a), 2),
            _ => unreachable!("chunks(2) yields one or two bytes"),
        }
    }
    out
}

/// Decodes base45 text.
pub fn decode(text: &str) -> Result<Vec<u8>, Base45Error> {
    let values: Vec<u32> = text
        .chars()
        .map(|c| {
            u8::try_from(c)
                .ok()
                .and_then(|b| ALPHABET.iter().position(|&a| a == b))
                .and_then(|p| u32::try_from(p).ok())
                .ok_or(Base45Error::BadCharacter(c))
        })
        .collect::<Result<_, _>>()?;
    if values.len() % 3 == 1 {
        return Err(Base45Error::BadLength(values.len()));
    }
    let mut out = Vec::with_capacity(values.len() / 3 * 2 + 1);
    for (i, group) in values.chunks(3).enumerate() {
        let value = group.iter().rev().fold(0u32, |acc, &v| acc * 45 + v);
        match (group.len(), u16::try_from(value), u8::try_from(value)) {
            (3, Ok(pair), _) => out.extend_from_slice(&pair.to_be_bytes()),
            (2, _, Ok(byte)) => out.push(byte),
            _ => return Err(Base45Error::OutOfRange(i * 3)),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The examples of RFC 9285 section 4.
    #[test]
    fn rfc_9285_examples() {
        assert_eq!(encode(b"AB"), "BB8");
        assert_eq!(encode(b"Hello!!"), "%69 VD92EX0");
        assert_eq!(encode(b"base-45"), "UJCLQE7W581");
        assert_eq!(decode("QED8WEX0").unwrap(), b"ietf!");
    }

    #[test]
    fn round_trips_every_byte_value() {
        let bytes: Vec<u8> = (0..=255).chain((0..=255).rev()).collect();
        for len in 0..bytes.len() {
            assert_eq!(decode(&encode(&bytes[..len])).unwrap(), &bytes[..len]);
        }
    }

    #[test]
    fn rejects_bad_text() {
        assert_eq!(
            decode("GGW"),
            Err(Base45Error::OutOfRange(0)),
            "65535 < value"
        );
        assert_eq!(decode("ab"), Err(Base45Error::BadCharacter('a')));
        assert_eq!(decode("BB8B"), Err(Base45Error::BadLength(4)));
        assert_eq!(decode("é"), Err(Base45Error::BadCharacter('é')));
    }
}
