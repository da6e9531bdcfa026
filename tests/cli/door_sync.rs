//! The door controller's sync client (door-controller/src/sync) against a real `gatehouse
//! server` with its self-signed certificate: enrollment pins that certificate (another pin is
//! refused before the code is spent), the code works once, and every signed call answers
//! with a server time that verifies with the keys of the controller's first bundle; the
//! reader keys it escrows come back exactly as sealed.

use super::support::{enrollment_codes, now_ms, start_tls_server};
use gatehouse_core::bundle::Policy;
use gatehouse_core::ids::ControllerId;
use gatehouse_core::model::ZoneRules;
use gatehouse_core::time::Timestamp;
use gatehouse_core::wire::{Event, EventBatch, JournalEntry, JournalId};
use gatehouse_door::sync::{BundleAnswer, Identity, SyncClient, SyncError, enroll, seal};
use gatehouse_server::store::{NewDoor, NewZone, Store};
use std::path::Path;

/// A zone with one door on a new controller; a live enrollment code for it.
async fn controller_with_code(data: &Path) -> (ControllerId, String, String) {
    let store = Store::open(&Store::sqlite_url(&data.join("gatehouse.db")))
        .await
        .unwrap();
    let site = store.sites().await.unwrap()[0].id;
    let zone = store
        .create_zone(
            site,
            &NewZone {
                name: "HQ".into(),
                parent: None,
                rules: ZoneRules::default(),
            },
        )
        .await
        .unwrap();
    let controller = store.create_controller(site, "lobby-pi").await.unwrap();
    store
        .create_door(
            site,
            &NewDoor {
                name: "Main".into(),
                zone: zone.id,
                controller: Some(controller.id),
                unlock_schedule: None,
                first_card_unlock: false,
            },
        )
        .await
        .unwrap();
    let (code, wrong_pin) = enrollment_codes(&store, site, controller.id, data).await;
    (controller.id, code, wrong_pin)
}

#[test]
fn a_controller_enrolls_over_the_pinned_certificate_and_its_signed_calls_work() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let state = tmp.path().join("controller");
    let server = start_tls_server(&data);
    let url = format!("https://{}", server.host);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (controller, code, wrong_pin) = controller_with_code(&data).await;

        // Another certificate pinned: refused in the handshake, so the code is not spent.
        match enroll(&url, &wrong_pin, &state).await {
            Err(SyncError::Tls(message)) => {
                assert!(message.contains("not the pinned one"), "{message}")
            }
            other => panic!("a wrong pin enrolled: {other:?}"),
        }
        assert!(!Identity::record_path(&state).exists());

        let identity = enroll(&url, &code, &state).await.unwrap();
        assert_eq!(identity.controller, controller);
        assert!(
            identity
                .escrow_recipient
                .as_deref()
                .is_some_and(|r| r.starts_with("age1")),
            "{:?}",
            identity.escrow_recipient
        );
        match enroll(&url, &code, &tmp.path().join("again")).await {
            Err(SyncError::Refused { status: 401, .. }) => {}
            other => panic!("a used code enrolled again: {other:?}"),
        }

        let client = SyncClient::new(Identity::load(&state).unwrap()).unwrap();
        let first = client.bundle(None, 0).await.unwrap();
        let BundleAnswer::Whole(signed) = first.value else {
            panic!("a new controller gets the whole bundle: {:?}", first.value)
        };
        let policy = Policy::load_first(&signed).unwrap();
        assert_eq!(policy.bundle().header.controller, controller);
        assert_eq!(policy.bundle().doors.len(), 1);
        let server_time = first
            .time
            .and_then(|t| t.verify(policy.trust()))
            .expect("the server's time verifies with the bundle's keys");
        assert!((server_time.0 - now_ms()).abs() < 5_000, "{server_time:?}");

        let unchanged = client.bundle(Some(policy.version()), 1).await.unwrap();
        assert!(matches!(unchanged.value, BundleAnswer::Unchanged));
        assert!(
            unchanged
                .time
                .and_then(|t| t.verify(policy.trust()))
                .is_some()
        );

        let batch = EventBatch {
            v: 1,
            controller,
            entries: vec![JournalEntry {
                journal: JournalId(0x5eed),
                seq: 1,
                event: Event::ControllerStarted {
                    at: Timestamp(now_ms()),
                },
            }],
        };
        let ack = client.upload(&batch).await.unwrap().value;
        assert_eq!((ack.journal, ack.highest_seq), (JournalId(0x5eed), 1));
        let again = client.upload(&batch).await.unwrap().value;
        assert_eq!(again.highest_seq, 1);

        client
            .heartbeat(&serde_json::json!({"journal_backlog": 0}))
            .await
            .unwrap();
        assert!(client.commands(0).await.unwrap().value.is_empty());

        // The reader-key escrow: sealed here, opened only by the server, back as uploaded.
        let store = br#"{"v":1,"readers":{"lobby-in":{"scbk":"5a1e3c7f09b2d48e6f0a1b2c3d4e5f60","installed_at_ms":1764115200000}}}"#;
        let recipient = client.identity().escrow_recipient.clone().unwrap();
        let sealed = seal(store, &recipient).unwrap();
        client.escrow_reader_keys(sealed).await.unwrap();
        let back = client.fetch_reader_keys().await.unwrap();
        assert_eq!(back.value, store.to_vec());
        assert!(back.time.and_then(|t| t.verify(policy.trust())).is_some());

        // A key the server never registered, under this controller's name: refused.
        let mut forged = Identity::load(&state).unwrap();
        forged.key = gatehouse_core::credential::IssuerKey::from_seed(&[3; 32]);
        let forged = SyncClient::new(forged).unwrap();
        match forged.bundle(None, 0).await {
            Err(SyncError::Refused { status: 401, .. }) => {}
            other => panic!("a forged key was answered: {other:?}"),
        }
    });
}
