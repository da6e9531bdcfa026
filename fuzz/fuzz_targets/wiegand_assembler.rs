//! Wiegand lines doing anything, at any timing: pulses on D0/D1 and polls, forwards and
//! backwards in time (clock skew between lines), into the frame assembler and the reader
//! with its keypad; every frame into core's Wiegand decoders and the keypad decoder.
//!
//! Input: the bit timeout in ms, the PIN pause in 50 ms steps, then 3-byte steps: an op
//! byte and a little-endian 16-bit gap. Op bits 0-1: a D0 pulse, a D1 pulse, a poll now, a
//! poll at the deadline; bits 2-3: the gap's unit (1 µs, 100 µs, 10 ms, 1 s); bit 4: the
//! gap goes back in time. The assembler is checked against a model: a list of bits.

#![no_main]

use gatehouse_core::card::{decode_wiegand, encode_wiegand};
use gatehouse_hardware::reader::{ReadData, ReaderId};
use gatehouse_hardware::wiegand::{
    Assembler, Frame, FrameError, Line, MAX_BITS, MIN_BITS, WiegandReader, key_from_frame,
};
use libfuzzer_sys::fuzz_target;
use std::time::{Duration, Instant};

const UNITS: [Duration; 4] = [
    Duration::from_micros(1),
    Duration::from_micros(100),
    Duration::from_millis(10),
    Duration::from_secs(1),
];

fuzz_target!(|input: &[u8]| {
    let [timeout_ms, pause_steps, steps @ ..] = input else {
        return;
    };
    // The decoders on their own, whatever they are given.
    let _ = decode_wiegand(usize::from(*timeout_ms), steps);
    let _ = key_from_frame(&Frame {
        bits: usize::from(*pause_steps),
        data: steps.to_vec(),
    });

    let timeout = Duration::from_millis(u64::from(*timeout_ms));
    let pause = Duration::from_millis(50) * u32::from(*pause_steps);
    let mut assembler = Assembler::new(timeout);
    let mut model = Model::new(timeout);
    let mut reader = WiegandReader::new(ReaderId::new("fuzz"), timeout, pause);
    let mut reads = Vec::new();
    let mut at = Instant::now();
    for step in steps.chunks_exact(3) {
        let gap = UNITS[usize::from((step[0] >> 2) & 0x03)]
            * u32::from(u16::from_le_bytes([step[1], step[2]]));
        at = if step[0] & 0x10 == 0 {
            at + gap
        } else {
            at.checked_sub(gap).unwrap_or(at)
        };
        match step[0] & 0x03 {
            op @ (0 | 1) => {
                let line = if op == 0 { Line::D0 } else { Line::D1 };
                let got = assembler.edge(line, at);
                assert_eq!(got, model.edge(line == Line::D1, at));
                check_frame(got);
                reads.extend(reader.edge(line, at));
            }
            2 => {
                let got = assembler.poll(at);
                assert_eq!(got, model.poll(at));
                check_frame(got);
                reads.extend(reader.poll(at));
            }
            _ => {
                if let Some(deadline) = assembler.deadline() {
                    let got = assembler.poll(deadline);
                    assert!(got.is_some(), "nothing at the deadline");
                    assert_eq!(got, model.poll(deadline));
                    check_frame(got);
                }
                if let Some(deadline) = reader.deadline() {
                    reads.extend(reader.poll(deadline));
                }
            }
        }
    }
    while let Some(deadline) = reader.deadline() {
        reads.extend(reader.poll(deadline));
    }
    for read in reads {
        match read.data {
            ReadData::WiegandFrame { bits, data } => {
                assert!((MIN_BITS..=MAX_BITS).contains(&bits));
                assert_eq!(data.len(), bits.div_ceil(8));
                let _ = decode_wiegand(bits, &data);
            }
            ReadData::Pin(_) => {}
            ReadData::Unreadable { reason } => assert!(!reason.is_empty()),
            other => panic!("a Wiegand reader read {other:?}"),
        }
    }
});

/// A frame is bounded, and one that decodes encodes back to the same card.
fn check_frame(result: Option<Result<Frame, FrameError>>) {
    let Some(Ok(frame)) = result else {
        return;
    };
    assert!((MIN_BITS..=MAX_BITS).contains(&frame.bits));
    assert_eq!(frame.data.len(), frame.bits.div_ceil(8));
    let _ = key_from_frame(&frame);
    if let Ok(card) = frame.decode() {
        let (bits, data) = encode_wiegand(&card).expect("a Wiegand card");
        assert_eq!(bits, frame.bits);
        assert_eq!(decode_wiegand(bits, &data), Ok(card));
    }
}

/// The assembler's rule, stated plainly: bits collect until a step comes `timeout` after
/// the latest bit.
struct Model {
    timeout: Duration,
    bits: Vec<bool>,
    latest: Option<Instant>,
}

impl Model {
    fn new(timeout: Duration) -> Self {
        Model {
            timeout,
            bits: Vec::new(),
            latest: None,
        }
    }

    fn edge(&mut self, one: bool, at: Instant) -> Option<Result<Frame, FrameError>> {
        let done = self.poll(at);
        self.bits.push(one);
        self.latest = Some(self.latest.map_or(at, |l| l.max(at)));
        done
    }

    fn poll(&mut self, now: Instant) -> Option<Result<Frame, FrameError>> {
        let latest = self.latest?;
        if now.saturating_duration_since(latest) < self.timeout {
            return None;
        }
        let bits = std::mem::take(&mut self.bits);
        self.latest = None;
        Some(match bits.len() {
            n if n < MIN_BITS => Err(FrameError::TooShort(n)),
            n if n > MAX_BITS => Err(FrameError::TooLong(n)),
            n => {
                let mut data = vec![0u8; n.div_ceil(8)];
                for (i, _) in bits.iter().enumerate().filter(|(_, one)| **one) {
                    data[i / 8] |= 0x80 >> (i % 8);
                }
                Ok(Frame { bits: n, data })
            }
        })
    }
}
