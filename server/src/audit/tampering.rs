//! Random tampering with random chains: whatever single change is made to the stored rows,
//! the check names the row that was touched.

use super::chain::{ChainWriter, Entry};
use super::checkpoint::Checkpoint;
use super::verify::{Verifier, verify};
use gatehouse_core::credential::IssuerKey;
use proptest::prelude::*;

const STREAM: &str = "controller:9";

fn checkpoint_at(entry: &Entry) -> Checkpoint {
    let key = IssuerKey::from_seed(&[6; 32]);
    Checkpoint::sign(&entry.stream, entry.head(), 1_700_000_000_000, &key)
}

/// One tampering with a stored chain.
#[derive(Clone, Debug)]
enum Mutation {
    /// Flip bits of one payload byte (or add a byte to an empty payload).
    ChangePayload { row: usize, byte: usize, mask: u8 },
    /// Overwrite the stored hash column.
    ChangeHash { row: usize, mask: u8 },
    /// Overwrite the stored prev column.
    ChangePrev { row: usize, mask: u8 },
    /// Delete one row (the last one too: the checkpoint catches that).
    Delete { row: usize },
    /// Two rows trade places in the order the store returns them.
    Swap { a: usize, b: usize },
    /// Two rows trade contents but keep their seq (an UPDATE of the other columns).
    SwapContents { a: usize, b: usize },
}

impl Mutation {
    /// Applies the mutation; returns the seq of the first row it touched.
    fn apply(&self, rows: &mut Vec<Entry>) -> u64 {
        let seq = |row: usize| u64::try_from(row).unwrap() + 1;
        match *self {
            Mutation::ChangePayload { row, byte, mask } => {
                let payload = &mut rows[row].payload;
                if payload.is_empty() {
                    payload.push(mask);
                } else {
                    let len = payload.len();
                    payload[byte % len] ^= mask;
                }
                seq(row)
            }
            Mutation::ChangeHash { row, mask } => {
                rows[row].hash[0] ^= mask;
                seq(row)
            }
            Mutation::ChangePrev { row, mask } => {
                rows[row].prev[31] ^= mask;
                seq(row)
            }
            Mutation::Delete { row } => {
                rows.remove(row);
                seq(row)
            }
            Mutation::Swap { a, b } => {
                rows.swap(a, b);
                seq(a.min(b))
            }
            Mutation::SwapContents { a, b } => {
                let (seq_a, seq_b) = (rows[a].seq, rows[b].seq);
                rows.swap(a, b);
                rows[a].seq = seq_a;
                rows[b].seq = seq_b;
                seq(a.min(b))
            }
        }
    }
}

/// A chain of 1 to 40 rows with random payloads (empty ones included), and a mutation
/// of it. Swaps pick two distinct rows, so they need at least two.
fn chain_and_mutation() -> impl Strategy<Value = (Vec<Entry>, Mutation)> {
    prop::collection::vec(prop::collection::vec(any::<u8>(), 0..24), 1..40).prop_flat_map(
        |payloads| {
            let n = payloads.len();
            let mut writer = ChainWriter::new(STREAM, None);
            let rows: Vec<Entry> = payloads.into_iter().map(|p| writer.append(p)).collect();
            let row = 0..n;
            let mask = 1..=u8::MAX;
            let pair = (0..n, 1..n.max(2)).prop_map(move |(a, shift)| (a, (a + shift) % n));
            let single = prop_oneof![
                (row.clone(), any::<usize>(), mask.clone())
                    .prop_map(|(row, byte, mask)| { Mutation::ChangePayload { row, byte, mask } }),
                (row.clone(), mask.clone())
                    .prop_map(|(row, mask)| Mutation::ChangeHash { row, mask }),
                (row.clone(), mask).prop_map(|(row, mask)| Mutation::ChangePrev { row, mask }),
                row.prop_map(|row| Mutation::Delete { row }),
            ];
            let mutation = if n >= 2 {
                prop_oneof![
                    3 => single,
                    1 => pair.clone().prop_map(|(a, b)| Mutation::Swap { a, b }),
                    1 => pair.prop_map(|(a, b)| Mutation::SwapContents { a, b }),
                ]
                .boxed()
            } else {
                single.boxed()
            };
            (Just(rows), mutation)
        },
    )
}

proptest! {
    #[test]
    fn any_single_tampering_is_reported_at_its_row((rows, mutation) in chain_and_mutation()) {
        let checkpoint = checkpoint_at(rows.last().unwrap());
        prop_assert!(verify(STREAM, &rows, Some(&checkpoint)).is_ok());
        let mut tampered = rows.clone();
        let seq = mutation.apply(&mut tampered);
        let problem = verify(STREAM, &tampered, Some(&checkpoint)).unwrap_err();
        prop_assert_eq!(problem.seq(), Some(seq), "{}", problem);
        // The streaming verifier and the one-call form agree.
        let mut verifier = Verifier::new(STREAM, Some(&checkpoint));
        let streamed = tampered
            .iter()
            .try_for_each(|row| verifier.push(row))
            .and_then(|()| verifier.finish().map(|_| ()));
        prop_assert_eq!(streamed, Err(problem));
    }
}
