//! Batched fsync: a thread fsyncs the segment being written at most `sync_interval` after
//! a record lands in it, so appends do not wait for the disk and a burst shares one fsync.
//! It also knows how far the journal is durable, which bounds what is uploaded: a seq the
//! server holds can never be lost to a power cut and reused for another event.

use std::fs::File;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

/// The segment being written, shared with the thread.
#[derive(Debug)]
pub(super) struct Target {
    pub file: File,
    pub path: PathBuf,
}

#[derive(Debug, Default)]
struct Progress {
    target: Option<Arc<Target>>,
    /// The last seq written to `target` or before.
    written: u64,
    /// The last seq known durable.
    synced: u64,
    /// The first fsync failure, with its file.
    failed: Option<(PathBuf, String)>,
    stop: bool,
}

#[derive(Debug, Default)]
struct Shared {
    progress: Mutex<Progress>,
    wake: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Progress> {
        // A poisoned lock means the thread panicked mid-update of plain numbers, which
        // stay meaningful.
        self.progress.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Fsyncs the target as it is now; records how far that made the journal durable.
    fn sync(&self) -> Result<(), (PathBuf, String)> {
        let (target, upto) = {
            let p = self.lock();
            if let Some(failed) = &p.failed {
                return Err(failed.clone());
            }
            match &p.target {
                Some(t) if p.written > p.synced => (t.clone(), p.written),
                _ => return Ok(()),
            }
        };
        let result = target.file.sync_data();
        let mut p = self.lock();
        match result {
            Ok(()) => {
                p.synced = p.synced.max(upto);
                Ok(())
            }
            Err(e) => {
                let failed = (target.path.clone(), e.to_string());
                p.failed.get_or_insert(failed.clone());
                Err(failed)
            }
        }
    }
}

/// The fsync thread; stopping it (dropping) syncs what is left.
#[derive(Debug)]
pub(super) struct Flusher {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Flusher {
    /// Starts the thread, with the journal durable up to `synced`.
    pub fn start(interval: Duration, synced: u64) -> std::io::Result<Self> {
        let shared = Arc::new(Shared::default());
        {
            let mut p = shared.lock();
            p.written = synced;
            p.synced = synced;
        }
        let thread = std::thread::Builder::new()
            .name("journal-fsync".into())
            .spawn({
                let shared = shared.clone();
                move || run(&shared, interval)
            })?;
        Ok(Flusher {
            shared,
            thread: Some(thread),
        })
    }

    /// A record with `seq` was written to `target`.
    pub fn wrote(&self, target: &Arc<Target>, seq: u64) {
        let mut p = self.shared.lock();
        if !p.target.as_ref().is_some_and(|t| Arc::ptr_eq(t, target)) {
            p.target = Some(target.clone());
        }
        p.written = seq;
        self.shared.wake.notify_one();
    }

    /// Fsyncs now, in the caller's thread.
    pub fn sync(&self) -> Result<(), (PathBuf, String)> {
        self.shared.sync()
    }

    /// The last seq known durable.
    pub fn synced(&self) -> u64 {
        self.shared.lock().synced
    }

    /// The first fsync failure, if one happened.
    pub fn failed(&self) -> Option<(PathBuf, String)> {
        self.shared.lock().failed.clone()
    }
}

fn run(shared: &Shared, interval: Duration) {
    loop {
        let mut p = shared.lock();
        while p.written <= p.synced && !p.stop && p.failed.is_none() {
            p = shared.wake.wait(p).unwrap_or_else(|p| p.into_inner());
        }
        if p.stop || p.failed.is_some() {
            break;
        }
        // Let the burst that woke us finish, unless we are stopping.
        let (p, _) = shared
            .wake
            .wait_timeout_while(p, interval, |p| !p.stop)
            .unwrap_or_else(|p| p.into_inner());
        drop(p);
        if shared.sync().is_err() {
            break;
        }
    }
    // Stopping: what was written reaches the disk (a failure is already recorded).
    shared.sync().ok();
}

impl Drop for Flusher {
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.wake.notify_all();
        if let Some(thread) = self.thread.take() {
            thread.join().ok();
        }
    }
}
