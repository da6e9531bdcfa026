use super::*;

const SEC: Duration = Duration::from_secs(1);

fn frame(bits: usize, byte: u8) -> Frame {
    Frame {
        bits,
        data: vec![byte],
    }
}

#[test]
fn bursts_to_keys() {
    let cases = [
        (frame(4, 0x00), Ok(Key::Digit(0))),
        (frame(4, 0x70), Ok(Key::Digit(7))),
        (frame(4, 0x90), Ok(Key::Digit(9))),
        (frame(4, 0xa0), Ok(Key::Star)),
        (frame(4, 0xb0), Ok(Key::Hash)),
        (frame(4, 0xc0), Err(KeyError::UnknownValue(12))),
        (frame(4, 0xf0), Err(KeyError::UnknownValue(15))),
        (frame(8, 0xf0), Ok(Key::Digit(0))),
        (frame(8, 0xe1), Ok(Key::Digit(1))),
        (frame(8, 0x69), Ok(Key::Digit(9))),
        (frame(8, 0x5a), Ok(Key::Star)),
        (frame(8, 0x4b), Ok(Key::Hash)),
        (frame(8, 0x3c), Err(KeyError::UnknownValue(12))),
        (frame(8, 0xe0), Err(KeyError::BadCheck)),
        (frame(8, 0x01), Err(KeyError::BadCheck)),
        (frame(6, 0x00), Err(KeyError::BadLength(6))),
        (
            Frame {
                bits: 8,
                data: vec![],
            },
            Err(KeyError::BadCheck),
        ),
    ];
    for (frame, want) in cases {
        assert_eq!(key_from_frame(&frame), want, "{frame:?}");
    }
}

fn typed(keys: &str) -> Vec<Key> {
    keys.chars()
        .map(|c| match c {
            '*' => Key::Star,
            '#' => Key::Hash,
            d => Key::Digit(u8::try_from(d.to_digit(10).unwrap()).unwrap()),
        })
        .collect()
}

fn pin(digits: &str) -> ReadData {
    ReadData::Pin(Pin::parse(digits).unwrap())
}

fn no_pin(n: usize) -> ReadData {
    ReadData::Unreadable {
        reason: format!("keypad entry of {n} digits is no PIN (4 to 12 digits)"),
    }
}

/// Keys one second apart, then a poll long after the last one.
fn enter(keys: &str) -> Vec<ReadData> {
    let t0 = Instant::now();
    let mut entry = PinEntry::new(5 * SEC);
    let mut out: Vec<_> = typed(keys)
        .into_iter()
        .zip(0u32..)
        .filter_map(|(key, i)| entry.key(key, t0 + SEC * i))
        .collect();
    out.extend(entry.poll(t0 + SEC * 1000));
    out
}

#[test]
fn key_sequences_to_reads() {
    let cases = [
        ("1234#", vec![pin("1234")]),
        ("123456789012#", vec![pin("123456789012")]),
        ("1234", vec![pin("1234")]),
        ("12*5678#", vec![pin("5678")]),
        ("1234*", vec![]),
        ("123#", vec![no_pin(3)]),
        ("#", vec![no_pin(0)]),
        ("1234567890123#", vec![no_pin(13)]),
        ("1234#9876#", vec![pin("1234"), pin("9876")]),
        ("1234#56", vec![pin("1234"), no_pin(2)]),
    ];
    for (keys, want) in cases {
        assert_eq!(enter(keys), want, "{keys}");
    }
}

#[test]
fn a_pause_ends_the_entry_only_once_it_is_long_enough() {
    let t0 = Instant::now();
    let mut entry = PinEntry::new(5 * SEC);
    assert_eq!(entry.deadline(), None);
    for (key, i) in typed("4321").into_iter().zip(0u32..) {
        assert_eq!(entry.key(key, t0 + SEC * i), None);
    }
    assert_eq!(entry.deadline(), Some(t0 + 8 * SEC));
    assert_eq!(entry.poll(t0 + 7 * SEC), None);
    assert_eq!(entry.poll(t0 + 8 * SEC), Some(pin("4321")));
    assert_eq!(entry.poll(t0 + 9 * SEC), None);
    assert_eq!(entry.deadline(), None);
}
