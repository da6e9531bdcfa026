//! Enrollment: a one-time code for a device, used once with the device's own key.

use super::harness::{Auth, NOW, TestServer};
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_core::credential::IssuerKey;
use gatehouse_core::wire::enrollment::{DeviceKind, EnrollmentCode};
use gatehouse_server::store::Role;
use serde_json::json;
use std::sync::Arc;

#[tokio::test]
async fn a_controller_enrolls_once_with_its_code() {
    let server = TestServer::new().await;
    let admin = server.token_for(Role::Admin).await;
    let controller = server
        .state
        .store
        .create_controller(server.state.site, "ctl-lobby")
        .await
        .unwrap();
    let issued = server
        .post(
            &admin,
            &format!("/api/v1/controllers/{}/enrollment-code", controller.id),
            json!({}),
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED);
    assert_eq!(issued.json["expires_at"], NOW + 24 * 3600 * 1000);
    let text = issued.json["code"].as_str().unwrap().to_string();
    let code: EnrollmentCode = text.parse().unwrap();
    assert_eq!(code.kind, DeviceKind::Controller);
    assert_eq!(code.device, u64::from(controller.id.0));
    assert_eq!(code.fingerprint, None, "the test server runs without TLS");

    let key = IssuerKey::from_seed(&[42; 32]);
    let public_key = URL_SAFE_NO_PAD.encode(key.public().to_bytes());
    let enrolled = server
        .post(
            &Auth::None,
            "/api/v1/enroll",
            json!({"code": text, "public_key": public_key}),
        )
        .await;
    assert_eq!(enrolled.status, StatusCode::OK, "{:?}", enrolled.json);
    assert_eq!(
        enrolled.json["device"],
        format!("controller:{}", controller.id)
    );
    assert_eq!(enrolled.json["server_time"], NOW);

    // The device now signs its requests.
    let device = Auth::Device {
        name: format!("controller:{}", controller.id),
        key: Arc::new(key),
    };
    assert_eq!(
        server.get(&device, "/api/v1/health").await.status,
        StatusCode::OK
    );

    // The code is used up.
    let again = server
        .post(
            &Auth::None,
            "/api/v1/enroll",
            json!({"code": text, "public_key": public_key}),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(again.json["error"], "unauthenticated");
}

#[tokio::test]
async fn wrong_codes_and_keys_are_refused() {
    let server = TestServer::new().await;
    let admin = server.token_for(Role::Admin).await;
    let kiosk = server
        .post(&admin, "/api/v1/kiosks", json!({"name": "Lobby kiosk"}))
        .await;
    assert_eq!(kiosk.status, StatusCode::CREATED);
    let id = kiosk.json["id"].as_u64().unwrap();
    let issued = server
        .post(
            &admin,
            &format!("/api/v1/kiosks/{id}/enrollment-code"),
            json!({}),
        )
        .await;
    let mut code: EnrollmentCode = issued.json["code"].as_str().unwrap().parse().unwrap();
    let key = URL_SAFE_NO_PAD.encode(IssuerKey::from_seed(&[7; 32]).public().to_bytes());

    let malformed = server
        .post(
            &Auth::None,
            "/api/v1/enroll",
            json!({"code": "hello", "public_key": key}),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(malformed.json["field"], "code");

    let bad_key = server
        .post(
            &Auth::None,
            "/api/v1/enroll",
            json!({"code": code.to_string(), "public_key": "AAAA"}),
        )
        .await;
    assert_eq!(bad_key.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_key.json["field"], "public_key");

    code.secret = "a-guess-a-guess-a-guess".into();
    let guessed = server
        .post(
            &Auth::None,
            "/api/v1/enroll",
            json!({"code": code.to_string(), "public_key": key}),
        )
        .await;
    assert_eq!(guessed.status, StatusCode::UNAUTHORIZED);

    let unknown = server
        .post(&admin, "/api/v1/kiosks/424242/enrollment-code", json!({}))
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
