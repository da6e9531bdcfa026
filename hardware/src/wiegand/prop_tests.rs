//! Whatever the lines do, the assembler and the reader neither panic nor grow: every frame
//! stays within MAX_BITS and every read is a frame, a PIN or an unreadable.

use super::*;
use crate::reader::{ReadData, ReaderId};
use proptest::prelude::*;
use std::time::{Duration, Instant};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::PARSER_PROPTEST_CASES))]
    #[test]
    fn any_edges_give_bounded_frames(edges in prop::collection::vec((any::<bool>(), 0u64..60_000), 0..400)) {
        let mut at = Instant::now();
        let mut reader = WiegandReader::new(ReaderId::new("p"), DEFAULT_TIMEOUT, Duration::from_secs(5));
        let mut reads = Vec::new();
        for (one, gap_us) in edges {
            at += Duration::from_micros(gap_us);
            let line = if one { Line::D1 } else { Line::D0 };
            reads.extend(reader.edge(line, at));
        }
        while let Some(deadline) = reader.deadline() {
            reads.extend(reader.poll(deadline));
        }
        for read in reads {
            match read.data {
                ReadData::WiegandFrame { bits, data } => {
                    prop_assert!((MIN_BITS..=MAX_BITS).contains(&bits));
                    prop_assert_eq!(data.len(), bits.div_ceil(8));
                }
                ReadData::Pin(_) | ReadData::Unreadable { .. } => {}
                other => prop_assert!(false, "unexpected {:?}", other),
            }
        }
    }
}
