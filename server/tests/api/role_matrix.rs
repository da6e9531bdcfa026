//! The role matrix: every route of the OpenAPI document, called by every role, both device
//! kinds and no one, against a table of who may call it written here independently of the
//! handlers. A route without a row in the table fails the test, and so does a row without a
//! route: adding a route means deciding who may call it.

use super::harness::{Auth, TestServer};
use axum::http::{Method, StatusCode};
use gatehouse_server::store::{DeviceKind, Role};
use serde_json::json;
use std::collections::BTreeSet;

/// Who may call a route.
#[derive(Clone, Copy, Debug)]
enum Who {
    /// Anyone, without credentials.
    Open,
    /// These callers.
    Only(&'static [Caller]),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Caller {
    Admin,
    Security,
    Receptionist,
    Host,
    Auditor,
    Kiosk,
    Controller,
}

use Caller::*;
const USERS: &[Caller] = &[Admin, Security, Receptionist, Host, Auditor];
const CONFIGURE: &[Caller] = &[Admin];
const READ_POLICY: &[Caller] = &[Admin, Security, Auditor];
const MANAGE_BADGES: &[Caller] = &[Admin, Security];
const READ_EVENTS: &[Caller] = &[Admin, Security, Auditor];
const HANDLE_ALARMS: &[Caller] = &[Admin, Security];
const READ_AUDIT: &[Caller] = &[Admin, Auditor];
const FRONT_DESK: &[Caller] = &[Admin, Receptionist, Host, Kiosk];
const COMMAND_DOORS: &[Caller] = &[Admin, Security];
const STAFF: &[Caller] = &[Admin, Security, Receptionist, Host];
const APPROVE_PROPERTY: &[Caller] = &[Admin, Host];
const READ_PROPERTY: &[Caller] = &[Admin, Security, Host, Auditor, Kiosk];
const GUARD_EXIT: &[Caller] = &[Admin, Security, Kiosk];

/// The table: method, path as in the OpenAPI document, who may call it.
const MATRIX: &[(&str, &str, Who)] = &[
    ("GET", "/api/v1/health", Who::Open),
    ("GET", "/api/v1/openapi.json", Who::Open),
    ("POST", "/api/v1/auth/login", Who::Open),
    ("POST", "/api/v1/auth/logout", Who::Only(USERS)),
    ("GET", "/api/v1/auth/me", Who::Only(USERS)),
    ("POST", "/api/v1/auth/password", Who::Only(USERS)),
    ("GET", "/api/v1/auth/tokens", Who::Only(USERS)),
    ("POST", "/api/v1/auth/tokens", Who::Only(USERS)),
    ("DELETE", "/api/v1/auth/tokens/{id}", Who::Only(USERS)),
    ("GET", "/api/v1/zones", Who::Only(READ_POLICY)),
    ("POST", "/api/v1/zones", Who::Only(CONFIGURE)),
    ("GET", "/api/v1/zones/{id}", Who::Only(READ_POLICY)),
    ("GET", "/api/v1/doors", Who::Only(READ_POLICY)),
    ("POST", "/api/v1/doors", Who::Only(CONFIGURE)),
    ("GET", "/api/v1/controllers", Who::Only(READ_POLICY)),
    ("POST", "/api/v1/controllers", Who::Only(CONFIGURE)),
    (
        "POST",
        "/api/v1/controllers/{id}/enrollment-code",
        Who::Only(CONFIGURE),
    ),
    ("POST", "/api/v1/kiosks", Who::Only(CONFIGURE)),
    (
        "POST",
        "/api/v1/kiosks/{id}/enrollment-code",
        Who::Only(CONFIGURE),
    ),
    ("POST", "/api/v1/enroll", Who::Open),
    ("GET", "/api/v1/sync/bundle", Who::Only(&[Controller])),
    ("POST", "/api/v1/sync/events", Who::Only(&[Controller])),
    ("POST", "/api/v1/sync/heartbeat", Who::Only(&[Controller])),
    ("GET", "/api/v1/sync/commands", Who::Only(&[Controller])),
    (
        "POST",
        "/api/v1/sync/commands/ack",
        Who::Only(&[Controller]),
    ),
    ("PUT", "/api/v1/sync/reader-keys", Who::Only(&[Controller])),
    ("GET", "/api/v1/sync/reader-keys", Who::Only(&[Controller])),
    ("POST", "/api/v1/commands", Who::Only(COMMAND_DOORS)),
    ("GET", "/api/v1/commands/{id}", Who::Only(READ_EVENTS)),
    ("GET", "/api/v1/lockdowns", Who::Only(READ_EVENTS)),
    ("GET", "/api/v1/audit", Who::Only(READ_AUDIT)),
    ("GET", "/api/v1/audit/{stream}", Who::Only(READ_AUDIT)),
    ("POST", "/api/v1/visitors", Who::Only(FRONT_DESK)),
    ("GET", "/api/v1/visitors", Who::Only(FRONT_DESK)),
    ("GET", "/api/v1/visitors/{id}", Who::Only(FRONT_DESK)),
    ("GET", "/api/v1/visitors/{id}/passes", Who::Only(FRONT_DESK)),
    (
        "POST",
        "/api/v1/visitors/{id}/passes",
        Who::Only(FRONT_DESK),
    ),
    (
        "GET",
        "/api/v1/visitor-passes/{serial}",
        Who::Only(FRONT_DESK),
    ),
    (
        "POST",
        "/api/v1/visitor-passes/{serial}/check-out",
        Who::Only(FRONT_DESK),
    ),
    (
        "POST",
        "/api/v1/visitor-passes/{serial}/revoke",
        Who::Only(FRONT_DESK),
    ),
    ("POST", "/api/v1/property-passes", Who::Only(STAFF)),
    ("GET", "/api/v1/property-passes", Who::Only(READ_PROPERTY)),
    (
        "GET",
        "/api/v1/property-passes/{id}",
        Who::Only(READ_PROPERTY),
    ),
    (
        "POST",
        "/api/v1/property-passes/{id}/approve",
        Who::Only(APPROVE_PROPERTY),
    ),
    (
        "POST",
        "/api/v1/property-passes/{id}/refuse",
        Who::Only(APPROVE_PROPERTY),
    ),
    (
        "POST",
        "/api/v1/property-passes/{id}/revoke",
        Who::Only(MANAGE_BADGES),
    ),
    (
        "POST",
        "/api/v1/property-passes/{id}/removed",
        Who::Only(GUARD_EXIT),
    ),
    (
        "POST",
        "/api/v1/property-passes/{id}/returned",
        Who::Only(GUARD_EXIT),
    ),
    ("GET", "/api/v1/alarms", Who::Only(READ_EVENTS)),
    ("GET", "/api/v1/events", Who::Only(READ_EVENTS)),
    (
        "POST",
        "/api/v1/alarms/{id}/acknowledge",
        Who::Only(HANDLE_ALARMS),
    ),
    ("GET", "/api/v1/schedules", Who::Only(READ_POLICY)),
    ("POST", "/api/v1/schedules", Who::Only(CONFIGURE)),
    ("GET", "/api/v1/holiday-calendars", Who::Only(READ_POLICY)),
    ("POST", "/api/v1/holiday-calendars", Who::Only(CONFIGURE)),
    ("GET", "/api/v1/groups", Who::Only(READ_POLICY)),
    ("POST", "/api/v1/groups", Who::Only(CONFIGURE)),
    (
        "PUT",
        "/api/v1/groups/{id}/members/{person_id}",
        Who::Only(CONFIGURE),
    ),
    (
        "DELETE",
        "/api/v1/groups/{id}/members/{person_id}",
        Who::Only(CONFIGURE),
    ),
    ("GET", "/api/v1/people", Who::Only(READ_POLICY)),
    ("POST", "/api/v1/people", Who::Only(MANAGE_BADGES)),
    ("GET", "/api/v1/people/{id}", Who::Only(READ_POLICY)),
    ("PUT", "/api/v1/people/{id}/pin", Who::Only(MANAGE_BADGES)),
    ("GET", "/api/v1/people/{id}/badges", Who::Only(READ_POLICY)),
    ("POST", "/api/v1/badges", Who::Only(MANAGE_BADGES)),
    ("POST", "/api/v1/badges/qr", Who::Only(MANAGE_BADGES)),
    ("GET", "/api/v1/badges/{id}/qr", Who::Only(MANAGE_BADGES)),
    (
        "POST",
        "/api/v1/badges/{id}/suspend",
        Who::Only(MANAGE_BADGES),
    ),
    (
        "POST",
        "/api/v1/badges/{id}/reactivate",
        Who::Only(MANAGE_BADGES),
    ),
    (
        "POST",
        "/api/v1/badges/{id}/report-lost",
        Who::Only(MANAGE_BADGES),
    ),
    (
        "POST",
        "/api/v1/badges/{id}/revoke",
        Who::Only(MANAGE_BADGES),
    ),
];

/// Every (method, path) of the OpenAPI document.
async fn documented_routes(server: &TestServer) -> BTreeSet<(String, String)> {
    let doc = server.get(&Auth::None, "/api/v1/openapi.json").await.json;
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            routes.insert((method.to_uppercase(), path.clone()));
        }
    }
    routes
}

/// A concrete path for a template: every `{param}` becomes an id that does not exist.
fn concrete(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let end = rest[start..]
            .find('}')
            .map_or(rest.len(), |e| start + e + 1);
        out.push_str(&rest[..start]);
        out.push_str("999999");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn every_route_admits_exactly_its_callers() {
    let server = TestServer::new().await;
    let documented = documented_routes(&server).await;
    let table: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let unruled: Vec<_> = documented.difference(&table).collect();
    assert!(
        unruled.is_empty(),
        "routes without a row in the role matrix: {unruled:?}"
    );
    let stale: Vec<_> = table.difference(&documented).collect();
    assert!(
        stale.is_empty(),
        "rows for routes the API does not have: {stale:?}"
    );

    let callers = [
        (Admin, server.token_for(Role::Admin).await),
        (Security, server.token_for(Role::Security).await),
        (Receptionist, server.token_for(Role::Receptionist).await),
        (Host, server.token_for(Role::Host).await),
        (Auditor, server.token_for(Role::Auditor).await),
        (Kiosk, server.device(DeviceKind::Kiosk).await),
        (Controller, server.device(DeviceKind::Controller).await),
    ];
    let mut wrong = Vec::new();
    for (method, template, who) in MATRIX {
        let path = concrete(template);
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let body = matches!(method, Method::POST | Method::PUT).then(|| json!({}));
        let anonymous = server
            .send(&Auth::None, method.clone(), &path, body.clone())
            .await
            .status;
        let open = matches!(who, Who::Open);
        let refused = matches!(anonymous, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN);
        if open == refused {
            wrong.push(format!(
                "{method} {template} without credentials: {anonymous}"
            ));
        }
        for (caller, auth) in &callers {
            let status = server
                .send(auth, method.clone(), &path, body.clone())
                .await
                .status;
            let allowed = match who {
                Who::Open => true,
                Who::Only(list) => list.contains(caller),
            };
            let ok = if allowed {
                !matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
            } else {
                status == StatusCode::FORBIDDEN
            };
            if !ok {
                wrong.push(format!(
                    "{method} {template} as {caller:?}: {status} (allowed: {allowed})"
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the role matrix does not hold:\n{}",
        wrong.join("\n")
    );
}
