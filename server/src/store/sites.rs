//! Sites, and the policy version every change to what controllers enforce raises.

use super::columns::get_u32;
use super::{Store, StoreError};
use gatehouse_core::bundle::is_known_time_zone;
use gatehouse_core::ids::SiteId;
use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A site as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SiteRecord {
    /// The site.
    #[schema(value_type = u32)]
    pub id: SiteId,
    /// Its name.
    pub name: String,
    /// IANA time zone of its schedules.
    pub time_zone: String,
    /// Bundle epoch (changes on restore or re-key).
    pub policy_epoch: u32,
    /// Bundle version (rises with every change).
    pub policy_version: u64,
}

impl SiteRecord {
    fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(SiteRecord {
            id: SiteId(get_u32(row, "id")?),
            name: row.try_get("name")?,
            time_zone: row.try_get("time_zone")?,
            policy_epoch: get_u32(row, "policy_epoch")?,
            policy_version: super::columns::get_u64(row, "policy_version")?,
        })
    }
}

const COLUMNS: &str = "id, name, time_zone, policy_epoch, policy_version";

impl Store {
    /// Creates a site. Its first bundle epoch is `now` in Unix seconds, so an epoch taken
    /// later (on restore) is always greater.
    pub async fn create_site(
        &self,
        name: &str,
        time_zone: &str,
        pin_salt: [u8; 16],
        now_ms: i64,
    ) -> Result<SiteRecord, StoreError> {
        if !is_known_time_zone(time_zone) {
            return Err(StoreError::Invalid {
                field: "time_zone",
                message: format!("{time_zone:?} is not an IANA time zone"),
            });
        }
        let row = sqlx::query(&format!(
            "INSERT INTO sites (name, time_zone, pin_salt, policy_epoch, policy_version, created_at) \
             VALUES ($1, $2, $3, $4, 1, $5) RETURNING {COLUMNS}"
        ))
        .bind(name)
        .bind(time_zone)
        .bind(pin_salt.to_vec())
        .bind(now_ms.div_euclid(1000))
        .bind(now_ms)
        .fetch_one(self.pool())
        .await?;
        Ok(SiteRecord::from_row(&row)?)
    }

    /// A site.
    pub async fn site(&self, id: SiteId) -> Result<SiteRecord, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM sites WHERE id = $1"))
            .bind(i64::from(id.0))
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound {
                what: "site",
                id: i64::from(id.0),
            })?;
        Ok(SiteRecord::from_row(&row)?)
    }

    /// Every site, by id.
    pub async fn sites(&self) -> Result<Vec<SiteRecord>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM sites ORDER BY id"))
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(SiteRecord::from_row)
            .collect::<Result<_, _>>()?)
    }

    /// The site's PIN salt.
    pub(crate) async fn pin_salt(&self, site: SiteId) -> Result<[u8; 16], StoreError> {
        let salt: Vec<u8> = sqlx::query_scalar("SELECT pin_salt FROM sites WHERE id = $1")
            .bind(i64::from(site.0))
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound {
                what: "site",
                id: i64::from(site.0),
            })?;
        salt.try_into().map_err(|_| {
            StoreError::Database(sqlx::Error::Decode("pin_salt is not 16 bytes".into()))
        })
    }

    /// Starts a new bundle epoch (after a restore or a re-key) at `epoch`, which must be
    /// greater than the current one; the version starts again at 1.
    pub async fn start_epoch(&self, site: SiteId, epoch: u32) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE sites SET policy_epoch = $1, policy_version = 1 WHERE id = $2 AND policy_epoch < $1",
        )
        .bind(i64::from(epoch))
        .bind(i64::from(site.0))
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StoreError::Invalid {
                field: "epoch",
                message: format!("epoch {epoch} is not greater than the site's current epoch"),
            })
        }
    }
}

impl Store {
    /// Raises the site's policy version for a change outside the database that controllers
    /// must learn of (a new issuer key they should trust).
    pub async fn touch_policy(&self, site: SiteId) -> Result<(), StoreError> {
        let mut conn = self.pool().acquire().await?;
        bump_policy(&mut conn, site).await
    }
}

/// Raises the site's policy version, in the caller's transaction: every change to what
/// controllers enforce calls this, so controllers see a newer bundle.
pub(crate) async fn bump_policy(conn: &mut AnyConnection, site: SiteId) -> Result<(), StoreError> {
    sqlx::query("UPDATE sites SET policy_version = policy_version + 1 WHERE id = $1")
        .bind(i64::from(site.0))
        .execute(&mut *conn)
        .await?;
    super::notify::notify(conn).await
}
