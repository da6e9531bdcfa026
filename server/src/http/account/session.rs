//! Signing in and out, and who the caller is.

use super::{caller, current_session};
use crate::auth::resolve::SESSION_COOKIE;
use crate::auth::rules::Account;
use crate::auth::{Allow, throttle, tokens};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::json::ApiJson;
use crate::state::AppState;
use crate::store::UserRecord;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};

/// How long a session lasts from sign-in (a working day and then some; no sliding renewal,
/// so a stolen cookie dies on schedule).
pub const SESSION_LIFETIME_MS: i64 = 12 * 60 * 60 * 1000;

/// A username and password.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// The login name.
    pub username: String,
    /// The password.
    pub password: String,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// The signed-in user and the CSRF token their session's state-changing requests carry in
/// `X-CSRF-Token`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    /// The user.
    pub user: UserRecord,
    /// The session's CSRF token; absent when the caller authenticated with an API token.
    pub csrf_token: Option<String>,
}

/// Signs in: sets the `gh_session` cookie (HttpOnly, SameSite=Strict, 12 h) and answers the
/// CSRF token. A wrong username and a wrong password get the same 401. After 5 consecutive
/// failures the account is locked for 15 minutes (429 with `Retry-After`), even to the
/// right password. Open to all.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = Login,
    responses(
        (status = 200, body = SessionInfo, headers(("set-cookie" = String, description = "gh_session=…; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200"))),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody, description = "wrong username or password"),
        (status = 429, body = ErrorBody, headers(("retry-after" = u64, description = "seconds until the lock ends")))))]
#[tracing::instrument(skip_all)]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<Login>,
) -> Result<impl IntoResponse, ApiError> {
    let now = state.now();
    let record = state.store.login_record(&body.username).await?;
    let user = throttle::attempt(&state.store, record, &body.password, now).await?;
    let secret = tokens::random_secret();
    let csrf = tokens::random_secret();
    state.store.delete_expired_sessions(user.id, now.0).await?;
    state
        .store
        .create_session(
            &tokens::hash(&secret),
            user.id,
            &csrf,
            now.0,
            now.0 + SESSION_LIFETIME_MS,
        )
        .await?;
    tracing::info!(user = user.id, "signed in");
    let cookie = session_cookie(&secret, SESSION_LIFETIME_MS / 1000, state.tls);
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(SessionInfo {
            user,
            csrf_token: Some(csrf),
        }),
    ))
}

/// Signs out: ends the session and expires its cookie. With an API token, nothing ends
/// (revoke the token instead).
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "signed out"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn logout(
    _: Allow<Account>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    if let Some(session) = current_session(&headers) {
        state.store.delete_session(&session).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, session_cookie("", 0, state.tls))],
    ))
}

/// Who is calling, and for a session its CSRF token (so a reloaded console page can carry
/// on without signing in again).
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = SessionInfo), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn me(
    Allow { principal, .. }: Allow<Account>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<SessionInfo>, ApiError> {
    let user = caller(principal)?;
    let csrf_token = match current_session(&headers) {
        Some(session) => state
            .store
            .session_user(&session, state.now().0)
            .await?
            .map(|(_, csrf)| csrf),
        None => None,
    };
    Ok(Json(SessionInfo { user, csrf_token }))
}

/// The `Set-Cookie` value for the session cookie (`max_age_secs` 0 expires it).
fn session_cookie(value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age_secs}{secure}")
        .parse()
        .expect("base64url and ASCII attributes are a valid header")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_http_only_strict_and_secure_over_tls() {
        assert_eq!(
            session_cookie("abc", 43_200, true),
            "gh_session=abc; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200; Secure"
        );
        assert_eq!(
            session_cookie("", 0, false),
            "gh_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"
        );
    }

    #[test]
    fn a_login_never_shows_its_password() {
        let login = Login {
            username: "ada".into(),
            password: "hunter2hunter2".into(),
        };
        assert!(!format!("{login:?}").contains("hunter2"));
    }
}
