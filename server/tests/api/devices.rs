//! Signed device requests: accepted once, refused when replayed, tampered or out of the
//! replay window.

use super::harness::{Auth, NOW, TestServer};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_core::wire::signed_request::*;
use gatehouse_server::store::DeviceKind;
use tower::ServiceExt;

/// Sends a request signed by `auth` with the given timestamp and nonce, optionally
/// changing the body after signing.
async fn signed(
    server: &TestServer,
    auth: &Auth,
    ts: i64,
    nonce: &str,
    signed_body: &str,
    sent_body: &str,
) -> StatusCode {
    let Auth::Device { name, key } = auth else {
        panic!("a device")
    };
    let path = "/api/v1/health";
    let sig = key.sign(&signing_message(
        "GET",
        path,
        ts,
        nonce,
        signed_body.as_bytes(),
    ));
    let req = Request::get(path)
        .header(DEVICE_HEADER, name.as_str())
        .header(TIMESTAMP_HEADER, ts.to_string())
        .header(NONCE_HEADER, nonce)
        .header(SIGNATURE_HEADER, URL_SAFE_NO_PAD.encode(sig))
        .body(Body::from(sent_body.to_string()))
        .unwrap();
    server.router.clone().oneshot(req).await.unwrap().status()
}

#[tokio::test]
async fn a_signed_request_is_accepted_once() {
    let server = TestServer::new().await;
    let device = server.device(DeviceKind::Controller).await;
    assert_eq!(
        signed(&server, &device, NOW, "nonce-0000000000001", "", "").await,
        StatusCode::OK
    );
    assert_eq!(
        signed(&server, &device, NOW, "nonce-0000000000001", "", "").await,
        StatusCode::UNAUTHORIZED,
        "the same nonce again is a replay"
    );
}

#[tokio::test]
async fn tampered_late_or_unknown_requests_are_refused() {
    let server = TestServer::new().await;
    let device = server.device(DeviceKind::Kiosk).await;
    assert_eq!(
        signed(&server, &device, NOW, "nonce-0000000000002", "a", "b").await,
        StatusCode::UNAUTHORIZED,
        "body changed"
    );
    assert_eq!(
        signed(
            &server,
            &device,
            NOW - REPLAY_WINDOW_MS - 1,
            "nonce-0000000000003",
            "",
            ""
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "outside the replay window"
    );
    let Auth::Device { key, .. } = &device else {
        unreachable!()
    };
    let stranger = Auth::Device {
        name: "kiosk:999".into(),
        key: key.clone(),
    };
    assert_eq!(
        signed(&server, &stranger, NOW, "nonce-0000000000004", "", "").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        signed(&server, &device, NOW, "short", "", "").await,
        StatusCode::UNAUTHORIZED,
        "bad nonce"
    );
}
