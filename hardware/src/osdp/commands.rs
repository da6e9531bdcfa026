//! Commands a control panel sends, and their data bytes.

/// Command codes.
pub mod code {
    /// osdp_POLL.
    pub const POLL: u8 = 0x60;
    /// osdp_ID.
    pub const ID: u8 = 0x61;
    /// osdp_CAP.
    pub const CAP: u8 = 0x62;
    /// osdp_LSTAT.
    pub const LSTAT: u8 = 0x64;
    /// osdp_OUT.
    pub const OUT: u8 = 0x68;
    /// osdp_LED.
    pub const LED: u8 = 0x69;
    /// osdp_BUZ.
    pub const BUZ: u8 = 0x6A;
    /// osdp_COMSET.
    pub const COMSET: u8 = 0x6E;
    /// osdp_KEYSET.
    pub const KEYSET: u8 = 0x75;
    /// osdp_CHLNG.
    pub const CHLNG: u8 = 0x76;
    /// osdp_SCRYPT.
    pub const SCRYPT: u8 = 0x77;
}

/// LED colours as OSDP numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum LedColor {
    /// Off.
    Black = 0,
    /// Red.
    Red = 1,
    /// Green.
    Green = 2,
    /// Amber.
    Amber = 3,
    /// Blue.
    Blue = 4,
}

/// osdp_LED for one LED: a permanent state, or a temporary one for `timer_100ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LedCommand {
    /// Reader number on the PD (0 for the first).
    pub reader: u8,
    /// LED number.
    pub led: u8,
    /// Colour while on.
    pub on_color: LedColor,
    /// Colour while off.
    pub off_color: LedColor,
    /// On time in 100 ms units (0 with `off_time` 0: steady).
    pub on_time: u8,
    /// Off time in 100 ms units.
    pub off_time: u8,
    /// `Some(t)`: a temporary state for `t` × 100 ms, then back to the permanent one.
    pub temporary_100ms: Option<u16>,
}

impl LedCommand {
    /// Steady `color` on LED 0 of reader 0, permanently.
    pub fn steady(color: LedColor) -> Self {
        LedCommand {
            reader: 0,
            led: 0,
            on_color: color,
            off_color: color,
            on_time: 1,
            off_time: 0,
            temporary_100ms: None,
        }
    }
}

/// osdp_BUZ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuzzerCommand {
    /// Reader number.
    pub reader: u8,
    /// On time, 100 ms units (0: off).
    pub on_time: u8,
    /// Off time, 100 ms units.
    pub off_time: u8,
    /// Repetitions (0: until told otherwise).
    pub count: u8,
}

/// osdp_OUT for one output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputCommand {
    /// Output number.
    pub output: u8,
    /// Permanently on (else off).
    pub on: bool,
}

/// A command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Anything to report?
    Poll,
    /// Identify yourself (PDID).
    Id,
    /// Your capabilities (PDCAP).
    Cap,
    /// Local status: tamper and power (LSTATR).
    LocalStatus,
    /// Set an LED.
    Led(LedCommand),
    /// Sound the buzzer.
    Buzzer(BuzzerCommand),
    /// Set an output.
    Output(OutputCommand),
    /// Change address and baud rate.
    ComSet {
        /// New address.
        address: u8,
        /// New baud rate.
        baud: u32,
    },
    /// Install a new SCBK (only ever sent inside a Secure Channel, by
    /// [`super::Bus::install_key`]; [`super::Bus::send`] refuses it). `Key`'s `Debug` never
    /// shows the key.
    KeySet(super::secure_channel::Key),
    /// Secure Channel challenge with RND.A.
    Challenge([u8; 8]),
    /// The server cryptogram.
    ServerCryptogram([u8; 16]),
}

impl Command {
    /// The command code.
    pub fn code(&self) -> u8 {
        match self {
            Command::Poll => code::POLL,
            Command::Id => code::ID,
            Command::Cap => code::CAP,
            Command::LocalStatus => code::LSTAT,
            Command::Led(_) => code::LED,
            Command::Buzzer(_) => code::BUZ,
            Command::Output(_) => code::OUT,
            Command::ComSet { .. } => code::COMSET,
            Command::KeySet(_) => code::KEYSET,
            Command::Challenge(_) => code::CHLNG,
            Command::ServerCryptogram(_) => code::SCRYPT,
        }
    }

    /// The data bytes.
    pub fn data(&self) -> Vec<u8> {
        match self {
            Command::Poll | Command::LocalStatus => vec![],
            Command::Id | Command::Cap => vec![0x00],
            Command::Led(led) => {
                let (temp_code, timer) = match led.temporary_100ms {
                    Some(t) => (2, t),
                    None => (0, 0),
                };
                let timer = timer.to_le_bytes();
                let (perm_code, temp) = if led.temporary_100ms.is_some() {
                    (0, true)
                } else {
                    (1, false)
                };
                let mut d = vec![led.reader, led.led, temp_code];
                if temp {
                    d.extend_from_slice(&[
                        led.on_time,
                        led.off_time,
                        led.on_color as u8,
                        led.off_color as u8,
                        timer[0],
                        timer[1],
                    ]);
                } else {
                    d.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
                }
                d.push(perm_code);
                if temp {
                    d.extend_from_slice(&[0, 0, 0, 0]);
                } else {
                    d.extend_from_slice(&[
                        led.on_time,
                        led.off_time,
                        led.on_color as u8,
                        led.off_color as u8,
                    ]);
                }
                d
            }
            Command::Buzzer(b) => {
                let tone = if b.on_time == 0 { 1 } else { 2 };
                vec![b.reader, tone, b.on_time, b.off_time, b.count]
            }
            Command::Output(o) => vec![o.output, if o.on { 2 } else { 1 }, 0, 0],
            Command::ComSet { address, baud } => {
                let mut d = vec![*address];
                d.extend_from_slice(&baud.to_le_bytes());
                d
            }
            Command::KeySet(key) => {
                let mut d = vec![0x01, 16];
                d.extend_from_slice(key.bytes());
                d
            }
            Command::Challenge(rnd) => rnd.to_vec(),
            Command::ServerCryptogram(c) => c.to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn led_records_are_fourteen_bytes() {
        let steady = Command::Led(LedCommand::steady(LedColor::Green)).data();
        assert_eq!(steady, vec![0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 2, 2]);
        let mut flash = LedCommand::steady(LedColor::Red);
        flash.temporary_100ms = Some(30);
        let d = Command::Led(flash).data();
        assert_eq!(d, vec![0, 0, 2, 1, 0, 1, 1, 30, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn buzzer_comset_keyset_and_id() {
        let b = BuzzerCommand {
            reader: 0,
            on_time: 2,
            off_time: 1,
            count: 3,
        };
        assert_eq!(Command::Buzzer(b).data(), vec![0, 2, 2, 1, 3]);
        assert_eq!(
            Command::ComSet {
                address: 3,
                baud: 9600
            }
            .data(),
            vec![3, 0x80, 0x25, 0, 0]
        );
        let key = crate::osdp::Key::from_hex("000102030405060708090a0b0c0d0e0f").expect("key");
        let k = Command::KeySet(key).data();
        assert_eq!((k[0], k[1], k.len()), (1, 16, 18));
        assert_eq!(
            format!("{:?}", Command::KeySet(crate::osdp::Key::random())),
            "KeySet(Key(..))"
        );
        assert_eq!((Command::Id.code(), Command::Id.data()), (0x61, vec![0]));
    }
}
