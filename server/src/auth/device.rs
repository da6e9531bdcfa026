//! Signed device requests (`gatehouse_core::wire::signed_request`): a middleware checks the
//! signature, the replay window and the nonce, and marks the request with the device as its
//! principal. Requests without device headers pass through untouched.

use super::principal::Principal;
use crate::http::BODY_LIMIT;
use crate::http::error::ApiError;
use crate::state::AppState;
use crate::store::DeviceKind;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_core::credential::PublicKey;
use gatehouse_core::ids::ControllerId;
use gatehouse_core::wire::signed_request::{
    DEVICE_HEADER, NONCE_HEADER, REPLAY_WINDOW_MS, SIGNATURE_HEADER, TIMESTAMP_HEADER,
    nonce_is_valid, signing_message,
};

/// A request signed by a device, as the middleware found it.
#[derive(Clone, Debug)]
pub struct DevicePrincipal(pub Principal);

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, ApiError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::BadCredentials(format!("signed request without {name}")))
}

fn parse_device(text: &str) -> Option<(DeviceKind, u64)> {
    let (kind, id) = text.split_once(':')?;
    let kind = match kind {
        "controller" => DeviceKind::Controller,
        "kiosk" => DeviceKind::Kiosk,
        _ => return None,
    };
    Some((kind, id.parse().ok()?))
}

/// Verifies a device's signature when the request carries one.
pub async fn verify_device(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if !req.headers().contains_key(DEVICE_HEADER) {
        return Ok(next.run(req).await);
    }
    let (parts, body) = req.into_parts();
    let device_text = header(&parts.headers, DEVICE_HEADER)?;
    let (kind, device) = parse_device(device_text).ok_or_else(|| {
        ApiError::BadCredentials(format!("{DEVICE_HEADER} is controller:<id> or kiosk:<id>"))
    })?;
    let timestamp: i64 = header(&parts.headers, TIMESTAMP_HEADER)?
        .parse()
        .map_err(|_| {
            ApiError::BadCredentials(format!("{TIMESTAMP_HEADER} is Unix milliseconds"))
        })?;
    let nonce = header(&parts.headers, NONCE_HEADER)?;
    if !nonce_is_valid(nonce) {
        return Err(ApiError::BadCredentials(format!(
            "{NONCE_HEADER} is 16 to 64 URL-safe characters"
        )));
    }
    let signature: [u8; 64] = URL_SAFE_NO_PAD
        .decode(header(&parts.headers, SIGNATURE_HEADER)?)
        .ok()
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| {
            ApiError::BadCredentials(format!(
                "{SIGNATURE_HEADER} is a base64url Ed25519 signature"
            ))
        })?;
    let now = state.now().0;
    if (now - timestamp).abs() > REPLAY_WINDOW_MS {
        return Err(ApiError::BadCredentials(format!(
            "request time is {} ms from the server's; sync the device clock (the server's time is {now})",
            now - timestamp
        )));
    }
    let body = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|_| ApiError::BadRequest(format!("body larger than {BODY_LIMIT} bytes")))?;
    let key = state
        .store
        .device_key(state.site, kind, device)
        .await?
        .and_then(|k| PublicKey::from_bytes(&k).ok())
        .ok_or_else(|| {
            ApiError::BadCredentials(format!("{device_text} is not an enrolled device"))
        })?;
    let path = parts
        .uri
        .path_and_query()
        .map_or(parts.uri.path(), |p| p.as_str());
    let message = signing_message(parts.method.as_str(), path, timestamp, nonce, &body);
    if !key.verify(&message, &signature) {
        return Err(ApiError::BadCredentials(
            "the request signature does not verify".into(),
        ));
    }
    if !state
        .store
        .record_device_request(kind, device, nonce, now)
        .await?
    {
        return Err(ApiError::BadCredentials(
            "this request was already received (replay)".into(),
        ));
    }
    let principal = match kind {
        DeviceKind::Controller => Principal::Controller {
            id: ControllerId(u32::try_from(device).map_err(|_| ApiError::Unauthenticated)?),
        },
        DeviceKind::Kiosk => Principal::Kiosk { id: device },
    };
    let mut req = Request::from_parts(parts, Body::from(body));
    req.extensions_mut().insert(DevicePrincipal(principal));
    Ok(next.run(req).await)
}

/// Forgets, every minute, the nonces older than twice the replay window: a request that
/// old is refused by its timestamp before its nonce is looked at.
pub fn spawn_nonce_pruning(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            let before = state.now().0 - 2 * REPLAY_WINDOW_MS;
            if let Err(e) = state.store.forget_nonces(before).await {
                tracing::error!(error = %e, "cannot forget old request nonces");
            }
        }
    });
}
