//! The HTTP API under `/api/v1` (and the Prometheus scrape at `/metrics`), and the layers
//! every request passes: tracing with a request id, a body-size limit, a timeout,
//! compression and the request metrics.

mod account;
mod alarms;
mod audit_log;
mod audit_trail;
mod badges;
mod calendars;
mod commands;
mod controllers;
mod doors;
mod enrollment;
pub mod error;
mod events;
mod groups;
mod health;
mod json;
mod json_path;
pub mod openapi;
mod path;
mod people;
mod property_passes;
mod query;
mod reader_keys;
mod responses;
mod schedules;
mod sync;
mod sync_commands;
mod visitors;
mod zones;

use crate::state::AppState;
use axum::Router;
use axum::http::{HeaderName, StatusCode};
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Request bodies larger than this are refused (413): event batches of 500 fit easily.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;
/// Requests taking longer are cut (408); long-polls answer within 25 s.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(40);

/// The whole API.
pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let metrics = state.metrics.clone();
    Router::new()
        .nest("/api/v1", api(&state))
        .merge(crate::metrics::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::device::verify_device,
        ))
        .with_state(state)
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        // Outermost, on every route: it sees the matched route and every answer.
        .layer(axum::middleware::from_fn_with_state(
            metrics,
            crate::metrics::track,
        ))
}

fn api(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(health::routes())
        .merge(openapi::routes())
        .merge(enrollment::routes())
        .merge(sync::routes())
        .merge(sync_commands::routes())
        .merge(reader_keys::routes())
        .merge(account::routes())
        .merge(zones::routes())
        .merge(doors::routes())
        .merge(controllers::routes())
        .merge(schedules::routes())
        .merge(calendars::routes())
        .merge(groups::routes())
        .merge(people::routes())
        .merge(badges::routes())
        .merge(alarms::routes())
        .merge(events::routes())
        .merge(visitors::routes())
        .merge(property_passes::routes())
        .merge(commands::routes())
        .merge(audit_log::routes())
        // After routing, so the audit entry names the route.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            audit_trail::record,
        ))
        .fallback(not_found)
}

/// Unknown paths answer in the API's JSON error form, like every other error.
async fn not_found(uri: axum::http::Uri) -> error::ApiError {
    error::ApiError::NotFound(format!("no route {}", uri.path()))
}
