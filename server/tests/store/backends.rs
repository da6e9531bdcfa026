//! Running one test body against each database.

use gatehouse_server::store::Store;
use sqlx::{Connection, Executor};
use std::future::Future;

/// Runs `body` on a fresh SQLite file.
pub async fn on_sqlite<F, Fut>(body: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&Store::sqlite_url(&dir.path().join("test.db")))
        .await
        .unwrap();
    body(store.clone()).await;
    store.close().await;
}

/// Runs `body` on a fresh PostgreSQL database, created for this test and dropped after.
/// Without `PG_TEST_URL` the test says it was skipped — or fails, under CI.
pub async fn on_postgres<F, Fut>(body: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let Ok(admin_url) = std::env::var("PG_TEST_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "PG_TEST_URL is not set: CI needs PostgreSQL (see .ci/run)"
        );
        eprintln!(
            "skipped: PostgreSQL conformance (set PG_TEST_URL=postgres://postgres@127.0.0.1:5432/test)"
        );
        return;
    };
    sqlx::any::install_default_drivers();
    let name = format!("gh_test_{:016x}", rand::random::<u64>());
    let mut admin = sqlx::AnyConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at PG_TEST_URL: {e}"));
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    let url = with_database(&admin_url, &name);
    let store = Store::open(&url).await.unwrap();
    body(store.clone()).await;
    store.close().await;
    // FORCE: the pool may still be closing its last connection.
    admin
        .execute(format!("DROP DATABASE {name} WITH (FORCE)").as_str())
        .await
        .unwrap();
}

/// `url` with its database name replaced.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Defines a test module running `$body` (a function `async fn(Store)`) on both databases.
#[macro_export]
macro_rules! conformance {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                $crate::backends::on_sqlite(super::$body).await
            }

            #[tokio::test]
            async fn postgres() {
                $crate::backends::on_postgres(super::$body).await
            }
        }
    };
}
