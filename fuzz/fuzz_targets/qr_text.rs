//! What a QR scanner can send, into the QR path: scan texts into the classifier, bytes
//! from a serial scanner into the line reader (overlong lines included), evdev records
//! from a keyboard-wedge scanner into the key-event decoder.
//!
//! Input: a mode byte, then bytes. Mode % 4: 0, the bytes as text (lossy UTF-8) and after
//! `GH1:`; 1, the bytes base45-encoded after `GH1:`, so the COSE parser sees any bytes (and
//! when mode / 4 is odd, the bytes as the protected header of a COSE_Sign1 that is well
//! formed around it); 2, the bytes from a serial port in chunks, lines of at most `max_len`
//! bytes; 3, the bytes as evdev records. Mode / 4 picks the chunk size and the maximum
//! length.

#![no_main]

use gatehouse_core::credential::{PREFIX, base45};
use gatehouse_hardware::qr::{
    DEFAULT_MAX_LEN, EVENT_SIZE, InputEvent, LineSplitter, WedgeConfig, WedgeDecoder, classify,
    run_events,
};
use gatehouse_hardware::reader::{ReadData, ReaderEvent, ReaderId};
use libfuzzer_sys::fuzz_target;
use std::io::Cursor;
use std::time::Duration;

fuzz_target!(|input: &[u8]| {
    let Some((&mode, bytes)) = input.split_first() else {
        return;
    };
    let setting = usize::from(mode / 4);
    // Small limits find the edges quickly; the default is the one that runs at doors.
    let max_len = if setting == 0 {
        DEFAULT_MAX_LEN
    } else {
        setting
    };
    match mode % 4 {
        0 => {
            let text = String::from_utf8_lossy(bytes);
            check_read(classify(&text), &text);
            let text = format!("{PREFIX}{text}");
            check_read(classify(&text), &text);
        }
        1 => {
            let message = if setting % 2 == 1 {
                sign1_around(bytes)
            } else {
                bytes.to_vec()
            };
            let text = format!("{PREFIX}{}", base45::encode(&message));
            check_read(classify(&text), &text);
        }
        2 => serial(bytes, setting + 1, max_len),
        _ => wedge(bytes, max_len),
    }
});

/// A read is the text itself, or an unreadable that says why.
fn check_read(read: ReadData, text: &str) {
    match read {
        ReadData::Qr(t) => assert_eq!(t, text),
        ReadData::Unreadable { reason } => assert!(!reason.is_empty()),
        other => panic!("a scan read as {other:?}"),
    }
}

/// A COSE_Sign1 (tag 18, array of 4) with `protected` as its protected header, an empty
/// unprotected one, a payload and a 64-byte signature: only the header can be wrong.
fn sign1_around(protected: &[u8]) -> Vec<u8> {
    let mut out = vec![0xD2, 0x84];
    byte_string(&mut out, protected);
    out.push(0xA0);
    byte_string(&mut out, b"claims");
    byte_string(&mut out, &[0; 64]);
    out
}

fn byte_string(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = u16::try_from(bytes.len()).expect("inputs are shorter than 64 KB");
    out.push(0x59);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

fn serial(bytes: &[u8], chunk: usize, max_len: usize) {
    let mut lines = LineSplitter::new(max_len);
    let mut got = Vec::new();
    for piece in bytes.chunks(chunk) {
        got.extend(lines.push(piece));
    }
    got.extend(lines.flush());
    for line in got.into_iter().flatten() {
        assert!(!line.is_empty() && line.len() <= max_len);
        assert!(!line.contains(['\r', '\n']));
        check_read(classify(&line), &line);
    }
}

fn wedge(bytes: &[u8], max_len: usize) {
    let gap = Duration::from_millis(500);
    // The decoder alone: every text within the limit.
    let mut decoder = WedgeDecoder::new(max_len, gap);
    for record in bytes.chunks_exact(EVENT_SIZE) {
        let record: &[u8; EVENT_SIZE] = record.try_into().expect("a whole record");
        let event = InputEvent::parse(record);
        assert_eq!(InputEvent::parse(&event.to_bytes()), event);
        if let Some(Ok(text)) = decoder.feed(&event) {
            assert!(!text.is_empty() && text.chars().count() <= max_len);
        }
    }
    // The device loop, reading records from a file that ends (an unplugged scanner).
    let config = WedgeConfig {
        device: "/dev/input/fuzz".into(),
        max_len,
        gap,
    };
    let mut reads = 0usize;
    run_events(
        Cursor::new(bytes),
        &ReaderId::new("fuzz"),
        &config,
        |event| {
            if let ReaderEvent::Read(read) = event {
                reads += 1;
                if let ReadData::Qr(text) = &read.data {
                    assert!(text.chars().count() <= max_len);
                }
            }
            true
        },
    );
    assert!(reads <= bytes.len() / EVENT_SIZE);
}
