//! Wiegand frame decoding for the four formats sites really install.
//!
//! A frame is a sequence of bits, bit 0 sent first. Readers and OSDP report it left-aligned
//! in bytes: bit 0 is the most significant bit of the first byte. Layouts follow the public
//! descriptions used by proxmark3 (`client/src/wiegand_formats.c`); each format carries
//! parity bits, and a frame whose parity does not hold is an error, never a card.

use super::card_id::{CardFormat, CardId};

/// Why a frame is not a card.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WiegandError {
    /// No supported format has this many bits.
    #[error("unknown_length: no supported format has {0} bits (26, 34, 35, 37)")]
    UnknownLength(usize),
    /// Fewer bytes than the bit count needs.
    #[error("truncated: {bits} bits need {needed} bytes, got {got}")]
    Truncated {
        /// Declared frame length in bits.
        bits: usize,
        /// Bytes needed for that many bits.
        needed: usize,
        /// Bytes given.
        got: usize,
    },
    /// A parity bit does not match the bits it covers.
    #[error("bad_parity: {format} parity bit {position} does not match")]
    BadParity {
        /// The format the length selected.
        format: CardFormat,
        /// Position (0 = first bit sent) of the failing parity bit.
        position: usize,
    },
}

impl WiegandError {
    /// A short snake_case code for logs and the CLI.
    pub const fn code(&self) -> &'static str {
        match self {
            WiegandError::UnknownLength(_) => "unknown_length",
            WiegandError::Truncated { .. } => "truncated",
            WiegandError::BadParity { .. } => "bad_parity",
        }
    }
}

/// Widths in bits of (facility or company code, card number) for a format.
pub const fn field_widths(format: CardFormat) -> (u32, u32) {
    match format {
        CardFormat::H10301 => (8, 16),
        CardFormat::H10306 => (16, 16),
        CardFormat::Corporate1000 => (12, 20),
        CardFormat::H10304 => (16, 19),
    }
}

/// Decodes a frame of `bits` bits, left-aligned in `data`, into a card id.
pub fn decode_wiegand(bits: usize, data: &[u8]) -> Result<CardId, WiegandError> {
    let format = CardFormat::ALL
        .into_iter()
        .find(|f| f.bits() == bits)
        .ok_or(WiegandError::UnknownLength(bits))?;
    let needed = bits.div_ceil(8);
    if data.len() < needed {
        return Err(WiegandError::Truncated {
            bits,
            needed,
            got: data.len(),
        });
    }
    let frame = Frame { data };
    for check in parity_checks(format) {
        let ones = check.covers.clone().filter(|&i| frame.bit(i)).count()
            + usize::from(frame.bit(check.position));
        let holds = match check.kind {
            Parity::Even => ones % 2 == 0,
            Parity::Odd => ones % 2 == 1,
        };
        if !holds {
            return Err(WiegandError::BadParity {
                format,
                position: check.position,
            });
        }
    }
    let (facility_bits, number_bits) = field_widths(format);
    let facility = frame.field(
        1 + usize::from(format == CardFormat::Corporate1000),
        facility_bits,
    );
    let number_start =
        1 + usize::from(format == CardFormat::Corporate1000) + facility_bits as usize;
    let card_number = frame.field(number_start, number_bits);
    Ok(CardId::Wiegand {
        format,
        facility,
        card_number,
    })
}

/// Encodes a Wiegand card id into a frame (left-aligned bytes) with correct parity: what a
/// reader would send for that card. Used by simulators and tests; `None` for a UID.
pub fn encode_wiegand(card: &CardId) -> Option<(usize, Vec<u8>)> {
    let CardId::Wiegand {
        format,
        facility,
        card_number,
    } = *card
    else {
        return None;
    };
    let bits = format.bits();
    let mut frame = vec![0u8; bits.div_ceil(8)];
    let (facility_bits, number_bits) = field_widths(format);
    let offset = 1 + usize::from(format == CardFormat::Corporate1000);
    set_field(&mut frame, offset, facility_bits, facility);
    set_field(
        &mut frame,
        offset + facility_bits as usize,
        number_bits,
        card_number,
    );
    // Parity bits are computed in the order listed: C1000's overall bit comes last and
    // covers the other parity bits.
    for check in parity_checks(format) {
        let view = Frame { data: &frame };
        let ones = check.covers.clone().filter(|&i| view.bit(i)).count();
        let want_one = match check.kind {
            Parity::Even => ones % 2 == 1,
            Parity::Odd => ones % 2 == 0,
        };
        if want_one {
            frame[check.position / 8] |= 0x80 >> (check.position % 8);
        }
    }
    Some((bits, frame))
}

fn set_field(frame: &mut [u8], start: usize, width: u32, value: u32) {
    for i in 0..width as usize {
        if value >> (width as usize - 1 - i) & 1 == 1 {
            let pos = start + i;
            frame[pos / 8] |= 0x80 >> (pos % 8);
        }
    }
}

#[derive(Clone, Copy)]
enum Parity {
    Even,
    Odd,
}

/// One parity bit: where it is and which bits it covers (a predicate over positions).
struct ParityCheck {
    position: usize,
    kind: Parity,
    covers: PositionSet,
}

/// The positions a parity bit covers: a range, optionally keeping only positions whose
/// index modulo 3 is not `skip_mod3` (Corporate 1000's interleaved parity).
#[derive(Clone)]
struct PositionSet {
    range: std::ops::Range<usize>,
    skip_mod3: Option<usize>,
    exclude: Option<usize>,
}

impl Iterator for PositionSet {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        loop {
            let i = self.range.next()?;
            let skipped = self.skip_mod3.is_some_and(|m| i % 3 == m) || self.exclude == Some(i);
            if !skipped {
                return Some(i);
            }
        }
    }
}

fn span(range: std::ops::Range<usize>) -> PositionSet {
    PositionSet {
        range,
        skip_mod3: None,
        exclude: None,
    }
}

fn parity_checks(format: CardFormat) -> Vec<ParityCheck> {
    let bits = format.bits();
    match format {
        // Leading even parity over the first half of the data, trailing odd parity over the
        // second half; with an odd number of data bits (H10304) the middle bit is in both.
        CardFormat::H10301 | CardFormat::H10306 | CardFormat::H10304 => {
            let half = (bits - 2).div_ceil(2);
            vec![
                ParityCheck {
                    position: 0,
                    kind: Parity::Even,
                    covers: span(1..1 + half),
                },
                ParityCheck {
                    position: bits - 1,
                    kind: Parity::Odd,
                    covers: span(bits - 1 - half..bits - 1),
                },
            ]
        }
        // Bit 1: even over positions 2..=33 except every third (1, 4, 7, …);
        // bit 34: odd over positions 1..=32 except every third (3, 6, 9, …);
        // bit 0: odd over all other 34 bits.
        CardFormat::Corporate1000 => vec![
            ParityCheck {
                position: 1,
                kind: Parity::Even,
                covers: PositionSet {
                    range: 2..34,
                    skip_mod3: Some(1),
                    exclude: None,
                },
            },
            ParityCheck {
                position: 34,
                kind: Parity::Odd,
                covers: PositionSet {
                    range: 1..33,
                    skip_mod3: Some(0),
                    exclude: None,
                },
            },
            ParityCheck {
                position: 0,
                kind: Parity::Odd,
                covers: PositionSet {
                    range: 1..35,
                    skip_mod3: None,
                    exclude: None,
                },
            },
        ],
    }
}

struct Frame<'a> {
    data: &'a [u8],
}

impl Frame<'_> {
    fn bit(&self, i: usize) -> bool {
        self.data[i / 8] & (0x80 >> (i % 8)) != 0
    }

    fn field(&self, start: usize, width: u32) -> u32 {
        (start..start + width as usize).fold(0, |acc, i| acc << 1 | u32::from(self.bit(i)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_known_h10301_frame() {
        // Facility 231, card 61033: bits 11110011111101110011010010.
        let card = decode_wiegand(26, &[0xf3, 0xf7, 0x34, 0x80]).unwrap();
        assert_eq!(
            card,
            CardId::wiegand(CardFormat::H10301, 231, 61033).unwrap()
        );
    }

    #[test]
    fn flipped_bits_are_parity_errors() {
        let good = [0xf3, 0xf7, 0x34, 0x80];
        for bit in 0..26 {
            let mut bad = good;
            bad[bit / 8] ^= 0x80 >> (bit % 8);
            assert!(
                matches!(
                    decode_wiegand(26, &bad),
                    Err(WiegandError::BadParity { .. })
                ),
                "bit {bit}"
            );
        }
    }

    #[test]
    fn unknown_lengths_and_short_data_are_errors() {
        assert_eq!(
            decode_wiegand(27, &[0; 4]),
            Err(WiegandError::UnknownLength(27))
        );
        assert_eq!(decode_wiegand(0, &[]), Err(WiegandError::UnknownLength(0)));
        assert_eq!(
            decode_wiegand(37, &[0; 4]),
            Err(WiegandError::Truncated {
                bits: 37,
                needed: 5,
                got: 4
            })
        );
    }

    #[test]
    fn encode_then_decode_round_trips_every_format() {
        for format in CardFormat::ALL {
            let (fb, nb) = field_widths(format);
            for (facility, number) in [(0, 0), (1, 1), ((1 << fb) - 1, (1 << nb) - 1), (77, 12345)]
            {
                let card = CardId::wiegand(format, facility, number).unwrap();
                let (bits, frame) = encode_wiegand(&card).unwrap();
                assert_eq!(decode_wiegand(bits, &frame), Ok(card), "{card}");
            }
        }
    }
}
