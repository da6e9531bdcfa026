//! Zones: `GET /zones`, `POST /zones`, `GET /zones/{id}`.

use super::error::ApiError;
use super::json::ApiJson;
use super::path::ApiPath;
use super::responses::{CreateErrors, GetErrors, ListErrors};
use crate::auth::Allow;
use crate::auth::rules::{Configure, ReadPolicy};
use crate::state::AppState;
use crate::store::{NewZone, ZoneRecord};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use gatehouse_core::ids::ZoneId;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/zones", get(list_zones).post(create_zone))
        .route("/zones/{id}", get(get_zone))
}

/// The site's zones, by id.
#[utoipa::path(get, path = "/api/v1/zones", tag = "zones",
    responses((status = 200, body = Vec<ZoneRecord>, description = "OK"), ListErrors))]
pub async fn list_zones(
    _: Allow<ReadPolicy>,
    State(state): State<AppState>,
) -> Result<Json<Vec<ZoneRecord>>, ApiError> {
    Ok(Json(state.store.zones(state.site).await?))
}

/// Creates a zone, inside `parent` when given. Name taken: 409 `name`; unknown parent: 422
/// `parent`.
#[utoipa::path(post, path = "/api/v1/zones", tag = "zones", request_body = NewZone,
    responses((status = 201, body = ZoneRecord, description = "Created"), CreateErrors))]
pub async fn create_zone(
    _: Allow<Configure>,
    State(state): State<AppState>,
    ApiJson(zone): ApiJson<NewZone>,
) -> Result<(StatusCode, Json<ZoneRecord>), ApiError> {
    let created = state.store.create_zone(state.site, &zone).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One zone.
#[utoipa::path(get, path = "/api/v1/zones/{id}", tag = "zones",
    params(("id" = u32, Path, description = "The zone")),
    responses((status = 200, body = ZoneRecord, description = "OK"), GetErrors))]
pub async fn get_zone(
    _: Allow<ReadPolicy>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u32>,
) -> Result<Json<ZoneRecord>, ApiError> {
    Ok(Json(state.store.zone(state.site, ZoneId(id)).await?))
}
