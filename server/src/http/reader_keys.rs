//! The escrow of a controller's OSDP reader keys on its signed sync channel
//! (docs/hardware-reader-keys.md, docs/sync-protocol.md §8).
//!
//! `PUT /sync/reader-keys`: the controller's reader key store, age-encrypted to the
//! server's escrow recipient (`reader_key_escrow_recipient` of the enrollment answer). The
//! server opens it to check that it is a store a replacement could load, then keeps only
//! the ciphertext, the latest per controller, and records the upload in the `admin` chain.
//!
//! `GET /sync/reader-keys`: the store, decrypted, to the controller that signed the request
//! — a replacement enrolled under the same id — recorded in the `admin` chain before it
//! is sent.
//!
//! Neither the audit entries nor any error message hold a key: they name readers, sizes and
//! the SHA-256 of the ciphertext.

use super::audit_trail::ADMIN_STREAM;
use super::error::{ApiError, ErrorBody};
use super::sync::sign_time;
use crate::auth::Allow;
use crate::auth::principal::Principal;
use crate::auth::rules::ControllerOnly;
use crate::escrow::ReaderKeyDocument;
use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::put;
use gatehouse_core::ids::ControllerId;
use serde_json::json;
use sha2::{Digest, Sha256};

/// The largest escrow copy taken: a store of several hundred readers fits many times.
pub const MAX_ESCROW_BYTES: usize = 64 * 1024;
/// The content type of an upload.
pub const ESCROW_TYPE: &str = "application/octet-stream";

pub fn routes() -> Router<AppState> {
    Router::new().route("/sync/reader-keys", put(upload).get(release))
}

fn controller(principal: &Principal) -> Result<ControllerId, ApiError> {
    match principal {
        Principal::Controller { id } => Ok(*id),
        _ => Err(ApiError::Forbidden),
    }
}

/// Stores the calling controller's escrow copy (its reader key store encrypted with age to
/// `reader_key_escrow_recipient`), replacing the one before. 400 names what is wrong: not
/// age, not to this server's recipient, damaged, or not a reader key store once opened.
#[utoipa::path(put, path = "/api/v1/sync/reader-keys", tag = "sync",
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "the controller's reader key store ({\"v\":1,\"readers\":{…}}), encrypted with age (binary) to reader_key_escrow_recipient; at most 64 KiB"),
    responses(
        (status = 204, description = "stored; signed server time in the headers"),
        (status = 400, body = ErrorBody, description = "not application/octet-stream, not age, not to the escrow recipient, damaged, or not a reader key store"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody, description = "larger than 64 KiB")))]
pub async fn upload(
    allow: Allow<ControllerOnly>,
    State(state): State<AppState>,
    request_headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = controller(&allow.principal)?;
    let content_type = request_headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.eq_ignore_ascii_case(ESCROW_TYPE) {
        return Err(ApiError::BadRequest(format!(
            "Content-Type must be {ESCROW_TYPE} (the age-encrypted reader key store)"
        )));
    }
    if body.len() > MAX_ESCROW_BYTES {
        return Err(ApiError::TooLarge(format!(
            "the escrow copy is {} bytes; at most {MAX_ESCROW_BYTES} are taken",
            body.len()
        )));
    }
    let document = {
        let plaintext = state
            .escrow
            .decrypt(&body)
            .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        ReaderKeyDocument::parse(&plaintext).map_err(|e| ApiError::BadRequest(e.to_string()))?
    };
    let now = state.now().0;
    let entry = json!({
        "at": now,
        "actor": {"controller": id.0},
        "action": "reader_keys_escrowed",
        "readers": document.readers,
        "bytes": body.len(),
        "ciphertext_sha256": hex::encode(Sha256::digest(&body)),
    });
    state
        .store
        .save_reader_key_escrow(id, &body, now, ADMIN_STREAM, entry.to_string().into_bytes())
        .await?;
    tracing::info!(
        controller = id.0,
        readers = document.readers.len(),
        "reader keys escrowed"
    );
    let mut response = StatusCode::NO_CONTENT.into_response();
    sign_time(&state, &request_headers, response.headers_mut());
    Ok(response)
}

/// The calling controller's escrowed reader key store, decrypted (`application/json`, the
/// document its key store's `restore()` takes). The release is recorded in the `admin`
/// audit chain first; 404 when the controller never uploaded one.
#[utoipa::path(get, path = "/api/v1/sync/reader-keys", tag = "sync",
    responses(
        (status = 200, content_type = "application/json",
            description = "the reader key store as uploaded ({\"v\":1,\"readers\":{…}}); signed server time in the headers"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "no escrow copy for this controller")))]
pub async fn release(
    allow: Allow<ControllerOnly>,
    State(state): State<AppState>,
    request_headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = controller(&allow.principal)?;
    let copy = state.store.reader_key_escrow(id).await?.ok_or_else(|| {
        ApiError::NotFound(format!(
            "controller:{id} has no escrowed reader keys (none was uploaded with PUT /api/v1/sync/reader-keys)"
        ))
    })?;
    // A copy that no longer opens was checked when it came in: the escrow key changed since
    // (keys/escrow.key replaced or restored from another server). The operator can fix
    // that; the controller cannot.
    let unusable = |problem: String| {
        ApiError::Internal(format!(
            "the escrow copy of controller:{id} (uploaded at {}) {problem}; was DATA_DIR/keys/escrow.key replaced since?",
            copy.uploaded_at
        ))
    };
    let plaintext = state
        .escrow
        .decrypt(&copy.ciphertext)
        .map_err(|e| unusable(format!("does not open with the escrow key: {e}")))?;
    let document = ReaderKeyDocument::parse(&plaintext)
        .map_err(|e| unusable(format!("is not a reader key store: {e}")))?;
    let now = state.now().0;
    let entry = json!({
        "at": now,
        "actor": {"controller": id.0},
        "action": "reader_keys_released",
        "readers": document.readers,
        "uploaded_at": copy.uploaded_at,
        "ciphertext_sha256": hex::encode(Sha256::digest(&copy.ciphertext)),
    });
    // Recorded before anything is sent: keys never leave without their record.
    state
        .store
        .append_audit(ADMIN_STREAM, now, entry.to_string().into_bytes())
        .await?;
    tracing::info!(
        controller = id.0,
        readers = document.readers.len(),
        "escrowed reader keys released"
    );
    let mut response = plaintext.to_vec().into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    sign_time(&state, &request_headers, headers);
    Ok(response)
}
