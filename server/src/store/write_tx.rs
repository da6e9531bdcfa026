//! Write transactions. SQLite has one writer at a time, and a transaction that reads before
//! it writes fails with "database is locked" if another writer slipped in between; so on
//! SQLite the store's writers take turns on an in-process lock (the embedded database has
//! one server process) and begin with `BEGIN IMMEDIATE`, taking the database's write lock
//! up front, so the single-statement writes made outside a transaction (a device seen, a
//! nonce remembered) only ever make them wait. PostgreSQL transactions run concurrently.

use super::{Backend, Store, StoreError};
use sqlx::{Any, AnyConnection, Transaction};
use std::ops::{Deref, DerefMut};
use tokio::sync::OwnedMutexGuard;

/// A write transaction, holding the SQLite writer's turn while it lives.
pub(crate) struct WriteTx {
    tx: Transaction<'static, Any>,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    /// Commits.
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

impl Store {
    /// Begins a write transaction.
    pub(crate) async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        let (turn, tx) = match self.backend() {
            // IMMEDIATE takes SQLite's write lock at BEGIN (waiting out any single-statement
            // write elsewhere on the busy timeout) instead of at the first write, where a
            // transaction that has already read would fail with "database is locked".
            Backend::Sqlite => (
                Some(self.writer.clone().lock_owned().await),
                self.write_pool().begin_with("BEGIN IMMEDIATE").await?,
            ),
            Backend::Postgres => (None, self.pool().begin().await?),
        };
        Ok(WriteTx { tx, _turn: turn })
    }
}
