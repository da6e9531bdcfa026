//! Enrolling devices: an admin asks for a one-time code for a controller or kiosk; the
//! device, having pinned the certificate fingerprint the code carries, presents the code
//! with its own public key, which signs every request from then on.

use super::error::{ApiError, ErrorBody};
use crate::auth::rules::Configure;
use crate::auth::{Allow, tokens};
use crate::state::AppState;
use crate::store::DeviceKind;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_core::credential::PublicKey;
use gatehouse_core::wire::enrollment::EnrollmentCode;
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/controllers/{id}/enrollment-code", post(controller_code))
        .route("/kiosks", post(create_kiosk))
        .route("/kiosks/{id}/enrollment-code", post(kiosk_code))
        .route("/enroll", post(enroll))
}

/// A one-time enrollment code, shown once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedCode {
    /// `GHE1.<kind>.<id>.<secret>.<fingerprint>`: give it to the installer.
    code: String,
    /// Usable until (Unix ms).
    expires_at: i64,
}

async fn issue_code(
    state: &AppState,
    kind: DeviceKind,
    device: u64,
) -> Result<IssuedCode, ApiError> {
    let (code, expires_at) = crate::enrollment_code::issue(state, kind, device).await?;
    Ok(IssuedCode {
        code: code.to_string(),
        expires_at,
    })
}

/// Issues a one-time enrollment code for a controller (also to replace one whose SD card
/// died: its old key works until the new one enrolls).
#[utoipa::path(post, path = "/api/v1/controllers/{id}/enrollment-code", tag = "devices",
    params(("id" = u64, Path, description = "controller")),
    responses((status = 201, body = IssuedCode), (status = 404, body = ErrorBody)))]
pub async fn controller_code(
    _: Allow<Configure>,
    State(state): State<AppState>,
    Path(id): Path<u64>,
) -> Result<(StatusCode, Json<IssuedCode>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(issue_code(&state, DeviceKind::Controller, id).await?),
    ))
}

/// A new kiosk or guard station.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKiosk {
    /// Its name, unique in the site ("Lobby kiosk", "Loading dock guard").
    name: String,
}

/// A kiosk as created.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KioskCreated {
    /// Its id.
    id: u64,
    /// Its name.
    name: String,
}

/// Registers a kiosk or guard station (it enrolls with a code afterwards).
#[utoipa::path(post, path = "/api/v1/kiosks", tag = "devices", request_body = NewKiosk,
    responses((status = 201, body = KioskCreated), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_kiosk(
    _: Allow<Configure>,
    State(state): State<AppState>,
    Json(kiosk): Json<NewKiosk>,
) -> Result<(StatusCode, Json<KioskCreated>), ApiError> {
    if kiosk.name.trim().is_empty() || kiosk.name.len() > 200 {
        return Err(ApiError::Invalid {
            field: "name",
            message: "must be 1 to 200 characters".into(),
        });
    }
    let id = state.store.create_kiosk(state.site, &kiosk.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(KioskCreated {
            id,
            name: kiosk.name,
        }),
    ))
}

/// Issues a one-time enrollment code for a kiosk.
#[utoipa::path(post, path = "/api/v1/kiosks/{id}/enrollment-code", tag = "devices",
    params(("id" = u64, Path, description = "kiosk")),
    responses((status = 201, body = IssuedCode), (status = 404, body = ErrorBody)))]
pub async fn kiosk_code(
    _: Allow<Configure>,
    State(state): State<AppState>,
    Path(id): Path<u64>,
) -> Result<(StatusCode, Json<IssuedCode>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(issue_code(&state, DeviceKind::Kiosk, id).await?),
    ))
}

/// A device presenting its code and its key.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Enroll {
    /// The whole enrollment code.
    code: String,
    /// The device's Ed25519 public key, 32 bytes in base64url.
    public_key: String,
}

/// The device, enrolled.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Enrolled {
    /// What to send in `X-GH-Device`.
    device: String,
    /// The server's time (Unix ms): a clock floor for a device without a real-time clock.
    server_time: i64,
    /// Controllers only: the age X25519 recipient (`age1…`) to encrypt the reader key
    /// store to before uploading it with `PUT /api/v1/sync/reader-keys`. Learned here, over
    /// the pinned channel, so no other server can slip in its own.
    #[serde(skip_serializing_if = "Option::is_none")]
    reader_key_escrow_recipient: Option<String>,
}

/// Enrolls a device: open to anyone holding a live code, which is used up.
#[utoipa::path(post, path = "/api/v1/enroll", tag = "devices", request_body = Enroll,
    responses((status = 200, body = Enrolled), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn enroll(
    State(state): State<AppState>,
    Json(req): Json<Enroll>,
) -> Result<Json<Enrolled>, ApiError> {
    let code: EnrollmentCode =
        req.code
            .parse()
            .map_err(|e: gatehouse_core::wire::enrollment::EnrollmentCodeError| {
                ApiError::Invalid {
                    field: "code",
                    message: e.to_string(),
                }
            })?;
    let key: [u8; 32] = URL_SAFE_NO_PAD
        .decode(&req.public_key)
        .ok()
        .and_then(|k| k.try_into().ok())
        .filter(|k| PublicKey::from_bytes(k).is_ok())
        .ok_or_else(|| ApiError::Invalid {
            field: "public_key",
            message: "an Ed25519 public key, 32 bytes in base64url".into(),
        })?;
    let now = state.now().0;
    let done = state
        .store
        .complete_enrollment(
            state.site,
            code.kind,
            code.device,
            &tokens::hash(&code.secret),
            &key,
            now,
        )
        .await?;
    if !done {
        return Err(ApiError::BadCredentials(
            "the enrollment code is wrong, used or expired".into(),
        ));
    }
    tracing::info!(device = %format!("{}:{}", code.kind.name(), code.device), "device enrolled");
    Ok(Json(Enrolled {
        device: format!("{}:{}", code.kind.name(), code.device),
        server_time: now,
        reader_key_escrow_recipient: (code.kind == DeviceKind::Controller)
            .then(|| state.escrow.recipient()),
    }))
}
