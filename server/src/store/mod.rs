//! The store: everything the server keeps, in SQLite (embedded, zero set-up) or PostgreSQL
//! (several server replicas on one database).
//!
//! One implementation serves both: queries go through sqlx's Any driver and use only what
//! both databases speak (`$1` parameters, `RETURNING`, `ON CONFLICT`, 64-bit integers, text
//! and bytes). Schemas differ only where the dialects do (`migrations/sqlite`,
//! `migrations/postgres`), and one conformance suite (`server/tests/store`) runs against
//! both. The few things only one database has (LISTEN/NOTIFY, `VACUUM INTO`) are behind
//! [`Backend`].
//!
//! One rule keeps `$N` parameters portable: number them in the order they first appear in
//! the text. SQLite treats `$1` as a *named* parameter and numbers names by first
//! appearance, so `SET a = $2 WHERE b = $1` would bind the values crosswise there.

mod alarms;
mod audit_log;
mod audit_verify;
mod badges;
mod bundle;
mod bundle_rows;
mod columns;
mod commands;
mod credentials;
mod devices;
mod error;
mod events;
mod groups;
mod ingest;
mod multi_row;
mod notify;
mod passes;
mod people;
mod property;
mod reader_keys;
mod schedules;
mod sites;
mod sync;
mod users;
mod visitors;
mod wal;
mod write_tx;
mod zones_doors;

pub use alarms::AlarmRecord;
pub use audit_verify::VerifiedStream;
pub use badges::{BadgeRecord, NewBadge, NewQrBadge};
pub use commands::{
    COMMAND_LIFETIME_MS, CommandRecord, DeliveryRecord, LockdownRecord, MAX_UNLOCK_SECS,
};
pub use credentials::ApiTokenRecord;
pub use devices::DeviceKind;
pub use error::StoreError;
pub use events::{EventCursor, EventQuery, EventRecord};
pub use groups::{GroupRecord, NewGroup};
pub use notify::SYNC_CHANNEL;
pub use passes::{IssuedPass, Window};
pub use people::{NewPerson, PeoplePage, PeopleQuery, PersonRecord};
pub use property::{ItemRecord, NewItem, NewPropertyPass, PropertyPassQuery, PropertyPassRecord};
pub use reader_keys::EscrowCopy;
pub use schedules::{CalendarRecord, NewSchedule, ScheduleRecord};
pub use sites::SiteRecord;
pub use users::{LoginRecord, NewUser, Role, UserRecord};
pub use visitors::{NewVisitor, NewVisitorPass, VisitorPassRecord, VisitorQuery, VisitorRecord};
pub use zones_doors::{ControllerRecord, DoorRecord, NewDoor, NewZone, ZoneRecord};

use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use sqlx::{Executor, migrate::Migrator};
use std::sync::Once;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

/// Which database is behind the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The server's database.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    /// SQLite: the one connection write transactions use (see `write_tx`); PostgreSQL: the
    /// pool.
    write_pool: AnyPool,
    backend: Backend,
    /// SQLite's single writer's turn (see `write_tx`).
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// SQLite: uploads of events waiting for the writer's turn (see `ingest`).
    ingest_queue: std::sync::Arc<ingest::IngestQueue>,
    /// The database's URL, for connections of their own outside the pool: PostgreSQL's
    /// LISTEN (`notify`), SQLite's checkpointer (`wal`). It may hold a password.
    url: std::sync::Arc<secrecy::SecretString>,
}

impl Store {
    /// Connects to `url` (`sqlite://PATH?mode=rwc` or `postgres://…`) and applies the
    /// migrations.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Config(format!(
                "database URL must start with sqlite: or postgres:, not {:?}",
                url.split(':').next().unwrap_or_default()
            )));
        };
        let pool = pool_options(backend, 4).connect(url).await?;
        let write_pool = match backend {
            Backend::Sqlite => pool_options(backend, 1).connect(url).await?,
            Backend::Postgres => pool.clone(),
        };
        let store = Store {
            pool,
            write_pool,
            backend,
            writer: Default::default(),
            ingest_queue: Default::default(),
            url: std::sync::Arc::new(secrecy::SecretString::from(url)),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// The SQLite URL of a database file.
    pub fn sqlite_url(path: &std::path::Path) -> String {
        format!("sqlite://{}?mode=rwc", path.display())
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Migration(e.to_string()))
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection pool. Public for tools and tests that must reach the rows directly
    /// (the audit tests change and delete rows behind the store's back, as an attacker
    /// with database access would).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The pool write transactions take their connection from: on SQLite one connection,
    /// so its page cache stays warm (SQLite empties a connection's cache whenever another
    /// connection has written), and the store's writers take turns on it anyway.
    pub(crate) fn write_pool(&self) -> &AnyPool {
        &self.write_pool
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
        self.write_pool.close().await;
    }
}

/// The pool's options: `sqlite_connections` connections on SQLite, each set up as a server
/// database; 16 on PostgreSQL.
fn pool_options(backend: Backend, sqlite_connections: u32) -> AnyPoolOptions {
    match backend {
        // SQLite allows one writer at a time: a small pool, and the pragmas that make
        // it a server database: WAL (readers never wait for the writer), synchronous =
        // NORMAL (no fsync per commit; a power loss can undo the last commits, never
        // corrupt — docs/server.md), foreign keys, waiting on a busy writer, a page cache
        // of 64 MiB that holds every page a group of event uploads dirties (a smaller
        // one spills them to the WAL mid-transaction, more than once), statement
        // journals in memory, and SQLite's own checkpoint only as a safety net: the
        // server checkpoints off the writer's path (`wal`).
        Backend::Sqlite => AnyPoolOptions::new()
            .max_connections(sqlite_connections)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(
                        format!(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                                 PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; \
                                 PRAGMA wal_autocheckpoint = {};",
                            wal::AUTOCHECKPOINT_FRAMES
                        )
                        .as_str(),
                    )
                    .await
                    .map(|_| ())
                })
            }),
        Backend::Postgres => AnyPoolOptions::new().max_connections(16),
    }
}
