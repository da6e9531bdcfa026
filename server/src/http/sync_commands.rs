//! Commands on the controller's sync channel. `GET /sync/commands` is long-polled like the
//! bundle: it answers at once with the controller's unacknowledged commands of the last
//! minute, else when a command is issued, else after `wait` seconds with an empty list.
//! `POST /sync/commands/ack` records what the controller did with one. Both carry the
//! server's signed time.

use super::error::{ApiError, ErrorBody};
use super::json::ApiJson;
use super::query::ApiQuery;
use super::sync::{MAX_WAIT_SECS, sign_time};
use crate::auth::Allow;
use crate::auth::principal::Principal;
use crate::auth::rules::ControllerOnly;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gatehouse_core::ids::ControllerId;
use gatehouse_core::wire::{CommandAck, CommandEnvelope, check_version};
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sync/commands", get(pending))
        .route("/sync/commands/ack", post(ack))
}

/// How long to wait for a command.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CommandsQuery {
    /// Seconds to wait when nothing is pending (0 to 25; default 0).
    #[serde(default)]
    wait: u64,
}

/// The controller's pending commands, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PendingCommands {
    /// Core `CommandEnvelope`s.
    #[schema(value_type = Vec<Object>)]
    pub commands: Vec<CommandEnvelope>,
}

fn controller(principal: &Principal) -> Result<ControllerId, ApiError> {
    match principal {
        Principal::Controller { id } => Ok(*id),
        _ => Err(ApiError::Forbidden),
    }
}

/// The calling controller's commands not yet acknowledged (issued within the last
/// minute), long-polled up to `wait` seconds.
#[utoipa::path(get, path = "/api/v1/sync/commands", tag = "sync", params(CommandsQuery),
    responses(
        (status = 200, body = PendingCommands, description = "pending commands (maybe none); signed server time in the headers"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn pending(
    allow: Allow<ControllerOnly>,
    State(state): State<AppState>,
    request_headers: HeaderMap,
    ApiQuery(query): ApiQuery<CommandsQuery>,
) -> Result<Response, ApiError> {
    let id = controller(&allow.principal)?;
    if query.wait > MAX_WAIT_SECS {
        return Err(ApiError::Invalid {
            field: "wait",
            message: format!("at most {MAX_WAIT_SECS} seconds"),
        });
    }
    let mut issued = state.sync.commands.clone();
    issued.mark_unchanged();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(query.wait);
    let commands = loop {
        let commands = state.store.pending_commands(id, state.now()).await?;
        if !commands.is_empty() {
            break commands;
        }
        // Nothing yet: wait for any new command of the site, then look again. A wake-up
        // for another controller's command finds nothing and waits on.
        match tokio::time::timeout_at(deadline, issued.changed()).await {
            Ok(Ok(())) => continue,
            _ => break commands,
        }
    };
    let mut response = axum::Json(PendingCommands { commands }).into_response();
    sign_time(&state, &request_headers, response.headers_mut());
    Ok(response)
}

/// Records what the controller did with a command (`{"v": 1, "id": 12, "outcome":
/// "applied"}` or `{"rejected": "why"}`). A command not sent to it: 422 `id`; a repeat is
/// harmless.
#[utoipa::path(post, path = "/api/v1/sync/commands/ack", tag = "sync",
    request_body(content = Object, description = "a core CommandAck"),
    responses(
        (status = 204, description = "recorded; signed server time in the headers"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn ack(
    allow: Allow<ControllerOnly>,
    State(state): State<AppState>,
    request_headers: HeaderMap,
    ApiJson(ack): ApiJson<CommandAck>,
) -> Result<Response, ApiError> {
    let id = controller(&allow.principal)?;
    check_version(ack.v).map_err(|e| ApiError::Invalid {
        field: "v",
        message: e.to_string(),
    })?;
    state.store.ack_command(id, &ack, state.now()).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    sign_time(&state, &request_headers, response.headers_mut());
    Ok(response)
}
