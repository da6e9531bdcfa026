//! Site configuration through the API: zones, doors, controllers, schedules, holiday
//! calendars, groups and their members. Every change to what controllers enforce raises
//! the site's policy version by one.

use super::harness::{Auth, Reply, TestServer};
use axum::http::{Method, StatusCode};
use gatehouse_server::store::Role;
use serde_json::{Value, json};

/// The site's policy version.
pub async fn policy_version(server: &TestServer) -> u64 {
    server
        .state
        .store
        .site(server.state.site)
        .await
        .unwrap()
        .policy_version
}

/// Asserts a 201 and that the policy version rose by one since `*version`; returns the
/// created record.
pub async fn created(server: &TestServer, version: &mut u64, reply: Reply) -> Value {
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    raised(server, version).await;
    reply.json
}

/// Asserts the policy version rose by one since `*version`, and remembers it.
pub async fn raised(server: &TestServer, version: &mut u64) {
    let now = policy_version(server).await;
    assert_eq!(now, *version + 1, "the policy version did not rise by one");
    *version = now;
}

/// Asserts an error reply: its status, code and field.
pub fn refused(reply: &Reply, status: StatusCode, error: &str, field: Option<&str>) {
    assert_eq!(reply.status, status, "{}", reply.json);
    assert_eq!(reply.json["error"], error, "{}", reply.json);
    assert_eq!(reply.json["field"].as_str(), field, "{}", reply.json);
}

/// A schedule open all week, all day.
pub fn always() -> Value {
    json!({"name": "24/7", "windows": [{"days": 127, "time": {"start": 0, "end": 1440}}]})
}

#[tokio::test]
async fn a_zone_tree_with_doors() {
    let server = TestServer::new().await;
    let admin = server.token_for(Role::Admin).await;
    let mut version = policy_version(&server).await;

    let hq = created(
        &server,
        &mut version,
        server
            .post(&admin, "/api/v1/zones", json!({"name": "HQ"}))
            .await,
    )
    .await;
    assert_eq!(hq["parent"], Value::Null);
    assert_eq!(hq["rules"]["two_person"], false);
    let lab = created(
        &server,
        &mut version,
        server
            .post(
                &admin,
                "/api/v1/zones",
                json!({"name": "Lab", "parent": hq["id"], "rules": {
                    "explicit_grant_only": true, "two_person": false,
                    "pin_required": true, "anti_passback": false}}),
            )
            .await,
    )
    .await;
    assert_eq!(lab["parent"], hq["id"]);
    assert_eq!(lab["rules"]["pin_required"], true);

    let one = server
        .get(&admin, &format!("/api/v1/zones/{}", lab["id"]))
        .await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.json, lab);
    let all = server.get(&admin, "/api/v1/zones").await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.json, json!([hq, lab]));

    let controller = server
        .post(&admin, "/api/v1/controllers", json!({"name": "Ctl-1"}))
        .await;
    assert_eq!(
        controller.status,
        StatusCode::CREATED,
        "{}",
        controller.json
    );
    assert_eq!(controller.json["name"], "Ctl-1");
    assert_eq!(controller.json["enrolled"], false);
    // A controller no door names changes no policy.
    assert_eq!(policy_version(&server).await, version);
    let controllers = server.get(&admin, "/api/v1/controllers").await;
    assert_eq!(controllers.json, json!([controller.json]));

    let door = created(
        &server,
        &mut version,
        server
            .post(
                &admin,
                "/api/v1/doors",
                json!({"name": "Lab door", "zone": lab["id"], "controller": controller.json["id"]}),
            )
            .await,
    )
    .await;
    assert_eq!(door["zone"], lab["id"]);
    assert_eq!(door["controller"], controller.json["id"]);
    assert_eq!(door["first_card_unlock"], false);
    let doors = server.get(&admin, "/api/v1/doors").await;
    assert_eq!(doors.json, json!([door]));
}

#[tokio::test]
async fn zone_and_door_errors_name_the_field() {
    let server = TestServer::new().await;
    let admin = server.token_for(Role::Admin).await;
    let hq = server
        .post(&admin, "/api/v1/zones", json!({"name": "HQ"}))
        .await;
    let version = policy_version(&server).await;

    let orphan = server
        .post(
            &admin,
            "/api/v1/zones",
            json!({"name": "Attic", "parent": 4242}),
        )
        .await;
    refused(
        &orphan,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        Some("parent"),
    );
    let dup = server
        .post(&admin, "/api/v1/zones", json!({"name": "HQ"}))
        .await;
    refused(&dup, StatusCode::CONFLICT, "conflict", Some("name"));
    let blank = server
        .post(&admin, "/api/v1/zones", json!({"name": "  "}))
        .await;
    refused(
        &blank,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        Some("name"),
    );
    let nowhere = server
        .post(
            &admin,
            "/api/v1/doors",
            json!({"name": "Front", "zone": 4242}),
        )
        .await;
    refused(
        &nowhere,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        Some("zone"),
    );
    let no_controller = server
        .post(
            &admin,
            "/api/v1/doors",
            json!({"name": "Front", "zone": hq.json["id"], "controller": 77}),
        )
        .await;
    refused(
        &no_controller,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        Some("controller"),
    );
    let missing = server
        .post(&admin, "/api/v1/doors", json!({"name": "Front"}))
        .await;
    refused(
        &missing,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        Some("zone"),
    );
    assert_eq!(missing.json["message"], "zone: missing field `zone`");
    let unknown = server.get(&admin, "/api/v1/zones/4242").await;
    refused(&unknown, StatusCode::NOT_FOUND, "not_found", None);
    // Nothing refused changed the policy.
    assert_eq!(policy_version(&server).await, version);
}

#[tokio::test]
async fn schedules_and_holiday_calendars() {
    let server = TestServer::new().await;
    let admin = server.token_for(Role::Admin).await;
    let mut version = policy_version(&server).await;

    let calendar = created(
        &server,
        &mut version,
        server
            .post(
                &admin,
                "/api/v1/holiday-calendars",
                json!({"name": "Berlin", "dates": ["2026-12-26", "2026-12-25"]}),
            )
            .await,
    )
    .await;
    assert_eq!(calendar["dates"], json!(["2026-12-25", "2026-12-26"]));
    let calendars = server.get(&admin, "/api/v1/holiday-calendars").await;
    assert_eq!(calendars.json, json!([calendar]));

    let office = created(
        &server,
        &mut version,
        server
            .post(
                &admin,
                "/api/v1/schedules",
                json!({"name": "Office hours",
                    "windows": [{"days": 31, "time": {"start": 420, "end": 1140}}],
                    "holiday_calendar": calendar["id"],
                    "holiday_windows": [{"start": 600, "end": 720}]}),
            )
            .await,
    )
    .await;
    assert_eq!(office["holiday_calendar"], calendar["id"]);
    assert_eq!(office["windows"][0]["time"]["end"], 1140);
    let schedules = server.get(&admin, "/api/v1/schedules").await;
    assert_eq!(schedules.json, json!([office]));

    let empty = server
        .post(
            &admin,
            "/api/v1/schedules",
            json!({"name": "Never", "windows": [{"days": 31, "time": {"start": 600, "end": 600}}]}),
        )
        .await;
    refused(
        &empty,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        Some("windows"),
    );
    let past_midnight = server
        .post(
            &admin,
            "/api/v1/schedules",
            json!({"name": "Late", "windows": [{"days": 31, "time": {"start": 0, "end": 1441}}]}),
        )
        .await;
    refused(
        &past_midnight,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        Some("windows"),
    );
    let no_calendar = server
        .post(
            &admin,
            "/api/v1/schedules",
            json!({"name": "Odd", "windows": [], "holiday_calendar": 999}),
        )
        .await;
    refused(
        &no_calendar,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        Some("holiday_calendar"),
    );
    let bad_date = server
        .post(
            &admin,
            "/api/v1/holiday-calendars",
            json!({"name": "Bad", "dates": ["2026-02-30"]}),
        )
        .await;
    refused(
        &bad_date,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        Some("dates"),
    );
    let dup = server
        .post(
            &admin,
            "/api/v1/holiday-calendars",
            json!({"name": "Berlin", "dates": []}),
        )
        .await;
    refused(&dup, StatusCode::CONFLICT, "conflict", Some("name"));
    assert_eq!(policy_version(&server).await, version);
}

#[tokio::test]
async fn groups_and_their_members() {
    let server = TestServer::new().await;
    let admin = server.token_for(Role::Admin).await;
    let zone = server
        .post(&admin, "/api/v1/zones", json!({"name": "HQ"}))
        .await
        .json;
    let schedule = server
        .post(&admin, "/api/v1/schedules", always())
        .await
        .json;
    let person = server
        .post(&admin, "/api/v1/people", json!({"display_name": "Ada"}))
        .await
        .json;
    let mut version = policy_version(&server).await;

    let grants = json!([{"zone": zone["id"], "schedule": schedule["id"]}]);
    let group = created(
        &server,
        &mut version,
        server
            .post(
                &admin,
                "/api/v1/groups",
                json!({"name": "Staff", "grants": grants}),
            )
            .await,
    )
    .await;
    assert_eq!(group["grants"], grants);
    let groups = server.get(&admin, "/api/v1/groups").await;
    assert_eq!(groups.json, json!([group]));

    let member = format!("/api/v1/groups/{}/members/{}", group["id"], person["id"]);
    let added = server.send(&admin, Method::PUT, &member, None).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.json);
    assert_eq!(added.json["groups"], json!([group["id"]]));
    raised(&server, &mut version).await;
    let ada = server
        .get(&admin, &format!("/api/v1/people/{}", person["id"]))
        .await;
    assert_eq!(ada.json["groups"], json!([group["id"]]));

    let removed = server.send(&admin, Method::DELETE, &member, None).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    assert_eq!(removed.json, Value::Null);
    raised(&server, &mut version).await;
    let ada = server
        .get(&admin, &format!("/api/v1/people/{}", person["id"]))
        .await;
    assert_eq!(ada.json["groups"], json!([]));

    let bad_grant = server
        .post(
            &admin,
            "/api/v1/groups",
            json!({"name": "Ghosts", "grants": [{"zone": 4242, "schedule": schedule["id"]}]}),
        )
        .await;
    refused(
        &bad_grant,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        Some("grants.zone"),
    );
    for path in [
        format!("/api/v1/groups/999/members/{}", person["id"]),
        format!("/api/v1/groups/{}/members/999", group["id"]),
    ] {
        let put = server.send(&admin, Method::PUT, &path, None).await;
        refused(&put, StatusCode::NOT_FOUND, "not_found", None);
        let delete = server.send(&admin, Method::DELETE, &path, None).await;
        refused(&delete, StatusCode::NOT_FOUND, "not_found", None);
    }
    let not_a_number = server
        .send(&admin, Method::PUT, "/api/v1/groups/staff/members/1", None)
        .await;
    refused(&not_a_number, StatusCode::BAD_REQUEST, "bad_request", None);
    assert_eq!(policy_version(&server).await, version);
}

#[tokio::test]
async fn only_admins_configure_and_readers_read() {
    let server = TestServer::new().await;
    let security = server.token_for(Role::Security).await;
    let auditor = server.token_for(Role::Auditor).await;
    let host = server.token_for(Role::Host).await;
    let version = policy_version(&server).await;

    let by_security = server
        .post(&security, "/api/v1/zones", json!({"name": "HQ"}))
        .await;
    refused(&by_security, StatusCode::FORBIDDEN, "forbidden", None);
    let by_auditor = server.post(&auditor, "/api/v1/schedules", always()).await;
    refused(&by_auditor, StatusCode::FORBIDDEN, "forbidden", None);
    assert_eq!(policy_version(&server).await, version);

    assert_eq!(
        server.get(&auditor, "/api/v1/zones").await.status,
        StatusCode::OK
    );
    let by_host = server.get(&host, "/api/v1/zones").await;
    refused(&by_host, StatusCode::FORBIDDEN, "forbidden", None);
    let nobody = server.get(&Auth::None, "/api/v1/doors").await;
    refused(&nobody, StatusCode::UNAUTHORIZED, "unauthenticated", None);
    // The caller is checked before the body is read.
    let bad_body_no_role = server
        .post(&security, "/api/v1/doors", json!({"oops": true}))
        .await;
    refused(&bad_body_no_role, StatusCode::FORBIDDEN, "forbidden", None);
}
