//! `GET /api/v1/sync/bundle`: a controller's bundle, whole or as a delta from the version it
//! holds, long-polled — the answer comes at once when there is something newer, else when
//! the policy changes, else after `wait` seconds with 204. Every answer carries the
//! server's time, signed and bound to the request's nonce: a clock floor for a controller
//! without a real-time clock.

use super::error::{ApiError, ErrorBody};
use super::json::ApiJson;
use super::query::ApiQuery;
use crate::auth::Allow;
use crate::auth::principal::Principal;
use crate::auth::rules::ControllerOnly;
use crate::state::AppState;
use crate::sync::bundles::{Answer, answer};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_core::bundle::BundleVersion;
use gatehouse_core::wire::signed_request::{
    DEVICE_HEADER, NONCE_HEADER, SERVER_KEY_HEADER, SERVER_TIME_HEADER,
    SERVER_TIME_SIGNATURE_HEADER, server_time_message,
};
use gatehouse_core::wire::{BatchAck, Event, EventBatch, WIRE_VERSION, check_version};
use serde::Deserialize;
use std::time::Duration;

/// The longest a long-poll waits (below every proxy's idle timeout we know of).
pub const MAX_WAIT_SECS: u64 = 25;
/// Content type of a whole signed bundle.
pub const BUNDLE_TYPE: &str = "application/vnd.gatehouse.bundle";
/// Content type of a bundle delta.
pub const DELTA_TYPE: &str = "application/vnd.gatehouse.delta";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sync/bundle", get(bundle))
        .route("/sync/events", post(upload_events))
        .route("/sync/heartbeat", post(heartbeat))
}

/// A controller reports how it is (bundle held, journal backlog, doors, readers); any JSON
/// object up to the body limit. Answers 204 with the signed server time.
#[utoipa::path(post, path = "/api/v1/sync/heartbeat", tag = "sync",
    request_body(content = Object, description = "the controller's status"),
    responses((status = 204, description = "stored; signed server time in the headers"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn heartbeat(
    allow: Allow<ControllerOnly>,
    State(state): State<AppState>,
    request_headers: HeaderMap,
    ApiJson(status): ApiJson<serde_json::Value>,
) -> Result<Response, ApiError> {
    let Principal::Controller { id } = allow.principal else {
        return Err(ApiError::Forbidden);
    };
    if !status.is_object() {
        return Err(ApiError::Invalid {
            field: "body",
            message: "a JSON object".into(),
        });
    }
    state
        .store
        .save_controller_status(id, &status, state.now().0)
        .await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    sign_time(&state, &request_headers, response.headers_mut());
    Ok(response)
}

/// Entries accepted in one upload.
pub const MAX_BATCH: usize = 1000;

/// Stores a batch of journal entries from the calling controller, each once (an upload
/// sent again is harmless), and answers up to which seq the journal is stored: the
/// controller may delete those entries.
#[utoipa::path(post, path = "/api/v1/sync/events", tag = "sync",
    request_body(content = Object, description = "an EventBatch: {v, controller, entries: [{journal, seq, event}]}"),
    responses(
        (status = 200, description = "BatchAck {v, journal, highest_seq}; signed server time in the headers"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload_events(
    allow: Allow<ControllerOnly>,
    State(state): State<AppState>,
    request_headers: HeaderMap,
    ApiJson(batch): ApiJson<EventBatch>,
) -> Result<Response, ApiError> {
    let Principal::Controller { id } = allow.principal else {
        return Err(ApiError::Forbidden);
    };
    let invalid = |field, message: &str| ApiError::Invalid {
        field,
        message: message.to_string(),
    };
    check_version(batch.v).map_err(|e| invalid("v", &e.to_string()))?;
    if batch.controller != id {
        return Err(invalid(
            "controller",
            "is not the controller that signed the request",
        ));
    }
    let journal = batch
        .entries
        .first()
        .map(|e| e.journal)
        .ok_or_else(|| invalid("entries", "is empty"))?;
    if batch.entries.len() > MAX_BATCH {
        return Err(invalid(
            "entries",
            &format!("at most {MAX_BATCH} per upload"),
        ));
    }
    if batch.entries.iter().any(|e| e.journal != journal) {
        return Err(invalid(
            "entries",
            "all entries of an upload are from one journal",
        ));
    }
    if batch.entries.iter().any(|e| e.seq == 0) {
        return Err(invalid("entries", "seq starts at 1"));
    }
    let seen_to = state.store.journal_stored_to(id, journal).await?;
    // Alarms for what was not stored before, raised before the events are stored: if
    // anything fails from here on, the controller sends the upload again and the alarms are
    // looked at again (an alarm already open is not raised twice), so none is lost.
    let fresh: Vec<&Event> = batch
        .entries
        .iter()
        .filter(|e| e.seq > seen_to)
        .map(|e| &e.event)
        .collect();
    crate::event_alarms::apply(&state, id, fresh).await?;
    let highest = state
        .store
        .ingest_events(state.site, id, journal, &batch.entries, state.now().0)
        .await?;
    let new: std::collections::BTreeSet<u64> = batch
        .entries
        .iter()
        .filter(|e| e.seq > seen_to)
        .map(|e| e.seq)
        .collect();
    state
        .metrics
        .events_uploaded(batch.entries.len(), new.len());
    let ack = BatchAck {
        v: WIRE_VERSION,
        journal,
        highest_seq: highest,
    };
    let mut response = axum::Json(ack).into_response();
    sign_time(&state, &request_headers, response.headers_mut());
    Ok(response)
}

/// What the controller holds, and how long it will wait.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BundleQuery {
    /// Epoch of the bundle held (omit for none).
    epoch: Option<u32>,
    /// Version of the bundle held (omit for none).
    version: Option<u64>,
    /// Seconds to wait for a change when nothing is newer (0 to 25; default 0).
    #[serde(default)]
    wait: u64,
}

/// The controller's bundle, whole (`application/vnd.gatehouse.bundle`) or as a delta
/// (`application/vnd.gatehouse.delta`); 204 when nothing is newer within `wait`.
#[utoipa::path(get, path = "/api/v1/sync/bundle", tag = "sync", params(BundleQuery),
    responses(
        (status = 200, description = "a signed bundle (GHB1) or delta (GHD1); headers X-GH-Bundle-Version, X-GH-Server-Time, X-GH-Server-Time-Signature"),
        (status = 204, description = "nothing newer than the version held"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn bundle(
    allow: Allow<ControllerOnly>,
    State(state): State<AppState>,
    request_headers: HeaderMap,
    ApiQuery(query): ApiQuery<BundleQuery>,
) -> Result<Response, ApiError> {
    let Principal::Controller { id } = allow.principal else {
        return Err(ApiError::Forbidden);
    };
    let held = match (query.epoch, query.version) {
        (Some(epoch), Some(version)) => Some(BundleVersion { epoch, version }),
        (None, None) => None,
        _ => {
            return Err(ApiError::Invalid {
                field: "version",
                message: "give both epoch and version, or neither".into(),
            });
        }
    };
    if query.wait > MAX_WAIT_SECS {
        return Err(ApiError::Invalid {
            field: "wait",
            message: format!("at most {MAX_WAIT_SECS} seconds"),
        });
    }
    // The database is the truth; the watch channel only says when to look again (it may
    // lag it by one poll).
    let current = state.store.policy_version(state.site).await?;
    if let Some(held) = held.filter(|h| *h >= current) {
        let mut policy = state.sync.policy.clone();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(query.wait);
        loop {
            match tokio::time::timeout_at(deadline, policy.changed()).await {
                Ok(Ok(())) if *policy.borrow_and_update() > held => break,
                Ok(Ok(())) => continue,
                // The wait is over (or the server is shutting down): nothing newer.
                _ => {
                    let mut response = StatusCode::NO_CONTENT.into_response();
                    sign_time(&state, &request_headers, response.headers_mut());
                    return Ok(response);
                }
            }
        }
    }
    let (version, answer) = answer(&state, id, held).await?;
    let (content_type, body) = match answer {
        Answer::Full(bytes) => (BUNDLE_TYPE, bytes),
        Answer::Delta(bytes) => (DELTA_TYPE, bytes),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        "x-gh-bundle-version",
        HeaderValue::from_str(&version.to_string()).expect("digits and a dot"),
    );
    sign_time(&state, &request_headers, headers);
    Ok(response)
}

/// Adds the server's signed time, bound to the request's device and nonce.
pub(super) fn sign_time(state: &AppState, request: &HeaderMap, response: &mut HeaderMap) {
    let text = |name| {
        request
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    let now = state.now().0;
    let keyring = state.keyring.read().expect("keyring lock");
    let key = keyring.current();
    let signature = key.sign(&server_time_message(
        now,
        text(DEVICE_HEADER),
        text(NONCE_HEADER),
    ));
    let value = |s: String| HeaderValue::from_str(&s).expect("ASCII");
    response.insert(SERVER_TIME_HEADER, value(now.to_string()));
    response.insert(
        SERVER_TIME_SIGNATURE_HEADER,
        value(URL_SAFE_NO_PAD.encode(signature)),
    );
    response.insert(SERVER_KEY_HEADER, value(key.id().to_string()));
}
