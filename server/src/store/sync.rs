//! What controller sync needs from the database: a controller's doors, the site's current
//! bundle version, and the bundles last sent to each controller (for deltas).

use super::columns::{get_u32, get_u64};
use super::{Store, StoreError};
use gatehouse_core::bundle::BundleVersion;
use gatehouse_core::ids::{ControllerId, DoorId, SiteId};

/// Bundles kept per controller: enough for a controller a few changes behind to get a delta.
const KEEP_BUNDLES: i64 = 8;

impl Store {
    /// The doors a controller drives.
    pub async fn controller_doors(
        &self,
        site: SiteId,
        controller: ControllerId,
    ) -> Result<Vec<DoorId>, StoreError> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM doors WHERE site_id = $1 AND controller_id = $2 ORDER BY id",
        )
        .bind(i64::from(site.0))
        .bind(i64::from(controller.0))
        .fetch_all(self.pool())
        .await?;
        Ok(ids
            .into_iter()
            .filter_map(|d| u32::try_from(d).ok().map(DoorId))
            .collect())
    }

    /// The site's current bundle version.
    pub async fn policy_version(&self, site: SiteId) -> Result<BundleVersion, StoreError> {
        let row = sqlx::query("SELECT policy_epoch, policy_version FROM sites WHERE id = $1")
            .bind(i64::from(site.0))
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound {
                what: "site",
                id: i64::from(site.0),
            })?;
        Ok(BundleVersion {
            epoch: get_u32(&row, "policy_epoch")?,
            version: get_u64(&row, "policy_version")?,
        })
    }

    /// Remembers a signed bundle sent to a controller, keeping the last few.
    pub async fn save_controller_bundle(
        &self,
        controller: ControllerId,
        version: BundleVersion,
        signed: &[u8],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let c = i64::from(controller.0);
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO controller_bundles (controller_id, epoch, version, bundle, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(c)
        .bind(i64::from(version.epoch))
        .bind(i64::try_from(version.version).unwrap_or(i64::MAX))
        .bind(signed.to_vec())
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM controller_bundles WHERE controller_id = $1 AND (epoch, version) NOT IN \
             (SELECT epoch, version FROM controller_bundles WHERE controller_id = $1 \
              ORDER BY epoch DESC, version DESC LIMIT $2)",
        )
        .bind(c)
        .bind(KEEP_BUNDLES)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A signed bundle sent to a controller earlier, if still kept.
    pub async fn controller_bundle(
        &self,
        controller: ControllerId,
        version: BundleVersion,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT bundle FROM controller_bundles WHERE controller_id = $1 AND epoch = $2 AND version = $3",
        )
        .bind(i64::from(controller.0))
        .bind(i64::from(version.epoch))
        .bind(i64::try_from(version.version).unwrap_or(i64::MAX))
        .fetch_optional(self.pool())
        .await?)
    }
}
