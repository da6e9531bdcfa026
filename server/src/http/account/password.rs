//! Changing one's own password.

use super::{caller, current_session};
use crate::auth::rules::Account;
use crate::auth::{Allow, password, throttle};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::json::ApiJson;
use crate::state::AppState;
use crate::store::UserRecord;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde::Deserialize;

/// The current password and the new one.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The password in use now (the one-time password, for a new account).
    pub current_password: String,
    /// The new password: 12 to 256 characters.
    pub new_password: String,
}

impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChange { .. }")
    }
}

/// Changes the caller's password and ends their other sessions (the one asking stays
/// signed in; API tokens stay valid). Clears the demand to change a one-time password. A
/// wrong current password counts towards the lockout, as at login, so a stolen session is
/// no unlimited way to guess the password.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordChange,
    responses(
        (status = 200, body = UserRecord),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "`new_password` too short, too long or unchanged; `current_password` wrong"),
        (status = 429, body = ErrorBody, headers(("retry-after" = u64, description = "seconds until the lock ends")))))]
#[tracing::instrument(skip_all)]
pub async fn change_password(
    Allow { principal, .. }: Allow<Account>,
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<Json<UserRecord>, ApiError> {
    let user = caller(principal)?;
    if body.new_password == body.current_password {
        return Err(ApiError::Invalid {
            field: "new_password",
            message: "must differ from the current password".into(),
        });
    }
    // Hashed before the current password is checked, so a new password that breaks the
    // length rules costs no attempt.
    let new_hash = hash(body.new_password).await?;
    let record = state.store.login_record_by_id(user.id).await?;
    match throttle::attempt(&state.store, record, &body.current_password, state.now()).await {
        Ok(_) => {}
        Err(ApiError::BadCredentials(_)) => {
            return Err(ApiError::Invalid {
                field: "current_password",
                message: "is not your current password".into(),
            });
        }
        Err(other) => return Err(other),
    }
    let updated = state.store.set_password(user.id, &new_hash, false).await?;
    state
        .store
        .end_sessions(user.id, current_session(&headers).as_ref())
        .await?;
    tracing::info!(user = user.id, "password changed");
    Ok(Json(updated))
}

/// argon2id off the async threads.
async fn hash(new_password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || password::hash(&new_password))
        .await
        .map_err(|e| ApiError::Internal(format!("password hashing: {e}")))?
        .map_err(|e| ApiError::Invalid {
            field: "new_password",
            message: e.to_string(),
        })
}
