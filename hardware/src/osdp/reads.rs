//! Replies that carry something read at the reader, turned into [`ReaderEvent`]s.

use super::replies::Reply;
use crate::reader::{CredentialRead, ReadData, ReaderId};
use gatehouse_core::model::Pin;
use std::time::Instant;

/// `#` on an OSDP keypad.
const KEY_ENTER: u8 = 0x0D;
/// `*` on an OSDP keypad.
const KEY_CLEAR: u8 = 0x7F;
/// No PIN is longer; longer input is dropped as unreadable rather than kept growing.
const MAX_KEYS: usize = 16;

/// Keys typed so far at one reader, until `#` ends a PIN.
#[derive(Debug, Default)]
pub struct Keypad {
    keys: String,
}

impl Keypad {
    /// What `keys` completes, if anything.
    pub fn press(&mut self, keys: &[u8]) -> Vec<ReadData> {
        let mut out = Vec::new();
        for &key in keys {
            match key {
                KEY_ENTER => {
                    let typed = std::mem::take(&mut self.keys);
                    out.push(match Pin::parse(&typed) {
                        Ok(pin) => ReadData::Pin(pin),
                        Err(_) => ReadData::Unreadable {
                            reason: "keypad input that is no PIN".into(),
                        },
                    });
                }
                KEY_CLEAR => self.keys.clear(),
                b'0'..=b'9' if self.keys.len() < MAX_KEYS => self.keys.push(char::from(key)),
                b'0'..=b'9' => {
                    self.keys.clear();
                    out.push(ReadData::Unreadable {
                        reason: "keypad input longer than a PIN".into(),
                    });
                }
                _ => {}
            }
        }
        out
    }
}

/// The reads in `reply` from `reader`, assembling keypad input in `keypad`.
pub fn reads(reader: &ReaderId, reply: &Reply, keypad: &mut Keypad) -> Vec<CredentialRead> {
    let data = match reply {
        // Raw bits, whatever the PD calls the format: decide() decodes the Wiegand frame,
        // and journals one it cannot decode as malformed.
        Reply::Raw { bits, data, .. } => vec![ReadData::WiegandFrame {
            bits: usize::from(*bits),
            data: data.clone(),
        }],
        Reply::Formatted { .. } => {
            vec![ReadData::Unreadable {
                reason: "OSDP formatted (ASCII) card data is not a supported card format".into(),
            }]
        }
        Reply::Keypad { keys, .. } => keypad.press(keys),
        _ => vec![],
    };
    let at = Instant::now();
    data.into_iter()
        .map(|data| CredentialRead {
            reader: reader.clone(),
            at,
            data,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keypad_digits_become_a_pin_on_enter() {
        let mut k = Keypad::default();
        assert!(k.press(b"12").is_empty());
        let out = k.press(&[b'3', b'4', KEY_ENTER]);
        assert_eq!(out, vec![ReadData::Pin(Pin::parse("1234").expect("pin"))]);
        assert!(k.press(&[b'9', KEY_CLEAR]).is_empty());
        assert_eq!(
            k.press(&[b'5', b'6', b'7', b'8', KEY_ENTER]),
            vec![ReadData::Pin(Pin::parse("5678").expect("pin"))]
        );
        assert!(matches!(
            k.press(&[KEY_ENTER])[..],
            [ReadData::Unreadable { .. }]
        ));
        assert!(matches!(
            k.press(&[b'1'; 17])[..],
            [ReadData::Unreadable { .. }]
        ));
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
}
