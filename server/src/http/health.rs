//! `GET /api/v1/health`: whether the server is up and its database answers.

use super::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/health", get(health))
}

/// The server's health.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` when the database answers.
    status: &'static str,
    /// The server's version.
    version: &'static str,
}

/// Whether the server is up and its database answers. Open to all: load balancers and
/// monitoring call it.
#[utoipa::path(get, path = "/api/v1/health", tag = "system",
    responses((status = 200, body = Health), (status = 500, body = super::error::ErrorBody)))]
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.store.site(state.site).await?;
    Ok(Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    }))
}
