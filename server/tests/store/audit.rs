//! The audit log's chains in the database: appended in order, read back and verified; a
//! row changed or deleted directly in the database, or a deleted tail, is caught.

use crate::conformance;
use gatehouse_core::credential::{IssuerKey, TrustStore};
use gatehouse_server::audit::{ChainBreak, Checkpoint, Verifier};
use gatehouse_server::store::Store;

async fn verify(
    store: &Store,
    stream: &str,
    checkpoints: &[Checkpoint],
) -> Result<Option<u64>, ChainBreak> {
    let mut verifier = Verifier::new(stream, checkpoints);
    let mut after = 0;
    loop {
        let page = store.audit_entries(stream, after, 2).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.seq;
        for entry in &page {
            verifier.push(entry)?;
        }
    }
    verifier.finish().map(|head| head.map(|h| h.seq))
}

async fn chains_catch_changes_and_deletions(store: Store) {
    for i in 0..5 {
        store
            .append_audit("admin", 1_000 + i, format!("action {i}").into_bytes())
            .await
            .unwrap();
    }
    store
        .append_audit("controller:7", 1_000, b"event".to_vec())
        .await
        .unwrap();
    assert_eq!(
        store.audit_streams().await.unwrap(),
        vec!["admin".to_string(), "controller:7".to_string()]
    );
    assert_eq!(verify(&store, "admin", &[]).await.unwrap(), Some(5));

    // A signed checkpoint of the head, read back and checked.
    let key = IssuerKey::from_seed(&[3; 32]);
    let head = store.audit_entries("admin", 4, 10).await.unwrap()[0].head();
    store
        .save_checkpoint(&Checkpoint::sign("admin", head, 2_000, &key))
        .await
        .unwrap();
    let checkpoints = store.checkpoints("admin").await.unwrap();
    assert_eq!(checkpoints.len(), 1);
    checkpoints[0]
        .verify(&TrustStore::with([key.public()]))
        .unwrap();

    // Someone edits row 3 in the database.
    sqlx::query("UPDATE audit_log SET payload = $1 WHERE stream = 'admin' AND seq = 3")
        .bind(b"nothing happened".to_vec())
        .execute(store.pool())
        .await
        .unwrap();
    let err = verify(&store, "admin", &checkpoints).await.unwrap_err();
    assert_eq!(err.seq(), Some(3), "{err}");
    assert!(matches!(err, ChainBreak::HashMismatch { .. }), "{err}");

    // Someone deletes the last two rows: the chain alone looks fine, the checkpoint does not.
    sqlx::query("UPDATE audit_log SET payload = $1 WHERE stream = 'admin' AND seq = 3")
        .bind(b"action 2".to_vec())
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(
        verify(&store, "admin", &checkpoints).await.unwrap(),
        Some(5)
    );
    sqlx::query("DELETE FROM audit_log WHERE stream = 'admin' AND seq >= 4")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(verify(&store, "admin", &[]).await.unwrap(), Some(3));
    let err = verify(&store, "admin", &checkpoints).await.unwrap_err();
    assert!(
        matches!(
            err,
            ChainBreak::MissingTail {
                last_seq: 3,
                checkpoint_seq: 5,
                ..
            }
        ),
        "{err}"
    );

    // The other stream is untouched.
    assert_eq!(verify(&store, "controller:7", &[]).await.unwrap(), Some(1));
}
conformance!(audit_chains, chains_catch_changes_and_deletions);

async fn concurrent_appends_keep_one_chain(store: Store) {
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .append_audit("admin", i, vec![u8::try_from(i).unwrap()])
                    .await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(verify(&store, "admin", &[]).await.unwrap(), Some(8));
}
conformance!(audit_concurrency, concurrent_appends_keep_one_chain);
