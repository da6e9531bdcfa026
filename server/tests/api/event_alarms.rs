//! Alarms raised by uploaded events: a forced door once however often it is uploaded, a
//! held-open door cleared when it closes, a lost badge presented at a door.

use super::harness::{Auth, NOW};
use super::sync::site;
use axum::http::StatusCode;
use gatehouse_core::decide::{CredentialRef, Decision, Holder};
use gatehouse_core::ids::{ControllerId, DoorId};
use gatehouse_core::model::Direction;
use gatehouse_core::reason::Reason;
use gatehouse_core::time::Timestamp;
use gatehouse_core::wire::{
    DoorEvent, DoorEventKind, Event, EventBatch, JournalEntry, JournalId, WIRE_VERSION,
};
use gatehouse_server::store::Role;
use serde_json::{Value, json};

fn upload(controller: &Auth, first_seq: u64, events: Vec<Event>) -> Value {
    let Auth::Device { name, .. } = controller else {
        unreachable!()
    };
    let id = ControllerId(name.strip_prefix("controller:").unwrap().parse().unwrap());
    let entries = events
        .into_iter()
        .zip(first_seq..)
        .map(|(event, seq)| JournalEntry {
            journal: JournalId(7),
            seq,
            event,
        })
        .collect();
    serde_json::to_value(EventBatch {
        v: WIRE_VERSION,
        controller: id,
        entries,
    })
    .unwrap()
}

fn door_event(door: DoorId, kind: DoorEventKind) -> Event {
    Event::Door(DoorEvent {
        door,
        kind,
        at: Timestamp(NOW),
    })
}

#[tokio::test]
async fn door_events_and_a_lost_badge_raise_alarms() {
    let site = site().await;
    let guard = site.server.token_for(Role::Security).await;
    let door = site.door;
    let forced = upload(
        &site.controller,
        1,
        vec![
            door_event(door, DoorEventKind::ForcedOpen),
            door_event(door, DoorEventKind::HeldOpen),
        ],
    );
    for _ in 0..2 {
        let reply = site
            .server
            .post(&site.controller, "/api/v1/sync/events", forced.clone())
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    }
    let alarms = site.server.get(&guard, "/api/v1/alarms").await.json;
    let kinds: Vec<&str> = alarms
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["door_held_open", "door_forced"], "{alarms}");
    assert_eq!(alarms[1]["severity"], "critical");
    assert_eq!(alarms[1]["source"], json!({"door": door.0}));

    let closed = upload(
        &site.controller,
        3,
        vec![door_event(door, DoorEventKind::HeldOpenCleared)],
    );
    site.server
        .post(&site.controller, "/api/v1/sync/events", closed)
        .await;
    let all = site
        .server
        .get(&guard, "/api/v1/alarms?open=false")
        .await
        .json;
    let held = all
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "door_held_open")
        .unwrap();
    assert!(held["cleared_at"].is_i64(), "{held}");

    // The card is reported lost; then someone presents it.
    let lost = site
        .server
        .post(
            &guard,
            &format!("/api/v1/badges/{}/report-lost", site.badge.id.0),
            json!({}),
        )
        .await;
    assert_eq!(lost.status, StatusCode::OK);
    let presented = upload(
        &site.controller,
        4,
        vec![Event::Access(Decision {
            reason: Reason::Revoked,
            door,
            direction: Direction::Entry,
            zone: None,
            credential: CredentialRef::Card(site.card),
            holder: Some(Holder::Person(site.badge.person)),
            companion: None,
            at: Timestamp(NOW),
            clock_trusted: true,
        })],
    );
    site.server
        .post(&site.controller, "/api/v1/sync/events", presented)
        .await;
    let alarms = site.server.get(&guard, "/api/v1/alarms").await.json;
    assert_eq!(alarms[0]["kind"], "lost_badge_presented", "{alarms}");
    assert_eq!(alarms[0]["source"], json!({"door": door.0}));
}

#[tokio::test]
async fn a_journal_overflow_is_stored_and_raises_a_journal_full_alarm_on_its_controller() {
    let site = site().await;
    let guard = site.server.token_for(Role::Security).await;
    let overflow = Event::JournalOverflow {
        dropped: 12,
        first_at: Timestamp(NOW - 60_000),
        last_at: Timestamp(NOW),
    };
    let batch = upload(&site.controller, 1, vec![overflow]);
    let controller = batch["controller"].clone();
    for _ in 0..2 {
        let reply = site
            .server
            .post(&site.controller, "/api/v1/sync/events", batch.clone())
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    }
    let alarms = site.server.get(&guard, "/api/v1/alarms").await.json;
    assert_eq!(alarms.as_array().unwrap().len(), 1, "{alarms}");
    assert_eq!(alarms[0]["kind"], "journal_full");
    assert_eq!(alarms[0]["severity"], "warning");
    assert_eq!(alarms[0]["source"], json!({ "controller": controller }));
    // Stored once, as its own kind, from when the gap began.
    let events = site.server.get(&guard, "/api/v1/events").await.json;
    let items = events["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{events}");
    assert_eq!(items[0]["kind"], "journal_overflow");
    assert_eq!(items[0]["at"], NOW - 60_000);
    assert_eq!(
        items[0]["event"]["event"],
        json!({"journal_overflow": {"dropped": 12, "first_at": NOW - 60_000, "last_at": NOW}})
    );
}
