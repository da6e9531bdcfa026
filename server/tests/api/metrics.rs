//! `GET /metrics`: Prometheus text for users who may read events — requests counted by
//! route template (never the raw path), event entries by upload, and the site's
//! controllers, alarms and policy read at the scrape.

use super::harness::{Auth, TestServer};
use axum::http::{StatusCode, header};
use gatehouse_core::ids::{ControllerId, DoorId};
use gatehouse_core::time::Timestamp;
use gatehouse_core::wire::{
    DoorEvent, DoorEventKind, Event, EventBatch, JournalEntry, JournalId, WIRE_VERSION,
};
use gatehouse_server::monitor::{OFFLINE_AFTER_MS, check_controllers};
use gatehouse_server::store::{DeviceKind, Role};
use serde_json::Value;

/// Three "door forced" entries at door 1 (one alarm), from `controller`'s journal 7.
fn three_forced_doors(controller: &Auth, now: i64) -> Value {
    let Auth::Device { name, .. } = controller else {
        panic!("a device")
    };
    let id = ControllerId(name.strip_prefix("controller:").unwrap().parse().unwrap());
    let entries = (1..=3)
        .map(|seq| JournalEntry {
            journal: JournalId(7),
            seq,
            event: Event::Door(DoorEvent {
                door: DoorId(1),
                kind: DoorEventKind::ForcedOpen,
                at: Timestamp(now),
            }),
        })
        .collect();
    serde_json::to_value(EventBatch {
        v: WIRE_VERSION,
        controller: id,
        entries,
    })
    .unwrap()
}

/// Scrapes as `auth`; panics unless it answers 200 with the text format.
async fn scrape(server: &TestServer, auth: &Auth) -> String {
    let reply = server.get(auth, "/metrics").await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.json);
    assert_eq!(
        reply.headers[header::CONTENT_TYPE],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    String::from_utf8(reply.body).unwrap()
}

fn assert_lines(text: &str, expected: &[&str]) {
    for line in expected {
        assert!(
            text.lines().any(|l| l == *line),
            "no line {line:?} in the scrape:\n{text}"
        );
    }
}

#[tokio::test]
async fn a_scrape_counts_requests_events_alarms_and_controllers() {
    let server = TestServer::new().await;
    let admin = server.token_for(Role::Admin).await;
    let auditor = server.token_for(Role::Auditor).await;
    // Two controllers; 91 s later only one calls in.
    let online = server.device(DeviceKind::Controller).await;
    let _silent = server.device(DeviceKind::Controller).await;
    server.advance(OFFLINE_AFTER_MS + 1_000);
    let now = server.clock.load(std::sync::atomic::Ordering::SeqCst);

    for _ in 0..2 {
        assert_eq!(
            server.get(&admin, "/api/v1/zones").await.status,
            StatusCode::OK
        );
    }
    let missing = server.get(&admin, "/api/v1/zones/999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let unknown = server.get(&admin, "/api/v1/no-such-thing/42").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    // The same upload twice (its acknowledgement was lost): received twice, ingested once.
    for _ in 0..2 {
        let upload = server
            .post(
                &online,
                "/api/v1/sync/events",
                three_forced_doors(&online, now),
            )
            .await;
        assert_eq!(upload.status, StatusCode::OK, "{:?}", upload.json);
    }
    check_controllers(&server.state).await.unwrap();
    let policy = server
        .state
        .store
        .policy_version(server.state.site)
        .await
        .unwrap();

    let text = scrape(&server, &auditor).await;
    assert_lines(
        &text,
        &[
            "# TYPE gatehouse_http_requests_total counter",
            r#"gatehouse_http_requests_total{method="GET",route="/api/v1/zones",status="2xx"} 2"#,
            r#"gatehouse_http_requests_total{method="GET",route="/api/v1/zones/{id}",status="4xx"} 1"#,
            r#"gatehouse_http_requests_total{method="GET",route="unmatched",status="4xx"} 1"#,
            r#"gatehouse_http_requests_total{method="POST",route="/api/v1/sync/events",status="2xx"} 2"#,
            "# TYPE gatehouse_http_request_duration_seconds histogram",
            r#"gatehouse_http_request_duration_seconds_bucket{method="GET",route="/api/v1/zones",le="+Inf"} 2"#,
            r#"gatehouse_http_request_duration_seconds_count{method="GET",route="/api/v1/zones"} 2"#,
            "gatehouse_events_received_total 6",
            "gatehouse_events_ingested_total 3",
            "gatehouse_controllers_enrolled 2",
            "gatehouse_controllers_online 1",
            r#"gatehouse_alarms_open{kind="controller_offline"} 1"#,
            r#"gatehouse_alarms_open{kind="door_forced"} 1"#,
            r#"gatehouse_alarms_unacknowledged{kind="door_forced"} 1"#,
            &format!("gatehouse_policy_epoch {}", policy.epoch),
            &format!("gatehouse_policy_version {}", policy.version),
        ],
    );
    assert!(
        !text.contains("/zones/999") && !text.contains("no-such-thing"),
        "raw paths leaked into labels:\n{text}"
    );
    // 11 bounds and +Inf for each (method, route) that answered.
    let buckets = text
        .lines()
        .filter(|l| l.starts_with(r#"gatehouse_http_request_duration_seconds_bucket{method="GET",route="/api/v1/zones","#))
        .count();
    assert_eq!(buckets, 12);

    // The scrape itself is counted for the next one.
    let again = scrape(&server, &auditor).await;
    assert_lines(
        &again,
        &[r#"gatehouse_http_requests_total{method="GET",route="/metrics",status="2xx"} 1"#],
    );
}

#[tokio::test]
async fn only_users_who_may_read_events_scrape() {
    let server = TestServer::new().await;
    let nobody = server.get(&Auth::None, "/metrics").await;
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);
    assert_eq!(nobody.json["error"], "unauthenticated");
    let bad_token = server
        .get(&Auth::Token("ght_not-a-real-token".into()), "/metrics")
        .await;
    assert_eq!(bad_token.status, StatusCode::UNAUTHORIZED);
    for role in [Role::Receptionist, Role::Host] {
        let reply = server.get(&server.token_for(role).await, "/metrics").await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{role:?}");
        assert_eq!(reply.json["error"], "forbidden");
    }
    let controller = server.device(DeviceKind::Controller).await;
    assert_eq!(
        server.get(&controller, "/metrics").await.status,
        StatusCode::FORBIDDEN
    );
    for role in [Role::Admin, Role::Security, Role::Auditor] {
        scrape(&server, &server.token_for(role).await).await;
    }
    // A console session works too (a guard looking at the numbers).
    let guard = server
        .user_with_password(Role::Security, "a long enough password", false)
        .await;
    let session = server.login(&guard, "a long enough password").await;
    let text = scrape(&server, &session).await;
    assert_lines(
        &text,
        &[
            r#"gatehouse_http_requests_total{method="GET",route="/metrics",status="4xx"} 5"#,
            r#"gatehouse_http_requests_total{method="GET",route="/metrics",status="2xx"} 3"#,
            "gatehouse_controllers_online 1",
        ],
    );
}
