//! `/api/v1/auth`: signing in and out, the caller's own account, and their API tokens.
//!
//! Sessions are cookies (`HttpOnly`, `SameSite=Strict`, `Secure` over TLS) whose SHA-256
//! alone is stored; requests that change something also carry the session's CSRF token
//! (`auth::resolve`). Login is the one open route here; a cross-site form cannot post to
//! it, since it takes only `application/json`.

pub(super) mod password;
pub(super) mod session;
pub(super) mod tokens;

use super::error::ApiError;
use crate::auth::Principal;
use crate::auth::resolve::{SESSION_COOKIE, cookie};
use crate::auth::tokens as secrets;
use crate::state::AppState;
use crate::store::UserRecord;
use axum::Router;
use axum::http::{HeaderMap, header};
use axum::routing::{delete, get, post};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(session::login))
        .route("/auth/logout", post(session::logout))
        .route("/auth/me", get(session::me))
        .route("/auth/password", post(password::change_password))
        .route(
            "/auth/tokens",
            get(tokens::list_tokens).post(tokens::create_token),
        )
        .route("/auth/tokens/{id}", delete(tokens::revoke_token))
}

/// The user behind a principal the account rules admitted (they admit only users).
fn caller(principal: Principal) -> Result<UserRecord, ApiError> {
    match principal {
        Principal::User(user) => Ok(user),
        _ => Err(ApiError::Forbidden),
    }
}

/// The hash of the session this request was authenticated by, if it was a session: an
/// `Authorization` header takes precedence over a cookie, as in `auth::resolve`.
fn current_session(headers: &HeaderMap) -> Option<[u8; 32]> {
    if headers.contains_key(header::AUTHORIZATION) {
        return None;
    }
    cookie(headers, SESSION_COOKIE).map(secrets::hash)
}
