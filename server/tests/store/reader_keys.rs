//! Escrow copies of controllers' reader key stores on both databases: the latest per
//! controller, kept with its audit entry in one transaction.

use crate::conformance;
use crate::policy::{NOW, site};
use gatehouse_core::ids::ControllerId;
use gatehouse_server::audit::verify;
use gatehouse_server::store::{EscrowCopy, Store, StoreError};

async fn admin_payloads(store: &Store) -> Vec<Vec<u8>> {
    let entries = store.audit_entries("admin", 0, 100).await.unwrap();
    verify("admin", &entries, None).unwrap();
    entries.into_iter().map(|e| e.payload).collect()
}

async fn the_latest_copy_is_kept_per_controller_with_its_entry(store: Store) {
    let site = site(&store).await;
    let a = store.create_controller(site, "a").await.unwrap().id;
    let b = store.create_controller(site, "b").await.unwrap().id;
    assert_eq!(store.reader_key_escrow(a).await.unwrap(), None);

    // Every byte value, so no backend mangles binary data.
    let first: Vec<u8> = (0..=255u8).collect();
    store
        .save_reader_key_escrow(a, &first, NOW, "admin", b"first".to_vec())
        .await
        .unwrap();
    store
        .save_reader_key_escrow(b, b"for b", NOW + 1, "admin", b"b".to_vec())
        .await
        .unwrap();
    assert_eq!(
        store.reader_key_escrow(a).await.unwrap(),
        Some(EscrowCopy {
            ciphertext: first,
            uploaded_at: NOW
        })
    );

    store
        .save_reader_key_escrow(a, b"second", NOW + 2, "admin", b"second".to_vec())
        .await
        .unwrap();
    assert_eq!(
        store.reader_key_escrow(a).await.unwrap(),
        Some(EscrowCopy {
            ciphertext: b"second".to_vec(),
            uploaded_at: NOW + 2
        })
    );
    assert_eq!(
        store.reader_key_escrow(b).await.unwrap(),
        Some(EscrowCopy {
            ciphertext: b"for b".to_vec(),
            uploaded_at: NOW + 1
        })
    );
    assert_eq!(
        admin_payloads(&store).await,
        [b"first".to_vec(), b"b".to_vec(), b"second".to_vec()]
    );
}
conformance!(
    latest_copy,
    the_latest_copy_is_kept_per_controller_with_its_entry
);

async fn a_copy_for_no_controller_is_refused_and_not_recorded(store: Store) {
    site(&store).await;
    let missing = ControllerId(4242);
    let err = store
        .save_reader_key_escrow(missing, b"x", NOW, "admin", b"entry".to_vec())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Invalid {
                field: "controller",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(store.reader_key_escrow(missing).await.unwrap(), None);
    assert_eq!(admin_payloads(&store).await, Vec::<Vec<u8>>::new());
}
conformance!(
    no_controller,
    a_copy_for_no_controller_is_refused_and_not_recorded
);
