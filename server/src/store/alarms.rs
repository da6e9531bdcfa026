//! Alarms: raised, cleared when the cause goes away, acknowledged by a person.

use super::columns::{get_u64, id};
use super::{Store, StoreError};
use gatehouse_core::ids::{ControllerId, SiteId};
use gatehouse_core::wire::{AlarmKind, AlarmSource, Severity};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

/// An alarm as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AlarmRecord {
    /// The alarm.
    pub id: u64,
    /// What (`door_forced`, `controller_offline`, …).
    pub kind: String,
    /// `info`, `warning` or `critical`.
    pub severity: String,
    /// Where (JSON: `{"controller": 3}`, `{"door": 4}`, …).
    #[schema(value_type = Object)]
    pub source: serde_json::Value,
    /// When it was raised (Unix ms).
    pub raised_at: i64,
    /// When its cause went away, if it did.
    pub cleared_at: Option<i64>,
    /// Who acknowledged it.
    pub acknowledged_by: Option<u64>,
    /// When.
    pub acknowledged_at: Option<i64>,
}

fn text<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl AlarmRecord {
    fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        let source: String = row.try_get("source")?;
        Ok(AlarmRecord {
            id: get_u64(row, "id")?,
            kind: row.try_get("kind")?,
            severity: row.try_get("severity")?,
            source: serde_json::from_str(&source).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            raised_at: row.try_get("raised_at")?,
            cleared_at: row.try_get("cleared_at")?,
            acknowledged_by: row
                .try_get::<Option<i64>, _>("acknowledged_by")?
                .map(i64::unsigned_abs),
            acknowledged_at: row.try_get("acknowledged_at")?,
        })
    }
}

const COLUMNS: &str =
    "id, kind, severity, source, raised_at, cleared_at, acknowledged_by, acknowledged_at";

impl Store {
    /// Raises an alarm unless one of the same kind and source is still open; returns the
    /// new alarm, if any.
    pub async fn raise_alarm(
        &self,
        site: SiteId,
        kind: AlarmKind,
        severity: Severity,
        source: AlarmSource,
        now_ms: i64,
    ) -> Result<Option<AlarmRecord>, StoreError> {
        let source = serde_json::to_string(&source).expect("sources serialize");
        let mut tx = self.begin_write().await?;
        let open: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM alarms WHERE site_id = $1 AND kind = $2 AND source = $3 AND cleared_at IS NULL",
        )
        .bind(i64::from(site.0))
        .bind(text(&kind))
        .bind(&source)
        .fetch_optional(&mut *tx)
        .await?;
        if open.is_some() {
            return Ok(None);
        }
        let row = sqlx::query(&format!(
            "INSERT INTO alarms (site_id, kind, severity, source, raised_at) VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
        ))
        .bind(i64::from(site.0))
        .bind(text(&kind))
        .bind(text(&severity))
        .bind(&source)
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(AlarmRecord::from_row(&row)?))
    }

    /// Clears the open alarms of a kind and source (their cause went away).
    pub async fn clear_alarms(
        &self,
        site: SiteId,
        kind: AlarmKind,
        source: AlarmSource,
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query("UPDATE alarms SET cleared_at = $1 WHERE site_id = $2 AND kind = $3 AND source = $4 AND cleared_at IS NULL")
            .bind(now_ms)
            .bind(i64::from(site.0))
            .bind(text(&kind))
            .bind(serde_json::to_string(&source).expect("sources serialize"))
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Alarms, newest first: the open ones only, or all.
    pub async fn alarms(
        &self,
        site: SiteId,
        open_only: bool,
        limit: u32,
    ) -> Result<Vec<AlarmRecord>, StoreError> {
        let filter = if open_only {
            "AND (cleared_at IS NULL OR acknowledged_at IS NULL)"
        } else {
            ""
        };
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM alarms WHERE site_id = $1 {filter} ORDER BY raised_at DESC, id DESC LIMIT $2"
        ))
        .bind(i64::from(site.0))
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(AlarmRecord::from_row)
            .collect::<Result<_, _>>()?)
    }

    /// Acknowledges an alarm.
    pub async fn acknowledge_alarm(
        &self,
        site: SiteId,
        alarm: u64,
        user: u64,
        now_ms: i64,
    ) -> Result<AlarmRecord, StoreError> {
        let row = sqlx::query(&format!(
            "UPDATE alarms SET acknowledged_by = $1, acknowledged_at = $2 WHERE id = $3 AND site_id = $4 RETURNING {COLUMNS}"
        ))
        .bind(id(user))
        .bind(now_ms)
        .bind(id(alarm))
        .bind(i64::from(site.0))
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound { what: "alarm", id: id(alarm) })?;
        Ok(AlarmRecord::from_row(&row)?)
    }

    /// Enrolled, not revoked controllers last seen before `before_ms` (or never since
    /// enrolling).
    pub async fn silent_controllers(
        &self,
        site: SiteId,
        before_ms: i64,
    ) -> Result<Vec<ControllerId>, StoreError> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM controllers WHERE site_id = $1 AND public_key IS NOT NULL AND revoked_at IS NULL \
             AND COALESCE(last_seen_at, enrolled_at, 0) < $2 ORDER BY id",
        )
        .bind(i64::from(site.0))
        .bind(before_ms)
        .fetch_all(self.pool())
        .await?;
        Ok(ids
            .into_iter()
            .filter_map(|c| u32::try_from(c).ok().map(ControllerId))
            .collect())
    }

    /// Stores what a controller reported about itself.
    pub async fn save_controller_status(
        &self,
        controller: ControllerId,
        status: &serde_json::Value,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO controller_status (controller_id, reported_at, status) VALUES ($1, $2, $3) \
             ON CONFLICT (controller_id) DO UPDATE SET reported_at = excluded.reported_at, status = excluded.status",
        )
        .bind(i64::from(controller.0))
        .bind(now_ms)
        .bind(status.to_string())
        .execute(self.pool())
        .await?;
        Ok(())
    }
}

/// Alarms of one kind that are still open, as counted for the metrics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenAlarmCount {
    /// What (`door_forced`, `controller_offline`, …).
    pub kind: String,
    /// Whose cause has not gone away (not cleared).
    pub uncleared: u64,
    /// Not acknowledged by anyone yet.
    pub unacknowledged: u64,
}

impl Store {
    /// Enrolled, not revoked controllers, and how many of them were heard from at or after
    /// `since_ms` — those [`Store::silent_controllers`] does not list.
    pub async fn controller_counts(
        &self,
        site: SiteId,
        since_ms: i64,
    ) -> Result<(u64, u64), StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS enrolled, \
             COUNT(CASE WHEN COALESCE(last_seen_at, enrolled_at, 0) >= $1 THEN 1 END) AS online \
             FROM controllers WHERE site_id = $2 AND public_key IS NOT NULL AND revoked_at IS NULL",
        )
        .bind(since_ms)
        .bind(i64::from(site.0))
        .fetch_one(self.pool())
        .await?;
        Ok((get_u64(&row, "enrolled")?, get_u64(&row, "online")?))
    }

    /// The alarms not cleared or not acknowledged, counted by kind (kinds with neither are
    /// left out).
    pub async fn open_alarm_counts(&self, site: SiteId) -> Result<Vec<OpenAlarmCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, COUNT(CASE WHEN cleared_at IS NULL THEN 1 END) AS uncleared, \
             COUNT(CASE WHEN acknowledged_at IS NULL THEN 1 END) AS unacknowledged \
             FROM alarms WHERE site_id = $1 AND (cleared_at IS NULL OR acknowledged_at IS NULL) \
             GROUP BY kind ORDER BY kind",
        )
        .bind(i64::from(site.0))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(OpenAlarmCount {
                    kind: row.try_get("kind")?,
                    uncleared: get_u64(row, "uncleared")?,
                    unacknowledged: get_u64(row, "unacknowledged")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}
