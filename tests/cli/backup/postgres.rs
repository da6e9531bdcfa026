//! On PostgreSQL the file carries keys, certificate and checkpoints; the database goes
//! through pg_dump and pg_restore, and restore starts the new epoch on it.

use super::super::support::{gatehouse, utf8};
use super::support::{bootstrap, gatehouse_env};
use gatehouse_core::bundle::BundleVersion;
use gatehouse_server::store::Store;
use rand_core::{OsRng, RngCore};
use std::path::Path;

/// A fresh PostgreSQL database for one test, dropped at the end; `None` (skipped) without
/// `PG_TEST_URL`, except under CI.
struct PgDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl Drop for PgDatabase {
    // Dropped even when the test fails; on a thread of its own, since the test's runtime
    // may be running.
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        std::thread::spawn(move || {
            use sqlx::{Connection, Executor};
            let runtime = tokio::runtime::Runtime::new().unwrap();
            runtime.block_on(async {
                let mut admin = sqlx::AnyConnection::connect(&admin_url).await.unwrap();
                admin
                    .execute(format!("DROP DATABASE {name} WITH (FORCE)").as_str())
                    .await
                    .unwrap();
            });
        })
        .join()
        .ok();
    }
}

impl PgDatabase {
    async fn create() -> Option<PgDatabase> {
        use sqlx::{Connection, Executor};
        let Ok(admin_url) = std::env::var("PG_TEST_URL") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "PG_TEST_URL is not set: CI needs PostgreSQL (see .ci/run)"
            );
            eprintln!("skipped: PostgreSQL backup (set PG_TEST_URL)");
            return None;
        };
        sqlx::any::install_default_drivers();
        let name = format!("gh_backup_{:016x}", OsRng.next_u64());
        let mut admin = sqlx::AnyConnection::connect(&admin_url).await.unwrap();
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        let base = admin_url.split('?').next().unwrap();
        let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
        Some(PgDatabase {
            admin_url,
            name,
            url,
        })
    }

    async fn policy(&self) -> BundleVersion {
        let store = Store::open(&self.url).await.unwrap();
        let site = store.sites().await.unwrap()[0].clone();
        store.close().await;
        BundleVersion {
            epoch: site.policy_epoch,
            version: site.policy_version,
        }
    }
}

#[test]
fn on_postgresql_the_file_carries_the_rest_and_restore_starts_a_new_epoch() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = runtime.block_on(PgDatabase::create()) else {
        return;
    };
    let Some(empty) = runtime.block_on(PgDatabase::create()) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let live = tmp.path().join("live");
    let on_pg = [("GATEHOUSE_DATABASE_URL", db.url.as_str())];
    gatehouse_env(
        &[
            "admin",
            "create",
            "--data-dir",
            utf8(&live),
            "--username",
            "op",
            "--role",
            "auditor",
        ],
        &on_pg,
    )
    .ok();
    gatehouse(["keys", "list", "--data-dir", utf8(&live)]).ok();
    let before = runtime.block_on(db.policy());

    let backup = tmp.path().join("b.tar");
    let made = gatehouse_env(
        &["backup", "--data-dir", utf8(&live), "--out", utf8(&backup)],
        &on_pg,
    )
    .ok();
    assert!(
        made.stderr
            .contains(&format!("at policy {before}: 2 files, ")),
        "{}",
        made.stderr
    );
    assert!(
        made.stderr.lines().any(|l| l
            == "the database is PostgreSQL and is NOT in this file: dump it with pg_dump (see docs/server.md, \"Backups and restore\")"),
        "{}",
        made.stderr
    );
    let bytes = std::fs::read(&backup).unwrap();
    assert!(!bytes.windows(12).any(|w| w == b"gatehouse.db"));

    // Restored with a SQLite configuration: refused, nothing written.
    let sqlite_target = tmp.path().join("sqlite");
    let run = gatehouse(["restore", "--data-dir", utf8(&sqlite_target), utf8(&backup)]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "{} was taken from PostgreSQL and holds no database: restore the pg_dump with pg_restore, set database_url to that database, then run restore again\n",
            utf8(&backup)
        )
    );
    assert!(!sqlite_target.exists());

    // Onto a database the dump was not restored into: refused, nothing written.
    let target = tmp.path().join("restored");
    let run = gatehouse_env(
        &["restore", "--data-dir", utf8(&target), utf8(&backup)],
        &[("GATEHOUSE_DATABASE_URL", empty.url.as_str())],
    );
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "the database has no site 1 (\"Gatehouse\"): on PostgreSQL, restore the pg_dump with pg_restore before running restore\n"
    );
    assert!(!target.exists());

    // Onto the restored database (here: the same one): keys back, a new epoch.
    let run = gatehouse_env(
        &["restore", "--data-dir", utf8(&target), utf8(&backup)],
        &on_pg,
    )
    .ok();
    let after = runtime.block_on(db.policy());
    assert!(after.epoch > before.epoch);
    assert_eq!(after.version, 1);
    assert!(
        run.line()
            .ends_with(&format!(": policy {before} -> {after} (new epoch)")),
        "{}",
        run.stdout
    );
    let keys = |dir: &Path| {
        gatehouse(["keys", "list", "--data-dir", utf8(dir)])
            .ok()
            .stdout
    };
    assert_eq!(keys(&target), keys(&live));

    // A SQLite backup is refused by a PostgreSQL configuration.
    let sqlite_live = tmp.path().join("sqlite-live");
    bootstrap(&sqlite_live);
    let sqlite_backup = tmp.path().join("s.tar");
    gatehouse([
        "backup",
        "--data-dir",
        utf8(&sqlite_live),
        "--out",
        utf8(&sqlite_backup),
    ])
    .ok();
    let run = gatehouse_env(
        &[
            "restore",
            "--data-dir",
            utf8(&tmp.path().join("x")),
            utf8(&sqlite_backup),
        ],
        &on_pg,
    );
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!(
            "{} holds a SQLite database, but the configuration names PostgreSQL (database_url); restore it with a SQLite configuration\n",
            utf8(&sqlite_backup)
        )
    );
}
