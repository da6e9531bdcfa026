//! Signing the heads of the audit chains, and keeping a copy of every checkpoint outside
//! the database (`DATA_DIR/checkpoints/checkpoints.jsonl`), so that someone who can write
//! to the database cannot both cut a chain's tail and the checkpoint that would show it.

use crate::audit::Checkpoint;
use crate::keyring::Keyring;
use crate::store::{Store, StoreError};
use gatehouse_core::time::Timestamp;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::time::Duration;

/// How often a running server signs the chains' heads.
pub const EVERY: Duration = Duration::from_secs(300);

/// Why checkpointing failed.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointingError {
    /// The database.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The copy outside the database.
    #[error("cannot append to {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The file that holds every checkpoint, one JSON line each.
pub fn file(data_dir: &Path) -> PathBuf {
    data_dir.join("checkpoints").join("checkpoints.jsonl")
}

/// Signs the head of every stream that grew since its last checkpoint; returns the new
/// checkpoints.
pub async fn checkpoint_all(
    store: &Store,
    keyring: &RwLock<Keyring>,
    data_dir: &Path,
    now: Timestamp,
) -> Result<Vec<Checkpoint>, CheckpointingError> {
    let mut made = Vec::new();
    for stream in store.audit_streams().await? {
        let Some(head) = store.audit_head(&stream).await? else {
            continue;
        };
        let latest = store.checkpoints(&stream).await?.last().map(|c| c.seq);
        if latest.is_some_and(|seq| seq >= head.seq) {
            continue;
        }
        let checkpoint = {
            let keyring = keyring.read().expect("keyring lock");
            Checkpoint::sign(&stream, head, now.0, keyring.current())
        };
        store.save_checkpoint(&checkpoint).await?;
        made.push(checkpoint);
    }
    if !made.is_empty() {
        let path = file(data_dir);
        let io = |source| CheckpointingError::File {
            path: path.clone(),
            source,
        };
        crate::data_dir::ensure_private_dir(path.parent().expect("a file in a folder"))
            .map_err(|e| io(e.source))?;
        let mut out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io)?;
        for c in &made {
            writeln!(out, "{}", c.to_json_line()).map_err(io)?;
        }
        out.sync_all().map_err(io)?;
    }
    Ok(made)
}

/// Every checkpoint kept in the file (unreadable lines are reported, not skipped silently).
pub fn from_file(data_dir: &Path) -> Result<Vec<Checkpoint>, String> {
    let path = file(data_dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            Checkpoint::from_json_line(line)
                .map_err(|e| format!("{} line {}: {e}", path.display(), i + 1))
        })
        .collect()
}

/// Checkpoints every [`EVERY`] for as long as the runtime runs.
pub fn spawn_periodic(state: crate::state::AppState, data_dir: PathBuf) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.tick().await;
        loop {
            tick.tick().await;
            if let Err(e) =
                checkpoint_all(&state.store, &state.keyring, &data_dir, state.now()).await
            {
                tracing::error!(error = %e, "could not checkpoint the audit chains");
            }
        }
    });
}
