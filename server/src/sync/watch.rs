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

/// What long-polls wait on.
#[derive(Clone, Debug)]
pub struct SyncWatch {
    /// The latest policy version seen.
    pub policy: watch::Receiver<BundleVersion>,
    /// Changes whenever a command may have been issued: the newest command id rose, or
    /// (PostgreSQL) a NOTIFY arrived — ids from concurrent transactions can commit out of
    /// order, so a rise of the newest id alone could miss one.
    pub commands: watch::Receiver<u64>,
}

struct Publish {
    policy: watch::Sender<BundleVersion>,
    /// The newest command id read.
    latest: u64,
    /// A wake-up count for command long-polls.
    commands: watch::Sender<u64>,
}

impl Publish {
    async fn read(&mut self, store: &Store, site: SiteId) {
        match store.policy_version(site).await {
            Ok(v) => {
                self.policy.send_if_modified(|held| replace(held, v));
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the policy version"),
        }
        match store.latest_command(site).await {
            Ok(c) => {
                if self.latest != c {
                    self.latest = c;
                    self.commands.send_modify(|n| *n = n.wrapping_add(1));
                }
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

/// Starts the watcher; on PostgreSQL it also reads the database every `fallback_poll`
/// (`sync.fallback_poll_secs`), in case a NOTIFY was missed.
pub async fn start(
    store: Store,
    site: SiteId,
    fallback_poll: Duration,
) -> Result<SyncWatch, StoreError> {
    let (policy_tx, policy) = watch::channel(store.policy_version(site).await?);
    let (commands_tx, commands) = watch::channel(0);
    let mut publish = Publish {
        policy: policy_tx,
        latest: store.latest_command(site).await?,
        commands: commands_tx,
    };
    let mut listener = store.sync_listener().await?;
    let every = if listener.is_some() {
        fallback_poll
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
                            match note {
                                // Something committed: wake the command long-polls to look.
                                Ok(_) => publish.commands.send_modify(|c| *c = c.wrapping_add(1)),
                                // The connection dropped; the next recv() re-connects and
                                // re-listens. The read below catches up.
                                Err(e) => {
                                    tracing::warn!(error = %e, "LISTEN connection lost; re-connecting");
                                    tokio::time::sleep(Duration::from_millis(500)).await;
                                }
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
