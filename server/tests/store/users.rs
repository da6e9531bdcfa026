//! Users.

use crate::conformance;
use crate::policy::{NOW, site};
use gatehouse_server::store::{NewUser, Role, Store, StoreError};

fn user(name: &str) -> NewUser {
    NewUser {
        username: name.into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role: Role::Receptionist,
        person: None,
        must_change_password: true,
    }
}

async fn usernames_are_unique_and_checked(store: Store) {
    let site = site(&store).await;
    assert_eq!(store.user_count().await.unwrap(), 0);
    let u = store
        .create_user(site, &user("front.desk"), NOW)
        .await
        .unwrap();
    assert_eq!(u.role, Role::Receptionist);
    assert!(u.must_change_password);
    assert!(matches!(
        store.create_user(site, &user("front.desk"), NOW).await,
        Err(StoreError::Conflict { field: "username" })
    ));
    assert!(matches!(
        store.create_user(site, &user("no spaces"), NOW).await,
        Err(StoreError::Invalid {
            field: "username",
            ..
        })
    ));
    let (found, hash) = store.user_by_name("front.desk").await.unwrap().unwrap();
    assert_eq!(found, u);
    assert!(hash.starts_with("$argon2id$"));
    assert!(store.user_by_name("nobody").await.unwrap().is_none());
}
conformance!(usernames, usernames_are_unique_and_checked);
