//! Waking long-polls when the site's policy changes or a command is issued.
//!
//! A background task reads the site's `(epoch, version)` and its newest command id and
//! publishes them on watch channels that every waiting long-poll listens to. Reading the
//! shared database makes this work the same for one SQLite server and for several replicas
//! on one PostgreSQL. On PostgreSQL the task also LISTENs on the store's sync channel:
//! every change NOTIFYs it on commit, so a change made through any replica wakes the
//! long-polls of all within milliseconds; the slow poll stays as the fallback that never
//! misses a change (a lost LISTEN connection is re-opened).

use crate::store::{Store, StoreError};
use gatehouse_core::bundle::BundleVersion;
use gatehouse_core::ids::SiteId;
use std::time::Duration;
use tokio::sync::watch;

/// How often the database is read on SQLite (one server process, no NOTIFY).
pub const POLL: Duration = Duration::from_millis(200);
/// How often it is read on PostgreSQL, where NOTIFY is the fast path.
pub const FALLBACK_POLL: Duration = Duration::from_secs(5);

/// What long-polls wait on.
#[derive(Clone, Debug)]
pub struct SyncWatch {
    /// The latest policy version seen.
    pub policy: watch::Receiver<BundleVersion>,
    /// The newest command id seen (0 before the first command).
    pub commands: watch::Receiver<u64>,
}

struct Publish {
    policy: watch::Sender<BundleVersion>,
    commands: watch::Sender<u64>,
}

impl Publish {
    async fn read(&self, store: &Store, site: SiteId) {
        match store.policy_version(site).await {
            Ok(v) => {
                self.policy.send_if_modified(|held| replace(held, v));
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the policy version"),
        }
        match store.latest_command(site).await {
            Ok(c) => {
                self.commands.send_if_modified(|held| replace(held, c));
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the latest command"),
        }
    }

    fn closed(&self) -> bool {
        self.policy.is_closed() && self.commands.is_closed()
    }
}

fn replace<T: PartialEq>(held: &mut T, new: T) -> bool {
    let changed = *held != new;
    *held = new;
    changed
}

/// Starts the watcher.
pub async fn start(store: Store, site: SiteId) -> Result<SyncWatch, StoreError> {
    let (policy_tx, policy) = watch::channel(store.policy_version(site).await?);
    let (commands_tx, commands) = watch::channel(store.latest_command(site).await?);
    let publish = Publish {
        policy: policy_tx,
        commands: commands_tx,
    };
    let mut listener = store.sync_listener().await?;
    let every = if listener.is_some() {
        FALLBACK_POLL
    } else {
        POLL
    };
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            match listener.as_mut() {
                Some(l) => {
                    tokio::select! {
                        _ = tick.tick() => {}
                        note = l.recv() => {
                            // An error means the connection dropped; the next recv()
                            // re-connects and re-listens. The read below catches up.
                            if let Err(e) = note {
                                tracing::warn!(error = %e, "LISTEN connection lost; re-connecting");
                                tokio::time::sleep(Duration::from_millis(500)).await;
                            }
                        }
                    }
                }
                None => {
                    tick.tick().await;
                }
            }
            if publish.closed() {
                return;
            }
            publish.read(&store, site).await;
        }
    });
    Ok(SyncWatch { policy, commands })
}
