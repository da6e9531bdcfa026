//! SQLite's write-ahead log, kept short while the server is busy.
//!
//! Every commit appends the pages it changed to the WAL; a checkpoint copies them into the
//! database file, and only once every page is copied *and* no reader still reads from the
//! WAL can the next writer start the WAL again from the beginning of the file. SQLite's
//! automatic checkpoint runs on the writer that commits, after its commit, and is passive:
//! under a steady stream of uploads, with requests reading beside them, it never found that
//! moment, so the WAL grew without end (1.5 GB in 15 seconds of the ingest benchmark), every
//! frame went to a newly allocated part of the file, which the kernel zeroes first, and the
//! copying was done by the one writer every upload waits for.
//!
//! So the server checkpoints on a connection of its own, off the writer's path: a passive
//! checkpoint every [`EVERY`] copies what it can while writers go on; once the WAL is
//! longer than [`RESTART_AT_FRAMES`], a RESTART checkpoint, holding the writer's turn,
//! copies the rest and waits (at most [`READERS_WAIT_MS`]) for the readers still on the
//! WAL, so that the next writer starts over at the beginning of the file. SQLite's own
//! checkpoint stays on as a safety net, at a length the WAL reaches only when this task does
//! not run (a command-line tool's store, a test's).

use super::{Backend, Store, StoreError};
use sqlx::{AnyConnection, Connection, Executor};
use std::time::Duration;

/// How often the passive checkpoint runs.
const EVERY: Duration = Duration::from_millis(250);

/// WAL frames (pages of 4 KiB) after which the WAL is restarted: 64 MiB.
const RESTART_AT_FRAMES: i64 = 16_384;

/// How long a RESTART waits for the WAL's readers (and so holds new writers off) before it
/// gives up until the next round.
const READERS_WAIT_MS: u32 = 250;

/// SQLite's automatic checkpoint (`PRAGMA wal_autocheckpoint`, set on every connection):
/// four times [`RESTART_AT_FRAMES`], so it runs only where this task does not.
pub(crate) const AUTOCHECKPOINT_FRAMES: i64 = 4 * RESTART_AT_FRAMES;

/// What `PRAGMA wal_checkpoint` reports: whether it could not finish (busy), the frames
/// in the WAL and how many of them are in the database file now.
type CheckpointResult = (i64, i64, i64);

impl Store {
    /// On SQLite, checkpoints the WAL in the background for as long as the store is open
    /// (see the module's comment); nothing on PostgreSQL.
    pub fn spawn_wal_checkpoints(&self) {
        if self.backend != Backend::Sqlite {
            return;
        }
        let store = self.clone();
        tokio::spawn(async move {
            let mut conn = None;
            let mut tick = tokio::time::interval(EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            while !store.pool.is_closed() {
                tick.tick().await;
                if conn.is_none() {
                    conn = store.checkpoint_connection().await.map_err(report).ok();
                }
                let Some(c) = conn.as_mut() else { continue };
                if let Err(e) = store.checkpoint_wal(c).await {
                    report(e);
                    // A fresh connection next round, in case this one is the problem.
                    conn = None;
                }
            }
        });
    }

    async fn checkpoint_connection(&self) -> Result<AnyConnection, StoreError> {
        let mut conn =
            AnyConnection::connect(secrecy::ExposeSecret::expose_secret(self.url.as_ref())).await?;
        conn.execute(format!("PRAGMA busy_timeout = {READERS_WAIT_MS}").as_str())
            .await?;
        Ok(conn)
    }

    /// One round: a passive checkpoint, then a RESTART if the WAL has grown long.
    async fn checkpoint_wal(&self, conn: &mut AnyConnection) -> Result<(), StoreError> {
        let (_, frames, _): CheckpointResult = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&mut *conn)
            .await?;
        if frames >= RESTART_AT_FRAMES {
            // The writer's turn first: the RESTART then waits only for readers, and the
            // store's own writers queue on the turn instead of on SQLite's busy timeout.
            let _turn = self.writer.lock().await;
            let (busy, frames, _): CheckpointResult =
                sqlx::query_as("PRAGMA wal_checkpoint(RESTART)")
                    .fetch_one(&mut *conn)
                    .await?;
            if busy != 0 {
                tracing::debug!(frames, "WAL restart postponed: readers still on it");
            }
        }
        Ok(())
    }
}

fn report(e: StoreError) {
    tracing::warn!(error = %e, "WAL checkpoint failed");
}
