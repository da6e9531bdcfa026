//! Waiting for the next input edge, or for a pending deadline (a Wiegand frame's end, an
//! input's settle time), whichever comes first: the shared step of the edge-driven loops.

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Instant;

/// The next edge from `edges`; `Timeout` once `deadline` passes first; `Disconnected` when
/// every sender is gone. With no deadline, waits for an edge as long as it takes.
pub(crate) fn next_edge<T>(
    edges: &Receiver<T>,
    deadline: Option<Instant>,
) -> Result<T, RecvTimeoutError> {
    match deadline {
        Some(deadline) => edges.recv_timeout(deadline.saturating_duration_since(Instant::now())),
        None => edges.recv().map_err(|_| RecvTimeoutError::Disconnected),
    }
}
