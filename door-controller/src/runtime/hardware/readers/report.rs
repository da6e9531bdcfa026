//! A reader thread's way to the controller: each health change once (a port tried again
//! and again is one `offline`, not one per attempt), and the signal to stop when the
//! controller has gone.

use gatehouse_hardware::reader::{ReaderEvent, ReaderHealth, ReaderId};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// How often a waiting reader thread looks whether the controller has gone.
const STOP_CHECK: Duration = Duration::from_millis(200);

/// One reader thread's sender.
#[derive(Debug)]
pub struct Reporter {
    events: mpsc::Sender<ReaderEvent>,
    last: Vec<(ReaderId, ReaderHealth)>,
}

impl Reporter {
    /// A reporter sending to `events`.
    pub fn new(events: mpsc::Sender<ReaderEvent>) -> Self {
        Reporter {
            events,
            last: Vec::new(),
        }
    }

    /// A sender of its own, to see whether the controller still listens once the
    /// reporter was handed to a back-end.
    pub fn sender(&self) -> mpsc::Sender<ReaderEvent> {
        self.events.clone()
    }

    /// Whether the controller stopped listening: the thread ends.
    pub fn stopped(&self) -> bool {
        self.events.is_closed()
    }

    /// Sends `event` (a health event only when the reader's health changed); `false`
    /// once the controller stopped listening.
    pub fn send(&mut self, event: ReaderEvent) -> bool {
        if let ReaderEvent::Health { reader, health, .. } = &event {
            match self.last.iter_mut().find(|(r, _)| r == reader) {
                Some((_, last)) if last == health => return !self.stopped(),
                Some((_, last)) => *last = health.clone(),
                None => self.last.push((reader.clone(), health.clone())),
            }
        }
        // Called from the reader's own thread, never from the runtime's.
        self.events.blocking_send(event).is_ok()
    }

    /// Reports `reader` as not answering.
    pub fn offline(&mut self, reader: &ReaderId) -> bool {
        self.send(ReaderEvent::Health {
            reader: reader.clone(),
            at: Instant::now(),
            health: ReaderHealth::Offline,
        })
    }

    /// Waits `how_long` before the next attempt; `false` if the controller stopped
    /// listening meanwhile.
    pub fn wait(&self, how_long: Duration) -> bool {
        let until = Instant::now() + how_long;
        while !self.stopped() {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return true;
            }
            std::thread::sleep(left.min(STOP_CHECK));
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn health(reader: &str, health: ReaderHealth) -> ReaderEvent {
        ReaderEvent::Health {
            reader: ReaderId::new(reader),
            at: Instant::now(),
            health,
        }
    }

    #[test]
    fn each_health_change_is_sent_once_and_a_closed_channel_stops() {
        let (tx, mut rx) = mpsc::channel(16);
        let mut reporter = Reporter::new(tx);
        let online = ReaderHealth::Online { secure: false };
        assert!(reporter.offline(&ReaderId::new("a")));
        assert!(reporter.offline(&ReaderId::new("a")));
        assert!(reporter.offline(&ReaderId::new("b")));
        assert!(reporter.send(health("a", online.clone())));
        assert!(reporter.send(health("a", online.clone())));
        assert!(reporter.offline(&ReaderId::new("a")));
        let mut got = Vec::new();
        while let Ok(ReaderEvent::Health { reader, health, .. }) = rx.try_recv() {
            got.push((reader.name().to_owned(), health));
        }
        assert_eq!(
            got,
            [
                ("a".to_owned(), ReaderHealth::Offline),
                ("b".to_owned(), ReaderHealth::Offline),
                ("a".to_owned(), online),
                ("a".to_owned(), ReaderHealth::Offline),
            ]
        );
        assert!(reporter.wait(Duration::from_millis(1)));
        drop(rx);
        assert!(reporter.stopped());
        assert!(!reporter.offline(&ReaderId::new("c")));
        assert!(!reporter.wait(Duration::from_secs(60)), "returns at once");
    }
}
