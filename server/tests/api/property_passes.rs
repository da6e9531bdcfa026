//! Property passes from request to return: only an admin or the carrier's manager
//! approves, the approval signs a QR naming the carrier and the items, and the exit log
//! follows the pass's life in order.

use super::harness::{NOW, TestServer};
use axum::http::StatusCode;
use gatehouse_core::credential::{CredentialKind, verify};
use gatehouse_core::ids::PersonId;
use gatehouse_core::time::Timestamp;
use gatehouse_server::store::{DeviceKind, NewPerson, Role};
use serde_json::{Value, json};

const HOUR: i64 = 3_600_000;

async fn person(server: &TestServer, name: &str, manager: Option<PersonId>) -> PersonId {
    server
        .state
        .store
        .create_person(
            server.state.site,
            &NewPerson {
                display_name: name.into(),
                email: None,
                manager,
                lockdown_override: false,
                pin_required: false,
            },
            NOW,
        )
        .await
        .unwrap()
        .id
}

fn request_body(carrier: PersonId) -> Value {
    json!({
        "carrier": carrier.0,
        "items": [
            {"asset_tag": "IT-0042", "serial_number": "PF3X9", "description": "ThinkPad T14, grey"},
            {"description": "USB-C dock"}
        ],
        "reason": "repair at the vendor",
        "expires": NOW + 48 * HOUR,
        "return_by": NOW + 7 * 24 * HOUR
    })
}

#[tokio::test]
async fn a_property_pass_goes_from_request_to_return() {
    let server = TestServer::new().await;
    let manager = person(&server, "Mona Manager", None).await;
    let carrier = person(&server, "Carl Carrier", Some(manager)).await;
    let requester = server.token_for_person(Role::Host, Some(carrier)).await;
    let the_manager = server.token_for_person(Role::Host, Some(manager)).await;
    let other_host = server.token_for(Role::Host).await;
    let guard_station = server.device(DeviceKind::Kiosk).await;

    let requested = server
        .post(&requester, "/api/v1/property-passes", request_body(carrier))
        .await;
    assert_eq!(requested.status, StatusCode::CREATED, "{}", requested.json);
    assert_eq!(requested.json["status"], "requested");
    assert_eq!(requested.json["serial"], Value::Null);
    let id = requested.json["id"].as_u64().unwrap();
    let path = |action: &str| format!("/api/v1/property-passes/{id}/{action}");

    // Not yet approved: nothing may leave.
    let early = server
        .post(&guard_station, &path("removed"), json!({}))
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(early.json["field"], "status");

    // A host who is not the carrier's manager may not decide.
    let refused = server.post(&other_host, &path("approve"), json!({})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let approved = server.post(&the_manager, &path("approve"), json!({})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.json);
    assert_eq!(approved.json["pass"]["status"], "approved");
    // The QR is the carrier's: the manager approving does not get it, nor another host.
    assert_eq!(approved.json["qr"], Value::Null);
    let others = server.get(&other_host, "/api/v1/property-passes").await;
    assert_eq!(others.json, json!([]));
    let hidden = server
        .get(&other_host, &format!("/api/v1/property-passes/{id}"))
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let mine = server
        .get(&requester, &format!("/api/v1/property-passes/{id}"))
        .await;
    let text = mine.json["qr"].as_str().unwrap();
    let trust = server.state.keyring.read().unwrap().trust_store();
    let pass = verify(text, &trust, Timestamp(NOW)).unwrap();
    assert_eq!(pass.claims.kind, CredentialKind::Property);
    assert_eq!(pass.claims.sub, carrier.0.to_string());
    assert_eq!(
        Some(pass.claims.serial.0),
        approved.json["pass"]["serial"].as_u64()
    );
    let item_ids: Vec<u64> = approved.json["pass"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_u64().unwrap())
        .collect();
    assert_eq!(
        pass.claims.items.iter().map(|i| i.0).collect::<Vec<_>>(),
        item_ids
    );
    assert_eq!(approved.json["pass"]["items"][0]["asset_tag"], "IT-0042");

    let twice = server.post(&the_manager, &path("approve"), json!({})).await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(twice.json["field"], "status");

    // Returned before it left: out of order.
    let back_early = server
        .post(&guard_station, &path("returned"), json!({}))
        .await;
    assert_eq!(back_early.status, StatusCode::UNPROCESSABLE_ENTITY);

    let out = server
        .post(&guard_station, &path("removed"), json!({}))
        .await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.json);
    assert_eq!(out.json["status"], "removed");
    let back = server
        .post(&guard_station, &path("returned"), json!({}))
        .await;
    assert_eq!(back.json["status"], "returned");

    // A returned pass shows no QR and cannot be revoked.
    let security = server.token_for(Role::Security).await;
    let shown = server
        .get(&security, &format!("/api/v1/property-passes/{id}"))
        .await;
    assert_eq!(shown.json["qr"], Value::Null);
    let late = server.post(&security, &path("revoke"), json!({})).await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);

    let listed = server
        .get(&security, "/api/v1/property-passes?status=returned")
        .await;
    assert_eq!(listed.json.as_array().unwrap().len(), 1);
    let none = server
        .get(&security, "/api/v1/property-passes?status=approved")
        .await;
    assert_eq!(none.json, json!([]));
}

#[tokio::test]
async fn revoking_an_approved_property_pass_revokes_its_serial() {
    let server = TestServer::new().await;
    let carrier = person(&server, "Carl Carrier", None).await;
    let admin = server.token_for(Role::Admin).await;
    let requested = server
        .post(&admin, "/api/v1/property-passes", request_body(carrier))
        .await;
    let id = requested.json["id"].as_u64().unwrap();
    let approved = server
        .post(
            &admin,
            &format!("/api/v1/property-passes/{id}/approve"),
            json!({}),
        )
        .await;
    let serial = approved.json["pass"]["serial"].as_u64().unwrap();
    let revoked = server
        .post(
            &admin,
            &format!("/api/v1/property-passes/{id}/revoke"),
            json!({}),
        )
        .await;
    assert_eq!(revoked.json["status"], "revoked");
    let register = server
        .state
        .store
        .issued_pass(server.state.site, gatehouse_core::ids::PassSerial(serial))
        .await
        .unwrap();
    assert_eq!(register.revoked_at, Some(Timestamp(NOW)));
}

#[tokio::test]
async fn bad_property_requests_are_named() {
    let server = TestServer::new().await;
    let carrier = person(&server, "Carl Carrier", None).await;
    let host = server.token_for(Role::Host).await;
    let mut no_items = request_body(carrier);
    no_items["items"] = json!([]);
    let mut blank_item = request_body(carrier);
    blank_item["items"] = json!([{"description": " "}]);
    let mut no_reason = request_body(carrier);
    no_reason["reason"] = json!("");
    let mut past = request_body(carrier);
    past["expires"] = json!(NOW - HOUR);
    let mut nobody = request_body(carrier);
    nobody["carrier"] = json!(999_999);
    let mut extra = request_body(carrier);
    extra["colour"] = json!("red");
    for (body, field) in [
        (no_items, "items"),
        (blank_item, "items"),
        (no_reason, "reason"),
        (past, "expires"),
        (nobody, "carrier"),
    ] {
        let reply = server
            .post(&host, "/api/v1/property-passes", body.clone())
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(reply.json["field"], field, "{body}: {}", reply.json);
    }
    let reply = server.post(&host, "/api/v1/property-passes", extra).await;
    assert!(reply.status.is_client_error(), "{}", reply.status);
    let admin = server.token_for(Role::Admin).await;
    let listed = server.get(&admin, "/api/v1/property-passes").await;
    assert_eq!(listed.json, json!([]), "nothing stored by a refusal");
    let bad_status = server
        .get(&admin, "/api/v1/property-passes?status=lost")
        .await;
    assert_eq!(bad_status.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_status.json["field"], "query");
    assert!(
        bad_status.json["message"]
            .as_str()
            .unwrap()
            .contains("lost"),
        "{}",
        bad_status.json
    );
}
