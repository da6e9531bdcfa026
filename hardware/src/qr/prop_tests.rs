//! Whatever a scanner sends — bytes, key events, text — the QR path neither panics nor
//! buffers past its maximum.

use super::*;
use crate::reader::ReadData;
use proptest::prelude::*;
use std::time::Duration;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::PARSER_PROPTEST_CASES))]
    #[test]
    fn any_text_is_a_read(text in ".{0,300}", tail in "[0-9A-Z $%*+./:-]{0,300}") {
        for candidate in [text.clone(), format!("GH1:{tail}"), format!("GH1:{text}")] {
            match classify(&candidate) {
                ReadData::Qr(t) => prop_assert_eq!(t, candidate),
                ReadData::Unreadable { reason } => prop_assert!(!reason.is_empty()),
                other => prop_assert!(false, "unexpected {:?}", other),
            }
        }
    }

    #[test]
    fn any_bytes_split_into_bounded_lines(chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..64), 0..32)) {
        let mut splitter = LineSplitter::new(16);
        for chunk in chunks {
            for line in splitter.push(&chunk).into_iter().flatten() {
                prop_assert!(!line.is_empty() && line.len() <= 16);
            }
        }
    }

    #[test]
    fn any_key_events_give_bounded_texts(events in prop::collection::vec((0u16..3, any::<u16>(), -1i32..4, 0u64..1000), 0..500)) {
        let mut decoder = WedgeDecoder::new(16, Duration::from_millis(500));
        let mut time = Duration::ZERO;
        for (kind, code, value, gap_ms) in events {
            time += Duration::from_millis(gap_ms);
            let event = InputEvent { time, kind, code: code % 128, value };
            if let Some(Ok(text)) = decoder.feed(&event) {
                prop_assert!(!text.is_empty() && text.chars().count() <= 16);
            }
        }
    }
}
