use super::*;
use crate::reader::ReaderEvent;
use crate::wiegand::{DEFAULT_TIMEOUT, run};
use gatehouse_core::card::{CardFormat, CardId, WiegandError, decode_wiegand, encode_wiegand};
use gatehouse_core::model::Pin;
use std::sync::mpsc;

const MS: Duration = Duration::from_millis(1);
const PAUSE: Duration = Duration::from_secs(5);

fn reader() -> WiegandReader {
    WiegandReader::new(ReaderId::new("lobby-in"), DEFAULT_TIMEOUT, PAUSE)
}

/// The edges a reader sends for `bits` bits of `data`, 2 ms apart from `start`.
fn edges(bits: usize, data: &[u8], start: Instant) -> Vec<(Line, Instant)> {
    (0..bits)
        .zip(0u32..)
        .map(|(i, n)| {
            let one = data[i / 8] & (0x80 >> (i % 8)) != 0;
            (if one { Line::D1 } else { Line::D0 }, start + 2 * MS * n)
        })
        .collect()
}

/// Feeds bursts 100 ms apart, then polls past every deadline; returns the reads' data.
fn feed(reader: &mut WiegandReader, bursts: &[(usize, Vec<u8>)]) -> Vec<ReadData> {
    let t0 = Instant::now();
    let mut out = Vec::new();
    for ((bits, data), n) in bursts.iter().zip(0u32..) {
        for (line, at) in edges(*bits, data, t0 + 100 * MS * n) {
            out.extend(reader.edge(line, at).map(|r| r.data));
        }
    }
    while let Some(deadline) = reader.deadline() {
        out.extend(reader.poll(deadline).into_iter().map(|r| r.data));
    }
    out
}

#[test]
fn every_supported_card_format_arrives_as_a_frame_that_decodes() {
    for format in CardFormat::ALL {
        for (facility, number) in [(0, 0), (1, 1), (231, 61033), (77, 12345)] {
            let card = CardId::wiegand(format, facility, number).unwrap();
            let (bits, data) = encode_wiegand(&card).unwrap();
            let reads = feed(&mut reader(), &[(bits, data.clone())]);
            assert_eq!(
                reads,
                vec![ReadData::WiegandFrame {
                    bits,
                    data: data.clone()
                }],
                "{card}"
            );
            let ReadData::WiegandFrame { bits, data } = &reads[0] else {
                unreachable!()
            };
            assert_eq!(decode_wiegand(*bits, data), Ok(card));
        }
    }
}

#[test]
fn a_corrupted_frame_arrives_but_does_not_decode() {
    for format in CardFormat::ALL {
        let card = CardId::wiegand(format, 12, 345).unwrap();
        let (bits, data) = encode_wiegand(&card).unwrap();
        for flip in 0..bits {
            let mut bad = data.clone();
            bad[flip / 8] ^= 0x80 >> (flip % 8);
            let reads = feed(&mut reader(), &[(bits, bad.clone())]);
            assert_eq!(reads, vec![ReadData::WiegandFrame { bits, data: bad }]);
            let ReadData::WiegandFrame { bits, data } = &reads[0] else {
                unreachable!()
            };
            assert!(
                matches!(
                    decode_wiegand(*bits, data),
                    Err(WiegandError::BadParity { .. })
                ),
                "{card} bit {flip}"
            );
        }
    }
    // A dropped bit makes a length no format has.
    let (_, data) = encode_wiegand(&CardId::wiegand(CardFormat::H10301, 1, 2).unwrap()).unwrap();
    let reads = feed(&mut reader(), &[(25, data)]);
    let ReadData::WiegandFrame { bits, data } = &reads[0] else {
        panic!("{reads:?}")
    };
    assert_eq!(
        decode_wiegand(*bits, data),
        Err(WiegandError::UnknownLength(25))
    );
}

fn keys4(keys: &[u8]) -> Vec<(usize, Vec<u8>)> {
    keys.iter().map(|&k| (4, vec![k << 4])).collect()
}

fn keys8(keys: &[u8]) -> Vec<(usize, Vec<u8>)> {
    keys.iter().map(|&k| (8, vec![(!k << 4) | k])).collect()
}

#[test]
fn keypad_bursts_become_pins() {
    let pin = |d: &str| ReadData::Pin(Pin::parse(d).unwrap());
    let cases = [
        (keys4(&[1, 2, 3, 4, 11]), vec![pin("1234")]),
        (keys8(&[9, 0, 0, 1, 11]), vec![pin("9001")]),
        // No `#`: the pause ends it.
        (keys8(&[5, 5, 5, 5, 5]), vec![pin("55555")]),
        (keys4(&[1, 10, 2, 3, 4, 5, 11]), vec![pin("2345")]),
        (
            keys4(&[1, 2, 11]),
            vec![ReadData::Unreadable {
                reason: "keypad entry of 2 digits is no PIN (4 to 12 digits)".into(),
            }],
        ),
        (
            vec![(8, vec![0x11])],
            vec![ReadData::Unreadable {
                reason: "keypad_bad_check: high nibble is not the complement of the low nibble"
                    .into(),
            }],
        ),
        (
            vec![(4, vec![0xe0])],
            vec![ReadData::Unreadable {
                reason: "keypad_unknown_key: value 14".into(),
            }],
        ),
    ];
    for (bursts, want) in cases {
        assert_eq!(feed(&mut reader(), &bursts), want, "{bursts:?}");
    }
}

#[test]
fn noise_is_dropped_and_overlong_bursts_are_unreadable() {
    assert_eq!(feed(&mut reader(), &[(3, vec![0xe0])]), vec![]);
    assert_eq!(
        feed(&mut reader(), &[(70, vec![0x55; 9])]),
        vec![ReadData::Unreadable {
            reason: "wiegand_too_long: 70 bits".into()
        }]
    );
}

#[test]
fn reads_name_the_reader_and_the_time_the_frame_ended() {
    let t0 = Instant::now();
    let mut reader = reader();
    let (bits, data) = encode_wiegand(&CardId::wiegand(CardFormat::H10301, 1, 2).unwrap()).unwrap();
    for (line, at) in edges(bits, &data, t0) {
        assert_eq!(reader.edge(line, at), None);
    }
    let end = t0 + 50 * MS + DEFAULT_TIMEOUT;
    assert_eq!(reader.deadline(), Some(end));
    assert_eq!(
        reader.poll(end),
        vec![CredentialRead {
            reader: ReaderId::new("lobby-in"),
            at: end,
            data: ReadData::WiegandFrame { bits, data },
        }]
    );
}

#[test]
fn the_driver_ends_frames_on_timeout_and_when_the_lines_go_away() {
    let (edge_tx, edge_rx) = mpsc::channel();
    let (read_tx, read_rx) = mpsc::channel();
    let card = CardId::wiegand(CardFormat::H10306, 300, 4000).unwrap();
    let (bits, data) = encode_wiegand(&card).unwrap();
    // Stamped in the past: the driver's deadline has passed when it looks. All queued before
    // the driver starts, as an interrupt handler would have queued them: sent while it runs,
    // the driver could drain the queue between two edges and rightly end the frame there.
    let past = Instant::now().checked_sub(Duration::from_secs(1)).unwrap();
    for edge in edges(bits, &data, past) {
        edge_tx.send(edge).unwrap();
    }
    let worker = std::thread::spawn(move || run(&edge_rx, reader(), |e| read_tx.send(e).unwrap()));
    let frame = ReadData::WiegandFrame { bits, data };
    let ReaderEvent::Read(first) = read_rx.recv().unwrap() else {
        panic!("not a read")
    };
    assert_eq!(first.data, frame);
    // A frame in progress when the lines go away is finished, not lost.
    for edge in edges(4, &[0x10], Instant::now()) {
        edge_tx.send(edge).unwrap();
    }
    drop(edge_tx);
    worker.join().unwrap();
    let rest: Vec<_> = read_rx.iter().collect();
    assert_eq!(rest.len(), 1, "{rest:?}");
    let ReaderEvent::Read(pin_key) = &rest[0] else {
        panic!("not a read")
    };
    // A lone `1` key: the pause finishes it as a too-short entry.
    assert_eq!(
        pin_key.data,
        ReadData::Unreadable {
            reason: "keypad entry of 1 digits is no PIN (4 to 12 digits)".into()
        }
    );
}
