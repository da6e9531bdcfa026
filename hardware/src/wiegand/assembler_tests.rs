use super::*;

const MS: Duration = Duration::from_millis(1);

/// Edges for a frame written as '0'/'1' text, one bit every 2 ms from `start`.
fn pulses(bits: &str, start: Instant) -> Vec<(Line, Instant)> {
    bits.chars()
        .zip(0u32..)
        .map(|(c, i)| {
            (
                if c == '1' { Line::D1 } else { Line::D0 },
                start + 2 * MS * i,
            )
        })
        .collect()
}

/// Feeds a frame, then polls once the line has been silent for the timeout.
fn assemble(bits: &str, timeout: Duration) -> Vec<Result<Frame, FrameError>> {
    let t0 = Instant::now();
    let mut assembler = Assembler::new(timeout);
    let mut out: Vec<_> = pulses(bits, t0)
        .into_iter()
        .filter_map(|(line, at)| assembler.edge(line, at))
        .collect();
    if let Some(deadline) = assembler.deadline() {
        assert_eq!(
            assembler.poll(deadline - MS),
            None,
            "{bits}: not silent yet"
        );
        out.extend(assembler.poll(deadline));
    }
    assert_eq!(assembler.deadline(), None, "{bits}: idle after the frame");
    out
}

#[test]
fn frames_by_length() {
    let ones = |n: usize| "1".repeat(n);
    let cases: Vec<(String, Vec<Result<Frame, FrameError>>)> = vec![
        ("".into(), vec![]),
        ("1".into(), vec![Err(FrameError::TooShort(1))]),
        ("011".into(), vec![Err(FrameError::TooShort(3))]),
        (
            "0110".into(),
            vec![Ok(Frame {
                bits: 4,
                data: vec![0x60],
            })],
        ),
        (
            "11100001".into(),
            vec![Ok(Frame {
                bits: 8,
                data: vec![0xe1],
            })],
        ),
        (
            "11110011111101110011010010".into(),
            vec![Ok(Frame {
                bits: 26,
                data: vec![0xf3, 0xf7, 0x34, 0x80],
            })],
        ),
        (
            ones(64),
            vec![Ok(Frame {
                bits: 64,
                data: vec![0xff; 8],
            })],
        ),
        (ones(65), vec![Err(FrameError::TooLong(65))]),
        (ones(300), vec![Err(FrameError::TooLong(300))]),
    ];
    for (bits, want) in cases {
        assert_eq!(assemble(&bits, DEFAULT_TIMEOUT), want, "{bits}");
    }
}

#[test]
fn a_gap_shorter_than_the_timeout_stays_inside_the_frame() {
    let t0 = Instant::now();
    let mut assembler = Assembler::default();
    assert_eq!(assembler.edge(Line::D1, t0), None);
    assert_eq!(assembler.edge(Line::D0, t0 + 24 * MS), None);
    assert_eq!(assembler.edge(Line::D1, t0 + 48 * MS), None);
    assert_eq!(assembler.edge(Line::D1, t0 + 72 * MS), None);
    assert_eq!(
        assembler.poll(t0 + 97 * MS),
        Some(Ok(Frame {
            bits: 4,
            data: vec![0xb0]
        }))
    );
}

#[test]
fn an_edge_after_the_timeout_ends_the_previous_frame_and_starts_the_next() {
    let t0 = Instant::now();
    let mut assembler = Assembler::default();
    for (line, at) in pulses("1010", t0) {
        assert_eq!(assembler.edge(line, at), None);
    }
    // Nobody polled: the next frame's first bit closes the first frame.
    let next = t0 + 6 * MS + DEFAULT_TIMEOUT;
    assert_eq!(
        assembler.edge(Line::D0, next),
        Some(Ok(Frame {
            bits: 4,
            data: vec![0xa0]
        }))
    );
    for (line, at) in pulses("111", next + 2 * MS) {
        assert_eq!(assembler.edge(line, at), None);
    }
    assert_eq!(
        assembler.poll(next + 6 * MS + DEFAULT_TIMEOUT),
        Some(Ok(Frame {
            bits: 4,
            data: vec![0x70]
        }))
    );
}

#[test]
fn the_timeout_is_configurable() {
    let t0 = Instant::now();
    let mut assembler = Assembler::new(5 * MS);
    for (line, at) in pulses("0000", t0) {
        assembler.edge(line, at);
    }
    assert_eq!(assembler.deadline(), Some(t0 + 11 * MS));
    assert_eq!(assembler.poll(t0 + 10 * MS), None);
    assert!(assembler.poll(t0 + 11 * MS).is_some());
    // 2 ms bit spacing with a 1 ms timeout: every bit is a frame of its own, all noise.
    assert_eq!(assemble("1111", MS), vec![Err(FrameError::TooShort(1)); 4]);
}

#[test]
fn an_edge_stamped_before_the_last_one_does_not_end_the_frame() {
    let t0 = Instant::now() + 100 * MS;
    let mut assembler = Assembler::default();
    assembler.edge(Line::D1, t0);
    assert_eq!(assembler.edge(Line::D1, t0 - 50 * MS), None);
    assert_eq!(assembler.poll(t0 - MS), None);
}

#[test]
fn assembled_frames_decode_with_core() {
    use gatehouse_core::card::{CardFormat, encode_wiegand};
    for format in CardFormat::ALL {
        let card = CardId::wiegand(format, 42, 4242).unwrap();
        let (bits, data) = encode_wiegand(&card).unwrap();
        let text: String = (0..bits)
            .map(|i| {
                if data[i / 8] & (0x80 >> (i % 8)) != 0 {
                    '1'
                } else {
                    '0'
                }
            })
            .collect();
        let frames = assemble(&text, DEFAULT_TIMEOUT);
        assert_eq!(frames.len(), 1);
        let frame = frames[0].clone().unwrap();
        assert_eq!(frame.decode(), Ok(card));
        let mut flipped = frame.clone();
        flipped.data[0] ^= 0x40;
        assert!(
            matches!(flipped.decode(), Err(WiegandError::BadParity { .. })),
            "{card}"
        );
    }
}
