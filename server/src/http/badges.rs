//! Badges: enrolling a card (`POST /badges`), a person's badges, and where a badge is
//! suspended, reactivated, reported lost or revoked (`POST /badges/{id}/…`). Lost and
//! revoked are final.

use super::audit_trail::with_before;
use super::error::ApiError;
use super::json::ApiJson;
use super::path::ApiPath;
use super::responses::{ChangeErrors, CreateErrors, GetErrors};
use crate::auth::Allow;
use crate::auth::rules::{ManageBadges, ReadPolicy};
use crate::issuance::staff_badge_text;
use crate::state::AppState;
use crate::store::{BadgeRecord, NewBadge, NewQrBadge};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use gatehouse_core::ids::{BadgeId, PersonId};
use gatehouse_core::model::{BadgeCredential, BadgeStatus};
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/badges", post(enroll_card))
        .route("/badges/qr", post(issue_qr_badge))
        .route("/badges/{id}/qr", get(qr_of_badge))
        .route("/people/{id}/badges", get(badges_of))
        .route("/badges/{id}/suspend", post(suspend))
        .route("/badges/{id}/reactivate", post(reactivate))
        .route("/badges/{id}/report-lost", post(report_lost))
        .route("/badges/{id}/revoke", post(revoke))
}

/// Enrolls a card for a person, by its canonical id (`{"type": "wiegand", "format":
/// "H10301", "facility": 12, "card_number": 1001}` or `{"type": "uid", "uid": "04A1B2C3"}`).
/// A card already enrolled: 409 `card`; a card id that does not fit its format: 422
/// `card`; unknown person: 422 `person`.
#[utoipa::path(post, path = "/api/v1/badges", tag = "badges", request_body = NewBadge,
    responses((status = 201, body = BadgeRecord, description = "Created"), CreateErrors))]
pub async fn enroll_card(
    _: Allow<ManageBadges>,
    State(state): State<AppState>,
    ApiJson(badge): ApiJson<NewBadge>,
) -> Result<(StatusCode, Json<BadgeRecord>), ApiError> {
    let created = state
        .store
        .enroll_card(state.site, &badge, state.now().0)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// A staff QR badge with its QR text.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QrBadge {
    /// The badge.
    pub badge: BadgeRecord,
    /// The `GH1:` text to show or print as a QR code.
    pub qr: String,
}

/// Issues a staff QR badge: a signed QR that opens what the person's groups open, like a
/// card, until it expires. Unknown person: 422 `person`; an empty or past window: 422
/// `expires`.
#[utoipa::path(post, path = "/api/v1/badges/qr", tag = "badges", request_body = NewQrBadge,
    responses((status = 201, body = QrBadge, description = "Issued"), CreateErrors))]
pub async fn issue_qr_badge(
    _: Allow<ManageBadges>,
    State(state): State<AppState>,
    ApiJson(new): ApiJson<NewQrBadge>,
) -> Result<(StatusCode, Json<QrBadge>), ApiError> {
    let key = state.keyring.read().expect("keyring lock").current().id();
    let (badge, pass) = state
        .store
        .issue_qr_badge(state.site, &new, key, state.now())
        .await?;
    let qr = staff_badge_text(&state.keyring.read().expect("keyring lock"), &pass)?;
    Ok((StatusCode::CREATED, Json(QrBadge { badge, qr })))
}

/// A staff QR badge's QR text again (the same text: signing is deterministic). A card
/// badge: 422 `id`; a badge that is not active: 422 `status`.
#[utoipa::path(get, path = "/api/v1/badges/{id}/qr", tag = "badges",
    params(("id" = u64, Path, description = "The badge")),
    responses((status = 200, body = QrBadge, description = "OK"), ChangeErrors))]
pub async fn qr_of_badge(
    _: Allow<ManageBadges>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<QrBadge>, ApiError> {
    let badge = state.store.badge(state.site, BadgeId(id)).await?;
    let BadgeCredential::Qr(serial) = badge.credential else {
        return Err(ApiError::Invalid {
            field: "id",
            message: "a card badge has no QR".into(),
        });
    };
    if badge.status != BadgeStatus::Active {
        return Err(ApiError::Invalid {
            field: "status",
            message: "only an active badge's QR is shown".into(),
        });
    }
    let pass = state.store.issued_pass(state.site, serial).await?;
    let qr = staff_badge_text(&state.keyring.read().expect("keyring lock"), &pass)?;
    Ok(Json(QrBadge { badge, qr }))
}

/// A person's badges, by id.
#[utoipa::path(get, path = "/api/v1/people/{id}/badges", tag = "badges",
    params(("id" = u64, Path, description = "The person")),
    responses((status = 200, body = Vec<BadgeRecord>, description = "OK"), GetErrors))]
pub async fn badges_of(
    _: Allow<ReadPolicy>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<Vec<BadgeRecord>>, ApiError> {
    // Unknown person: 404, not an empty list.
    let person = state.store.person(state.site, PersonId(id)).await?;
    Ok(Json(state.store.badges_of(state.site, person.id).await?))
}

async fn set_status(state: &AppState, id: u64, status: BadgeStatus) -> Result<Response, ApiError> {
    let before = state.store.badge(state.site, BadgeId(id)).await?;
    let badge = state
        .store
        .set_badge_status(state.site, BadgeId(id), status, state.now().0)
        .await?;
    Ok(with_before(Json(badge), &before))
}

/// Suspends a badge (it can be reactivated). A lost or revoked badge: 422 `status`.
#[utoipa::path(post, path = "/api/v1/badges/{id}/suspend", tag = "badges",
    params(("id" = u64, Path, description = "The badge")),
    responses((status = 200, body = BadgeRecord, description = "OK"), ChangeErrors))]
pub async fn suspend(
    _: Allow<ManageBadges>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
) -> Result<Response, ApiError> {
    set_status(&state, id, BadgeStatus::Suspended).await
}

/// Reactivates a suspended badge. A lost or revoked badge: 422 `status`.
#[utoipa::path(post, path = "/api/v1/badges/{id}/reactivate", tag = "badges",
    params(("id" = u64, Path, description = "The badge")),
    responses((status = 200, body = BadgeRecord, description = "OK"), ChangeErrors))]
pub async fn reactivate(
    _: Allow<ManageBadges>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
) -> Result<Response, ApiError> {
    set_status(&state, id, BadgeStatus::Active).await
}

/// Reports a badge lost: blocked for good, and a use of it raises an alarm. A revoked
/// badge: 422 `status`.
#[utoipa::path(post, path = "/api/v1/badges/{id}/report-lost", tag = "badges",
    params(("id" = u64, Path, description = "The badge")),
    responses((status = 200, body = BadgeRecord, description = "OK"), ChangeErrors))]
pub async fn report_lost(
    _: Allow<ManageBadges>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
) -> Result<Response, ApiError> {
    set_status(&state, id, BadgeStatus::Lost).await
}

/// Revokes a badge for good. A lost badge: 422 `status` (it stays lost).
#[utoipa::path(post, path = "/api/v1/badges/{id}/revoke", tag = "badges",
    params(("id" = u64, Path, description = "The badge")),
    responses((status = 200, body = BadgeRecord, description = "OK"), ChangeErrors))]
pub async fn revoke(
    _: Allow<ManageBadges>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
) -> Result<Response, ApiError> {
    set_status(&state, id, BadgeStatus::Revoked).await
}
