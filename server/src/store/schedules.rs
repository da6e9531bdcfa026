//! Schedules and holiday calendars.

use super::columns::{get_opt_u32, get_u32};
use super::sites::bump_policy;
use super::zones_doors::{require_in_site, require_name};
use super::{Store, StoreError};
use chrono::NaiveDate;
use gatehouse_core::ids::{CalendarId, ScheduleId, SiteId};
use gatehouse_core::model::{TimeRange, WeeklyWindow};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::BTreeSet;

/// A schedule as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ScheduleRecord {
    /// The schedule.
    #[schema(value_type = u32)]
    pub id: ScheduleId,
    /// Its name.
    pub name: String,
    /// Weekly windows (days: bit 0 Monday … bit 6 Sunday; minutes after midnight).
    #[schema(value_type = Vec<Object>)]
    pub windows: Vec<WeeklyWindow>,
    /// Holidays on which the weekly windows do not apply.
    #[schema(value_type = Option<u32>)]
    pub holiday_calendar: Option<CalendarId>,
    /// The hours that apply on a holiday instead.
    #[schema(value_type = Vec<Object>)]
    pub holiday_windows: Vec<TimeRange>,
}

/// A new schedule.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSchedule {
    /// Its name.
    pub name: String,
    /// Weekly windows.
    #[schema(value_type = Vec<Object>)]
    pub windows: Vec<WeeklyWindow>,
    /// Holiday calendar.
    #[serde(default)]
    #[schema(value_type = Option<u32>)]
    pub holiday_calendar: Option<CalendarId>,
    /// Hours on holidays.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub holiday_windows: Vec<TimeRange>,
}

/// A holiday calendar as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CalendarRecord {
    /// The calendar.
    #[schema(value_type = u32)]
    pub id: CalendarId,
    /// Its name.
    pub name: String,
    /// Its dates.
    #[schema(value_type = Vec<String>)]
    pub dates: BTreeSet<NaiveDate>,
}

fn check_ranges<'a>(
    field: &'static str,
    ranges: impl IntoIterator<Item = &'a TimeRange>,
) -> Result<(), StoreError> {
    for r in ranges {
        TimeRange::new(r.start, r.end).map_err(|e| StoreError::Invalid {
            field,
            message: e.to_string(),
        })?;
    }
    Ok(())
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("schedule windows serialize")
}

fn from_json<T: serde::de::DeserializeOwned>(row: &AnyRow, column: &str) -> Result<T, sqlx::Error> {
    let text: String = row.try_get(column)?;
    serde_json::from_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

impl ScheduleRecord {
    fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(ScheduleRecord {
            id: ScheduleId(get_u32(row, "id")?),
            name: row.try_get("name")?,
            windows: from_json(row, "windows")?,
            holiday_calendar: get_opt_u32(row, "holiday_calendar_id")?.map(CalendarId),
            holiday_windows: from_json(row, "holiday_windows")?,
        })
    }
}

const SCHEDULE_COLUMNS: &str = "id, name, windows, holiday_calendar_id, holiday_windows";

impl Store {
    /// Creates a schedule.
    pub async fn create_schedule(
        &self,
        site: SiteId,
        s: &NewSchedule,
    ) -> Result<ScheduleRecord, StoreError> {
        require_name(&s.name)?;
        check_ranges("windows", s.windows.iter().map(|w| &w.time))?;
        check_ranges("holiday_windows", &s.holiday_windows)?;
        if s.windows.iter().any(|w| w.days.0 == 0 || w.days.0 > 0x7f) {
            return Err(StoreError::Invalid {
                field: "windows",
                message: "days must name 1 to 7 weekdays".into(),
            });
        }
        let mut tx = self.begin_write().await?;
        if let Some(c) = s.holiday_calendar {
            require_in_site(
                &mut tx,
                "holiday_calendars",
                "holiday_calendar",
                site,
                i64::from(c.0),
            )
            .await?;
        }
        let row = sqlx::query(&format!(
            "INSERT INTO schedules (site_id, name, windows, holiday_calendar_id, holiday_windows) \
             VALUES ($1, $2, $3, $4, $5) RETURNING {SCHEDULE_COLUMNS}"
        ))
        .bind(i64::from(site.0))
        .bind(&s.name)
        .bind(json(&s.windows))
        .bind(s.holiday_calendar.map(|c| i64::from(c.0)))
        .bind(json(&s.holiday_windows))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::on_constraint(e, "name", "holiday_calendar"))?;
        bump_policy(&mut tx, site).await?;
        tx.commit().await?;
        Ok(ScheduleRecord::from_row(&row)?)
    }

    /// The site's schedules, by id.
    pub async fn schedules(&self, site: SiteId) -> Result<Vec<ScheduleRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {SCHEDULE_COLUMNS} FROM schedules WHERE site_id = $1 ORDER BY id"
        ))
        .bind(i64::from(site.0))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(ScheduleRecord::from_row)
            .collect::<Result<_, _>>()?)
    }

    /// Creates a holiday calendar with its dates.
    pub async fn create_calendar(
        &self,
        site: SiteId,
        name: &str,
        dates: &BTreeSet<NaiveDate>,
    ) -> Result<CalendarRecord, StoreError> {
        require_name(name)?;
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO holiday_calendars (site_id, name) VALUES ($1, $2) RETURNING id",
        )
        .bind(i64::from(site.0))
        .bind(name)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::on_constraint(e, "name", "site"))?;
        for date in dates {
            sqlx::query("INSERT INTO holidays (calendar_id, date, name) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(date.to_string())
                .bind("")
                .execute(&mut *tx)
                .await?;
        }
        bump_policy(&mut tx, site).await?;
        tx.commit().await?;
        let id = u32::try_from(id)
            .map_err(|_| sqlx::Error::Decode("calendar id out of range".into()))?;
        Ok(CalendarRecord {
            id: CalendarId(id),
            name: name.to_string(),
            dates: dates.clone(),
        })
    }

    /// The site's holiday calendars with their dates, by id.
    pub async fn calendars(&self, site: SiteId) -> Result<Vec<CalendarRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.id, c.name, h.date FROM holiday_calendars c \
             LEFT JOIN holidays h ON h.calendar_id = c.id WHERE c.site_id = $1 ORDER BY c.id, h.date",
        )
        .bind(i64::from(site.0))
        .fetch_all(self.pool())
        .await?;
        let mut out: Vec<CalendarRecord> = Vec::new();
        for row in rows {
            let id = CalendarId(get_u32(&row, "id")?);
            if out.last().is_none_or(|c| c.id != id) {
                out.push(CalendarRecord {
                    id,
                    name: row.try_get("name")?,
                    dates: BTreeSet::new(),
                });
            }
            if let Some(date) = row.try_get::<Option<String>, _>("date")? {
                let date = date.parse().map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
                out.last_mut().expect("pushed above").dates.insert(date);
            }
        }
        Ok(out)
    }
}
