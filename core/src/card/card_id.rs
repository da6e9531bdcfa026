//! The canonical name of a card.

use super::uid::{Uid, UidError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The Wiegand card formats Gatehouse decodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum CardFormat {
    /// HID H10301, 26-bit: 8-bit facility code, 16-bit card number.
    #[serde(rename = "H10301")]
    H10301,
    /// HID H10306, 34-bit: 16-bit facility code, 16-bit card number.
    #[serde(rename = "H10306")]
    H10306,
    /// HID Corporate 1000, 35-bit: 12-bit company code, 20-bit card number.
    #[serde(rename = "C1000-35")]
    Corporate1000,
    /// HID H10304, 37-bit: 16-bit facility code, 19-bit card number.
    #[serde(rename = "H10304")]
    H10304,
}

impl CardFormat {
    /// Every supported format.
    pub const ALL: [CardFormat; 4] = [
        CardFormat::H10301,
        CardFormat::H10306,
        CardFormat::Corporate1000,
        CardFormat::H10304,
    ];

    /// The format's name as it appears in JSON, the CLI and the test vectors.
    pub const fn name(self) -> &'static str {
        match self {
            CardFormat::H10301 => "H10301",
            CardFormat::H10306 => "H10306",
            CardFormat::Corporate1000 => "C1000-35",
            CardFormat::H10304 => "H10304",
        }
    }

    /// The frame length in bits.
    pub const fn bits(self) -> usize {
        match self {
            CardFormat::H10301 => 26,
            CardFormat::H10306 => 34,
            CardFormat::Corporate1000 => 35,
            CardFormat::H10304 => 37,
        }
    }

    /// The format with this name.
    pub fn from_name(name: &str) -> Option<Self> {
        CardFormat::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl fmt::Display for CardFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A card as Gatehouse names it, whatever reader saw it.
///
/// Text form (API, CLI, logs): `H10301:231:61033` (format, facility or company code, card
/// number) or `uid:04A1B2C3`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CardId {
    /// A card encoded in a Wiegand format: facility (or company) code and card number.
    Wiegand {
        /// The encoding.
        format: CardFormat,
        /// Facility code (Corporate 1000: company code).
        facility: u32,
        /// Card number within the facility.
        card_number: u32,
    },
    /// A card known by its raw UID (MIFARE, DESFire, …).
    Uid {
        /// The UID bytes.
        uid: Uid,
    },
}

/// Serde form of a card id. JSON names its fields (`{"type":"wiegand","format":…}`);
/// compact binary encodings (bundles, journals) cannot read internally tagged enums, so they
/// get a plain enum.
mod wire {
    use super::{CardFormat, CardId, Uid};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum Named {
        Wiegand {
            format: CardFormat,
            facility: u32,
            card_number: u32,
        },
        Uid {
            uid: Uid,
        },
    }

    #[derive(Serialize, Deserialize)]
    enum Compact {
        Wiegand(CardFormat, u32, u32),
        Uid(Uid),
    }

    impl Serialize for CardId {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match (*self, s.is_human_readable()) {
                (
                    CardId::Wiegand {
                        format,
                        facility,
                        card_number,
                    },
                    true,
                ) => Named::Wiegand {
                    format,
                    facility,
                    card_number,
                }
                .serialize(s),
                (CardId::Uid { uid }, true) => Named::Uid { uid }.serialize(s),
                (
                    CardId::Wiegand {
                        format,
                        facility,
                        card_number,
                    },
                    false,
                ) => Compact::Wiegand(format, facility, card_number).serialize(s),
                (CardId::Uid { uid }, false) => Compact::Uid(uid).serialize(s),
            }
        }
    }

    impl<'de> Deserialize<'de> for CardId {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let (format, facility, card_number) = if d.is_human_readable() {
                match Named::deserialize(d)? {
                    Named::Wiegand {
                        format,
                        facility,
                        card_number,
                    } => (format, facility, card_number),
                    Named::Uid { uid } => return Ok(CardId::Uid { uid }),
                }
            } else {
                match Compact::deserialize(d)? {
                    Compact::Wiegand(format, facility, card_number) => {
                        (format, facility, card_number)
                    }
                    Compact::Uid(uid) => return Ok(CardId::Uid { uid }),
                }
            };
            CardId::wiegand(format, facility, card_number).map_err(serde::de::Error::custom)
        }
    }
}

/// Why text is not a card id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CardIdParseError {
    /// Neither `FORMAT:FACILITY:NUMBER` nor `uid:HEX`.
    #[error("a card id is FORMAT:FACILITY:NUMBER (e.g. H10301:12:3456) or uid:HEX")]
    Shape,
    /// The format name is not one Gatehouse decodes.
    #[error("unknown card format {0:?} (known: H10301, H10306, C1000-35, H10304)")]
    UnknownFormat(String),
    /// Facility or number is not a number or too large for the format.
    #[error("{field} {value:?} does not fit format {format}")]
    OutOfRange {
        /// `facility` or `card_number`.
        field: &'static str,
        /// The text given.
        value: String,
        /// The format whose width it exceeds.
        format: CardFormat,
    },
    /// The UID part is not a valid UID.
    #[error(transparent)]
    Uid(#[from] UidError),
}

impl CardId {
    /// A Wiegand card id, checked against the widths of its format.
    pub fn wiegand(
        format: CardFormat,
        facility: u32,
        card_number: u32,
    ) -> Result<Self, CardIdParseError> {
        let (facility_bits, number_bits) = super::wiegand::field_widths(format);
        let out_of_range = |field, value: u32| CardIdParseError::OutOfRange {
            field,
            value: value.to_string(),
            format,
        };
        if u64::from(facility) >= 1u64 << facility_bits {
            return Err(out_of_range("facility", facility));
        }
        if u64::from(card_number) >= 1u64 << number_bits {
            return Err(out_of_range("card_number", card_number));
        }
        Ok(CardId::Wiegand {
            format,
            facility,
            card_number,
        })
    }
}

impl fmt::Display for CardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CardId::Wiegand {
                format,
                facility,
                card_number,
            } => write!(f, "{format}:{facility}:{card_number}"),
            CardId::Uid { uid } => write!(f, "uid:{uid}"),
        }
    }
}

impl FromStr for CardId {
    type Err = CardIdParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = text.split(':').collect();
        match parts.as_slice() {
            ["uid", hex] => Ok(CardId::Uid {
                uid: Uid::from_hex(hex)?,
            }),
            [format, facility, number] => {
                let format = CardFormat::from_name(format)
                    .ok_or_else(|| CardIdParseError::UnknownFormat((*format).to_string()))?;
                let parse = |field, value: &str| {
                    value
                        .parse::<u32>()
                        .map_err(|_| CardIdParseError::OutOfRange {
                            field,
                            value: value.to_string(),
                            format,
                        })
                };
                CardId::wiegand(
                    format,
                    parse("facility", facility)?,
                    parse("card_number", number)?,
                )
            }
            _ => Err(CardIdParseError::Shape),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trip() {
        for text in ["H10301:231:61033", "C1000-35:4095:1048575", "uid:04A1B2C3"] {
            let id: CardId = text.parse().unwrap();
            assert_eq!(id.to_string(), text);
        }
    }

    #[test]
    fn rejects_values_wider_than_the_format() {
        assert!(matches!(
            "H10301:256:1".parse::<CardId>(),
            Err(CardIdParseError::OutOfRange {
                field: "facility",
                ..
            })
        ));
        assert!(matches!(
            "H10301:1:65536".parse::<CardId>(),
            Err(CardIdParseError::OutOfRange {
                field: "card_number",
                ..
            })
        ));
        assert_eq!(
            "X99:1:1".parse::<CardId>(),
            Err(CardIdParseError::UnknownFormat("X99".into()))
        );
        assert_eq!("nonsense".parse::<CardId>(), Err(CardIdParseError::Shape));
    }

    #[test]
    fn json_form_names_the_fields() {
        let id: CardId = "H10301:1:2".parse().unwrap();
        let json = r#"{"type":"wiegand","format":"H10301","facility":1,"card_number":2}"#;
        assert_eq!(serde_json::to_string(&id).unwrap(), json);
        assert_eq!(serde_json::from_str::<CardId>(json).unwrap(), id);
        let too_wide = r#"{"type":"wiegand","format":"H10301","facility":256,"card_number":2}"#;
        assert!(serde_json::from_str::<CardId>(too_wide).is_err());
        let uid: CardId = "uid:04A1B2C3".parse().unwrap();
        assert_eq!(
            serde_json::to_string(&uid).unwrap(),
            r#"{"type":"uid","uid":"04A1B2C3"}"#
        );
    }

    #[test]
    fn compact_form_round_trips() {
        for text in ["H10304:65535:524287", "uid:04A1B2C3D4E5F6"] {
            let id: CardId = text.parse().unwrap();
            let bytes = postcard::to_allocvec(&id).unwrap();
            assert_eq!(postcard::from_bytes::<CardId>(&bytes).unwrap(), id);
        }
    }
}
