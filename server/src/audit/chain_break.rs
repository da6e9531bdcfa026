//! What a chain check found wrong, worded for the operator who runs `gatehouse audit verify`.

use std::fmt;

/// The first problem found in a stream's chain. Every variant names the stream and the row
/// where the chain stops being trustworthy ([`ChainBreak::seq`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    /// Rows are missing in the middle: row `expected_seq` should come next, `found_seq` did.
    Gap {
        /// The stream checked.
        stream: String,
        /// The row that should have come next.
        expected_seq: u64,
        /// The row that came instead (greater).
        found_seq: u64,
    },
    /// A row came again or out of order: `found_seq` is lower than the next expected row.
    OutOfOrder {
        /// The stream checked.
        stream: String,
        /// The row that should have come next.
        expected_seq: u64,
        /// The row that came instead (lower).
        found_seq: u64,
    },
    /// Row `seq` does not link to row `seq - 1`: its `prev` is not that row's hash (or is
    /// not zero, for row 1). One of the two rows was rewritten.
    PrevMismatch {
        /// The stream checked.
        stream: String,
        /// The row whose `prev` is wrong.
        seq: u64,
    },
    /// Row `seq` was changed: its hash does not match its content.
    HashMismatch {
        /// The stream checked.
        stream: String,
        /// The changed row.
        seq: u64,
    },
    /// Rows were deleted from the end: the chain stops at `last_seq` (0: no rows at all)
    /// but a checkpoint shows it reached `checkpoint_seq`.
    MissingTail {
        /// The stream checked.
        stream: String,
        /// The last row present.
        last_seq: u64,
        /// The furthest row a checkpoint vouches for.
        checkpoint_seq: u64,
    },
    /// The row at a checkpoint's seq does not have the checkpoint's hash: the chain up to
    /// that row was rewritten consistently after the checkpoint was signed. A checkpoint
    /// naming row 0 (which no chain has) is reported here too.
    CheckpointMismatch {
        /// The stream checked.
        stream: String,
        /// The checkpoint's row.
        seq: u64,
    },
    /// Row `seq` names another stream: a row was moved or the store mixed up streams.
    WrongStream {
        /// The stream checked.
        stream: String,
        /// The row's seq.
        seq: u64,
        /// The stream the row names.
        found: String,
    },
    /// Row `seq` of a controller's stream accounts for events that are no longer stored as
    /// they were: `found` of its `expected` events are there, and they do not hash to the
    /// digest it recorded (see `super::chained_events`).
    EventsChanged {
        /// The stream checked.
        stream: String,
        /// The chain row whose events differ.
        seq: u64,
        /// The events the row accounts for.
        expected: u64,
        /// Those of them still stored.
        found: u64,
    },
    /// Row `seq` of a controller's stream does not read as a record of stored events.
    NotEvents {
        /// The stream checked.
        stream: String,
        /// The row.
        seq: u64,
    },
    /// A controller has events stored that no row of its chain accounts for: added
    /// directly in the database.
    UnchainedEvents {
        /// The stream checked.
        stream: String,
        /// The events the chain accounts for.
        chained: u64,
        /// The events stored.
        stored: u64,
    },
    /// A checkpoint of another stream was given to check this one (a caller's mistake,
    /// reported rather than ignored so no checkpoint is silently skipped).
    ForeignCheckpoint {
        /// The stream checked.
        stream: String,
        /// The checkpoint's stream.
        checkpoint_stream: String,
    },
}

impl ChainBreak {
    /// The stream that is broken.
    pub fn stream(&self) -> &str {
        match self {
            ChainBreak::Gap { stream, .. }
            | ChainBreak::OutOfOrder { stream, .. }
            | ChainBreak::PrevMismatch { stream, .. }
            | ChainBreak::HashMismatch { stream, .. }
            | ChainBreak::MissingTail { stream, .. }
            | ChainBreak::CheckpointMismatch { stream, .. }
            | ChainBreak::WrongStream { stream, .. }
            | ChainBreak::EventsChanged { stream, .. }
            | ChainBreak::NotEvents { stream, .. }
            | ChainBreak::UnchainedEvents { stream, .. }
            | ChainBreak::ForeignCheckpoint { stream, .. } => stream,
        }
    }

    /// The first row that is missing, changed or unlinked: everything before it checked
    /// out. `None` for a [`ChainBreak::ForeignCheckpoint`] and
    /// [`ChainBreak::UnchainedEvents`], which are about no row.
    pub fn seq(&self) -> Option<u64> {
        match self {
            ChainBreak::Gap { expected_seq, .. } | ChainBreak::OutOfOrder { expected_seq, .. } => {
                Some(*expected_seq)
            }
            ChainBreak::PrevMismatch { seq, .. }
            | ChainBreak::HashMismatch { seq, .. }
            | ChainBreak::CheckpointMismatch { seq, .. }
            | ChainBreak::WrongStream { seq, .. }
            | ChainBreak::EventsChanged { seq, .. }
            | ChainBreak::NotEvents { seq, .. } => Some(*seq),
            ChainBreak::MissingTail { last_seq, .. } => Some(last_seq.saturating_add(1)),
            ChainBreak::ForeignCheckpoint { .. } | ChainBreak::UnchainedEvents { .. } => None,
        }
    }
}

/// "row 5" or "rows 5 to 7".
fn rows(first: u64, last: u64) -> String {
    if first == last {
        format!("row {first} is")
    } else {
        format!("rows {first} to {last} are")
    }
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "stream {}: ", self.stream())?;
        match self {
            ChainBreak::Gap {
                expected_seq,
                found_seq,
                ..
            } => {
                // Saturating: the fields are public, so Display must survive any values.
                let missing = rows(*expected_seq, found_seq.saturating_sub(1));
                match expected_seq.saturating_sub(1) {
                    0 => write!(
                        f,
                        "{missing} missing (deleted): the chain starts at row {found_seq}"
                    ),
                    before => write!(
                        f,
                        "{missing} missing (deleted): row {found_seq} follows row {before}"
                    ),
                }
            }
            ChainBreak::OutOfOrder {
                expected_seq,
                found_seq,
                ..
            } => write!(
                f,
                "row {found_seq} appears again where row {expected_seq} was expected \
                 (a duplicated or renumbered row)"
            ),
            ChainBreak::PrevMismatch { seq: 1, .. } => write!(
                f,
                "row 1 does not start the chain (its previous-row hash is not zero): \
                 it was changed"
            ),
            ChainBreak::PrevMismatch { seq, .. } => write!(
                f,
                "row {seq} does not link to row {} (its previous-row hash does not match): \
                 one of the two was changed",
                seq.saturating_sub(1)
            ),
            ChainBreak::HashMismatch { seq, .. } => write!(
                f,
                "row {seq} was changed (its hash does not match its content)"
            ),
            ChainBreak::MissingTail {
                last_seq,
                checkpoint_seq,
                ..
            } => {
                let ends = match last_seq {
                    0 => "the chain has no rows".to_owned(),
                    _ => format!("the chain ends at row {last_seq}"),
                };
                write!(
                    f,
                    "{ends} but a signed checkpoint shows it reached row {checkpoint_seq}: {} \
                     missing (deleted from the end)",
                    rows(last_seq.saturating_add(1), *checkpoint_seq)
                )
            }
            ChainBreak::CheckpointMismatch { seq: 0, .. } => {
                write!(f, "a checkpoint names row 0, which no chain has")
            }
            ChainBreak::CheckpointMismatch { seq, .. } => write!(
                f,
                "row {seq} does not match the signed checkpoint at that row: \
                 the chain up to row {seq} was rewritten"
            ),
            ChainBreak::WrongStream { seq, found, .. } => {
                write!(f, "row {seq} belongs to stream {found}")
            }
            ChainBreak::EventsChanged {
                seq,
                expected,
                found,
                ..
            } if found < expected => write!(
                f,
                "{} of the {expected} events row {seq} accounts for are missing (deleted)",
                expected - found
            ),
            ChainBreak::EventsChanged { seq, expected, .. } => write!(
                f,
                "the {expected} events row {seq} accounts for were changed (their digest \
                 does not match)"
            ),
            ChainBreak::NotEvents { seq, .. } => write!(
                f,
                "row {seq} is not a record of stored events: it was changed"
            ),
            ChainBreak::UnchainedEvents {
                chained, stored, ..
            } => write!(
                f,
                "{stored} events are stored but the chain accounts for {chained}: \
                 events were added outside it"
            ),
            ChainBreak::ForeignCheckpoint {
                checkpoint_stream, ..
            } => write!(
                f,
                "was given a checkpoint of stream {checkpoint_stream} to check it"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admin() -> String {
        "admin".to_owned()
    }

    #[test]
    fn messages_name_the_stream_and_the_rows() {
        let cases = [
            (
                ChainBreak::HashMismatch {
                    stream: admin(),
                    seq: 17,
                },
                "stream admin: row 17 was changed (its hash does not match its content)",
            ),
            (
                ChainBreak::Gap {
                    stream: admin(),
                    expected_seq: 5,
                    found_seq: 6,
                },
                "stream admin: row 5 is missing (deleted): row 6 follows row 4",
            ),
            (
                ChainBreak::Gap {
                    stream: admin(),
                    expected_seq: 5,
                    found_seq: 8,
                },
                "stream admin: rows 5 to 7 are missing (deleted): row 8 follows row 4",
            ),
            (
                ChainBreak::Gap {
                    stream: admin(),
                    expected_seq: 1,
                    found_seq: 3,
                },
                "stream admin: rows 1 to 2 are missing (deleted): the chain starts at row 3",
            ),
            (
                ChainBreak::MissingTail {
                    stream: "controller:3".to_owned(),
                    last_seq: 9,
                    checkpoint_seq: 12,
                },
                "stream controller:3: the chain ends at row 9 but a signed checkpoint shows it \
                 reached row 12: rows 10 to 12 are missing (deleted from the end)",
            ),
            (
                ChainBreak::MissingTail {
                    stream: admin(),
                    last_seq: 0,
                    checkpoint_seq: 1,
                },
                "stream admin: the chain has no rows but a signed checkpoint shows it reached \
                 row 1: row 1 is missing (deleted from the end)",
            ),
            (
                ChainBreak::PrevMismatch {
                    stream: admin(),
                    seq: 4,
                },
                "stream admin: row 4 does not link to row 3 (its previous-row hash does not \
                 match): one of the two was changed",
            ),
            (
                ChainBreak::CheckpointMismatch {
                    stream: admin(),
                    seq: 4,
                },
                "stream admin: row 4 does not match the signed checkpoint at that row: the \
                 chain up to row 4 was rewritten",
            ),
        ];
        for (problem, message) in cases {
            assert_eq!(problem.to_string(), message);
        }
    }

    #[test]
    fn seq_is_the_first_untrustworthy_row() {
        let tail = ChainBreak::MissingTail {
            stream: admin(),
            last_seq: 9,
            checkpoint_seq: 12,
        };
        assert_eq!(tail.seq(), Some(10));
        let gap = ChainBreak::Gap {
            stream: admin(),
            expected_seq: 5,
            found_seq: 8,
        };
        assert_eq!(gap.seq(), Some(5));
        assert_eq!(gap.stream(), "admin");
    }
}
