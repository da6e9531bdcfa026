//! Personal-data retention: once an hour, visitors whose visit ended more than
//! `retention.visitor_days` ago lose their name and contact details, and the before/after
//! documents of admin actions older than that are dropped (they may name visitors). The
//! audit chains hold only pseudonymous ids and the documents' hashes, so they stay intact
//! and `gatehouse audit verify` still passes.

use crate::state::AppState;
use crate::store::StoreError;
use gatehouse_core::time::Timestamp;
use std::time::Duration;

/// How often retention runs.
pub const EVERY: Duration = Duration::from_secs(3600);

const DAY_MS: i64 = 86_400_000;

/// What one run purged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Purged {
    /// Visitors whose personal data was removed.
    pub visitors: u64,
    /// Admin-action documents removed.
    pub audit_documents: u64,
}

/// Purges what is older than `days` days now.
pub async fn purge(state: &AppState, days: u32) -> Result<Purged, StoreError> {
    let now = state.now();
    let cutoff = Timestamp(now.0 - i64::from(days) * DAY_MS);
    Ok(Purged {
        visitors: state.store.purge_visitors(state.site, cutoff, now).await?,
        audit_documents: state.store.purge_audit_details(cutoff.0, now.0).await?,
    })
}

/// Runs [`purge`] at start and then every [`EVERY`].
pub fn spawn(state: AppState, days: u32) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            match purge(&state, days).await {
                Ok(p) if p.visitors + p.audit_documents > 0 => tracing::info!(
                    visitors = p.visitors,
                    audit_documents = p.audit_documents,
                    "purged personal data past its retention"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "retention run failed"),
            }
        }
    });
}
