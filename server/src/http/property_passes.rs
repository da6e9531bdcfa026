//! Property passes: a member of staff asks for permission to take items out; an admin or
//! the carrier's manager approves (the signed QR is issued then) or refuses; the guard at
//! the exit logs the items leaving and, later, coming back; security or an admin can
//! revoke an approved pass.

use super::audit_trail::with_before;
use super::error::ApiError;
use super::json::ApiJson;
use super::path::ApiPath;
use super::query::ApiQuery;
use super::responses::{ChangeErrors, CreateErrors, GetErrors, ListErrors};
use crate::auth::Allow;
use crate::auth::principal::Principal;
use crate::auth::rules::{
    ApproveProperty, GuardExit, ReadProperty, RequestProperty, RevokeProperty,
};
use crate::issuance::property_pass_text;
use crate::state::AppState;
use crate::store::{NewPropertyPass, PropertyPassQuery, PropertyPassRecord, Role};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use gatehouse_core::model::PropertyPassStatus;
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/property-passes", post(request).get(list))
        .route("/property-passes/{id}", get(get_one))
        .route("/property-passes/{id}/approve", post(approve))
        .route("/property-passes/{id}/refuse", post(refuse))
        .route("/property-passes/{id}/revoke", post(revoke))
        .route("/property-passes/{id}/removed", post(removed))
        .route("/property-passes/{id}/returned", post(returned))
}

/// A property pass with its QR text, while it is approved.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PropertyPassWithQr {
    /// The pass.
    pub pass: PropertyPassRecord,
    /// The `GH1:` text the carrier shows at the exit.
    pub qr: Option<String>,
}

/// The pass with its QR text while approved — for the one who carries the items out and
/// the one who asked for it; everyone else (guards verify the QR they are shown) sees the
/// pass without it.
async fn with_qr(
    state: &AppState,
    principal: &Principal,
    pass: PropertyPassRecord,
) -> Result<PropertyPassWithQr, ApiError> {
    let holder = principal
        .user()
        .is_some_and(|u| u.id == pass.requested_by || u.person == Some(pass.carrier));
    let serial = match (pass.status, pass.serial) {
        (PropertyPassStatus::Approved, Some(serial)) if holder => serial,
        _ => return Ok(PropertyPassWithQr { pass, qr: None }),
    };
    let issued = state.store.issued_pass(state.site, serial).await?;
    let keyring = state.keyring.read().expect("keyring lock");
    let qr = property_pass_text(&keyring, &issued, &pass)?;
    Ok(PropertyPassWithQr { pass, qr: Some(qr) })
}

/// Whether a host may see a pass: one they asked for, carry or manage the carrier of.
/// Other readers (admins, guards, auditors, guard stations) see every pass.
async fn visible_to(
    state: &AppState,
    principal: &Principal,
    pass: &PropertyPassRecord,
) -> Result<bool, ApiError> {
    let Some(user) = principal.user().filter(|u| u.role == Role::Host) else {
        return Ok(true);
    };
    if user.id == pass.requested_by || user.person == Some(pass.carrier) {
        return Ok(true);
    }
    let carrier = state.store.person(state.site, pass.carrier).await?;
    Ok(user.person.is_some() && carrier.manager == user.person)
}

fn user_id(principal: &Principal) -> Result<u64, ApiError> {
    principal.user().map(|u| u.id).ok_or(ApiError::Forbidden)
}

/// Asks for a property pass for a carrier and 1 to 20 items. Unknown carrier: 422
/// `carrier`.
#[utoipa::path(post, path = "/api/v1/property-passes", tag = "property", request_body = NewPropertyPass,
    responses((status = 201, body = PropertyPassRecord, description = "Requested"), CreateErrors))]
pub async fn request(
    allow: Allow<RequestProperty>,
    State(state): State<AppState>,
    ApiJson(new): ApiJson<NewPropertyPass>,
) -> Result<(StatusCode, Json<PropertyPassRecord>), ApiError> {
    let by = user_id(&allow.principal)?;
    let pass = state
        .store
        .request_property_pass(state.site, &new, by, state.now())
        .await?;
    Ok((StatusCode::CREATED, Json(pass)))
}

/// Property passes, newest first (at most 200), by status or carrier. A host sees those
/// they asked for, carry, or manage the carrier of.
#[utoipa::path(get, path = "/api/v1/property-passes", tag = "property", params(PropertyPassQuery),
    responses((status = 200, body = Vec<PropertyPassRecord>, description = "OK"), ListErrors))]
pub async fn list(
    allow: Allow<ReadProperty>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<PropertyPassQuery>,
) -> Result<Json<Vec<PropertyPassRecord>>, ApiError> {
    let mut visible = Vec::new();
    for pass in state.store.property_passes(state.site, &query).await? {
        if visible_to(&state, &allow.principal, &pass).await? {
            visible.push(pass);
        }
    }
    Ok(Json(visible))
}

/// A property pass, with its QR text while it is approved.
#[utoipa::path(get, path = "/api/v1/property-passes/{id}", tag = "property",
    params(("id" = u64, Path, description = "The property pass")),
    responses((status = 200, body = PropertyPassWithQr, description = "OK"), GetErrors))]
pub async fn get_one(
    allow: Allow<ReadProperty>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<PropertyPassWithQr>, ApiError> {
    let pass = state.store.property_pass(state.site, id).await?;
    if !visible_to(&state, &allow.principal, &pass).await? {
        return Err(ApiError::NotFound(format!("property pass {id} not found")));
    }
    Ok(Json(with_qr(&state, &allow.principal, pass).await?))
}

/// A host may decide only on their own reports' passes; an admin on any.
async fn check_decider(
    state: &AppState,
    principal: &Principal,
    pass: &PropertyPassRecord,
) -> Result<(), ApiError> {
    let user = principal.user().ok_or(ApiError::Forbidden)?;
    if user.role == Role::Admin {
        return Ok(());
    }
    let carrier = state.store.person(state.site, pass.carrier).await?;
    match (user.person, carrier.manager) {
        (Some(me), Some(manager)) if me == manager => Ok(()),
        _ => Err(ApiError::Forbidden),
    }
}

/// Approves a requested pass and issues its signed QR. Only an admin or the carrier's
/// manager may (403); a pass not requested: 422 `status`; a window already over: 422
/// `expires`.
#[utoipa::path(post, path = "/api/v1/property-passes/{id}/approve", tag = "property",
    params(("id" = u64, Path, description = "The property pass")),
    responses((status = 200, body = PropertyPassWithQr, description = "Approved"), ChangeErrors))]
pub async fn approve(
    allow: Allow<ApproveProperty>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
) -> Result<Response, ApiError> {
    let pass = state.store.property_pass(state.site, id).await?;
    check_decider(&state, &allow.principal, &pass).await?;
    let key = state.keyring.read().expect("keyring lock").current().id();
    let (after, _) = state
        .store
        .approve_property_pass(state.site, id, user_id(&allow.principal)?, key, state.now())
        .await?;
    Ok(with_before(
        Json(with_qr(&state, &allow.principal, after).await?),
        &pass,
    ))
}

/// Refuses a requested pass. Only an admin or the carrier's manager may (403); a pass
/// not requested: 422 `status`.
#[utoipa::path(post, path = "/api/v1/property-passes/{id}/refuse", tag = "property",
    params(("id" = u64, Path, description = "The property pass")),
    responses((status = 200, body = PropertyPassRecord, description = "Refused"), ChangeErrors))]
pub async fn refuse(
    allow: Allow<ApproveProperty>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
) -> Result<Response, ApiError> {
    let pass = state.store.property_pass(state.site, id).await?;
    check_decider(&state, &allow.principal, &pass).await?;
    if pass.status != PropertyPassStatus::Requested {
        return Err(ApiError::Invalid {
            field: "status",
            message: "only a requested pass can be refused".into(),
        });
    }
    advance(&state, &allow.principal, id, PropertyPassStatus::Revoked).await
}

/// Revokes a pass, approved or still requested; an approved pass's serial goes on the
/// revocation lists. Removed or returned: 422 `status`.
#[utoipa::path(post, path = "/api/v1/property-passes/{id}/revoke", tag = "property",
    params(("id" = u64, Path, description = "The property pass")),
    responses((status = 200, body = PropertyPassRecord, description = "Revoked"), ChangeErrors))]
pub async fn revoke(
    allow: Allow<RevokeProperty>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
) -> Result<Response, ApiError> {
    advance(&state, &allow.principal, id, PropertyPassStatus::Revoked).await
}

/// Logs the items leaving, at the exit, within the pass's window. Not approved or
/// outside the window: 422 `status`.
#[utoipa::path(post, path = "/api/v1/property-passes/{id}/removed", tag = "property",
    params(("id" = u64, Path, description = "The property pass")),
    responses((status = 200, body = PropertyPassRecord, description = "Logged"), ChangeErrors))]
pub async fn removed(
    allow: Allow<GuardExit>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
) -> Result<Response, ApiError> {
    advance(&state, &allow.principal, id, PropertyPassStatus::Removed).await
}

/// Logs the items coming back. Not removed: 422 `status`.
#[utoipa::path(post, path = "/api/v1/property-passes/{id}/returned", tag = "property",
    params(("id" = u64, Path, description = "The property pass")),
    responses((status = 200, body = PropertyPassRecord, description = "Logged"), ChangeErrors))]
pub async fn returned(
    allow: Allow<GuardExit>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
) -> Result<Response, ApiError> {
    advance(&state, &allow.principal, id, PropertyPassStatus::Returned).await
}

async fn advance(
    state: &AppState,
    principal: &Principal,
    id: u64,
    to: PropertyPassStatus,
) -> Result<Response, ApiError> {
    let before = state.store.property_pass(state.site, id).await?;
    let by = principal.user().map(|u| u.id);
    let after = state
        .store
        .advance_property_pass(state.site, id, to, by, state.now())
        .await?;
    Ok(with_before(Json(after), &before))
}
