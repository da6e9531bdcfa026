//! Event ingest on both databases: each entry stored once, acknowledged to the first gap.

use crate::conformance;
use crate::policy::{NOW, site};
use gatehouse_core::ids::DoorId;
use gatehouse_core::time::Timestamp;
use gatehouse_core::wire::{DoorEvent, DoorEventKind, Event, JournalEntry, JournalId};
use gatehouse_server::store::Store;

fn entries(journal: u64, seqs: &[u64]) -> Vec<JournalEntry> {
    seqs.iter()
        .map(|&seq| JournalEntry {
            journal: JournalId(journal),
            seq,
            event: Event::Door(DoorEvent {
                door: DoorId(1),
                kind: DoorEventKind::ExitRequest,
                at: Timestamp(NOW),
            }),
        })
        .collect()
}

async fn ingest_is_idempotent(store: Store) {
    let site = site(&store).await;
    let controller = store.create_controller(site, "ctl").await.unwrap().id;
    // The highest bit set: journal ids use all 64 bits.
    let journal = JournalId(u64::MAX - 7);
    assert_eq!(
        store
            .ingest_events(site, controller, journal, &entries(journal.0, &[1, 2]), NOW)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .ingest_events(site, controller, journal, &entries(journal.0, &[2, 4]), NOW)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .ingest_events(site, controller, journal, &entries(journal.0, &[3]), NOW)
            .await
            .unwrap(),
        4
    );
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(stored, 4);
    let chained = store
        .audit_entries(&format!("controller:{}", controller.0), 0, 100)
        .await
        .unwrap();
    assert_eq!(chained.len(), 4);
}
conformance!(event_ingest, ingest_is_idempotent);
