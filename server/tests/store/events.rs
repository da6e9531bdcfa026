//! Event ingest on both databases: each entry stored once, acknowledged to the first gap.

use crate::conformance;
use crate::policy::{NOW, site};
use gatehouse_core::ids::{ControllerId, DoorId};
use gatehouse_core::time::Timestamp;
use gatehouse_core::wire::{DoorEvent, DoorEventKind, Event, JournalEntry, JournalId};
use gatehouse_server::audit::ChainBreak;
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
    // One chain row per upload that stored something (the second upload stored seq 4 only),
    // accounting for the 4 events.
    assert_eq!(chained(&store, controller).await, 3);
}

/// Verifies a controller's chain and the events it accounts for; its rows.
async fn chained(store: &Store, controller: ControllerId) -> u64 {
    let stream = format!("controller:{}", controller.0);
    let verified = store.verify_audit_stream(&stream, &[]).await.unwrap();
    verified.unwrap_or_else(|e| panic!("{e}")).rows
}
conformance!(event_ingest, ingest_is_idempotent);

async fn large_and_repeated_uploads_are_stored_once(store: Store) {
    let site = site(&store).await;
    let controller = store.create_controller(site, "ctl").await.unwrap().id;
    let journal = JournalId(7);
    // More entries than one INSERT takes, with a seq named twice: the first one counts.
    let mut upload = entries(journal.0, &(1..=1200).collect::<Vec<_>>());
    let mut again = upload[10].clone();
    again.event = Event::ControllerStarted { at: Timestamp(NOW) };
    upload.insert(11, again);
    assert_eq!(
        store
            .ingest_events(site, controller, journal, &upload, NOW)
            .await
            .unwrap(),
        1200
    );
    let kind: String = sqlx::query_scalar("SELECT kind FROM events WHERE seq = 11")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(kind, "door");
    // An overlapping upload stores only what is new, and the chain grows by as much.
    let overlap = entries(journal.0, &(1150..=1300).collect::<Vec<_>>());
    assert_eq!(
        store
            .ingest_events(site, controller, journal, &overlap, NOW)
            .await
            .unwrap(),
        1300
    );
    assert_eq!(chained(&store, controller).await, 2);
}
conformance!(
    event_ingest_large,
    large_and_repeated_uploads_are_stored_once
);

async fn concurrent_uploads_are_each_stored_and_chained(store: Store) {
    let site = site(&store).await;
    let mut controllers = Vec::new();
    for c in 0..6 {
        controllers.push(
            store
                .create_controller(site, &format!("ctl-{c}"))
                .await
                .unwrap()
                .id,
        );
    }
    // Uploads arriving together (on SQLite they share transactions), each sent twice.
    let mut handles = Vec::new();
    for &c in &controllers {
        for b in 0..3u64 {
            let store = store.clone();
            let seqs: Vec<u64> = (b * 100 + 1..=b * 100 + 100).collect();
            handles.push(tokio::spawn(async move {
                let batch = entries(9, &seqs);
                store
                    .ingest_events(site, c, JournalId(9), &batch, NOW)
                    .await
                    .unwrap();
                store
                    .ingest_events(site, c, JournalId(9), &batch, NOW)
                    .await
                    .unwrap()
            }));
        }
    }
    for handle in handles {
        handle.await.unwrap();
    }
    for c in controllers {
        assert_eq!(
            store
                .ingest_events(site, c, JournalId(9), &entries(9, &[1]), NOW)
                .await
                .unwrap(),
            300
        );
        // Three uploads stored events; their repeats and the last one stored none.
        assert_eq!(chained(&store, c).await, 3);
    }
}
async fn changed_deleted_or_added_events_break_the_chain(store: Store) {
    let site = site(&store).await;
    let controller = store.create_controller(site, "ctl").await.unwrap().id;
    let other = store.create_controller(site, "other").await.unwrap().id;
    for seqs in [&[1, 2, 3][..], &[4, 5]] {
        store
            .ingest_events(site, controller, JournalId(3), &entries(3, seqs), NOW)
            .await
            .unwrap();
    }
    store
        .ingest_events(site, other, JournalId(4), &entries(4, &[1]), NOW)
        .await
        .unwrap();
    let stream = format!("controller:{}", controller.0);
    let verify = || store.verify_audit_stream(&stream, &[]);
    let sql = |statement: &'static str| {
        sqlx::query(statement)
            .bind(i64::from(controller.0))
            .execute(store.pool())
    };
    assert_eq!(verify().await.unwrap().unwrap().rows, 2);

    // Someone turns a forced door into an exit request: the row that stored seq 5 breaks.
    sql("UPDATE events SET kind = 'access' WHERE controller_id = $1 AND seq = 5")
        .await
        .unwrap();
    let err = verify().await.unwrap().unwrap_err();
    assert_eq!(
        err,
        ChainBreak::EventsChanged {
            stream: stream.clone(),
            seq: 2,
            expected: 2,
            found: 2
        }
    );
    assert_eq!(
        err.to_string(),
        format!(
            "stream {stream}: the 2 events row 2 accounts for were changed (their digest does \
             not match)"
        )
    );
    sql("UPDATE events SET kind = 'door' WHERE controller_id = $1 AND seq = 5")
        .await
        .unwrap();
    assert_eq!(verify().await.unwrap().unwrap().rows, 2);

    // Someone deletes seq 2.
    sql("DELETE FROM events WHERE controller_id = $1 AND seq = 2")
        .await
        .unwrap();
    let err = verify().await.unwrap().unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("stream {stream}: 1 of the 3 events row 1 accounts for are missing (deleted)")
    );
    assert_eq!(err.seq(), Some(1));

    // The controller uploads seq 2 again (stored as it was, chained a second time), someone
    // deletes that second chain row and adds an event of their own (another journal): the
    // chain checks out, but it accounts for 5 events where 6 are stored.
    store
        .ingest_events(site, controller, JournalId(3), &entries(3, &[2]), NOW)
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_log WHERE stream = $1 AND seq = 3")
        .bind(&stream)
        .execute(store.pool())
        .await
        .unwrap();
    sql("INSERT INTO events (controller_id, journal_id, seq, site_id, at, kind, event, received_at) \
         SELECT controller_id, 99, seq, site_id, at, kind, event, received_at FROM events \
         WHERE controller_id = $1 AND seq = 1")
    .await
    .unwrap();
    let err = verify().await.unwrap().unwrap_err();
    assert_eq!(
        err,
        ChainBreak::UnchainedEvents {
            stream: stream.clone(),
            chained: 5,
            stored: 6
        }
    );

    // The other controller's chain is untouched.
    assert_eq!(chained(&store, other).await, 1);
}
conformance!(
    event_chain_tampering,
    changed_deleted_or_added_events_break_the_chain
);

conformance!(
    event_ingest_concurrent,
    concurrent_uploads_are_each_stored_and_chained
);

fn access(
    seq: u64,
    person: u64,
    door: u32,
    reason: gatehouse_core::reason::Reason,
    at: i64,
) -> JournalEntry {
    use gatehouse_core::decide::{CredentialRef, Decision, Holder};
    JournalEntry {
        journal: JournalId(1),
        seq,
        event: Event::Access(Decision {
            reason,
            door: DoorId(door),
            direction: gatehouse_core::model::Direction::Entry,
            zone: Some(gatehouse_core::ids::ZoneId(door)),
            credential: CredentialRef::Card("H10301:12:1001".parse().unwrap()),
            holder: Some(Holder::Person(gatehouse_core::ids::PersonId(person))),
            companion: None,
            at: Timestamp(at),
            clock_trusted: true,
        }),
    }
}

async fn events_are_searched_and_paged(store: Store) {
    use gatehouse_core::reason::Reason::{Granted, Revoked};
    use gatehouse_server::store::EventQuery;
    let site = site(&store).await;
    let controller = store.create_controller(site, "ctl").await.unwrap().id;
    let log = vec![
        access(1, 101, 1, Granted, NOW),
        access(2, 101, 2, Revoked, NOW + 1_000),
        access(3, 102, 1, Granted, NOW + 2_000),
        access(4, 101, 1, Granted, NOW + 3_000),
        access(5, 101, 1, Granted, NOW + 4_000),
    ];
    store
        .ingest_events(site, controller, JournalId(1), &log, NOW)
        .await
        .unwrap();
    let q = |f: &dyn Fn(&mut EventQuery)| {
        let mut q = EventQuery {
            limit: 100,
            ..EventQuery::default()
        };
        f(&mut q);
        q
    };
    let seqs = |items: &[gatehouse_server::store::EventRecord]| {
        items.iter().map(|e| e.seq).collect::<Vec<_>>()
    };
    let (alice, _) = store
        .search_events(site, &q(&|q| q.person = Some(101)))
        .await
        .unwrap();
    assert_eq!(seqs(&alice), vec![5, 4, 2, 1], "newest first");
    let (denied, _) = store
        .search_events(site, &q(&|q| q.granted = Some(false)))
        .await
        .unwrap();
    assert_eq!(seqs(&denied), vec![2]);
    assert_eq!(denied[0].reason.as_deref(), Some("revoked"));
    let (door2, _) = store
        .search_events(site, &q(&|q| q.door = Some(2)))
        .await
        .unwrap();
    assert_eq!(seqs(&door2), vec![2]);
    let (window, _) = store
        .search_events(
            site,
            &q(&|q| {
                q.from = Some(NOW + 1_000);
                q.to = Some(NOW + 3_000)
            }),
        )
        .await
        .unwrap();
    assert_eq!(seqs(&window), vec![3, 2]);

    // Two at a time, following the cursor, gives everything once.
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let (page, next) = store
            .search_events(
                site,
                &q(&|q| {
                    q.limit = 2;
                    q.after = after
                }),
            )
            .await
            .unwrap();
        seen.extend(seqs(&page));
        match next {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    assert_eq!(seen, vec![5, 4, 3, 2, 1]);
}
conformance!(event_search, events_are_searched_and_paged);
