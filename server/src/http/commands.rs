//! Commands to controllers, for guards and admins: lock a zone or the whole site down,
//! release it, or unlock one door for a moment. Controllers fetch them over the signed sync
//! channel (`GET /sync/commands`) and acknowledge each; `GET /commands/{id}` shows which
//! controllers have.

use super::error::ApiError;
use super::json::ApiJson;
use super::path::ApiPath;
use super::responses::{CreateErrors, GetErrors, ListErrors};
use crate::auth::Allow;
use crate::auth::rules::{CommandDoors, ReadEvents};
use crate::state::AppState;
use crate::store::{CommandRecord, LockdownRecord};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use gatehouse_core::wire::{Command, CommandId};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/commands", post(issue))
        .route("/commands/{id}", get(get_one))
        .route("/lockdowns", get(lockdowns))
}

/// Sends a command: `{"lockdown": {"scope": "site"}}`, `{"lockdown": {"scope": {"zone":
/// 3}}}`, `{"release": {"scope": …}}` or `{"momentary_unlock": {"door": 7, "seconds":
/// 5}}`. A lockdown is also kept in force in every bundle until released. Already locked
/// down: 409 `scope`; nothing to release: 422 `scope`; unknown zone or door: 422; a door
/// without a controller: 422 `door`; seconds outside 1–300: 422 `seconds`.
#[utoipa::path(post, path = "/api/v1/commands", tag = "commands",
    request_body(content = Object, description = "a core Command"),
    responses((status = 201, body = CommandRecord, description = "Sent"), CreateErrors))]
pub async fn issue(
    allow: Allow<CommandDoors>,
    State(state): State<AppState>,
    ApiJson(command): ApiJson<Command>,
) -> Result<(StatusCode, Json<CommandRecord>), ApiError> {
    let by = allow.principal.user().map(|u| u.id);
    let record = state
        .store
        .issue_command(state.site, command, by, state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(record)))
}

/// A command and what each controller answered.
#[utoipa::path(get, path = "/api/v1/commands/{id}", tag = "commands",
    params(("id" = u64, Path, description = "The command")),
    responses((status = 200, body = CommandRecord, description = "OK"), GetErrors))]
pub async fn get_one(
    _: Allow<ReadEvents>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<CommandRecord>, ApiError> {
    Ok(Json(state.store.command(state.site, CommandId(id)).await?))
}

/// The lockdowns in force.
#[utoipa::path(get, path = "/api/v1/lockdowns", tag = "commands",
    responses((status = 200, body = Vec<LockdownRecord>, description = "OK"), ListErrors))]
pub async fn lockdowns(
    _: Allow<ReadEvents>,
    State(state): State<AppState>,
) -> Result<Json<Vec<LockdownRecord>>, ApiError> {
    Ok(Json(state.store.lockdowns(state.site).await?))
}
