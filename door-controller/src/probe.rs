//! `gatehouse-door reader probe --osdp PORT --address N [--baud B] [--scbk HEX32] [--seconds S]`:
//! the installer's check of one OSDP reader. It opens the bus, brings the reader online
//! (over the Secure Channel when `--scbk` is given, and only then), and prints JSON lines:
//!
//! - `{"type":"online","address":N,"secure":bool,"vendor":"00a1b2","model":M,"version":V,"serial":S}`
//!   once the reader answered ID and CAP;
//! - `{"type":"card","address":N,"format":"H10301","bits":26,"hex":"…"}` per card read
//!   (`format` names the Wiegand format when the bits decode as one, else `raw`; a card the
//!   reader sent as formatted text gives its format or `uid` and the bits it stands for);
//! - `{"type":"unreadable","address":N,"reason":"…"}` for card data that names no card;
//! - `{"type":"error","reason":CODE,"detail":"…"}` on a failure: `bad_argument`, `port`,
//!   `wrong_key`, `secure_channel_refused`, `offline`, `no_answer`.
//!
//! It runs for `--seconds` (default 10); it succeeds only if the reader came online as
//! asked (secure when `--scbk` was given).

use gatehouse_core::card::{CardId, decode_wiegand, encode_wiegand};
use gatehouse_hardware::osdp::{Bus, BusConfig, Key, ReaderConfig, SerialChannel};
use gatehouse_hardware::reader::{ReadData, ReaderEvent, ReaderHealth, ReaderId, RefusalCause};
use serde_json::{Value, json};
use std::io::Write;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The probe's arguments.
#[derive(Clone, Debug, clap::Args)]
pub struct ProbeArgs {
    /// Serial port of the RS-485 adapter (e.g. /dev/ttyUSB0).
    #[arg(long, value_name = "PORT")]
    pub osdp: String,
    /// The reader's OSDP address (0-126).
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=126))]
    pub address: u8,
    /// Baud rate.
    #[arg(long, default_value_t = 9600)]
    pub baud: u32,
    /// The reader's Secure Channel base key, 32 hex digits: the reader must then come online
    /// over the Secure Channel with this key.
    #[arg(long, value_name = "HEX32")]
    pub scbk: Option<String>,
    /// How long to listen, in seconds.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
}

fn error(out: &mut dyn Write, reason: &str, detail: &str) {
    line(
        out,
        &json!({"type": "error", "reason": reason, "detail": detail}),
    );
}

fn line(out: &mut dyn Write, value: &Value) {
    // A closed stdout ends nothing here: the exit status still tells the outcome.
    let _ = writeln!(out, "{value}");
    let _ = out.flush();
}

/// Runs the probe, printing JSON lines to `out`; true when the reader came online as asked.
pub fn run(args: &ProbeArgs, out: &mut dyn Write) -> bool {
    let key = match args.scbk.as_deref().map(Key::from_hex).transpose() {
        Ok(key) => key,
        Err(e) => {
            error(out, "bad_argument", &format!("--scbk: {e}"));
            return false;
        }
    };
    let secure_wanted = key.is_some();
    let channel = match SerialChannel::open(&args.osdp, args.baud) {
        Ok(c) => c,
        Err(e) => {
            error(out, "port", &format!("{}: {e}", args.osdp));
            return false;
        }
    };
    let reader = ReaderId::new("probe");
    let (tx, rx) = mpsc::channel();
    let config = ReaderConfig {
        id: reader.clone(),
        address: args.address,
        key,
    };
    let mut bus = match Bus::new(
        Box::new(channel),
        BusConfig::default(),
        vec![config],
        move |e| {
            let _ = tx.send(e);
        },
    ) {
        Ok(bus) => bus,
        Err(e) => {
            error(out, "bad_argument", &e.to_string());
            return false;
        }
    };

    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let mut came_online = false;
    let mut last_error: Option<String> = None;
    while Instant::now() < deadline {
        bus.poll_round();
        for event in rx.try_iter() {
            match event {
                ReaderEvent::Health { health, .. } => match health {
                    ReaderHealth::Online { secure } => {
                        let id = bus.info(&reader).and_then(|i| i.id.clone());
                        line(
                            out,
                            &json!({
                                "type": "online",
                                "address": args.address,
                                "secure": secure,
                                "vendor": id.as_ref().map(|i| format!("{:06x}", i.vendor)),
                                "model": id.as_ref().map(|i| i.model),
                                "version": id.as_ref().map(|i| i.version),
                                "serial": id.as_ref().map(|i| i.serial),
                            }),
                        );
                        came_online |= secure == secure_wanted;
                    }
                    ReaderHealth::SecureChannelRefused { cause, reason } => {
                        let code = refusal_code(cause);
                        if last_error.as_deref() != Some(code) {
                            error(out, code, &reason);
                            last_error = Some(code.to_owned());
                        }
                    }
                    ReaderHealth::Offline if came_online => {
                        error(out, "offline", "the reader stopped answering")
                    }
                    ReaderHealth::Offline => {}
                    ReaderHealth::Tamper => error(out, "tamper", "the reader reports tamper"),
                },
                ReaderEvent::Read(read) => {
                    if let Some(read) = read_line(args.address, read.data) {
                        line(out, &read);
                    }
                }
            }
        }
        std::thread::sleep(
            Duration::from_millis(20).min(deadline.saturating_duration_since(Instant::now())),
        );
    }
    if !came_online && last_error.is_none() {
        error(
            out,
            "no_answer",
            &format!(
                "no reader answered at address {} on {}",
                args.address, args.osdp
            ),
        );
    }
    came_online
}

/// The line a read prints: card data, or input that names no card. PINs and QR texts are
/// not the probe's business (and a PIN is a secret).
fn read_line(address: u8, read: ReadData) -> Option<Value> {
    let (format, bits, data) = match read {
        ReadData::WiegandFrame { bits, data } => {
            let format = match decode_wiegand(bits, &data) {
                Ok(CardId::Wiegand { format, .. }) => format.to_string(),
                _ => "raw".to_owned(),
            };
            (format, bits, data)
        }
        ReadData::Card(card @ CardId::Wiegand { format, .. }) => {
            let (bits, data) = encode_wiegand(&card)?;
            (format.to_string(), bits, data)
        }
        ReadData::Card(CardId::Uid { uid }) => {
            let data = uid.as_bytes().to_vec();
            ("uid".to_owned(), data.len() * 8, data)
        }
        ReadData::Unreadable { reason } => {
            return Some(json!({"type": "unreadable", "address": address, "reason": reason}));
        }
        ReadData::Pin(_) | ReadData::Qr(_) => return None,
    };
    Some(json!({
        "type": "card",
        "address": address,
        "format": format,
        "bits": bits,
        "hex": hex::encode(data),
    }))
}

/// The probe's error reason for a refused Secure Channel: from the typed cause, never from
/// the message's wording.
fn refusal_code(cause: RefusalCause) -> &'static str {
    match cause {
        RefusalCause::WrongKey => "wrong_key",
        RefusalCause::Downgrade | RefusalCause::Refused | RefusalCause::BadMac => {
            "secure_channel_refused"
        }
    }
}

#[cfg(test)]
mod refusal_tests {
    use super::*;

    #[test]
    fn every_kind_of_card_data_prints_a_line() {
        let h10301: CardId = "H10301:231:61033".parse().expect("card");
        let (bits, frame) = encode_wiegand(&h10301).expect("frame");
        let expected = json!({"type": "card", "address": 3, "format": "H10301", "bits": 26,
            "hex": hex::encode(&frame)});
        let raw = ReadData::WiegandFrame { bits, data: frame };
        assert_eq!(read_line(3, raw), Some(expected.clone()));
        assert_eq!(read_line(3, ReadData::Card(h10301)), Some(expected));
        assert_eq!(
            read_line(
                3,
                ReadData::WiegandFrame {
                    bits: 12,
                    data: vec![0xab, 0xc0]
                }
            ),
            Some(json!({"type": "card", "address": 3, "format": "raw", "bits": 12, "hex": "abc0"}))
        );
        assert_eq!(
            read_line(3, ReadData::Card("uid:04A1B2C3".parse().expect("uid"))),
            Some(
                json!({"type": "card", "address": 3, "format": "uid", "bits": 32, "hex": "04a1b2c3"})
            )
        );
        let reason = "OSDP formatted card data (4 characters) is not a Gatehouse card name";
        assert_eq!(
            read_line(
                3,
                ReadData::Unreadable {
                    reason: reason.into()
                }
            ),
            Some(json!({"type": "unreadable", "address": 3, "reason": reason}))
        );
        assert_eq!(read_line(3, ReadData::Qr("GH1:…".into())), None);
    }

    #[test]
    fn wrong_key_comes_from_the_cause_not_the_wording() {
        assert_eq!(refusal_code(RefusalCause::WrongKey), "wrong_key");
        for cause in [
            RefusalCause::Downgrade,
            RefusalCause::Refused,
            RefusalCause::BadMac,
        ] {
            assert_eq!(refusal_code(cause), "secure_channel_refused");
        }
    }
}
