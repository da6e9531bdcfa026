//! Waking every replica at once. On PostgreSQL each change that controllers must learn of
//! — a new policy version, a new command — sends `NOTIFY gatehouse_sync` inside its
//! transaction, so it is delivered when (and only if) the change commits; every replica's
//! watcher (`crate::sync::watch`) LISTENs on that channel and looks at the database at
//! once. SQLite has one server process, which polls; there this is a no-op.

use super::{Store, StoreError};
use sqlx::postgres::PgListener;
use sqlx::{AnyConnection, Executor};

/// The channel.
pub const SYNC_CHANNEL: &str = "gatehouse_sync";
const NOTIFY: &str = "NOTIFY gatehouse_sync";

/// Sends the wake-up in the caller's transaction (PostgreSQL only).
pub(crate) async fn notify(conn: &mut AnyConnection) -> Result<(), StoreError> {
    if conn.backend_name() == "PostgreSQL" {
        // A plain statement text runs unprepared: NOTIFY takes no parameters.
        conn.execute(NOTIFY).await?;
    }
    Ok(())
}

impl Store {
    /// A connection listening on [`SYNC_CHANNEL`]; `None` on SQLite.
    pub async fn sync_listener(&self) -> Result<Option<PgListener>, StoreError> {
        if self.backend != super::Backend::Postgres {
            return Ok(None);
        }
        let mut listener =
            PgListener::connect(secrecy::ExposeSecret::expose_secret(self.url.as_ref())).await?;
        listener.listen(SYNC_CHANNEL).await?;
        Ok(Some(listener))
    }
}
