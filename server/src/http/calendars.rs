//! Holiday calendars: `GET /holiday-calendars`, `POST /holiday-calendars`.

use super::error::ApiError;
use super::json::ApiJson;
use super::responses::{CreateErrors, ListErrors};
use crate::auth::Allow;
use crate::auth::rules::{Configure, ReadPolicy};
use crate::state::AppState;
use crate::store::CalendarRecord;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeSet;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/holiday-calendars",
        get(list_calendars).post(create_calendar),
    )
}

/// A new holiday calendar.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCalendar {
    /// Its name, unique in the site.
    name: String,
    /// Its dates (`2026-12-25`), in the site's time zone.
    #[schema(value_type = Vec<String>, format = Date)]
    dates: BTreeSet<NaiveDate>,
}

/// The site's holiday calendars with their dates, by id.
#[utoipa::path(get, path = "/api/v1/holiday-calendars", tag = "schedules",
    responses((status = 200, body = Vec<CalendarRecord>, description = "OK"), ListErrors))]
pub async fn list_calendars(
    _: Allow<ReadPolicy>,
    State(state): State<AppState>,
) -> Result<Json<Vec<CalendarRecord>>, ApiError> {
    Ok(Json(state.store.calendars(state.site).await?))
}

/// Creates a holiday calendar. Name taken: 409 `name`; a date that is not `YYYY-MM-DD`:
/// 422 `dates`.
#[utoipa::path(post, path = "/api/v1/holiday-calendars", tag = "schedules", request_body = NewCalendar,
    responses((status = 201, body = CalendarRecord, description = "Created"), CreateErrors))]
pub async fn create_calendar(
    _: Allow<Configure>,
    State(state): State<AppState>,
    ApiJson(calendar): ApiJson<NewCalendar>,
) -> Result<(StatusCode, Json<CalendarRecord>), ApiError> {
    let created = state
        .store
        .create_calendar(state.site, &calendar.name, &calendar.dates)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}
