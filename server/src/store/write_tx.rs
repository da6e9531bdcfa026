//! Write transactions. SQLite has one writer at a time, and a transaction that reads before
//! it writes fails with "database is locked" if another writer slipped in between; so on
//! SQLite the store's writers take turns on an in-process lock (the embedded database has
//! one server process). PostgreSQL transactions run concurrently.

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
        let turn = match self.backend() {
            Backend::Sqlite => Some(self.writer.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        Ok(WriteTx {
            tx: self.pool().begin().await?,
            _turn: turn,
        })
    }
}
