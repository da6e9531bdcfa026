//! Every request that tries to change something — by a user or by no one — is written to the
//! `admin` hash chain, whatever its outcome: who (user id and role, never a name), what
//! (method, route, path with its ids, status) and the SHA-256 of the request body.
//!
//! Only pseudonymous ids and a hash go into the chain, so purging a person's or visitor's
//! personal data never has to touch it; the hash still proves what a kept copy of a request
//! said. Bodies of `/auth/…` and `/enroll` requests are not hashed: a hash of a password or
//! a one-time code would be a guessable copy of it. Devices are not recorded here: their
//! events have streams of their own.

use crate::auth::Principal;
use crate::auth::resolve::resolve;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use gatehouse_core::wire::signed_request::DEVICE_HEADER;
use serde_json::json;
use sha2::{Digest, Sha256};

/// The stream admin actions are chained in.
pub const ADMIN_STREAM: &str = "admin";

/// Records state-changing requests in the `admin` chain.
pub async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let changes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !changes || req.headers().contains_key(DEVICE_HEADER) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let actor = match resolve(&parts, &state).await {
        Ok(Some(Principal::User(user))) => json!({"user": user.id, "role": user.role.name()}),
        Ok(_) => serde_json::Value::Null,
        Err(_) => json!("invalid credentials"),
    };
    let route = parts
        .extensions
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let path = parts.uri.path().to_string();
    let secret_bearing = path.contains("/auth/") || path.ends_with("/enroll");
    let bytes = match axum::body::to_bytes(body, super::BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let error = super::error::ApiError::BadRequest(format!(
                "body larger than {} bytes",
                super::BODY_LIMIT
            ));
            return axum::response::IntoResponse::into_response(error);
        }
    };
    let body_sha256 = (!secret_bearing && !bytes.is_empty()).then(|| {
        Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    });
    let method = parts.method.to_string();
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let at = state.now().0;
    let payload = json!({
        "at": at,
        "actor": actor,
        "method": method,
        "route": route,
        "path": path,
        "status": response.status().as_u16(),
        "body_sha256": body_sha256,
    });
    if let Err(e) = state
        .store
        .append_audit(ADMIN_STREAM, at, payload.to_string().into_bytes())
        .await
    {
        // The action happened; losing its audit entry is an operational alarm, not a
        // reason to pretend it did not.
        tracing::error!(error = %e, %method, %path, "could not append to the admin audit chain");
    }
    response
}
