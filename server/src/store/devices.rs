//! Devices (door controllers, kiosks) as callers: their registered public keys and the
//! nonces of their signed requests.

use super::columns::id;
use super::{Store, StoreError};
use gatehouse_core::ids::SiteId;

pub use gatehouse_core::wire::enrollment::DeviceKind;

/// The table of a kind of device.
fn table(kind: DeviceKind) -> &'static str {
    match kind {
        DeviceKind::Controller => "controllers",
        DeviceKind::Kiosk => "kiosks",
    }
}

impl Store {
    /// The registered public key of an enrolled, not revoked device of `site`.
    pub async fn device_key(
        &self,
        site: SiteId,
        kind: DeviceKind,
        device: u64,
    ) -> Result<Option<[u8; 32]>, StoreError> {
        let key: Option<Option<Vec<u8>>> = sqlx::query_scalar(&format!(
            "SELECT public_key FROM {} WHERE id = $1 AND site_id = $2 AND revoked_at IS NULL",
            table(kind)
        ))
        .bind(id(device))
        .bind(i64::from(site.0))
        .fetch_optional(self.pool())
        .await?;
        Ok(key.flatten().and_then(|k| k.try_into().ok()))
    }

    /// Registers a device's public key (enrollment) and marks it seen.
    pub async fn set_device_key(
        &self,
        site: SiteId,
        kind: DeviceKind,
        device: u64,
        key: &[u8; 32],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(&format!(
            "UPDATE {} SET public_key = $1, enrolled_at = $2, enrollment_code_hash = NULL WHERE id = $3 AND site_id = $4",
            table(kind)
        ))
        .bind(key.to_vec())
        .bind(now_ms)
        .bind(id(device))
        .bind(i64::from(site.0))
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: kind.name(),
                id: id(device),
            });
        }
        Ok(())
    }

    /// Creates a kiosk (not yet enrolled); returns its id.
    pub async fn create_kiosk(&self, site: SiteId, name: &str) -> Result<u64, StoreError> {
        let new: i64 =
            sqlx::query_scalar("INSERT INTO kiosks (site_id, name) VALUES ($1, $2) RETURNING id")
                .bind(i64::from(site.0))
                .bind(name)
                .fetch_one(self.pool())
                .await
                .map_err(|e| StoreError::on_constraint(e, "name", "site"))?;
        Ok(new.unsigned_abs())
    }

    /// Records a signed request of a device: its nonce, and that the device called in, in
    /// one write transaction (on SQLite queued on the writer's turn with the others instead
    /// of polling for SQLite's lock). False, with nothing recorded, if this device used the
    /// nonce before (a replay).
    pub async fn record_device_request(
        &self,
        kind: DeviceKind,
        device: u64,
        nonce: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO device_nonces (device, nonce, seen_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(format!("{}:{device}", kind.name()))
        .bind(nonce)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(&format!(
            "UPDATE {} SET last_seen_at = $1 WHERE id = $2",
            table(kind)
        ))
        .bind(now_ms)
        .bind(id(device))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Forgets the nonces seen before `before_ms`: requests that old are refused by their
    /// timestamp anyway. Returns how many were forgotten.
    pub async fn forget_nonces(&self, before_ms: i64) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM device_nonces WHERE seen_at < $1")
            .bind(before_ms)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    /// Starts (or restarts) the enrollment of a device: stores the hash of its one-time
    /// code, valid until `expires_ms`. A device already enrolled keeps working with its key
    /// until the new enrollment completes (a replacement controller).
    pub async fn start_enrollment(
        &self,
        site: SiteId,
        kind: DeviceKind,
        device: u64,
        code_hash: &[u8; 32],
        expires_ms: i64,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(&format!(
            "UPDATE {} SET enrollment_code_hash = $1, enrollment_expires_at = $2 WHERE id = $3 AND site_id = $4 AND revoked_at IS NULL",
            table(kind)
        ))
        .bind(code_hash.to_vec())
        .bind(expires_ms)
        .bind(id(device))
        .bind(i64::from(site.0))
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: kind.name(),
                id: id(device),
            });
        }
        Ok(())
    }

    /// Completes an enrollment: if `code_hash` is the device's live one-time code, registers
    /// `key` and consumes the code. False for a wrong, used or expired code.
    pub async fn complete_enrollment(
        &self,
        site: SiteId,
        kind: DeviceKind,
        device: u64,
        code_hash: &[u8; 32],
        key: &[u8; 32],
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(&format!(
            "UPDATE {} SET public_key = $1, enrolled_at = $2, last_seen_at = $2, enrollment_code_hash = NULL, \
             enrollment_expires_at = NULL WHERE id = $3 AND site_id = $4 AND enrollment_code_hash = $5 \
             AND enrollment_expires_at > $2 AND revoked_at IS NULL",
            table(kind)
        ))
        .bind(key.to_vec())
        .bind(now_ms)
        .bind(id(device))
        .bind(i64::from(site.0))
        .bind(code_hash.to_vec())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
