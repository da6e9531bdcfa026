//! Assembling the site-wide policy as a core [`Bundle`]: the input of every controller's
//! scoped bundle (`gatehouse_core::bundle::scope`).

use super::bundle_rows;
use super::columns::{get_u32, get_u64};
use super::{Store, StoreError};
use gatehouse_core::bundle::{
    Bundle, BundleHeader, BundleVersion, DoorTimings, FORMAT_VERSION, OfflineLimits, SiteKey,
};
use gatehouse_core::credential::TrustStore;
use gatehouse_core::ids::{ControllerId, PassSerial, SiteId, ZoneId};
use gatehouse_core::model::{AccessGroup, Door, HolidayCalendar, Schedule, Zone};
use gatehouse_core::time::Timestamp;
use sqlx::Row;

impl Store {
    /// The whole site's policy at its current version, as a bundle for every door (the
    /// controller field is 0). Revoked serials are those not yet expired at `now`.
    pub async fn site_bundle(
        &self,
        site: SiteId,
        trusted: &TrustStore,
        now: Timestamp,
    ) -> Result<Bundle, StoreError> {
        let s = i64::from(site.0);
        let row = sqlx::query(
            "SELECT time_zone, pin_salt, policy_epoch, policy_version, max_offline_staff_secs, \
             max_offline_visitor_secs, escort_window_secs, two_person_window_secs FROM sites WHERE id = $1",
        )
        .bind(s)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound { what: "site", id: s })?;
        let decode = |m: &str| StoreError::Database(sqlx::Error::Decode(m.to_string().into()));
        let secs = |c: &str| -> Result<u32, StoreError> { Ok(get_u32(&row, c)?) };
        let small = |c: &str| -> Result<u16, StoreError> {
            u16::try_from(get_u32(&row, c)?).map_err(|_| decode("window out of range"))
        };
        let header = BundleHeader {
            format: FORMAT_VERSION,
            site,
            controller: ControllerId(0),
            version: BundleVersion {
                epoch: get_u32(&row, "policy_epoch")?,
                version: get_u64(&row, "policy_version")?,
            },
            issued_at: now,
            max_offline: OfflineLimits {
                staff_secs: secs("max_offline_staff_secs")?,
                visitor_secs: secs("max_offline_visitor_secs")?,
            },
            time_zone: row.try_get("time_zone").map_err(StoreError::Database)?,
            pin_salt: row
                .try_get::<Vec<u8>, _>("pin_salt")
                .map_err(StoreError::Database)?
                .try_into()
                .map_err(|_| decode("pin_salt is not 16 bytes"))?,
            timings: DoorTimings {
                escort_window_secs: small("escort_window_secs")?,
                two_person_window_secs: small("two_person_window_secs")?,
            },
        };

        let revoked: Vec<i64> = sqlx::query_scalar(
            "SELECT serial FROM passes WHERE site_id = $1 AND revoked_at IS NOT NULL AND expires > $2 ORDER BY serial",
        )
        .bind(s)
        .bind(now.0)
        .fetch_all(self.pool())
        .await?;

        let (people, badges) = tokio::try_join!(
            bundle_rows::people(self.pool(), self.backend(), s),
            bundle_rows::badges(self.pool(), self.backend(), s),
        )?;

        let mut bundle = Bundle {
            header,
            trusted_keys: trusted
                .keys()
                .iter()
                .map(|k| SiteKey(k.to_bytes()))
                .collect(),
            revoked_serials: revoked
                .into_iter()
                .map(|r| PassSerial(r.unsigned_abs()))
                .collect(),
            lockdown: self.lockdown_zones(site).await?,
            doors: self
                .doors(site)
                .await?
                .into_iter()
                .map(|d| Door {
                    id: d.id,
                    zone: d.zone,
                    unlock_schedule: d.unlock_schedule,
                    first_card_unlock: d.first_card_unlock,
                })
                .collect(),
            zones: self
                .zones(site)
                .await?
                .into_iter()
                .map(|z| Zone {
                    id: z.id,
                    parent: z.parent,
                    rules: z.rules,
                })
                .collect(),
            schedules: self
                .schedules(site)
                .await?
                .into_iter()
                .map(|s| Schedule {
                    id: s.id,
                    windows: s.windows,
                    holidays: s.holiday_calendar,
                    holiday_windows: s.holiday_windows,
                })
                .collect(),
            calendars: self
                .calendars(site)
                .await?
                .into_iter()
                .map(|c| HolidayCalendar {
                    id: c.id,
                    dates: c.dates,
                })
                .collect(),
            groups: self
                .groups(site)
                .await?
                .into_iter()
                .map(|g| AccessGroup {
                    id: g.id,
                    grants: g.grants,
                })
                .collect(),
            people,
            badges,
        };
        bundle.normalize();
        Ok(bundle)
    }
}

impl Store {
    /// The zones under lockdown, as bundles carry them: a site-wide lockdown is every
    /// outermost zone (a zone's lockdown covers the zones inside it).
    async fn lockdown_zones(&self, site: SiteId) -> Result<Vec<ZoneId>, StoreError> {
        let zones: Vec<i64> = sqlx::query_scalar(
            "SELECT z.id FROM zones z WHERE z.site_id = $1 AND (\
             EXISTS (SELECT 1 FROM lockdowns l WHERE l.site_id = $1 AND l.released_at IS NULL \
                     AND l.zone_id = z.id) \
             OR (z.parent_id IS NULL AND EXISTS (SELECT 1 FROM lockdowns l WHERE l.site_id = $1 \
                     AND l.released_at IS NULL AND l.zone_id IS NULL))) ORDER BY z.id",
        )
        .bind(i64::from(site.0))
        .fetch_all(self.pool())
        .await?;
        zones
            .into_iter()
            .map(|z| {
                u32::try_from(z).map(ZoneId).map_err(|_| {
                    StoreError::Database(sqlx::Error::Decode("zone id out of range".into()))
                })
            })
            .collect()
    }
}
