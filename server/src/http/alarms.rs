//! Alarms for the guards: the open ones, and acknowledging them.

use super::error::{ApiError, ErrorBody};
use super::path::ApiPath;
use super::query::ApiQuery;
use crate::auth::Allow;
use crate::auth::rules::{HandleAlarms, ReadEvents};
use crate::state::AppState;
use crate::store::AlarmRecord;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/alarms", get(list))
        .route("/alarms/{id}/acknowledge", post(acknowledge))
}

/// Which alarms.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AlarmQuery {
    /// Only alarms not yet both cleared and acknowledged (default true).
    open: Option<bool>,
    /// At most this many, newest first (1 to 500, default 100).
    limit: Option<u32>,
}

/// Alarms, newest first.
#[utoipa::path(get, path = "/api/v1/alarms", tag = "alarms", params(AlarmQuery),
    responses((status = 200, body = Vec<AlarmRecord>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    _: Allow<ReadEvents>,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<AlarmQuery>,
) -> Result<Json<Vec<AlarmRecord>>, ApiError> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::Invalid {
            field: "limit",
            message: "1 to 500".into(),
        });
    }
    Ok(Json(
        state
            .store
            .alarms(state.site, q.open.unwrap_or(true), limit)
            .await?,
    ))
}

/// Acknowledges an alarm: a person has seen it and is on it.
#[utoipa::path(post, path = "/api/v1/alarms/{id}/acknowledge", tag = "alarms",
    params(("id" = u64, Path, description = "alarm")),
    responses((status = 200, body = AlarmRecord), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn acknowledge(
    allow: Allow<HandleAlarms>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<AlarmRecord>, ApiError> {
    let user = allow
        .principal
        .user()
        .map(|u| u.id)
        .ok_or(ApiError::Forbidden)?;
    Ok(Json(
        state
            .store
            .acknowledge_alarm(state.site, id, user, state.now().0)
            .await?,
    ))
}
