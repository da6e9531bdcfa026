//! Event upload: idempotent on (controller, journal, seq), acknowledged up to the first
//! gap, chained per controller.

use super::harness::{Auth, NOW, TestServer};
use axum::http::StatusCode;
use gatehouse_core::ids::{ControllerId, DoorId};
use gatehouse_core::time::Timestamp;
use gatehouse_core::wire::{
    DoorEvent, DoorEventKind, Event, EventBatch, JournalEntry, JournalId, WIRE_VERSION,
};
use gatehouse_server::store::DeviceKind;
use serde_json::{Value, json};

fn controller_id(auth: &Auth) -> ControllerId {
    let Auth::Device { name, .. } = auth else {
        panic!("a device")
    };
    ControllerId(name.strip_prefix("controller:").unwrap().parse().unwrap())
}

fn batch(controller: ControllerId, journal: u64, seqs: &[u64]) -> Value {
    let entries = seqs
        .iter()
        .map(|&seq| JournalEntry {
            journal: JournalId(journal),
            seq,
            event: Event::Door(DoorEvent {
                door: DoorId(1),
                kind: DoorEventKind::ForcedOpen,
                at: Timestamp(NOW + i64::try_from(seq).unwrap()),
            }),
        })
        .collect();
    serde_json::to_value(EventBatch {
        v: WIRE_VERSION,
        controller,
        entries,
    })
    .unwrap()
}

async fn count(server: &TestServer) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(server.state.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn uploads_are_stored_once_and_acknowledged_to_the_first_gap() {
    let server = TestServer::new().await;
    let device = server.device(DeviceKind::Controller).await;
    let id = controller_id(&device);
    let upload = |seqs: &'static [u64], journal| {
        let body = batch(id, journal, seqs);
        let (server, device) = (&server, &device);
        async move { server.post(device, "/api/v1/sync/events", body).await }
    };

    let first = upload(&[1, 2, 3], 0xabc).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.json);
    assert_eq!(
        first.json,
        json!({"v": 1, "journal": 0xabc, "highest_seq": 3})
    );
    assert!(first.headers.contains_key("x-gh-server-time"));

    // The same upload again (the ack was lost): nothing doubled.
    assert_eq!(upload(&[1, 2, 3], 0xabc).await.json["highest_seq"], 3);
    assert_eq!(count(&server).await, 3);

    // Seq 5 before 4: stored, but the acknowledgement stops at the gap.
    assert_eq!(upload(&[5], 0xabc).await.json["highest_seq"], 3);
    assert_eq!(upload(&[4], 0xabc).await.json["highest_seq"], 5);

    // A reinstalled controller starts a new journal: its seq 1 is a new event.
    assert_eq!(upload(&[1], 0xdef).await.json["highest_seq"], 1);
    assert_eq!(count(&server).await, 6);

    // Each upload that stored events is a row of the controller's chain (the repeated one
    // stored none), and the rows account for the 6 events.
    let stream = format!("controller:{}", id.0);
    let verified = server
        .state
        .store
        .verify_audit_stream(&stream, &[])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(verified.rows, 4);
}

#[tokio::test]
async fn bad_batches_are_named() {
    let server = TestServer::new().await;
    let device = server.device(DeviceKind::Controller).await;
    let id = controller_id(&device);
    let other = ControllerId(id.0 + 1000);
    let cases = [
        (batch(other, 1, &[1]), "controller"),
        (batch(id, 1, &[]), "entries"),
        (batch(id, 1, &[0]), "entries"),
        (
            {
                let mut b = batch(id, 1, &[1]);
                b["v"] = json!(9);
                b
            },
            "v",
        ),
    ];
    for (body, field) in cases {
        let reply = server.post(&device, "/api/v1/sync/events", body).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {:?}",
            reply.json
        );
        assert_eq!(reply.json["field"], field);
    }
    assert_eq!(count(&server).await, 0);
}
