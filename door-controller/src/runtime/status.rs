//! What the controller reports about itself: `status.json` in the state folder (read by
//! `gatehouse-door status`) and the heartbeat to the server carry the same report.

use crate::files::write_atomic;
use crate::journal::JournalStatus;
use gatehouse_core::time::Timestamp;
use gatehouse_hardware::door_io::{LedColor, LockState};
use serde::{Deserialize, Serialize};
use std::io;
use std::path::{Path, PathBuf};

/// The file name in the state folder.
const FILE: &str = "status.json";

/// The controller's report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusReport {
    /// Wire version.
    pub v: u16,
    /// The controller's name in its configuration.
    pub controller: String,
    /// The process id, so `status` can tell a report left by a stopped controller.
    pub pid: u32,
    /// When the controller started.
    pub started_at: Timestamp,
    /// When this report was made.
    pub at: Timestamp,
    /// The bundle decided from; none before the first.
    pub bundle: Option<BundleReport>,
    /// The journal.
    pub journal: JournalReport,
    /// The server.
    pub sync: SyncReport,
    /// Each door.
    pub doors: Vec<DoorReport>,
    /// Each reader.
    pub readers: Vec<ReaderReport>,
    /// How long reads took from the reader interface to the outputs.
    pub decisions: DecisionTiming,
}

/// From a read arriving from the reader back-end to the door's outputs commanded (decided,
/// journaled, the lock and LED driven), over the last reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionTiming {
    /// Reads decided since start.
    pub count: u64,
    /// Over the last reads (at most 4,096): the median, in microseconds.
    pub p50_us: u64,
    /// The 99th percentile (nearest rank).
    pub p99_us: u64,
    /// The slowest.
    pub max_us: u64,
}

impl DecisionTiming {
    /// The timing of `count` reads, the last of which took `recent` microseconds.
    pub fn of(count: u64, recent: &[u64]) -> Self {
        let mut sorted = recent.to_vec();
        sorted.sort_unstable();
        let rank = |p: usize| {
            if sorted.is_empty() {
                0
            } else {
                // Nearest rank: the smallest value with at least p% at or below it.
                sorted[(sorted.len() * p).div_ceil(100).max(1) - 1]
            }
        };
        DecisionTiming {
            count,
            p50_us: rank(50),
            p99_us: rank(99),
            max_us: sorted.last().copied().unwrap_or(0),
        }
    }
}

/// The bundle held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleReport {
    /// Its key epoch.
    pub epoch: u32,
    /// Its version.
    pub version: u64,
    /// When the server issued it.
    pub issued_at: Timestamp,
    /// Seconds since then, by the controller's floor-guarded clock.
    pub age_secs: i64,
}

/// The journal's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalReport {
    /// The last seq written.
    pub last_seq: u64,
    /// The server holds every entry up to this one.
    pub acknowledged: u64,
    /// Entries not yet on the server.
    pub backlog: u64,
    /// Bytes on disk, and the limit.
    pub bytes: u64,
    /// The limit.
    pub max_bytes: u64,
    /// Events refused while the journal was full (an alarm on the server).
    pub dropped: u64,
}

impl From<&JournalStatus> for JournalReport {
    fn from(s: &JournalStatus) -> Self {
        JournalReport {
            last_seq: s.last_seq,
            acknowledged: s.acknowledged,
            backlog: s.backlog,
            bytes: s.bytes,
            max_bytes: s.max_bytes,
            dropped: s.overflow.as_ref().map_or(0, |o| o.dropped),
        }
    }
}

/// The link to the server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    /// The server, once enrolled.
    pub server: Option<String>,
    /// When a call last succeeded.
    pub last_sync: Option<Timestamp>,
    /// The last failure since then, if any.
    pub last_error: Option<String>,
}

/// One door.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorReport {
    /// Its name in the configuration.
    pub name: String,
    /// Its id in the bundle.
    pub id: u32,
    /// The lock.
    pub lock: LockState,
    /// The reader LED.
    pub led: LedColor,
    /// The contact reads open.
    pub open: bool,
    /// Forced open, not closed since.
    pub forced_open: bool,
    /// Held open past its time.
    pub held_open_alarm: bool,
    /// Locked down.
    pub lockdown: bool,
    /// Fire release active.
    pub fire: bool,
    /// A scheduled unlock window is open.
    pub unlock_window: bool,
    /// The last output failure, if any.
    pub output_fault: Option<String>,
}

/// One reader.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReaderReport {
    /// Its name in the configuration.
    pub name: String,
    /// Its door's name.
    pub door: String,
    /// `in` or `out`.
    pub direction: String,
    /// `online`, `offline`, `tamper` or `secure_channel_refused`.
    pub health: String,
    /// When it last read something.
    pub last_read: Option<Timestamp>,
}

impl StatusReport {
    /// Where the report lives in `state_dir`.
    pub fn path(state_dir: &Path) -> PathBuf {
        state_dir.join(FILE)
    }

    /// Writes the report (atomically: `status` never reads half of one).
    pub fn save(&self, state_dir: &Path) -> io::Result<()> {
        let bytes = serde_json::to_vec_pretty(self).expect("the report serializes");
        write_atomic(&Self::path(state_dir), &bytes, 0o644)
    }

    /// Reads the report a controller left in `state_dir`.
    pub fn load(state_dir: &Path) -> Result<StatusReport, String> {
        let path = Self::path(state_dir);
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Whether the process that wrote the report still runs.
    pub fn writer_running(&self) -> bool {
        Path::new(&format!("/proc/{}", self.pid)).exists()
    }

    /// The report for people: one line per fact, the doors and readers in tables.
    pub fn render(&self, now: Timestamp) -> String {
        let mut out = String::new();
        let ago = |t: Timestamp| format!("{}s ago", now.millis_since(t).max(0) / 1000);
        out.push_str(&format!(
            "controller  {} (pid {}, started {}, report {})\n",
            self.controller,
            self.pid,
            self.started_at,
            ago(self.at)
        ));
        match &self.bundle {
            Some(b) => out.push_str(&format!(
                "bundle      epoch {} version {}, issued {} ({}s old)\n",
                b.epoch, b.version, b.issued_at, b.age_secs
            )),
            None => out.push_str("bundle      none: every read is denied (bundle_too_old)\n"),
        }
        let j = &self.journal;
        out.push_str(&format!(
            "journal     last seq {}, acknowledged {}, backlog {}, {} of {} bytes{}\n",
            j.last_seq,
            j.acknowledged,
            j.backlog,
            j.bytes,
            j.max_bytes,
            if j.dropped > 0 {
                format!(", {} events refused while full", j.dropped)
            } else {
                String::new()
            }
        ));
        out.push_str(&format!(
            "server      {}, last sync {}{}\n",
            self.sync.server.as_deref().unwrap_or("not enrolled"),
            self.sync.last_sync.map_or("never".to_owned(), ago),
            self.sync
                .last_error
                .as_deref()
                .map_or(String::new(), |e| format!(", last error: {e}"))
        ));
        for d in &self.doors {
            let mut flags = Vec::new();
            for (on, name) in [
                (d.open, "open"),
                (d.forced_open, "FORCED OPEN"),
                (d.held_open_alarm, "HELD OPEN"),
                (d.lockdown, "lockdown"),
                (d.fire, "fire release"),
                (d.unlock_window, "unlock window"),
            ] {
                if on {
                    flags.push(name);
                }
            }
            out.push_str(&format!(
                "door        {} (id {}): {}, led {}{}{}\n",
                d.name,
                d.id,
                serde_json::to_value(d.lock).map_or_else(|_| "?".into(), plain),
                serde_json::to_value(d.led).map_or_else(|_| "?".into(), plain),
                if flags.is_empty() {
                    String::new()
                } else {
                    format!(", {}", flags.join(", "))
                },
                d.output_fault
                    .as_deref()
                    .map_or(String::new(), |f| format!(", OUTPUT FAULT: {f}"))
            ));
        }
        let t = &self.decisions;
        out.push_str(&format!(
            "decisions   {} since start; read to outputs p50 {} µs, p99 {} µs, max {} µs\n",
            t.count, t.p50_us, t.p99_us, t.max_us
        ));
        for r in &self.readers {
            out.push_str(&format!(
                "reader      {} ({} of {}): {}, last read {}\n",
                r.name,
                r.direction,
                r.door,
                r.health,
                r.last_read.map_or("never".to_owned(), ago)
            ));
        }
        out
    }
}

fn plain(value: serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let hundred: Vec<u64> = (1..=100).rev().collect();
        let t = DecisionTiming::of(7, &hundred);
        assert_eq!(
            t,
            DecisionTiming {
                count: 7,
                p50_us: 50,
                p99_us: 99,
                max_us: 100
            }
        );
        assert_eq!(DecisionTiming::of(0, &[]), DecisionTiming::default());
        let one = DecisionTiming::of(1, &[42]);
        assert_eq!((one.p50_us, one.p99_us, one.max_us), (42, 42, 42));
    }
}
