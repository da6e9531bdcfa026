//! Sign-in state: failed-login counting and lockout, password changes, sessions, API tokens.

use crate::conformance;
use crate::policy::{NOW, site};
use gatehouse_server::store::{NewUser, Role, Store, StoreError};

const LOCK_UNTIL: i64 = NOW + 15 * 60 * 1000;

async fn user(store: &Store, name: &str) -> u64 {
    let site = site(store).await;
    let new = NewUser {
        username: name.into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role: Role::Host,
        person: None,
        must_change_password: false,
    };
    store.create_user(site, &new, NOW).await.unwrap().id
}

async fn failures_lock_then_count_afresh(store: Store) {
    let id = user(&store, "ada").await;
    for _ in 0..4 {
        assert_eq!(
            store.record_login_failure(id, 5, LOCK_UNTIL).await.unwrap(),
            None
        );
    }
    assert_eq!(
        store.record_login_failure(id, 5, LOCK_UNTIL).await.unwrap(),
        Some(LOCK_UNTIL),
        "the fifth failure locks"
    );
    let record = store.login_record("ada").await.unwrap().unwrap();
    assert_eq!(record.locked_until, Some(LOCK_UNTIL));
    assert_eq!(record.user.id, id);
    // The count starts again, and the old lock stays as it was until the fifth.
    for _ in 0..4 {
        assert_eq!(
            store
                .record_login_failure(id, 5, LOCK_UNTIL + 1)
                .await
                .unwrap(),
            Some(LOCK_UNTIL)
        );
    }
    store.clear_login_failures(id).await.unwrap();
    assert_eq!(
        store
            .login_record_by_id(id)
            .await
            .unwrap()
            .unwrap()
            .locked_until,
        None
    );
    for _ in 0..4 {
        assert_eq!(
            store.record_login_failure(id, 5, LOCK_UNTIL).await.unwrap(),
            None,
            "a success resets the count"
        );
    }
    assert!(matches!(
        store.record_login_failure(9999, 5, LOCK_UNTIL).await,
        Err(StoreError::NotFound { what: "user", .. })
    ));
}
conformance!(lockout, failures_lock_then_count_afresh);

async fn a_new_password_unlocks(store: Store) {
    let id = user(&store, "ada").await;
    for _ in 0..5 {
        store.record_login_failure(id, 5, LOCK_UNTIL).await.unwrap();
    }
    let updated = store.set_password(id, "$argon2id$new", true).await.unwrap();
    assert!(updated.must_change_password);
    let record = store.login_record("ada").await.unwrap().unwrap();
    assert_eq!(record.password_hash, "$argon2id$new");
    assert_eq!(record.locked_until, None);
    assert!(
        store
            .set_password(id, "$argon2id$new", false)
            .await
            .map(|u| !u.must_change_password)
            .unwrap()
    );
    assert!(matches!(
        store.set_password(9999, "x", false).await,
        Err(StoreError::NotFound { .. })
    ));
}
conformance!(set_password, a_new_password_unlocks);

async fn sessions_end_together_but_one(store: Store) {
    let id = user(&store, "ada").await;
    let other = user(&store, "bob").await;
    let (a, b, c, expired) = ([1u8; 32], [2u8; 32], [3u8; 32], [4u8; 32]);
    for (hash, who) in [(a, id), (b, id), (c, other)] {
        store
            .create_session(&hash, who, "csrf", NOW, NOW + 1000)
            .await
            .unwrap();
    }
    store
        .create_session(&expired, id, "csrf", NOW - 2000, NOW - 1000)
        .await
        .unwrap();
    store.delete_expired_sessions(id, NOW).await.unwrap();
    store.end_sessions(id, Some(&a)).await.unwrap();
    let live = |h| {
        let store = store.clone();
        async move { store.session_user(&h, NOW - 1500).await.unwrap().is_some() }
    };
    assert!(live(a).await);
    assert!(!live(b).await);
    assert!(live(c).await, "another user's session stays");
    assert!(!live(expired).await, "deleted, not only expired");
    store.end_sessions(id, None).await.unwrap();
    assert!(!live(a).await);
}
conformance!(sessions, sessions_end_together_but_one);

async fn tokens_are_listed_and_revoked_by_their_owner(store: Store) {
    let id = user(&store, "ada").await;
    let other = user(&store, "bob").await;
    let first = store
        .create_api_token(id, "export", &[1; 32], NOW)
        .await
        .unwrap();
    let second = store
        .create_api_token(id, "sync", &[2; 32], NOW + 1)
        .await
        .unwrap();
    store.token_user(&[1; 32], NOW + 5).await.unwrap().unwrap();
    let listed = store.api_tokens(id).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!((listed[0].id, listed[0].name.as_str()), (first, "export"));
    assert_eq!(listed[0].created_at.0, NOW);
    assert_eq!(listed[0].last_used_at.map(|t| t.0), Some(NOW + 5));
    assert_eq!(listed[1].last_used_at, None);
    assert!(matches!(
        store.revoke_api_token(other, first, NOW).await,
        Err(StoreError::NotFound { what: "token", .. })
    ));
    store.revoke_api_token(id, first, NOW).await.unwrap();
    assert!(store.token_user(&[1; 32], NOW).await.unwrap().is_none());
    assert!(matches!(
        store.revoke_api_token(id, first, NOW).await,
        Err(StoreError::NotFound { .. })
    ));
    let listed = store.api_tokens(id).await.unwrap();
    assert_eq!(listed.iter().map(|t| t.id).collect::<Vec<_>>(), [second]);
    assert!(store.api_tokens(other).await.unwrap().is_empty());
}
conformance!(api_tokens, tokens_are_listed_and_revoked_by_their_owner);
