//! Following `gatehouse keys rotate|retire` without a restart. Those commands change the
//! key files and then raise the policy version; a server that sees a new version re-reads
//! its keys directory, and when the keys differ it signs with the new current key and
//! raises the version once more, so every controller's next bundle carries the new trusted
//! keys. Replicas that share one mounted keys directory follow together.

use crate::data_dir::DataDir;
use crate::keyring::Keyring;
use crate::state::AppState;

/// Re-reads the keys; returns whether they changed (and were swapped in).
pub async fn reload(state: &AppState, dir: &DataDir) -> bool {
    let fresh = match Keyring::open(dir) {
        Ok(fresh) => fresh,
        Err(e) => {
            tracing::error!(error = %e, "cannot re-read the issuer keys; keeping the ones loaded");
            return false;
        }
    };
    {
        let mut held = state.keyring.write().expect("keyring lock");
        if held.list() == fresh.list() {
            return false;
        }
        *held = fresh;
    }
    tracing::info!("issuer keys changed on disk; now signing with the current one");
    // A bundle of this version may already have been built with the old keys.
    *state.site_bundle.lock().await = None;
    if let Err(e) = state.store.touch_policy(state.site).await {
        tracing::error!(error = %e, "cannot raise the policy version after a key change");
    }
    true
}

/// Reloads the keys whenever the policy version changes.
pub fn spawn(state: AppState, dir: DataDir) {
    let mut policy = state.sync.policy.clone();
    tokio::spawn(async move {
        while policy.changed().await.is_ok() {
            reload(&state, &dir).await;
        }
    });
}
