//! How big the journal may grow and how often it reaches the disk.

use super::JournalError;
use std::time::Duration;

/// The journal's limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalConfig {
    /// The most bytes its segment files may hold together. When entries the server has not
    /// acknowledged fill it, new events are counted and refused, never written over old ones.
    pub max_bytes: u64,
    /// A segment file is closed and a new one started once it would grow past this. Deleting
    /// acknowledged entries removes whole segments, so up to one segment of acknowledged
    /// entries can linger.
    pub segment_bytes: u64,
    /// Longest wait before a written record is fsynced (plus the fsyncs' own time): what a
    /// power cut can lose. Appends within it share one fsync.
    pub sync_interval: Duration,
}

impl Default for JournalConfig {
    /// 64 MiB (about 200,000 events, days of a busy door with the server away), 1 MiB
    /// segments, fsync within 20 ms.
    fn default() -> Self {
        JournalConfig {
            max_bytes: 64 << 20,
            segment_bytes: 1 << 20,
            sync_interval: Duration::from_millis(20),
        }
    }
}

impl JournalConfig {
    /// The longest `sync_interval` accepted.
    pub const MAX_SYNC_INTERVAL: Duration = Duration::from_secs(1);

    pub(super) fn check(&self) -> Result<(), JournalError> {
        let problem = if self.segment_bytes == 0 {
            "segment_bytes is 0"
        } else if self.max_bytes < self.segment_bytes.saturating_mul(2) {
            // Else one partly acknowledged segment could hold the whole budget.
            "max_bytes must be at least twice segment_bytes"
        } else if self.sync_interval > Self::MAX_SYNC_INTERVAL {
            "sync_interval is longer than 1 s"
        } else {
            return Ok(());
        };
        Err(JournalError::Config(problem))
    }
}
