//! Visitors and their passes, for the front desk and the lobby kiosk: register a visitor
//! with a host, issue a signed QR pass for some zones and a window, show it again, and end
//! it at check-out or by revocation — which puts its serial on every controller's
//! revocation list within a long-poll.

use super::audit_trail::with_before;
use super::error::ApiError;
use super::json::ApiJson;
use super::path::ApiPath;
use super::query::ApiQuery;
use super::responses::{ChangeErrors, CreateErrors, GetErrors, ListErrors};
use crate::auth::Allow;
use crate::auth::principal::Principal;
use crate::auth::rules::FrontDesk;
use crate::issuance::visitor_pass_text;
use crate::state::AppState;
use crate::store::{
    NewVisitor, NewVisitorPass, Role, VisitorPassRecord, VisitorQuery, VisitorRecord,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use gatehouse_core::ids::{PassSerial, VisitorId};
use gatehouse_core::model::VisitorPassStatus;
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/visitors", post(create_visitor).get(list_visitors))
        .route("/visitors/{id}", get(get_visitor))
        .route(
            "/visitors/{id}/passes",
            post(issue_pass).get(passes_of_visitor),
        )
        .route("/visitor-passes/{serial}", get(get_pass))
        .route("/visitor-passes/{serial}/check-out", post(check_out))
        .route("/visitor-passes/{serial}/revoke", post(revoke))
}

/// A visitor pass with its QR text.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VisitorPassWithQr {
    /// The pass.
    pub pass: VisitorPassRecord,
    /// The `GH1:` text to show as a QR code, while the pass is active.
    pub qr: Option<String>,
}

async fn with_qr(state: &AppState, pass: VisitorPassRecord) -> Result<VisitorPassWithQr, ApiError> {
    if pass.status != VisitorPassStatus::Active {
        return Ok(VisitorPassWithQr { pass, qr: None });
    }
    let issued = state.store.issued_pass(state.site, pass.serial).await?;
    let keyring = state.keyring.read().expect("keyring lock");
    let qr = visitor_pass_text(&keyring, &issued, &pass)?;
    Ok(VisitorPassWithQr { pass, qr: Some(qr) })
}

/// A host sees and handles only their own visitors (the front desk, admins and kiosks see
/// all): for anyone else's, or as a host without a person, the visitor is not found.
fn hosted_by_caller(principal: &Principal, visitor: &VisitorRecord) -> Result<(), ApiError> {
    match principal.user() {
        Some(u) if u.role == Role::Host && u.person != Some(visitor.host) => Err(
            ApiError::NotFound(format!("visitor {} not found", visitor.id.0)),
        ),
        _ => Ok(()),
    }
}

/// The longest pass anyone may issue.
pub const MAX_PASS_MS: i64 = 30 * 24 * 3_600_000;
/// The longest pass a host or a kiosk may issue.
pub const MAX_SELF_SERVICE_PASS_MS: i64 = 24 * 3_600_000;

/// A pass is at most [`MAX_PASS_MS`] long. Hosts and kiosks (self-service) issue passes of
/// at most a day, for zones the visitor's host may enter themselves: a host cannot hand a
/// visitor more than they have. Receptionists and admins choose freely.
async fn check_self_service(
    state: &AppState,
    principal: &Principal,
    visitor: &VisitorRecord,
    new: &NewVisitorPass,
) -> Result<(), ApiError> {
    let start = new.not_before.unwrap_or(state.now());
    let self_service = match principal {
        Principal::Kiosk { .. } => true,
        Principal::User(u) => u.role == Role::Host,
        Principal::Controller { .. } => false,
    };
    let longest = if self_service {
        MAX_SELF_SERVICE_PASS_MS
    } else {
        MAX_PASS_MS
    };
    if new.expires.0 - start.0 > longest {
        return Err(ApiError::Invalid {
            field: "expires",
            message: format!("a pass lasts at most {} hours", longest / 3_600_000),
        });
    }
    if self_service {
        let open = state.store.zones_open_to(state.site, visitor.host).await?;
        if let Some(zone) = new.zones.iter().find(|z| !open.contains(z)) {
            return Err(ApiError::Invalid {
                field: "zones",
                message: format!("zone {} is not one the host may enter", zone.0),
            });
        }
    }
    Ok(())
}

/// The visitor, if the caller may see them.
async fn visible_visitor(
    state: &AppState,
    principal: &Principal,
    id: VisitorId,
) -> Result<VisitorRecord, ApiError> {
    let visitor = state.store.visitor(state.site, id).await?;
    hosted_by_caller(principal, &visitor)?;
    Ok(visitor)
}

/// Registers a visitor with their host. Unknown host: 422 `host`.
#[utoipa::path(post, path = "/api/v1/visitors", tag = "visitors", request_body = NewVisitor,
    responses((status = 201, body = VisitorRecord, description = "Created"), CreateErrors))]
pub async fn create_visitor(
    allow: Allow<FrontDesk>,
    State(state): State<AppState>,
    ApiJson(visitor): ApiJson<NewVisitor>,
) -> Result<(StatusCode, Json<VisitorRecord>), ApiError> {
    if let Some(u) = allow.principal.user().filter(|u| u.role == Role::Host) {
        if u.person != Some(visitor.host) {
            return Err(ApiError::Invalid {
                field: "host",
                message: "a host registers their own visitors".into(),
            });
        }
    }
    let created = state
        .store
        .create_visitor(state.site, &visitor, state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Visitors, newest first (at most 200), by host or by a part of the name. A host sees
/// only their own.
#[utoipa::path(get, path = "/api/v1/visitors", tag = "visitors", params(VisitorQuery),
    responses((status = 200, body = Vec<VisitorRecord>, description = "OK"), ListErrors))]
pub async fn list_visitors(
    allow: Allow<FrontDesk>,
    State(state): State<AppState>,
    ApiQuery(mut query): ApiQuery<VisitorQuery>,
) -> Result<Json<Vec<VisitorRecord>>, ApiError> {
    if let Some(u) = allow.principal.user().filter(|u| u.role == Role::Host) {
        match u.person {
            Some(me) if query.host.is_none_or(|h| h == me.0) => query.host = Some(me.0),
            _ => return Ok(Json(Vec::new())),
        }
    }
    Ok(Json(state.store.visitors(state.site, &query).await?))
}

/// A visitor.
#[utoipa::path(get, path = "/api/v1/visitors/{id}", tag = "visitors",
    params(("id" = u64, Path, description = "The visitor")),
    responses((status = 200, body = VisitorRecord, description = "OK"), GetErrors))]
pub async fn get_visitor(
    allow: Allow<FrontDesk>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<VisitorRecord>, ApiError> {
    Ok(Json(
        visible_visitor(&state, &allow.principal, VisitorId(id)).await?,
    ))
}

/// A visitor's passes, newest first.
#[utoipa::path(get, path = "/api/v1/visitors/{id}/passes", tag = "visitors",
    params(("id" = u64, Path, description = "The visitor")),
    responses((status = 200, body = Vec<VisitorPassRecord>, description = "OK"), GetErrors))]
pub async fn passes_of_visitor(
    allow: Allow<FrontDesk>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<Vec<VisitorPassRecord>>, ApiError> {
    let visitor = visible_visitor(&state, &allow.principal, VisitorId(id)).await?;
    Ok(Json(
        state
            .store
            .visitor_passes_of(state.site, visitor.id)
            .await?,
    ))
}

/// Issues a signed QR pass to a visitor for 1 to 16 zones and a window (cut to whole
/// seconds). Unknown zone: 422 `zones`; an empty or past window: 422 `expires`.
#[utoipa::path(post, path = "/api/v1/visitors/{id}/passes", tag = "visitors",
    params(("id" = u64, Path, description = "The visitor")),
    request_body = NewVisitorPass,
    responses((status = 201, body = VisitorPassWithQr, description = "Issued"), CreateErrors))]
pub async fn issue_pass(
    allow: Allow<FrontDesk>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
    ApiJson(new): ApiJson<NewVisitorPass>,
) -> Result<(StatusCode, Json<VisitorPassWithQr>), ApiError> {
    let visitor = visible_visitor(&state, &allow.principal, VisitorId(id)).await?;
    check_self_service(&state, &allow.principal, &visitor, &new).await?;
    let key = state.keyring.read().expect("keyring lock").current().id();
    let pass = state
        .store
        .issue_visitor_pass(state.site, VisitorId(id), &new, key, state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(with_qr(&state, pass).await?)))
}

/// A visitor pass, with its QR text again while it is active (the same text: signing is
/// deterministic).
#[utoipa::path(get, path = "/api/v1/visitor-passes/{serial}", tag = "visitors",
    params(("serial" = u64, Path, description = "The pass's serial")),
    responses((status = 200, body = VisitorPassWithQr, description = "OK"), GetErrors))]
pub async fn get_pass(
    allow: Allow<FrontDesk>,
    State(state): State<AppState>,
    ApiPath(serial): ApiPath<u64>,
) -> Result<Json<VisitorPassWithQr>, ApiError> {
    let pass = visible_pass(&state, &allow.principal, serial).await?;
    Ok(Json(with_qr(&state, pass).await?))
}

/// Checks the visitor out: the pass ends and its serial is revoked. A pass already ended:
/// 422 `status`.
#[utoipa::path(post, path = "/api/v1/visitor-passes/{serial}/check-out", tag = "visitors",
    params(("serial" = u64, Path, description = "The pass's serial")),
    responses((status = 200, body = VisitorPassRecord, description = "OK"), ChangeErrors))]
pub async fn check_out(
    allow: Allow<FrontDesk>,
    State(state): State<AppState>,
    ApiPath(serial): ApiPath<u64>,
) -> Result<Response, ApiError> {
    visible_pass(&state, &allow.principal, serial).await?;
    end(&state, serial, VisitorPassStatus::CheckedOut).await
}

/// Revokes a pass (lost, misused, visit cancelled). A pass already ended: 422 `status`.
#[utoipa::path(post, path = "/api/v1/visitor-passes/{serial}/revoke", tag = "visitors",
    params(("serial" = u64, Path, description = "The pass's serial")),
    responses((status = 200, body = VisitorPassRecord, description = "OK"), ChangeErrors))]
pub async fn revoke(
    allow: Allow<FrontDesk>,
    State(state): State<AppState>,
    ApiPath(serial): ApiPath<u64>,
) -> Result<Response, ApiError> {
    visible_pass(&state, &allow.principal, serial).await?;
    end(&state, serial, VisitorPassStatus::Revoked).await
}

/// The pass, if the caller may see its visitor.
async fn visible_pass(
    state: &AppState,
    principal: &Principal,
    serial: u64,
) -> Result<VisitorPassRecord, ApiError> {
    let pass = state
        .store
        .visitor_pass(state.site, PassSerial(serial))
        .await?;
    visible_visitor(state, principal, pass.visitor)
        .await
        .map_err(|_| ApiError::NotFound(format!("visitor pass {serial} not found")))?;
    Ok(pass)
}

async fn end(
    state: &AppState,
    serial: u64,
    status: VisitorPassStatus,
) -> Result<Response, ApiError> {
    let before = state
        .store
        .visitor_pass(state.site, PassSerial(serial))
        .await?;
    let after = state
        .store
        .end_visitor_pass(state.site, PassSerial(serial), status, state.now())
        .await?;
    Ok(with_before(Json(after), &before))
}
