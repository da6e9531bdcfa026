//! `GET /metrics`: the counters, then the site's gauges read from the database now.

use super::text::{CONTENT_TYPE, Text};
use crate::auth::Allow;
use crate::auth::rules::ReadEvents;
use crate::http::error::ApiError;
use crate::monitor::OFFLINE_AFTER_MS;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The scrape route: Prometheus's default path, outside `/api/v1` (so not in the OpenAPI
/// document).
pub fn routes() -> Router<AppState> {
    Router::new().route("/metrics", get(scrape))
}

/// The metrics in the Prometheus text format 0.0.4, for users who may read events.
async fn scrape(
    _allow: Allow<ReadEvents>,
    State(state): State<AppState>,
) -> Result<Response, ApiError> {
    let site = state.site;
    let (enrolled, online) = state
        .store
        .controller_counts(site, state.now().0 - OFFLINE_AFTER_MS)
        .await?;
    let alarms = state.store.open_alarm_counts(site).await?;
    let policy = state.store.policy_version(site).await?;

    let mut text = Text::default();
    state.metrics.write(&mut text);
    let gauge = |text: &mut Text, name, help, value: u64| {
        text.family(name, "gauge", help);
        text.sample(name, &[], value);
    };
    gauge(
        &mut text,
        "gatehouse_controllers_enrolled",
        "Controllers enrolled and not revoked.",
        enrolled,
    );
    gauge(
        &mut text,
        "gatehouse_controllers_online",
        "Enrolled controllers heard from within the last 90 s (after that they raise a controller_offline alarm).",
        online,
    );
    by_kind(
        &mut text,
        "gatehouse_alarms_open",
        "Alarms whose cause has not gone away (not cleared), by kind.",
        alarms.iter().map(|a| (a.kind.as_str(), a.uncleared)),
    );
    by_kind(
        &mut text,
        "gatehouse_alarms_unacknowledged",
        "Alarms nobody has acknowledged yet, by kind.",
        alarms.iter().map(|a| (a.kind.as_str(), a.unacknowledged)),
    );
    gauge(
        &mut text,
        "gatehouse_policy_epoch",
        "The epoch of the site's policy (a new one after each restore).",
        u64::from(policy.epoch),
    );
    gauge(
        &mut text,
        "gatehouse_policy_version",
        "The site's policy version within its epoch: raised by every change controllers enforce.",
        policy.version,
    );
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], text.into_string()).into_response())
}

/// A gauge with a series per alarm kind.
fn by_kind<'a>(
    text: &mut Text,
    name: &str,
    help: &str,
    counts: impl Iterator<Item = (&'a str, u64)>,
) {
    text.family(name, "gauge", help);
    for (kind, count) in counts {
        text.sample(name, &[("kind", kind)], count);
    }
}
