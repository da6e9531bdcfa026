//! The escrow copies of controllers' reader key stores: the latest ciphertext per
//! controller, as uploaded. The store never sees a key: the copy is opened by the escrow
//! identity in the data directory (`crate::escrow`), not by anything in the database.

use super::audit_log::append;
use super::{Store, StoreError};
use gatehouse_core::ids::ControllerId;

/// A controller's latest escrow copy.
#[derive(Clone, PartialEq, Eq)]
pub struct EscrowCopy {
    /// The age ciphertext, as uploaded.
    pub ciphertext: Vec<u8>,
    /// When it was uploaded (Unix ms).
    pub uploaded_at: i64,
}

impl std::fmt::Debug for EscrowCopy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EscrowCopy")
            .field("bytes", &self.ciphertext.len())
            .field("uploaded_at", &self.uploaded_at)
            .finish()
    }
}

impl Store {
    /// Keeps `ciphertext` as `controller`'s escrow copy, replacing the one before, and
    /// appends `audit_payload` (which must hold no key material) to `audit_stream` in the
    /// same transaction: a copy is never kept without its record, nor recorded unkept.
    pub async fn save_reader_key_escrow(
        &self,
        controller: ControllerId,
        ciphertext: &[u8],
        now_ms: i64,
        audit_stream: &str,
        audit_payload: Vec<u8>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO reader_key_escrow (controller_id, ciphertext, uploaded_at) VALUES ($1, $2, $3) \
             ON CONFLICT (controller_id) DO UPDATE SET ciphertext = excluded.ciphertext, uploaded_at = excluded.uploaded_at",
        )
        .bind(i64::from(controller.0))
        .bind(ciphertext.to_vec())
        .bind(now_ms)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::on_constraint(e, "controller", "controller"))?;
        append(&mut tx, self.backend(), audit_stream, now_ms, audit_payload).await?;
        tx.commit().await
    }

    /// `controller`'s latest escrow copy, if it uploaded one.
    pub async fn reader_key_escrow(
        &self,
        controller: ControllerId,
    ) -> Result<Option<EscrowCopy>, StoreError> {
        let row: Option<(Vec<u8>, i64)> = sqlx::query_as(
            "SELECT ciphertext, uploaded_at FROM reader_key_escrow WHERE controller_id = $1",
        )
        .bind(i64::from(controller.0))
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(ciphertext, uploaded_at)| EscrowCopy {
            ciphertext,
            uploaded_at,
        }))
    }
}
