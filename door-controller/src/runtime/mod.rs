//! `gatehouse-door run`: the controller at work.
//!
//! Start-up order is the safety story: the configuration was checked whole before this is
//! called; the outputs are opened and driven safe (locked, dark, silent) first; then the
//! journal opens and records the start; the last-good bundle is loaded from disk; the doors
//! serve; only then does the network start. The server being away changes nothing but the
//! sync loops' back-off.
//!
//! One task (the [`controller::Controller`] loop) owns the doors, the bundle in use and
//! the memory of recent decisions, so a read is decided, journaled and acted on with no
//! lock held by anyone else. The sync loops ([`sync_tasks`]) talk to the server beside it.

mod access;
mod backoff;
mod controller;
mod hardware;
mod live_door;
pub mod status;
mod sync_tasks;

use crate::bundle_store::{BundleRefused, BundleStore};
use crate::clock_floor::ClockFloor;
use crate::config::ControllerConfig;
use crate::journal::{Journal, JournalConfig, JournalError};
use crate::sync::{Identity, SyncClient, SyncError};
use crate::systemd::Notifier;
use controller::Controller;
use gatehouse_core::wire::{Command, CommandOutcome};
use status::SyncReport;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use sync_tasks::SyncContext;
use tokio::sync::{Notify, mpsc, oneshot, watch};

/// Why the controller could not start.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The hardware back-end could not be opened (outputs stay undriven: the relays'
    /// wiring holds the safe state).
    #[error("hardware: {0}")]
    Hardware(String),
    /// The journal could not be opened: without it no decision may be made.
    #[error("journal: {0}")]
    Journal(#[from] JournalError),
    /// The enrollment record is damaged.
    #[error("enrollment: {0}")]
    Enrollment(#[from] SyncError),
    /// The state folder could not be prepared.
    #[error("state folder {path}: {source}")]
    StateDir {
        /// The folder.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// What the loops share with the controller task.
pub(crate) struct Shared {
    journal: Mutex<Journal>,
    floor: Mutex<ClockFloor>,
    sync: Mutex<SyncReport>,
    /// Woken after each append, so the upload loop sends new events at once.
    appended: Notify,
    /// The journal's fsync window.
    sync_window: Duration,
}

fn unpoisoned<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a lock leaves consistent data behind (every holder finishes its
    // change before anything can panic): go on serving the doors.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn journal(&self) -> MutexGuard<'_, Journal> {
        unpoisoned(&self.journal)
    }
    fn floor(&self) -> MutexGuard<'_, ClockFloor> {
        unpoisoned(&self.floor)
    }
    fn sync_report(&self) -> MutexGuard<'_, SyncReport> {
        unpoisoned(&self.sync)
    }
}

/// What the sync loops ask of the controller task.
pub(crate) enum ToController {
    /// Carry out a command and say what became of it.
    Command(Command, oneshot::Sender<CommandOutcome>),
}

/// Runs the controller until `shutdown` completes, then locks every door and returns.
pub async fn run(
    config: ControllerConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), RuntimeError> {
    let state_dir = config.controller.state_dir.clone();
    std::fs::create_dir_all(&state_dir).map_err(|source| RuntimeError::StateDir {
        path: state_dir.display().to_string(),
        source,
    })?;

    // 1. Outputs safe before anything else.
    let hardware = hardware::open(&config)?;

    // 2. The journal, and the floor under the clock.
    let journal_config = journal_config(&config);
    let sync_window = journal_config.sync_interval;
    let journal = Journal::open(config.journal_dir(), journal_config)?;
    let (floor, floor_problem) = ClockFloor::open(&state_dir);
    if let Some(problem) = floor_problem {
        tracing::warn!(%problem, "clock floor unreadable; starting from the bundle's time");
    }
    let shared = Arc::new(Shared {
        journal: Mutex::new(journal),
        floor: Mutex::new(floor),
        sync: Mutex::new(SyncReport::default()),
        appended: Notify::new(),
        sync_window,
    });

    // 3. Who we are and the bundle held, from disk only.
    let identity = load_identity(&state_dir)?;
    let store = identity
        .as_ref()
        .map(|id| BundleStore::new(&state_dir, id.controller));
    let policy = match store.as_ref().map(BundleStore::load) {
        Some(Ok(policy)) => policy.map(Arc::new),
        Some(Err(refused)) => {
            report_refused(&refused);
            None
        }
        None => None,
    };
    match &policy {
        Some(p) => tracing::info!(
            epoch = p.version().epoch,
            version = p.version().version,
            "serving doors from the stored bundle"
        ),
        None => tracing::warn!("no bundle held: every read is denied until one arrives"),
    }
    shared.sync_report().server = identity.as_ref().map(|id| id.server.clone());

    // 4. The doors serve.
    let (policy_tx, policy_rx) = watch::channel(policy.clone());
    let (report_tx, report_rx) = watch::channel(serde_json::Value::Null);
    let mut controller = Controller::start(
        &config,
        hardware.outputs,
        hardware.starts,
        hardware.feedback,
        policy,
        shared.clone(),
    );
    let notifier = match Notifier::from_env() {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, "cannot notify systemd");
            None
        }
    };
    if let Some(n) = &notifier {
        if let Err(e) = n.ready() {
            tracing::warn!(error = %e, "cannot notify systemd");
        }
    }

    // 5. The network and the simulator's control socket.
    let mut background = tokio::task::JoinSet::new();
    let (command_tx, command_rx) = mpsc::channel(16);
    if let (Some(identity), Some(store)) = (identity, store) {
        let client = Arc::new(SyncClient::new(identity)?);
        let ctx = SyncContext {
            client,
            shared: shared.clone(),
            policy: policy_tx,
        };
        background.spawn(sync_tasks::bundle_loop(ctx.clone(), store));
        background.spawn(sync_tasks::command_loop(ctx.clone(), command_tx));
        background.spawn(sync_tasks::upload_loop(ctx.clone()));
        background.spawn(sync_tasks::heartbeat_loop(ctx, report_rx));
    } else {
        tracing::warn!("not enrolled: running offline; `gatehouse-door enroll` joins a server");
    }
    let (sim_stop, sim_stopped) = oneshot::channel::<()>();
    if let Some(sim) = hardware.sim {
        let path = config.sim_socket();
        let _ = std::fs::remove_file(&path);
        let listener = tokio::net::UnixListener::bind(&path)
            .map_err(|e| RuntimeError::Hardware(format!("{}: {e}", path.display())))?;
        tracing::info!(socket = %path.display(), "simulated hardware listening");
        background.spawn(gatehouse_hardware::sim::serve(sim, listener, async {
            let _ = sim_stopped.await;
        }));
    }

    controller
        .serve(
            hardware.readers,
            hardware.inputs,
            command_rx,
            policy_rx,
            report_tx,
            notifier.as_ref(),
            shutdown,
        )
        .await;

    // Stopping: doors locked and the journal on disk before the network goes.
    if let Some(n) = &notifier {
        let _ = n.stopping();
    }
    controller.stop();
    let _ = sim_stop.send(());
    background.abort_all();
    while background.join_next().await.is_some() {}
    Ok(())
}

fn journal_config(config: &ControllerConfig) -> JournalConfig {
    let max_bytes = u64::from(config.journal.max_mib) << 20;
    JournalConfig {
        max_bytes,
        // Whole segments are deleted once acknowledged: at least four of them in the
        // budget keeps a partly acknowledged one from holding much of it.
        segment_bytes: (max_bytes / 4).min(1 << 20),
        sync_interval: config.journal.sync_window.0,
    }
}

fn load_identity(state_dir: &std::path::Path) -> Result<Option<Identity>, RuntimeError> {
    if !Identity::record_path(state_dir).exists() {
        return Ok(None);
    }
    Ok(Some(Identity::load(state_dir)?))
}

fn report_refused(refused: &BundleRefused) {
    tracing::error!(
        error = %refused,
        "the stored bundle is refused; every read is denied until the server sends one"
    );
}
