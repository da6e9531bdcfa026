//! The caller's API tokens (`Authorization: Bearer ght_…`): made, listed, revoked. A token
//! acts with its owner's role; only its SHA-256 is kept, so it is shown once.

use super::caller;
use crate::auth::rules::AnyUser;
use crate::auth::{Allow, tokens};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::json::ApiJson;
use crate::http::path::ApiPath;
use crate::state::AppState;
use crate::store::ApiTokenRecord;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

/// The longest token name.
const NAME_MAX: usize = 100;

/// A token to make.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What it is for ("nightly export", "HR sync"): 1 to 100 characters.
    pub name: String,
}

/// A new token, shown this once.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    /// Its id (to revoke it).
    pub id: u64,
    /// Its name.
    pub name: String,
    /// The token, `ght_` and 43 characters: store it now, it cannot be shown again.
    pub token: String,
}

impl std::fmt::Debug for CreatedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedToken")
            .field("id", &self.id)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Makes an API token for the caller.
#[utoipa::path(post, path = "/api/v1/auth/tokens", tag = "auth", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create_token(
    Allow { principal, .. }: Allow<AnyUser>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let user = caller(principal)?;
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX {
        return Err(ApiError::Invalid {
            field: "name",
            message: format!("1 to {NAME_MAX} characters"),
        });
    }
    let token = format!("{}{}", tokens::API_TOKEN_PREFIX, tokens::random_secret());
    let id = state
        .store
        .create_api_token(user.id, name, &tokens::hash(&token), state.now().0)
        .await?;
    tracing::info!(user = user.id, token = id, "API token made");
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            id,
            name: name.to_owned(),
            token,
        }),
    ))
}

/// The caller's live tokens (never the tokens themselves).
#[utoipa::path(get, path = "/api/v1/auth/tokens", tag = "auth",
    responses((status = 200, body = Vec<ApiTokenRecord>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list_tokens(
    Allow { principal, .. }: Allow<AnyUser>,
    State(state): State<AppState>,
) -> Result<Json<Vec<ApiTokenRecord>>, ApiError> {
    let user = caller(principal)?;
    Ok(Json(state.store.api_tokens(user.id).await?))
}

/// Revokes one of the caller's tokens; it authenticates nothing from then on. Another
/// user's token is not found.
#[utoipa::path(delete, path = "/api/v1/auth/tokens/{id}", tag = "auth",
    params(("id" = u64, Path, description = "the token's id")),
    responses((status = 204, description = "revoked"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn revoke_token(
    Allow { principal, .. }: Allow<AnyUser>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
) -> Result<StatusCode, ApiError> {
    let user = caller(principal)?;
    state
        .store
        .revoke_api_token(user.id, id, state.now().0)
        .await?;
    tracing::info!(user = user.id, token = id, "API token revoked");
    Ok(StatusCode::NO_CONTENT)
}
