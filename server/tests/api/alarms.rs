//! A controller silent for 90 s raises one "controller offline" alarm, cleared when it
//! calls in again; guards see and acknowledge it.

use super::harness::{Auth, TestServer};
use axum::http::StatusCode;
use gatehouse_server::monitor::{OFFLINE_AFTER_MS, check_controllers};
use gatehouse_server::store::{DeviceKind, Role};
use serde_json::json;

#[tokio::test]
async fn a_silent_controller_raises_one_alarm_until_it_returns() {
    let server = TestServer::new().await;
    let controller = server.device(DeviceKind::Controller).await;
    let Auth::Device { name, .. } = &controller else {
        unreachable!()
    };
    let id: u64 = name.strip_prefix("controller:").unwrap().parse().unwrap();
    let guard = server.token_for(Role::Security).await;

    check_controllers(&server.state).await.unwrap();
    assert_eq!(
        server.get(&guard, "/api/v1/alarms").await.json,
        json!([]),
        "just enrolled: not silent"
    );

    server.advance(OFFLINE_AFTER_MS + 1_000);
    check_controllers(&server.state).await.unwrap();
    check_controllers(&server.state).await.unwrap();
    let alarms = server.get(&guard, "/api/v1/alarms").await.json;
    assert_eq!(alarms.as_array().unwrap().len(), 1, "raised once: {alarms}");
    assert_eq!(alarms[0]["kind"], "controller_offline");
    assert_eq!(alarms[0]["severity"], "warning");
    assert_eq!(alarms[0]["source"], json!({"controller": id}));
    assert_eq!(alarms[0]["cleared_at"], serde_json::Value::Null);

    // It calls in again with a heartbeat: the alarm clears at the next check.
    let beat = server
        .post(
            &controller,
            "/api/v1/sync/heartbeat",
            json!({"bundle": "1.7", "backlog": 0}),
        )
        .await;
    assert_eq!(beat.status, StatusCode::NO_CONTENT);
    check_controllers(&server.state).await.unwrap();
    let alarms = server.get(&guard, "/api/v1/alarms").await.json;
    assert!(alarms[0]["cleared_at"].is_i64(), "{alarms}");

    // A guard acknowledges it; then it is no longer open.
    let alarm_id = alarms[0]["id"].as_u64().unwrap();
    let acked = server
        .post(
            &guard,
            &format!("/api/v1/alarms/{alarm_id}/acknowledge"),
            json!({}),
        )
        .await;
    assert_eq!(acked.status, StatusCode::OK);
    assert!(acked.json["acknowledged_by"].is_u64());
    assert_eq!(server.get(&guard, "/api/v1/alarms").await.json, json!([]));
    assert_eq!(
        server
            .get(&guard, "/api/v1/alarms?open=false")
            .await
            .json
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let unknown = server
        .post(&guard, "/api/v1/alarms/999999/acknowledge", json!({}))
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
