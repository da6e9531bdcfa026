//! Waking long-polls when the site's policy changes.
//!
//! A background task reads the site's `(epoch, version)` every [`POLL`] and publishes it on
//! a watch channel that every waiting long-poll listens to. Reading the shared database
//! makes this work the same for one SQLite server and for several replicas on one
//! PostgreSQL: a change made through any replica is seen by all within one poll. (A
//! PostgreSQL LISTEN/NOTIFY fast path can shorten that further; the poll stays as the
//! fallback that never misses a change.)

use crate::store::Store;
use gatehouse_core::bundle::BundleVersion;
use gatehouse_core::ids::SiteId;
use std::time::Duration;
use tokio::sync::watch;

/// How often the policy version is read.
pub const POLL: Duration = Duration::from_millis(200);

/// Starts the watcher; the receiver always holds the latest version seen.
pub async fn start(
    store: Store,
    site: SiteId,
) -> Result<watch::Receiver<BundleVersion>, crate::store::StoreError> {
    let first = store.policy_version(site).await?;
    let (tx, rx) = watch::channel(first);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if tx.is_closed() {
                return;
            }
            match store.policy_version(site).await {
                Ok(version) => {
                    tx.send_if_modified(|held| {
                        let newer = *held != version;
                        *held = version;
                        newer
                    });
                }
                Err(e) => tracing::warn!(error = %e, "cannot read the policy version"),
            }
        }
    });
    Ok(rx)
}
