//! The controller's side of the sync protocol, as four loops beside the doors: the bundle
//! long-poll, the command long-poll, the event upload and the heartbeat. None of them is
//! on the path of a decision: with the server gone they back off and retry, and the doors
//! go on deciding from the bundle held.

use super::backoff::Backoff;
use super::{Shared, ToController};
use crate::bundle_store::BundleStore;
use crate::sync::{Answer, SignedTime, SyncClient, SyncError};
use gatehouse_core::bundle::Policy;
use gatehouse_core::decide::judge;
use gatehouse_core::time::Timestamp;
use gatehouse_core::wire::{
    CommandAck, CommandEnvelope, CommandId, CommandOutcome, EventBatch, WIRE_VERSION,
};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot, watch};

/// How long a long-poll waits on the server.
const LONG_POLL_SECS: u32 = 25;
/// The server's limit on one upload.
const BATCH: usize = 1000;
/// With nothing to upload, look again this often even without being woken.
const UPLOAD_IDLE: Duration = Duration::from_secs(5);
/// A heartbeat this often.
const HEARTBEAT: Duration = Duration::from_secs(30);
/// A command older than this is refused (core's wire rule: a minute).
const COMMAND_MAX_AGE_MS: i64 = 60_000;
/// After a refusal that retrying cannot mend (a bundle that does not verify, a controller
/// the server no longer knows), wait this long before asking again.
const AFTER_REFUSAL: Duration = Duration::from_secs(60);

/// What every loop shares.
#[derive(Clone)]
pub struct SyncContext {
    pub client: Arc<SyncClient>,
    pub shared: Arc<Shared>,
    pub policy: watch::Sender<Option<Arc<Policy>>>,
}

impl SyncContext {
    /// Notes a call's outcome in the status report; on success, checks the server's signed
    /// time against the keys of the bundle held and raises the clock floor with it.
    fn note<T>(&self, result: &Result<Answer<T>, SyncError>, trust_from: Option<&Policy>) {
        let mut report = self.shared.sync_report();
        match result {
            Ok(answer) => {
                report.last_error = None;
                report.last_sync = Some(self.now());
                drop(report);
                if let (Some(time), Some(policy)) = (&answer.time, trust_from) {
                    self.raise_floor(time, policy);
                }
            }
            Err(e) => report.last_error = Some(e.to_string()),
        }
    }

    fn raise_floor(&self, time: &SignedTime, policy: &Policy) {
        let Some(at) = time.verify(policy.trust()) else {
            tracing::warn!("the server's signed time did not verify against the bundle's keys");
            return;
        };
        self.client.raise_floor(at.0);
        if let Err(e) = self.shared.floor().raise(at, Instant::now()) {
            tracing::warn!(error = %e, "cannot save the clock floor");
        }
    }

    fn held(&self) -> Option<Arc<Policy>> {
        self.policy.borrow().clone()
    }

    /// The floor-guarded time.
    fn now(&self) -> Timestamp {
        let clock = self.shared.floor().clock(Instant::now());
        judge(clock, Timestamp(0)).now
    }
}

/// Waits after a failure (backing off if it may pass, a minute if not), logging it.
async fn pause(what: &str, error: &SyncError, backoff: &mut Backoff) {
    let wait = if error.is_transient() {
        backoff.failed()
    } else {
        AFTER_REFUSAL
    };
    tracing::warn!(%error, retry_in_secs = wait.as_secs(), "sync {what} failed");
    tokio::time::sleep(wait).await;
}

/// Fetches newer bundles, checks and stores each, and hands it to the doors.
pub async fn bundle_loop(ctx: SyncContext, store: BundleStore) {
    let mut backoff = Backoff::default();
    loop {
        let held = ctx.held();
        let result = ctx
            .client
            .bundle(held.as_ref().map(|p| p.version()), LONG_POLL_SECS)
            .await;
        let answer = match result {
            Ok(answer) => answer,
            Err(e) => {
                ctx.shared.sync_report().last_error = Some(e.to_string());
                pause("bundle", &e, &mut backoff).await;
                continue;
            }
        };
        backoff.reset();
        let time = answer.time;
        // Verifying and indexing a large bundle takes a while: off the async threads.
        let (store_for_task, held_for_task) = (store.clone(), held.clone());
        let accepted = tokio::task::spawn_blocking(move || {
            store_for_task.accept(held_for_task.as_deref(), answer.value)
        })
        .await
        .unwrap_or_else(|e| panic!("bundle check panicked: {e}"));
        match accepted {
            Ok(Some(policy)) => {
                let policy = Arc::new(policy);
                tracing::info!(
                    epoch = policy.version().epoch,
                    version = policy.version().version,
                    "bundle stored"
                );
                ctx.note(&Ok(Answer { value: (), time }), Some(&policy));
                ctx.policy.send_replace(Some(policy));
            }
            Ok(None) => ctx.note(&Ok(Answer { value: (), time }), held.as_deref()),
            Err(refused) => {
                // The bundle held stays; the server is told by the missing heartbeat
                // version, and the reason is in the status report.
                tracing::error!(error = %refused, "bundle refused; keeping the bundle held");
                ctx.shared.sync_report().last_error = Some(format!("bundle refused: {refused}"));
                tokio::time::sleep(AFTER_REFUSAL).await;
            }
        }
    }
}

/// Commands carried out, remembered so one whose acknowledgement was lost (and so comes
/// again) is acknowledged again, not carried out twice.
const REMEMBERED_COMMANDS: usize = 64;

/// Fetches commands, has the doors carry them out, and acknowledges each.
pub async fn command_loop(ctx: SyncContext, to_doors: mpsc::Sender<ToController>) {
    let mut backoff = Backoff::default();
    let mut done: VecDeque<(CommandId, CommandOutcome)> = VecDeque::new();
    loop {
        let result = ctx.client.commands(LONG_POLL_SECS).await;
        ctx.note(&result, ctx.held().as_deref());
        let commands = match result {
            Ok(answer) => answer.value,
            Err(e) => {
                pause("commands", &e, &mut backoff).await;
                continue;
            }
        };
        backoff.reset();
        for envelope in commands {
            let earlier = done.iter().find(|(id, _)| *id == envelope.id);
            let outcome = match earlier {
                Some((_, outcome)) => outcome.clone(),
                None => {
                    let outcome = carry_out(&ctx, &to_doors, envelope).await;
                    if done.len() == REMEMBERED_COMMANDS {
                        done.pop_front();
                    }
                    done.push_back((envelope.id, outcome.clone()));
                    outcome
                }
            };
            let ack = CommandAck {
                v: WIRE_VERSION,
                id: envelope.id,
                outcome,
            };
            // Unacknowledged, the command comes again with the next poll and is
            // acknowledged again from memory (or, after a restart, refused as too old once
            // a minute has passed).
            let result = ctx.client.acknowledge(&ack).await;
            ctx.note(&result, ctx.held().as_deref());
            if let Err(e) = result {
                tracing::warn!(command = ?envelope.id, error = %e, "acknowledging a command failed");
            }
        }
    }
}

async fn carry_out(
    ctx: &SyncContext,
    to_doors: &mpsc::Sender<ToController>,
    envelope: CommandEnvelope,
) -> CommandOutcome {
    let age = ctx.now().millis_since(envelope.issued_at);
    if age > COMMAND_MAX_AGE_MS {
        return CommandOutcome::Rejected(format!("issued {}s ago, more than a minute", age / 1000));
    }
    let (reply, answer) = oneshot::channel();
    if to_doors
        .send(ToController::Command(envelope.command, reply))
        .await
        .is_err()
    {
        return CommandOutcome::Rejected("the controller is stopping".into());
    }
    answer
        .await
        .unwrap_or_else(|_| CommandOutcome::Rejected("the controller is stopping".into()))
}

/// Uploads journaled events in batches and deletes them once the server has them.
pub async fn upload_loop(ctx: SyncContext) {
    let mut backoff = Backoff::default();
    let controller = ctx.client.identity().controller;
    loop {
        let pending = ctx.shared.journal().pending(BATCH);
        let entries = match pending {
            Ok(entries) => entries,
            Err(e) => {
                tracing::error!(error = %e, "cannot read journal entries to upload");
                tokio::time::sleep(AFTER_REFUSAL).await;
                continue;
            }
        };
        if entries.is_empty() {
            // Woken by an append; the entry is handed out once fsynced (within the sync
            // window), so look again just after it.
            let woken = tokio::time::timeout(UPLOAD_IDLE, ctx.shared.appended.notified()).await;
            if woken.is_ok() {
                tokio::time::sleep(ctx.shared.sync_window + Duration::from_millis(5)).await;
            }
            continue;
        }
        let batch = EventBatch {
            v: WIRE_VERSION,
            controller,
            entries,
        };
        let result = ctx.client.upload(&batch).await;
        ctx.note(&result, ctx.held().as_deref());
        match result {
            Ok(answer) => {
                backoff.reset();
                let ack = answer.value;
                let acknowledged = {
                    let mut journal = ctx.shared.journal();
                    if ack.journal == journal.id() {
                        journal
                            .acknowledge(ack.highest_seq)
                            .map_err(|e| e.to_string())
                    } else {
                        Err(format!(
                            "the server acknowledged journal {}, ours is {}",
                            ack.journal,
                            journal.id()
                        ))
                    }
                };
                if let Err(e) = acknowledged {
                    tracing::error!(error = %e, "upload acknowledgement not applied");
                    tokio::time::sleep(AFTER_REFUSAL).await;
                }
            }
            Err(e) => pause("upload", &e, &mut backoff).await,
        }
    }
}

/// Sends the status report every [`HEARTBEAT`].
pub async fn heartbeat_loop(ctx: SyncContext, report: watch::Receiver<serde_json::Value>) {
    let mut backoff = Backoff::default();
    loop {
        let body = report.borrow().clone();
        let result = ctx.client.heartbeat(&body).await;
        ctx.note(&result, ctx.held().as_deref());
        match result {
            Ok(_) => {
                backoff.reset();
                tokio::time::sleep(HEARTBEAT).await;
            }
            Err(e) => pause("heartbeat", &e, &mut backoff).await,
        }
    }
}
