//! Replies a PD sends, decoded from their code and (decrypted) data. Short or malformed
//! data is an error value, never a panic.

/// Reply codes.
pub mod code {
    /// osdp_ACK.
    pub const ACK: u8 = 0x40;
    /// osdp_NAK.
    pub const NAK: u8 = 0x41;
    /// osdp_PDID.
    pub const PDID: u8 = 0x45;
    /// osdp_PDCAP.
    pub const PDCAP: u8 = 0x46;
    /// osdp_LSTATR.
    pub const LSTATR: u8 = 0x48;
    /// osdp_RAW.
    pub const RAW: u8 = 0x50;
    /// osdp_FMT.
    pub const FMT: u8 = 0x51;
    /// osdp_KEYPAD.
    pub const KEYPAD: u8 = 0x53;
    /// osdp_COM.
    pub const COM: u8 = 0x54;
    /// osdp_CCRYPT.
    pub const CCRYPT: u8 = 0x76;
    /// osdp_RMAC_I.
    pub const RMAC_I: u8 = 0x78;
    /// osdp_BUSY.
    pub const BUSY: u8 = 0x79;
}

/// What osdp_PDID says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PdId {
    /// IEEE OUI of the vendor (3 bytes).
    pub vendor: u32,
    /// Model number.
    pub model: u8,
    /// Model version.
    pub version: u8,
    /// Serial number.
    pub serial: u32,
    /// Firmware major.minor.build.
    pub firmware: [u8; 3],
}

/// One osdp_PDCAP entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capability {
    /// Function code (e.g. 9 = communication security).
    pub function: u8,
    /// Compliance level.
    pub compliance: u8,
    /// Number of items.
    pub items: u8,
}

/// A decoded reply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// Done.
    Ack,
    /// Refused, with the NAK error code (e.g. 6: encryption required / security conditions).
    Nak(u8),
    /// Identity.
    PdId(PdId),
    /// Capabilities.
    PdCap(Vec<Capability>),
    /// Tamper and power status.
    LocalStatus {
        /// Enclosure tampered.
        tamper: bool,
        /// Power failure.
        power: bool,
    },
    /// Raw card data: format 1 = Wiegand bits, first bit in the MSB of the first byte.
    Raw {
        /// Reader number.
        reader: u8,
        /// 0 = unspecified, 1 = Wiegand.
        format: u8,
        /// Number of bits.
        bits: u16,
        /// The bits.
        data: Vec<u8>,
    },
    /// Formatted (ASCII) card data.
    Formatted {
        /// Reader number.
        reader: u8,
        /// The characters.
        text: Vec<u8>,
    },
    /// Keys pressed (ASCII digits; `#` is 0x0D, `*` is 0x7F).
    Keypad {
        /// Reader number.
        reader: u8,
        /// The keys.
        keys: Vec<u8>,
    },
    /// Communication settings after osdp_COMSET.
    Com {
        /// Address in use.
        address: u8,
        /// Baud rate in use.
        baud: u32,
    },
    /// The PD's answer to a challenge.
    ClientCryptogram {
        /// The PD's client unique id.
        cuid: [u8; 8],
        /// RND.B.
        rnd_b: [u8; 8],
        /// AES(S-ENC, RND.A ‖ RND.B).
        cryptogram: [u8; 16],
    },
    /// The initial R-MAC.
    InitialRmac([u8; 16]),
    /// Busy: ask again.
    Busy,
    /// A reply we do not act on.
    Other {
        /// Its code.
        code: u8,
    },
}

/// A reply whose data does not fit its code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("reply 0x{code:02X} with {len} data bytes is malformed")]
pub struct ReplyError {
    /// The reply code.
    pub code: u8,
    /// Its data length.
    pub len: usize,
}

fn array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(&bytes[..N]);
    a
}

impl Reply {
    /// Decodes reply `code` with `data`.
    pub fn decode(code: u8, data: &[u8]) -> Result<Reply, ReplyError> {
        let bad = || ReplyError {
            code,
            len: data.len(),
        };
        let need = |n: usize| if data.len() >= n { Ok(()) } else { Err(bad()) };
        Ok(match code {
            code::ACK => Reply::Ack,
            code::NAK => {
                need(1)?;
                Reply::Nak(data[0])
            }
            code::PDID => {
                need(12)?;
                Reply::PdId(PdId {
                    vendor: u32::from_le_bytes([data[0], data[1], data[2], 0]),
                    model: data[3],
                    version: data[4],
                    serial: u32::from_le_bytes(array(&data[5..9])),
                    firmware: array(&data[9..12]),
                })
            }
            code::PDCAP => {
                if data.len() % 3 != 0 {
                    return Err(bad());
                }
                Reply::PdCap(
                    data.chunks_exact(3)
                        .map(|c| Capability {
                            function: c[0],
                            compliance: c[1],
                            items: c[2],
                        })
                        .collect(),
                )
            }
            code::LSTATR => {
                need(2)?;
                Reply::LocalStatus {
                    tamper: data[0] != 0,
                    power: data[1] != 0,
                }
            }
            code::RAW => {
                need(4)?;
                let bits = u16::from_le_bytes([data[2], data[3]]);
                let bytes = usize::from(bits).div_ceil(8);
                if data.len() != 4 + bytes {
                    return Err(bad());
                }
                Reply::Raw {
                    reader: data[0],
                    format: data[1],
                    bits,
                    data: data[4..].to_vec(),
                }
            }
            code::FMT => {
                need(3)?;
                let len = usize::from(data[2]);
                if data.len() != 3 + len {
                    return Err(bad());
                }
                Reply::Formatted {
                    reader: data[0],
                    text: data[3..].to_vec(),
                }
            }
            code::KEYPAD => {
                need(2)?;
                let len = usize::from(data[1]);
                if data.len() != 2 + len {
                    return Err(bad());
                }
                Reply::Keypad {
                    reader: data[0],
                    keys: data[2..].to_vec(),
                }
            }
            code::COM => {
                need(5)?;
                Reply::Com {
                    address: data[0],
                    baud: u32::from_le_bytes(array(&data[1..5])),
                }
            }
            code::CCRYPT => {
                if data.len() != 32 {
                    return Err(bad());
                }
                Reply::ClientCryptogram {
                    cuid: array(&data[..8]),
                    rnd_b: array(&data[8..16]),
                    cryptogram: array(&data[16..32]),
                }
            }
            code::RMAC_I => {
                if data.len() != 16 {
                    return Err(bad());
                }
                Reply::InitialRmac(array(data))
            }
            code::BUSY => Reply::Busy,
            other => Reply::Other { code: other },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdid_decodes() {
        let data = [0xBE, 0xBA, 0xFE, 1, 2, 0xAF, 0xBE, 0xAD, 0xDE, 3, 4, 5];
        let Ok(Reply::PdId(id)) = Reply::decode(code::PDID, &data) else {
            panic!("pdid")
        };
        assert_eq!(
            id,
            PdId {
                vendor: 0xFEBABE,
                model: 1,
                version: 2,
                serial: 0xDEADBEAF,
                firmware: [3, 4, 5]
            }
        );
    }

    #[test]
    fn raw_card_data_decodes_and_bad_lengths_are_errors() {
        let r = Reply::decode(code::RAW, &[0, 1, 26, 0, 1, 2, 3, 0xC0]).expect("raw");
        assert_eq!(
            r,
            Reply::Raw {
                reader: 0,
                format: 1,
                bits: 26,
                data: vec![1, 2, 3, 0xC0]
            }
        );
        assert_eq!(
            Reply::decode(code::RAW, &[0, 1, 26, 0, 1]),
            Err(ReplyError {
                code: code::RAW,
                len: 5
            })
        );
        assert!(Reply::decode(code::PDID, &[1, 2]).is_err());
        assert!(Reply::decode(code::CCRYPT, &[0; 31]).is_err());
    }

    #[test]
    fn keypad_and_nak() {
        assert_eq!(
            Reply::decode(code::KEYPAD, &[0, 3, b'1', b'2', 0x0D]),
            Ok(Reply::Keypad {
                reader: 0,
                keys: vec![b'1', b'2', 0x0D]
            })
        );
        assert_eq!(Reply::decode(code::NAK, &[6]), Ok(Reply::Nak(6)));
        assert_eq!(Reply::decode(0x99, &[]), Ok(Reply::Other { code: 0x99 }));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(crate::PARSER_PROPTEST_CASES))]
        #[test]
        fn any_reply_data_decodes_or_is_an_error(code in proptest::prelude::any::<u8>(), data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80)) {
            let _ = Reply::decode(code, &data);
        }
    }
}
