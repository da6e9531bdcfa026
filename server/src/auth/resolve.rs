//! Finding the caller of a request: an API token (`Authorization: Bearer ght_…`), or a
//! session cookie — and then, for a request that changes something, the session's CSRF
//! token in the `X-CSRF-Token` header. Devices are found earlier, by the signature
//! middleware (`auth::device`).

use super::device::DevicePrincipal;
use super::principal::Principal;
use super::tokens;
use crate::http::error::ApiError;
use crate::state::AppState;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "gh_session";
/// The header carrying the CSRF token on state-changing requests made with a session.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The caller, if the request carries valid credentials. Credentials that are present but
/// wrong are an error (401), not an anonymous request.
pub async fn resolve(parts: &Parts, state: &AppState) -> Result<Option<Principal>, ApiError> {
    if let Some(DevicePrincipal(device)) = parts.extensions.get() {
        return Ok(Some(device.clone()));
    }
    let now = state.now().0;
    if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
        let token = auth
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .filter(|t| t.starts_with(tokens::API_TOKEN_PREFIX))
            .ok_or(ApiError::Unauthenticated)?;
        let user = state.store.token_user(&tokens::hash(token), now).await?;
        return user
            .map(|u| Some(Principal::User(u)))
            .ok_or(ApiError::Unauthenticated);
    }
    let Some(session) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let (user, csrf) = state
        .store
        .session_user(&tokens::hash(session), now)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        let sent = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !tokens::same(sent, &csrf) {
            return Err(ApiError::Csrf);
        }
    }
    Ok(Some(Principal::User(user)))
}

/// A cookie's value.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}
