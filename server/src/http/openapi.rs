//! The OpenAPI 3 document, generated from the handlers' annotations, at
//! `/api/v1/openapi.json`.

use crate::state::AppState;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

/// The API's OpenAPI description.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Gatehouse API",
        description = "Physical access control and visitor management."
    ),
    paths(
        super::health::health,
        openapi_json,
        super::enrollment::controller_code,
        super::enrollment::create_kiosk,
        super::enrollment::kiosk_code,
        super::enrollment::enroll,
        super::sync::bundle,
        super::sync::upload_events,
        super::sync::heartbeat,
        super::sync_commands::pending,
        super::sync_commands::ack,
        super::reader_keys::upload,
        super::reader_keys::release,
        super::alarms::list,
        super::alarms::acknowledge,
        super::events::search,
        super::account::session::login,
        super::account::session::logout,
        super::account::session::me,
        super::account::password::change_password,
        super::account::tokens::create_token,
        super::account::tokens::list_tokens,
        super::account::tokens::revoke_token,
        super::zones::list_zones,
        super::zones::create_zone,
        super::zones::get_zone,
        super::doors::list_doors,
        super::doors::create_door,
        super::controllers::list_controllers,
        super::controllers::create_controller,
        super::schedules::list_schedules,
        super::schedules::create_schedule,
        super::calendars::list_calendars,
        super::calendars::create_calendar,
        super::groups::list_groups,
        super::groups::create_group,
        super::groups::add_member,
        super::groups::remove_member,
        super::people::list_people,
        super::people::create_person,
        super::people::get_person,
        super::people::set_pin,
        super::badges::enroll_card,
        super::badges::badges_of,
        super::badges::suspend,
        super::badges::reactivate,
        super::badges::report_lost,
        super::badges::revoke,
        super::badges::issue_qr_badge,
        super::badges::qr_of_badge,
        super::visitors::create_visitor,
        super::visitors::list_visitors,
        super::visitors::get_visitor,
        super::visitors::passes_of_visitor,
        super::visitors::issue_pass,
        super::visitors::get_pass,
        super::visitors::check_out,
        super::visitors::revoke,
        super::property_passes::request,
        super::property_passes::list,
        super::property_passes::get_one,
        super::property_passes::approve,
        super::property_passes::refuse,
        super::property_passes::revoke,
        super::property_passes::removed,
        super::property_passes::returned,
        super::commands::issue,
        super::commands::get_one,
        super::commands::lockdowns,
        super::audit_log::streams,
        super::audit_log::entries
    ),
    components(schemas(super::error::ErrorBody))
)]
pub struct ApiDoc;

pub fn routes() -> Router<AppState> {
    Router::new().route("/openapi.json", get(openapi_json))
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "system", responses((status = 200, description = "OpenAPI 3 document")))]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
