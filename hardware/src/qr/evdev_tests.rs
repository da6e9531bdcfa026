use super::*;
use crate::qr::char_for;

const MS: Duration = Duration::from_millis(1);

#[test]
#[cfg(target_endian = "little")]
fn parses_the_64_bit_record_layout() {
    let mut bytes = [0u8; EVENT_SIZE];
    bytes[0..8].copy_from_slice(&1_700_000_000i64.to_le_bytes());
    bytes[8..16].copy_from_slice(&250_000i64.to_le_bytes());
    bytes[16..18].copy_from_slice(&1u16.to_le_bytes());
    bytes[18..20].copy_from_slice(&30u16.to_le_bytes());
    bytes[20..24].copy_from_slice(&(-1i32).to_le_bytes());
    let event = InputEvent::parse(&bytes);
    assert_eq!(
        event,
        InputEvent {
            time: Duration::from_secs(1_700_000_000) + 250 * MS,
            kind: 1,
            code: 30,
            value: -1,
        }
    );
    assert_eq!(event.to_bytes(), bytes);
    // Nonsense times do not panic.
    bytes[0..16].copy_from_slice(&[0xff; 16]);
    assert_eq!(InputEvent::parse(&bytes).time, Duration::ZERO);
}

/// The events a US-layout keyboard wedge sends for `text` and Enter, 4 ms per event.
fn typed(text: &str, start: Duration) -> Vec<u8> {
    let code_for = |c: char| {
        (0..=255u16)
            .find_map(|code| {
                [false, true]
                    .into_iter()
                    .find(|&shift| char_for(code, shift) == Some(c))
                    .map(|shift| (code, shift))
            })
            .unwrap()
    };
    let mut keys = Vec::new();
    for c in text.chars() {
        let (code, shift) = code_for(c);
        if shift {
            keys.push((42, 1));
        }
        keys.extend([(code, 1), (code, 0)]);
        if shift {
            keys.push((42, 0));
        }
    }
    keys.extend([(28, 1), (28, 0)]);
    keys.iter()
        .zip(0u32..)
        .flat_map(|(&(code, value), i)| {
            let time = start + 4 * MS * i;
            let key = InputEvent {
                time,
                kind: 1,
                code,
                value,
            };
            let syn = InputEvent {
                time,
                kind: 0,
                code: 0,
                value: 0,
            };
            [key.to_bytes(), syn.to_bytes()]
        })
        .flatten()
        .collect()
}

fn config() -> WedgeConfig {
    WedgeConfig::new("/dev/input/by-id/usb-scanner-event-kbd")
}

#[test]
fn a_device_stream_becomes_reads_until_it_ends() {
    let pass = crate::qr::test_pass::pass_text();
    let mut stream = typed(&pass, Duration::from_secs(10));
    stream.extend(typed("WIFI:S:guest;;", Duration::from_secs(20)));
    // A record cut short: the device went away mid-read.
    stream.extend_from_slice(&[0u8; 10]);
    let id = ReaderId::new("lobby-qr");
    let mut events = Vec::new();
    let end = run_events(stream.as_slice(), &id, &config(), |e| {
        events.push(e);
        true
    });
    assert_eq!(end.kind(), io::ErrorKind::UnexpectedEof);
    let summary: Vec<_> = events
        .into_iter()
        .map(|e| match e {
            ReaderEvent::Read(read) => {
                assert_eq!(read.reader, id);
                format!("{:?}", read.data)
            }
            ReaderEvent::Health { reader, health, .. } => {
                assert_eq!(reader, id);
                format!("{health:?}")
            }
        })
        .collect();
    assert_eq!(
        summary,
        [
            "Online { secure: false }".to_string(),
            format!("{:?}", ReadData::Qr(pass)),
            format!(
                "{:?}",
                ReadData::Unreadable {
                    reason: "not a Gatehouse code: no GH1: prefix".into()
                }
            ),
            "Offline".to_string(),
        ]
    );
}

#[test]
fn a_sink_that_refuses_stops_the_reader() {
    let stream = typed("GH1:X", Duration::ZERO).repeat(3);
    let mut seen = 0;
    let end = run_events(stream.as_slice(), &ReaderId::new("q"), &config(), |_| {
        seen += 1;
        seen < 2
    });
    assert_eq!(end.to_string(), "stopped");
    assert_eq!(seen, 2);
}

#[test]
fn a_missing_device_is_offline() {
    let mut events = Vec::new();
    let config = WedgeConfig::new("/nonexistent/gatehouse-test-event0");
    let end = run_wedge(&ReaderId::new("q"), &config, |e| {
        events.push(e);
        true
    });
    assert_eq!(end.kind(), io::ErrorKind::NotFound);
    assert!(matches!(
        events.as_slice(),
        [ReaderEvent::Health {
            health: ReaderHealth::Offline,
            ..
        }]
    ));
}
