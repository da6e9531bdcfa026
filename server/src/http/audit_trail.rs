//! Every request that tries to change something — by a user or by no one — is written to the
//! `admin` hash chain, whatever its outcome: who (user id and role, never a name), what
//! (method, route, path with its ids, status) and the SHA-256 of the request body.
//!
//! Only pseudonymous ids and hashes go into the chain, so purging a person's or visitor's
//! personal data never has to touch it; a hash still proves what a kept copy said. What a
//! successful action changed — the resource before (handlers that change an existing thing
//! attach it with [`with_before`]) and after (the JSON the handler answered) — is kept
//! beside the chain in `audit_details`, its SHA-256 in the chain entry, so those documents
//! can be purged after their retention period and the chain stays intact. Credentials in
//! them (QR texts, tokens, codes, passwords) are replaced by `"[redacted]"` first.
//!
//! Bodies of `/auth/…`, `/enroll` and `…/pin` requests are not hashed: a hash of a
//! password, a one-time code or a 4-digit PIN would be a guessable copy of it. Kiosks and
//! guard stations are recorded like users (`{"kiosk": id}`); controllers are not: their
//! events have streams of their own.

use crate::auth::Principal;
use crate::auth::resolve::resolve;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gatehouse_core::wire::signed_request::DEVICE_HEADER;
use serde_json::json;
use sha2::{Digest, Sha256};

/// The stream admin actions are chained in.
pub const ADMIN_STREAM: &str = "admin";

/// Answers larger than this are not kept as an "after" document (lists; never a change).
const MAX_DOCUMENT: usize = 256 * 1024;

/// Fields whose values are credentials and never kept in an audit document.
const SECRET_FIELDS: &[&str] = &["qr", "token", "code", "password", "secret"];

/// The state of a resource before a change, attached to the handler's answer.
#[derive(Clone, Debug)]
pub struct Before(pub serde_json::Value);

/// `response` with `before` recorded as the state before the change.
pub fn with_before(response: impl IntoResponse, before: &impl serde::Serialize) -> Response {
    let mut response = response.into_response();
    let value = serde_json::to_value(before).unwrap_or(serde_json::Value::Null);
    response.extensions_mut().insert(Before(value));
    response
}

/// Replaces every credential-bearing field, at any depth, by `"[redacted]"`.
fn redact(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if SECRET_FIELDS.contains(&key.as_str()) && !v.is_null() {
                    *v = json!("[redacted]");
                } else {
                    redact(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The before and after documents of a successful change, redacted; and the response
/// rebuilt around the body that was read.
async fn documents(response: Response) -> (Response, Option<String>, Option<String>) {
    let before = response.extensions().get::<Before>().map(|b| {
        let mut v = b.0.clone();
        redact(&mut v);
        v.to_string()
    });
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !response.status().is_success() || !is_json {
        return (response, before, None);
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, MAX_DOCUMENT).await {
        Ok(bytes) => {
            let after = serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .map(|mut v| {
                    redact(&mut v);
                    v.to_string()
                });
            (
                Response::from_parts(parts, Body::from(bytes)),
                before,
                after,
            )
        }
        // Too large to keep (or unreadable): the caller still gets an answer, a 500 rather
        // than a truncated body.
        Err(_) => (
            IntoResponse::into_response(super::error::ApiError::Internal(
                "answer too large to audit".into(),
            )),
            before,
            None,
        ),
    }
}

/// Records state-changing requests in the `admin` chain.
pub async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let changes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    // Controllers' requests are their sync traffic, chained in their own streams; a kiosk
    // or guard station acts for people (passes, check-outs, items leaving) and is recorded.
    let controller = req
        .headers()
        .get(DEVICE_HEADER)
        .is_some_and(|d| d.as_bytes().starts_with(b"controller:"));
    if !changes || controller {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let actor = match resolve(&parts, &state).await {
        Ok(Some(Principal::User(user))) => json!({"user": user.id, "role": user.role.name()}),
        Ok(Some(Principal::Kiosk { id })) => json!({"kiosk": id}),
        Ok(_) => serde_json::Value::Null,
        Err(_) => json!("invalid credentials"),
    };
    let route = parts
        .extensions
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let path = parts.uri.path().to_string();
    // Sign-in and enrollment exchange secrets both ways: neither body nor answer is kept.
    let secret_exchange = path.contains("/auth/") || path.ends_with("/enroll");
    let secret_bearing = secret_exchange || path.ends_with("/pin");
    let bytes = match axum::body::to_bytes(body, super::BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let error = super::error::ApiError::BadRequest(format!(
                "body larger than {} bytes",
                super::BODY_LIMIT
            ));
            return IntoResponse::into_response(error);
        }
    };
    let body_sha256 = (!secret_bearing && !bytes.is_empty()).then(|| sha256_hex(&bytes));
    let method = parts.method.to_string();
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let (response, before, after) = if secret_exchange {
        (response, None, None)
    } else {
        documents(response).await
    };
    let at = state.now().0;
    let payload = json!({
        "at": at,
        "actor": actor,
        "method": method,
        "route": route,
        "path": path,
        "status": response.status().as_u16(),
        "body_sha256": body_sha256,
        "before_sha256": before.as_deref().map(|d| sha256_hex(d.as_bytes())),
        "after_sha256": after.as_deref().map(|d| sha256_hex(d.as_bytes())),
    });
    if let Err(e) = state
        .store
        .append_audit_with_details(
            ADMIN_STREAM,
            at,
            payload.to_string().into_bytes(),
            before.as_deref(),
            after.as_deref(),
        )
        .await
    {
        // The action happened; losing its audit entry is an operational alarm, not a
        // reason to pretend it did not.
        tracing::error!(error = %e, %method, %path, "could not append to the admin audit chain");
    }
    response
}
