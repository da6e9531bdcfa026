//! The loop that runs a [`WiegandReader`] on a thread: edges arrive on a channel (from GPIO
//! interrupts, or a test), and the loop wakes at the reader's deadline to end frames.

use super::assembler::Line;
use super::reader::WiegandReader;
use crate::reader::ReaderEvent;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Instant;

/// Feeds `edges` to `reader` and hands every read to `sink`, until every sender of `edges`
/// is gone; what is in progress then is finished as if the line had fallen silent.
pub fn run(
    edges: &Receiver<(Line, Instant)>,
    mut reader: WiegandReader,
    mut sink: impl FnMut(ReaderEvent),
) {
    loop {
        match crate::edge_wait::next_edge(edges, reader.deadline()) {
            Ok((line, at)) => {
                if let Some(read) = reader.edge(line, at) {
                    sink(ReaderEvent::Read(read));
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                for read in reader.poll(Instant::now()) {
                    sink(ReaderEvent::Read(read));
                }
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    while let Some(deadline) = reader.deadline() {
        for read in reader.poll(deadline) {
            sink(ReaderEvent::Read(read));
        }
    }
}
