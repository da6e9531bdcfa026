//! Weekly schedules: `GET /schedules`, `POST /schedules`.

use super::error::ApiError;
use super::json::ApiJson;
use super::responses::{CreateErrors, ListErrors};
use crate::auth::Allow;
use crate::auth::rules::{Configure, ReadPolicy};
use crate::state::AppState;
use crate::store::{NewSchedule, ScheduleRecord};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new().route("/schedules", get(list_schedules).post(create_schedule))
}

/// The site's schedules, by id.
#[utoipa::path(get, path = "/api/v1/schedules", tag = "schedules",
    responses((status = 200, body = Vec<ScheduleRecord>, description = "OK"), ListErrors))]
pub async fn list_schedules(
    _: Allow<ReadPolicy>,
    State(state): State<AppState>,
) -> Result<Json<Vec<ScheduleRecord>>, ApiError> {
    Ok(Json(state.store.schedules(state.site).await?))
}

/// Creates a schedule. Windows are `{"days": bits (bit 0 Monday), "time": {"start",
/// "end"}}` in minutes after midnight; an empty range or one outside the day: 422
/// `windows` (or `holiday_windows`); unknown calendar: 422 `holiday_calendar`.
#[utoipa::path(post, path = "/api/v1/schedules", tag = "schedules", request_body = NewSchedule,
    responses((status = 201, body = ScheduleRecord, description = "Created"), CreateErrors))]
pub async fn create_schedule(
    _: Allow<Configure>,
    State(state): State<AppState>,
    ApiJson(schedule): ApiJson<NewSchedule>,
) -> Result<(StatusCode, Json<ScheduleRecord>), ApiError> {
    let created = state.store.create_schedule(state.site, &schedule).await?;
    Ok((StatusCode::CREATED, Json(created)))
}
