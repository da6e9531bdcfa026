//! The audit log's rows: appending to a stream's hash chain inside the caller's
//! transaction, reading a chain back in order for verification, and the signed checkpoints.

use super::columns::get_u64;
use super::{Backend, Store, StoreError};
use crate::audit::{ChainWriter, Checkpoint, Entry, Head};
use gatehouse_core::credential::KeyId;
use sqlx::AnyConnection;
use sqlx::Row;
use sqlx::any::AnyRow;

fn hash32(row: &AnyRow, column: &str) -> Result<[u8; 32], sqlx::Error> {
    row.try_get::<Vec<u8>, _>(column)?
        .try_into()
        .map_err(|_| sqlx::Error::Decode(format!("{column} is not 32 bytes").into()))
}

fn seq_param(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

/// Takes `stream`'s lock until the caller's transaction ends: a PostgreSQL
/// transaction-scoped advisory lock, so two replicas never both extend the same head (SQLite
/// has a single writer anyway). Taking it again in the same transaction is harmless.
pub(crate) async fn lock_stream(
    conn: &mut AnyConnection,
    backend: Backend,
    stream: &str,
) -> Result<(), StoreError> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT CAST(pg_advisory_xact_lock(hashtext($1)) AS TEXT)")
            .bind(stream)
            .fetch_one(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Appends `payload` to `stream` in the caller's transaction, under the stream's lock, and
/// returns the new entry.
pub(crate) async fn append(
    conn: &mut AnyConnection,
    backend: Backend,
    stream: &str,
    at_ms: i64,
    payload: Vec<u8>,
) -> Result<Entry, StoreError> {
    lock_stream(conn, backend, stream).await?;
    let head =
        sqlx::query("SELECT seq, hash FROM audit_log WHERE stream = $1 ORDER BY seq DESC LIMIT 1")
            .bind(stream)
            .fetch_optional(&mut *conn)
            .await?
            .map(|row| {
                Ok::<_, sqlx::Error>(Head {
                    seq: get_u64(&row, "seq")?,
                    hash: hash32(&row, "hash")?,
                })
            })
            .transpose()?;
    let entry = ChainWriter::new(stream, head).append(payload);
    sqlx::query(
        "INSERT INTO audit_log (stream, seq, at, payload, prev, hash) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(stream)
    .bind(seq_param(entry.seq))
    .bind(at_ms)
    .bind(entry.payload.as_slice())
    .bind(entry.prev.as_slice())
    .bind(entry.hash.as_slice())
    .execute(&mut *conn)
    .await?;
    Ok(entry)
}

impl Store {
    /// Appends one entry to a stream in a transaction of its own.
    pub async fn append_audit(
        &self,
        stream: &str,
        at_ms: i64,
        payload: Vec<u8>,
    ) -> Result<Entry, StoreError> {
        let mut tx = self.begin_write().await?;
        let entry = append(&mut tx, self.backend(), stream, at_ms, payload).await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Appends an admin action to a stream with the documents of what it changed, in one
    /// transaction: the entry's payload already holds their SHA-256
    /// (`crate::http::audit_trail`), the documents go beside the chain.
    pub async fn append_audit_with_details(
        &self,
        stream: &str,
        at_ms: i64,
        payload: Vec<u8>,
        before: Option<&str>,
        after: Option<&str>,
    ) -> Result<Entry, StoreError> {
        let mut tx = self.begin_write().await?;
        let entry = append(&mut tx, self.backend(), stream, at_ms, payload).await?;
        if before.is_some() || after.is_some() {
            sqlx::query(
                "INSERT INTO audit_details (stream, seq, before, after) VALUES ($1, $2, $3, $4)",
            )
            .bind(stream)
            .bind(seq_param(entry.seq))
            .bind(before)
            .bind(after)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(entry)
    }

    /// The before/after documents of a stream's entries with `seq` in `from..=to`, as
    /// `(seq, before, after)`; purged documents are `None`.
    pub async fn audit_details(
        &self,
        stream: &str,
        from: u64,
        to: u64,
    ) -> Result<Vec<(u64, Option<String>, Option<String>)>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, before, after FROM audit_details WHERE stream = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq",
        )
        .bind(stream)
        .bind(seq_param(from))
        .bind(seq_param(to))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    get_u64(r, "seq")?,
                    r.try_get("before")?,
                    r.try_get("after")?,
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Purges the before/after documents of admin actions older than `before_ms`: the
    /// chain keeps their hashes and stays intact. Returns how many were purged.
    pub async fn purge_audit_details(
        &self,
        before_ms: i64,
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE audit_details SET before = NULL, after = NULL, purged_at = $1 \
             WHERE purged_at IS NULL AND EXISTS (SELECT 1 FROM audit_log l \
             WHERE l.stream = audit_details.stream AND l.seq = audit_details.seq AND l.at < $2)",
        )
        .bind(now_ms)
        .bind(before_ms)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// The newest entry's head of a stream.
    pub async fn audit_head(&self, stream: &str) -> Result<Option<Head>, StoreError> {
        let row = sqlx::query(
            "SELECT seq, hash FROM audit_log WHERE stream = $1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(stream)
        .fetch_optional(self.pool())
        .await?;
        Ok(row
            .map(|r| {
                Ok::<_, sqlx::Error>(Head {
                    seq: get_u64(&r, "seq")?,
                    hash: hash32(&r, "hash")?,
                })
            })
            .transpose()?)
    }

    /// The streams that have entries.
    pub async fn audit_streams(&self) -> Result<Vec<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT DISTINCT stream FROM audit_log ORDER BY stream")
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// A stream's entries with `seq` greater than `after`, in order, at most `limit`: the
    /// verifier reads a long chain page by page.
    pub async fn audit_entries(
        &self,
        stream: &str,
        after: u64,
        limit: u32,
    ) -> Result<Vec<Entry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, payload, prev, hash FROM audit_log WHERE stream = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(stream)
        .bind(seq_param(after))
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Entry {
                    stream: stream.to_string(),
                    seq: get_u64(row, "seq")?,
                    payload: row.try_get("payload")?,
                    prev: hash32(row, "prev")?,
                    hash: hash32(row, "hash")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Stores a signed checkpoint of a stream's head.
    pub async fn save_checkpoint(&self, checkpoint: &Checkpoint) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_checkpoints (stream, seq, head, signed_at, key_id, signature) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(&checkpoint.stream)
        .bind(seq_param(checkpoint.seq))
        .bind(checkpoint.head.to_vec())
        .bind(checkpoint.signed_at)
        .bind(checkpoint.key_id.0.to_vec())
        .bind(checkpoint.signature.to_vec())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A stream's checkpoints, oldest first.
    pub async fn checkpoints(&self, stream: &str) -> Result<Vec<Checkpoint>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, head, signed_at, key_id, signature FROM audit_checkpoints WHERE stream = $1 ORDER BY seq",
        )
        .bind(stream)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let decode = |m: &str| sqlx::Error::Decode(m.to_string().into());
                Ok(Checkpoint {
                    stream: stream.to_string(),
                    seq: get_u64(row, "seq")?,
                    head: hash32(row, "head")?,
                    signed_at: row.try_get("signed_at")?,
                    key_id: KeyId(
                        row.try_get::<Vec<u8>, _>("key_id")?
                            .try_into()
                            .map_err(|_| decode("key_id is not 8 bytes"))?,
                    ),
                    signature: row
                        .try_get::<Vec<u8>, _>("signature")?
                        .try_into()
                        .map_err(|_| decode("signature is not 64 bytes"))?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}
