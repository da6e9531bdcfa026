//! Watching the equipment: a controller silent for [`OFFLINE_AFTER_MS`] raises a
//! "controller offline" alarm, cleared when it calls in again.

use crate::state::AppState;
use crate::store::StoreError;
use gatehouse_core::wire::{AlarmKind, AlarmSource};
use std::time::Duration;

/// Silence that counts as offline: three missed long-polls.
pub const OFFLINE_AFTER_MS: i64 = 90_000;
/// How often controllers are checked.
pub const EVERY: Duration = Duration::from_secs(10);

/// Raises alarms for silent controllers and clears those of controllers heard from again.
pub async fn check_controllers(state: &AppState) -> Result<(), StoreError> {
    let now = state.now().0;
    let silent = state
        .store
        .silent_controllers(state.site, now - OFFLINE_AFTER_MS)
        .await?;
    for controller in &silent {
        let kind = AlarmKind::ControllerOffline;
        if let Some(alarm) = state
            .store
            .raise_alarm(
                state.site,
                kind,
                kind.severity(),
                AlarmSource::Controller(*controller),
                now,
            )
            .await?
        {
            tracing::warn!(
                controller = controller.0,
                alarm = alarm.id,
                "controller offline"
            );
        }
    }
    for controller in state.store.controllers(state.site).await? {
        if !silent.contains(&controller.id) {
            state
                .store
                .clear_alarms(
                    state.site,
                    AlarmKind::ControllerOffline,
                    AlarmSource::Controller(controller.id),
                    now,
                )
                .await?;
        }
    }
    Ok(())
}

/// Checks every [`EVERY`] for as long as the runtime runs.
pub fn spawn(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        loop {
            tick.tick().await;
            if let Err(e) = check_controllers(&state).await {
                tracing::error!(error = %e, "cannot check the controllers");
            }
        }
    });
}
