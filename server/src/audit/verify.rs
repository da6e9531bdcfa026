//! Walking a chain: rows go in one at a time, in seq order, and the first problem comes
//! out. A chain of millions of rows is checked as the store streams it; nothing but the
//! head and the pending checkpoints stays in memory.

use super::chain::{Entry, GENESIS, Head, link_hash};
use super::chain_break::ChainBreak;
use super::checkpoint::Checkpoint;
use std::borrow::Borrow;
use std::collections::VecDeque;

/// Checks one stream's rows as they arrive.
///
/// Checkpoints are given up front, not at the end: the verifier must compare the row at a
/// checkpoint's seq as that row goes past, or a rewrite of every row up to that checkpoint
/// (and a consistent chain after it) would go unnoticed.
#[derive(Clone, Debug)]
pub struct Verifier {
    stream: String,
    head: Option<Head>,
    /// Checkpoint heads not reached yet, lowest seq first.
    pending: VecDeque<Head>,
    /// The first problem, kept so that every later call reports it again.
    broken: Option<ChainBreak>,
}

impl Verifier {
    /// A verifier for `stream`, holding the chain to `checkpoints` (in any order; several
    /// may be given, and each is checked at its row).
    ///
    /// The checkpoints' signatures are not checked here: call [`Checkpoint::verify`] first.
    /// A checkpoint of another stream, or naming row 0, is reported by the first
    /// [`Verifier::push`] or by [`Verifier::finish`].
    pub fn new<'a>(
        stream: impl Into<String>,
        checkpoints: impl IntoIterator<Item = &'a Checkpoint>,
    ) -> Self {
        let stream = stream.into();
        let mut heads = Vec::new();
        let mut broken = None;
        for checkpoint in checkpoints {
            if broken.is_some() {
                break;
            }
            if checkpoint.stream != stream {
                broken = Some(ChainBreak::ForeignCheckpoint {
                    stream: stream.clone(),
                    checkpoint_stream: checkpoint.stream.clone(),
                });
            } else if checkpoint.seq == 0 {
                broken = Some(ChainBreak::CheckpointMismatch {
                    stream: stream.clone(),
                    seq: 0,
                });
            }
            heads.push(checkpoint.head());
        }
        heads.sort_by_key(|head| head.seq);
        Verifier {
            stream,
            head: None,
            pending: heads.into(),
            broken,
        }
    }

    /// Checks the next row. Rows must come in seq order (the store reads `ORDER BY seq`).
    /// After the first problem, every call returns that problem again.
    pub fn push(&mut self, entry: &Entry) -> Result<(), ChainBreak> {
        if let Some(problem) = &self.broken {
            return Err(problem.clone());
        }
        match self.check(entry) {
            Ok(()) => {
                self.head = Some(entry.head());
                Ok(())
            }
            Err(problem) => {
                self.broken = Some(problem.clone());
                Err(problem)
            }
        }
    }

    /// The order of the checks decides which problem is named first when a row has
    /// several: position before linkage before content, so a deleted row reads as a gap
    /// rather than as a mismatched link.
    fn check(&mut self, entry: &Entry) -> Result<(), ChainBreak> {
        let stream = || self.stream.clone();
        if entry.stream != self.stream {
            return Err(ChainBreak::WrongStream {
                stream: stream(),
                seq: entry.seq,
                found: entry.stream.clone(),
            });
        }
        // Saturating: a forged row at u64::MAX must be an error, not an overflow.
        let expected_seq = self.head.map_or(1, |head| head.seq.saturating_add(1));
        if entry.seq > expected_seq {
            return Err(ChainBreak::Gap {
                stream: stream(),
                expected_seq,
                found_seq: entry.seq,
            });
        }
        if entry.seq < expected_seq {
            return Err(ChainBreak::OutOfOrder {
                stream: stream(),
                expected_seq,
                found_seq: entry.seq,
            });
        }
        let expected_prev = self.head.map_or(GENESIS, |head| head.hash);
        if entry.prev != expected_prev {
            return Err(ChainBreak::PrevMismatch {
                stream: stream(),
                seq: entry.seq,
            });
        }
        if entry.hash != link_hash(&self.stream, entry.seq, &entry.prev, &entry.payload) {
            return Err(ChainBreak::HashMismatch {
                stream: stream(),
                seq: entry.seq,
            });
        }
        while let Some(checkpoint) = self.pending.front() {
            if checkpoint.seq != entry.seq {
                break;
            }
            if checkpoint.hash != entry.hash {
                return Err(ChainBreak::CheckpointMismatch {
                    stream: stream(),
                    seq: entry.seq,
                });
            }
            self.pending.pop_front();
        }
        Ok(())
    }

    /// The last row checked so far.
    pub fn head(&self) -> Option<Head> {
        self.head
    }

    /// Ends the walk: the chain's head (`None` for a stream with no rows), or the problem —
    /// including rows deleted from the end, when a checkpoint reaches past the last row.
    pub fn finish(self) -> Result<Option<Head>, ChainBreak> {
        if let Some(problem) = self.broken {
            return Err(problem);
        }
        if let Some(furthest) = self.pending.back() {
            return Err(ChainBreak::MissingTail {
                stream: self.stream,
                last_seq: self.head.map_or(0, |head| head.seq),
                checkpoint_seq: furthest.seq,
            });
        }
        Ok(self.head)
    }
}

/// Checks a whole stream in one call: rows in seq order, held to `checkpoints` (`None`,
/// `Some(&checkpoint)`, or a slice of several). Returns the head, `None` for no rows.
pub fn verify<'a, E: Borrow<Entry>>(
    stream: &str,
    entries: impl IntoIterator<Item = E>,
    checkpoints: impl IntoIterator<Item = &'a Checkpoint>,
) -> Result<Option<Head>, ChainBreak> {
    let mut verifier = Verifier::new(stream, checkpoints);
    for entry in entries {
        verifier.push(entry.borrow())?;
    }
    verifier.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::chain::{ChainWriter, sample_chain};
    use gatehouse_core::credential::IssuerKey;

    const STREAM: &str = "admin";

    fn key() -> IssuerKey {
        IssuerKey::from_seed(&[5; 32])
    }

    fn checkpoint_at(entry: &Entry) -> Checkpoint {
        Checkpoint::sign(&entry.stream, entry.head(), 1_700_000_000_000, &key())
    }

    fn broken(problem: ChainBreak) -> Result<Option<Head>, ChainBreak> {
        Err(problem)
    }

    #[test]
    fn an_intact_chain_verifies_to_its_head() {
        let rows = sample_chain(STREAM, 50);
        let head = rows[49].head();
        assert_eq!(verify(STREAM, &rows, None), Ok(Some(head)));
        let checkpoints = [checkpoint_at(&rows[9]), checkpoint_at(&rows[49])];
        assert_eq!(verify(STREAM, rows, &checkpoints), Ok(Some(head)));
    }

    #[test]
    fn an_empty_stream_verifies_to_no_head() {
        assert_eq!(verify(STREAM, Vec::<Entry>::new(), None), Ok(None));
    }

    #[test]
    fn a_changed_payload_is_a_hash_mismatch_at_that_row() {
        let mut rows = sample_chain(STREAM, 20);
        rows[16].payload[0] ^= 0x01;
        let problem = verify(STREAM, &rows, None).unwrap_err();
        assert_eq!(
            problem,
            ChainBreak::HashMismatch {
                stream: STREAM.into(),
                seq: 17
            }
        );
        assert_eq!(
            problem.to_string(),
            "stream admin: row 17 was changed (its hash does not match its content)"
        );
    }

    #[test]
    fn a_deleted_middle_row_is_a_gap() {
        let mut rows = sample_chain(STREAM, 20);
        rows.remove(7);
        assert_eq!(
            verify(STREAM, &rows, None),
            broken(ChainBreak::Gap {
                stream: STREAM.into(),
                expected_seq: 8,
                found_seq: 9
            })
        );
    }

    #[test]
    fn a_deleted_first_row_is_a_gap() {
        let rows = sample_chain(STREAM, 3);
        assert_eq!(
            verify(STREAM, &rows[1..], None),
            broken(ChainBreak::Gap {
                stream: STREAM.into(),
                expected_seq: 1,
                found_seq: 2
            })
        );
    }

    #[test]
    fn a_deleted_tail_is_caught_only_with_a_checkpoint() {
        let rows = sample_chain(STREAM, 20);
        let checkpoint = checkpoint_at(&rows[19]);
        let kept = &rows[..17];
        assert_eq!(verify(STREAM, kept, None), Ok(Some(rows[16].head())));
        assert_eq!(
            verify(STREAM, kept, Some(&checkpoint)),
            broken(ChainBreak::MissingTail {
                stream: STREAM.into(),
                last_seq: 17,
                checkpoint_seq: 20
            })
        );
        assert_eq!(
            verify(STREAM, Vec::<Entry>::new(), Some(&checkpoint)),
            broken(ChainBreak::MissingTail {
                stream: STREAM.into(),
                last_seq: 0,
                checkpoint_seq: 20
            })
        );
    }

    #[test]
    fn a_checkpoint_with_another_hash_is_a_checkpoint_mismatch() {
        let rows = sample_chain(STREAM, 20);
        let mut checkpoint = checkpoint_at(&rows[11]);
        checkpoint.head[0] ^= 0xff;
        assert_eq!(
            verify(STREAM, &rows, Some(&checkpoint)),
            broken(ChainBreak::CheckpointMismatch {
                stream: STREAM.into(),
                seq: 12
            })
        );
    }

    #[test]
    fn a_consistently_rewritten_chain_is_caught_by_the_checkpoint() {
        // The attacker changes row 5 and recomputes every hash from there on: the chain is
        // consistent again, and only the checkpoint at row 8 shows it.
        let rows = sample_chain(STREAM, 10);
        let checkpoint = checkpoint_at(&rows[7]);
        let mut writer = ChainWriter::new(STREAM, Some(rows[3].head()));
        let mut forged = rows[..4].to_vec();
        forged.push(writer.append(b"nothing happened".to_vec()));
        forged.extend(
            rows[5..]
                .iter()
                .map(|row| writer.append(row.payload.clone())),
        );
        assert!(verify(STREAM, &forged, None).is_ok());
        assert_eq!(
            verify(STREAM, &forged, Some(&checkpoint)),
            broken(ChainBreak::CheckpointMismatch {
                stream: STREAM.into(),
                seq: 8
            })
        );
    }

    #[test]
    fn a_row_rewritten_with_its_hash_breaks_the_next_link() {
        let mut rows = sample_chain(STREAM, 10);
        rows[4].payload = b"forged".to_vec();
        rows[4].hash = link_hash(STREAM, 5, &rows[4].prev, &rows[4].payload);
        assert_eq!(
            verify(STREAM, &rows, None),
            broken(ChainBreak::PrevMismatch {
                stream: STREAM.into(),
                seq: 6
            })
        );
    }

    #[test]
    fn rows_of_another_stream_do_not_verify_here() {
        let rows = sample_chain("controller:1", 3);
        assert_eq!(
            verify(STREAM, &rows, None),
            broken(ChainBreak::WrongStream {
                stream: STREAM.into(),
                seq: 1,
                found: "controller:1".into()
            })
        );
        // Relabelling the row does not help: the stream is inside the hash.
        let relabelled: Vec<Entry> = rows
            .into_iter()
            .map(|row| Entry {
                stream: STREAM.into(),
                ..row
            })
            .collect();
        assert_eq!(
            verify(STREAM, &relabelled, None),
            broken(ChainBreak::HashMismatch {
                stream: STREAM.into(),
                seq: 1
            })
        );
    }

    #[test]
    fn a_repeated_row_is_out_of_order() {
        let mut rows = sample_chain(STREAM, 5);
        rows.insert(3, rows[2].clone());
        assert_eq!(
            verify(STREAM, &rows, None),
            broken(ChainBreak::OutOfOrder {
                stream: STREAM.into(),
                expected_seq: 4,
                found_seq: 3
            })
        );
    }

    #[test]
    fn a_checkpoint_of_another_stream_is_refused_not_skipped() {
        let rows = sample_chain(STREAM, 3);
        let other = checkpoint_at(&sample_chain("controller:2", 3)[2]);
        let problem = verify(STREAM, &rows, Some(&other)).unwrap_err();
        assert_eq!(
            problem,
            ChainBreak::ForeignCheckpoint {
                stream: STREAM.into(),
                checkpoint_stream: "controller:2".into()
            }
        );
        assert_eq!(problem.seq(), None);
        // Also when the stream has no rows to push.
        assert_eq!(
            verify(STREAM, Vec::<Entry>::new(), Some(&other)),
            Err(problem)
        );
    }

    #[test]
    fn the_first_problem_sticks() {
        let mut rows = sample_chain(STREAM, 6);
        rows[1].payload.push(0);
        let mut verifier = Verifier::new(STREAM, None);
        assert_eq!(verifier.push(&rows[0]), Ok(()));
        let first = verifier.push(&rows[1]).unwrap_err();
        assert_eq!(verifier.push(&rows[2]), Err(first.clone()));
        assert_eq!(verifier.head(), Some(rows[0].head()));
        assert_eq!(verifier.finish(), Err(first));
    }
}
