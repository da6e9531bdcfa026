//! Door controllers: `GET /controllers`, `POST /controllers`. A controller is created
//! here and enrolled with a one-time code (`enrollment.rs`).

use super::error::ApiError;
use super::json::ApiJson;
use super::responses::{CreateErrors, ListErrors};
use crate::auth::Allow;
use crate::auth::rules::{Configure, ReadPolicy};
use crate::state::AppState;
use crate::store::ControllerRecord;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/controllers",
        get(list_controllers).post(create_controller),
    )
}

/// A new door controller.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewController {
    /// Its name, unique in the site.
    name: String,
}

/// The site's controllers, by id.
#[utoipa::path(get, path = "/api/v1/controllers", tag = "controllers",
    responses((status = 200, body = Vec<ControllerRecord>, description = "OK"), ListErrors))]
pub async fn list_controllers(
    _: Allow<ReadPolicy>,
    State(state): State<AppState>,
) -> Result<Json<Vec<ControllerRecord>>, ApiError> {
    Ok(Json(state.store.controllers(state.site).await?))
}

/// Creates a controller, not yet enrolled. Name taken: 409 `name`. It changes no policy
/// until a door names it, so the policy version stays.
#[utoipa::path(post, path = "/api/v1/controllers", tag = "controllers", request_body = NewController,
    responses((status = 201, body = ControllerRecord, description = "Created"), CreateErrors))]
pub async fn create_controller(
    _: Allow<Configure>,
    State(state): State<AppState>,
    ApiJson(c): ApiJson<NewController>,
) -> Result<(StatusCode, Json<ControllerRecord>), ApiError> {
    let created = state.store.create_controller(state.site, &c.name).await?;
    Ok((StatusCode::CREATED, Json(created)))
}
