//! Replies that carry something read at the reader, turned into [`ReaderEvent`]s.

use super::replies::Reply;
use crate::pin_entry::{PinEntry, PinKey};
use crate::reader::{CredentialRead, ReadData, ReaderId};
use gatehouse_core::card::CardId;
use std::time::{Duration, Instant};

/// `#` on an OSDP keypad.
const KEY_ENTER: u8 = 0x0D;
/// `*` on an OSDP keypad.
const KEY_CLEAR: u8 = 0x7F;
/// A pause this long after the last key ends the entry, as on a Wiegand keypad.
pub const PIN_PAUSE: Duration = Duration::from_secs(5);

/// Keys typed so far at one reader, assembled by the PIN assembler shared with Wiegand
/// keypads ([`PinEntry`]): ended by `#` or a pause, `*` clears, 4 to 12 digits.
#[derive(Debug)]
pub struct Keypad {
    entry: PinEntry,
}

impl Default for Keypad {
    fn default() -> Self {
        Keypad::new(PIN_PAUSE)
    }
}

impl Keypad {
    /// A keypad whose entries a pause of `pause` ends.
    pub fn new(pause: Duration) -> Self {
        Keypad {
            entry: PinEntry::new(pause),
        }
    }

    /// What `keys`, received at `at`, complete, if anything: an entry a pause ended before
    /// them first, then what `#` ends.
    pub fn press(&mut self, keys: &[u8], at: Instant) -> Vec<ReadData> {
        let mut out: Vec<ReadData> = self.entry.poll(at).into_iter().collect();
        for &key in keys {
            let key = match key {
                KEY_ENTER => PinKey::Hash,
                KEY_CLEAR => PinKey::Star,
                b'0'..=b'9' => PinKey::Digit(key - b'0'),
                _ => continue,
            };
            out.extend(self.entry.key(key, at));
        }
        out
    }

    /// The entry in progress, if a pause ended it by `now`.
    pub fn poll(&mut self, now: Instant) -> Option<ReadData> {
        self.entry.poll(now)
    }
}

/// The reads in `reply` from `reader`, assembling keypad input in `keypad` (an entry a
/// pause ended comes first, whatever the reply).
pub fn reads(reader: &ReaderId, reply: &Reply, keypad: &mut Keypad) -> Vec<CredentialRead> {
    let at = Instant::now();
    let mut data = match reply {
        // Raw bits, whatever the PD calls the format: decide() decodes the Wiegand frame,
        // and journals one it cannot decode as malformed.
        Reply::Raw { bits, data, .. } => vec![ReadData::WiegandFrame {
            bits: usize::from(*bits),
            data: data.clone(),
        }],
        Reply::Formatted { text, .. } => vec![formatted_card(text)],
        Reply::Keypad { keys, .. } => keypad.press(keys, at),
        _ => vec![],
    };
    if !matches!(reply, Reply::Keypad { .. }) {
        data.splice(0..0, keypad.poll(at));
    }
    data.into_iter()
        .map(|data| CredentialRead {
            reader: reader.clone(),
            at,
            data,
        })
        .collect()
}

/// osdp_FMT card data: characters whose meaning each vendor chooses (OSDP 2.2 deprecates
/// the reply). A reader set to send a card's Gatehouse name (`H10301:231:61033`,
/// `uid:04A1B2C3`) gives a card; anything else is unreadable, and the reason says how to set
/// the reader up instead, without repeating the characters (they may be a credential).
fn formatted_card(text: &[u8]) -> ReadData {
    let card = std::str::from_utf8(text)
        .ok()
        .and_then(|text| text.trim().parse::<CardId>().ok());
    match card {
        Some(card) => ReadData::Card(card),
        None => ReadData::Unreadable {
            reason: format!(
                "OSDP formatted card data ({} characters) is not a Gatehouse card name; \
                 set the reader to send raw Wiegand bits (osdp_RAW)",
                text.len()
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use gatehouse_core::model::Pin;

    #[test]
    fn keypad_digits_become_a_pin_on_enter() {
        let t = Instant::now();
        let mut k = Keypad::default();
        assert!(k.press(b"12", t).is_empty());
        let out = k.press(&[b'3', b'4', KEY_ENTER], t);
        assert_eq!(out, vec![ReadData::Pin(Pin::parse("1234").expect("pin"))]);
        assert!(k.press(&[b'9', KEY_CLEAR], t).is_empty());
        assert_eq!(
            k.press(&[b'5', b'6', b'7', b'8', KEY_ENTER], t),
            vec![ReadData::Pin(Pin::parse("5678").expect("pin"))]
        );
        assert!(matches!(
            k.press(&[KEY_ENTER], t)[..],
            [ReadData::Unreadable { .. }]
        ));
        let mut long = vec![b'1'; 13];
        long.push(KEY_ENTER);
        assert!(matches!(
            k.press(&long, t)[..],
            [ReadData::Unreadable { .. }]
        ));
    }

    #[test]
    fn a_pause_ends_the_entry_so_abandoned_digits_never_prefix_the_next_pin() {
        let t = Instant::now();
        let mut k = Keypad::default();
        assert!(k.press(b"12", t).is_empty());
        assert_eq!(k.poll(t + PIN_PAUSE / 2), None);
        let later = t + PIN_PAUSE + Duration::from_secs(1);
        let out = k.press(&[b'5', b'6', b'7', b'8', KEY_ENTER], later);
        assert!(
            matches!(
                &out[..],
                [ReadData::Unreadable { .. }, ReadData::Pin(pin)] if *pin == Pin::parse("5678").expect("pin")
            ),
            "{out:?}"
        );
        // A pause alone ends an entry too, 4 digits being a PIN.
        assert!(k.press(b"4321", later).is_empty());
        assert_eq!(
            k.poll(later + PIN_PAUSE),
            Some(ReadData::Pin(Pin::parse("4321").expect("pin")))
        );
    }

    #[test]
    fn raw_card_data_is_a_wiegand_frame() {
        let reader = ReaderId::new("lobby");
        let reply = Reply::Raw {
            reader: 0,
            format: 1,
            bits: 26,
            data: vec![1, 2, 3, 0x40],
        };
        let out = reads(&reader, &reply, &mut Keypad::default());
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].data,
            ReadData::WiegandFrame {
                bits: 26,
                data: vec![1, 2, 3, 0x40]
            }
        );
        assert!(reads(&reader, &Reply::Ack, &mut Keypad::default()).is_empty());
    }

    #[test]
    fn formatted_card_data_is_a_card_when_it_names_one() {
        let reader = ReaderId::new("lobby");
        let formatted = |text: &[u8]| {
            let reply = Reply::Formatted {
                reader: 0,
                text: text.to_vec(),
            };
            let out = reads(&reader, &reply, &mut Keypad::default());
            assert_eq!(out.len(), 1);
            out[0].data.clone()
        };
        assert_eq!(
            formatted(b"H10301:231:61033"),
            ReadData::Card("H10301:231:61033".parse().expect("card"))
        );
        assert_eq!(
            formatted(b"uid:04A1B2C3\r"),
            ReadData::Card("uid:04A1B2C3".parse().expect("card"))
        );
        for text in [&b"0012345678"[..], b"H10301:300:1", b"\xff\xfe", b""] {
            match formatted(text) {
                ReadData::Unreadable { reason } => {
                    assert!(reason.contains("osdp_RAW"), "{reason}");
                    assert!(reason.contains(&format!("({} characters)", text.len())));
                }
                other => panic!("{text:?} gave {other:?}"),
            }
        }
    }
}
