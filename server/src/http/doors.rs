//! Doors: `GET /doors`, `POST /doors`.

use super::error::ApiError;
use super::json::ApiJson;
use super::responses::{CreateErrors, ListErrors};
use crate::auth::Allow;
use crate::auth::rules::{Configure, ReadPolicy};
use crate::state::AppState;
use crate::store::{DoorRecord, NewDoor};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new().route("/doors", get(list_doors).post(create_door))
}

/// The site's doors, by id.
#[utoipa::path(get, path = "/api/v1/doors", tag = "doors",
    responses((status = 200, body = Vec<DoorRecord>, description = "OK"), ListErrors))]
pub async fn list_doors(
    _: Allow<ReadPolicy>,
    State(state): State<AppState>,
) -> Result<Json<Vec<DoorRecord>>, ApiError> {
    Ok(Json(state.store.doors(state.site).await?))
}

/// Creates a door into `zone`. Name taken: 409 `name`; unknown zone, controller or
/// schedule: 422 naming it.
#[utoipa::path(post, path = "/api/v1/doors", tag = "doors", request_body = NewDoor,
    responses((status = 201, body = DoorRecord, description = "Created"), CreateErrors))]
pub async fn create_door(
    _: Allow<Configure>,
    State(state): State<AppState>,
    ApiJson(door): ApiJson<NewDoor>,
) -> Result<(StatusCode, Json<DoorRecord>), ApiError> {
    let created = state.store.create_door(state.site, &door).await?;
    Ok((StatusCode::CREATED, Json(created)))
}
