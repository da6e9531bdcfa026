//! Zones, doors and controllers: the shape of the site.

use super::columns::{flag, get_flag, get_opt_u32, get_u32};
use super::sites::bump_policy;
use super::{Store, StoreError};
use gatehouse_core::ids::{ControllerId, DoorId, ScheduleId, SiteId, ZoneId};
use gatehouse_core::model::ZoneRules;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

/// A zone as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ZoneRecord {
    /// The zone.
    #[schema(value_type = u32)]
    pub id: ZoneId,
    /// Its name, unique in the site.
    pub name: String,
    /// The zone it is inside.
    #[schema(value_type = Option<u32>)]
    pub parent: Option<ZoneId>,
    /// Its door rules.
    #[schema(value_type = Object)]
    pub rules: ZoneRules,
}

/// A new zone.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewZone {
    /// Its name, unique in the site.
    pub name: String,
    /// The zone it is inside.
    #[schema(value_type = Option<u32>)]
    pub parent: Option<ZoneId>,
    /// Its door rules.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub rules: ZoneRules,
}

/// A door as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DoorRecord {
    /// The door.
    #[schema(value_type = u32)]
    pub id: DoorId,
    /// Its name, unique in the site.
    pub name: String,
    /// The zone it leads into.
    #[schema(value_type = u32)]
    pub zone: ZoneId,
    /// The controller that drives it.
    #[schema(value_type = Option<u32>)]
    pub controller: Option<ControllerId>,
    /// Unlocked during this schedule.
    #[schema(value_type = Option<u32>)]
    pub unlock_schedule: Option<ScheduleId>,
    /// Scheduled unlock waits for the first authorised card.
    pub first_card_unlock: bool,
}

/// A new door.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDoor {
    /// Its name, unique in the site.
    pub name: String,
    /// The zone it leads into.
    #[schema(value_type = u32)]
    pub zone: ZoneId,
    /// The controller that drives it.
    #[schema(value_type = Option<u32>)]
    pub controller: Option<ControllerId>,
    /// Unlocked during this schedule.
    #[schema(value_type = Option<u32>)]
    pub unlock_schedule: Option<ScheduleId>,
    /// Scheduled unlock waits for the first authorised card.
    #[serde(default)]
    pub first_card_unlock: bool,
}

/// A door controller as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ControllerRecord {
    /// The controller.
    #[schema(value_type = u32)]
    pub id: ControllerId,
    /// Its name, unique in the site.
    pub name: String,
    /// Whether it has enrolled (registered its key).
    pub enrolled: bool,
    /// When it last called in (Unix ms).
    pub last_seen_at: Option<i64>,
}

impl ZoneRecord {
    fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(ZoneRecord {
            id: ZoneId(get_u32(row, "id")?),
            name: row.try_get("name")?,
            parent: get_opt_u32(row, "parent_id")?.map(ZoneId),
            rules: ZoneRules {
                explicit_grant_only: get_flag(row, "explicit_grant_only")?,
                two_person: get_flag(row, "two_person")?,
                pin_required: get_flag(row, "pin_required")?,
                anti_passback: get_flag(row, "anti_passback")?,
            },
        })
    }
}

impl DoorRecord {
    fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(DoorRecord {
            id: DoorId(get_u32(row, "id")?),
            name: row.try_get("name")?,
            zone: ZoneId(get_u32(row, "zone_id")?),
            controller: get_opt_u32(row, "controller_id")?.map(ControllerId),
            unlock_schedule: get_opt_u32(row, "unlock_schedule_id")?.map(ScheduleId),
            first_card_unlock: get_flag(row, "first_card_unlock")?,
        })
    }
}

impl ControllerRecord {
    fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(ControllerRecord {
            id: ControllerId(get_u32(row, "id")?),
            name: row.try_get("name")?,
            enrolled: row.try_get::<Option<Vec<u8>>, _>("public_key")?.is_some(),
            last_seen_at: row.try_get("last_seen_at")?,
        })
    }
}

const ZONE_COLUMNS: &str =
    "id, name, parent_id, explicit_grant_only, two_person, pin_required, anti_passback";
const DOOR_COLUMNS: &str =
    "id, name, zone_id, controller_id, unlock_schedule_id, first_card_unlock";
const CONTROLLER_COLUMNS: &str = "id, name, public_key, last_seen_at";

/// Whether a row of `table` with `id` exists in `site`.
async fn exists_in_site(
    conn: &mut sqlx::AnyConnection,
    table: &'static str,
    site: SiteId,
    id: i64,
) -> Result<bool, StoreError> {
    let found: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT id FROM {table} WHERE id = $1 AND site_id = $2"
    ))
    .bind(id)
    .bind(i64::from(site.0))
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// Checks that a row of `table` with `id` exists in `site`, for a field naming it.
pub(crate) async fn require_in_site(
    conn: &mut sqlx::AnyConnection,
    table: &'static str,
    field: &'static str,
    site: SiteId,
    id: i64,
) -> Result<(), StoreError> {
    if exists_in_site(conn, table, site, id).await? {
        return Ok(());
    }
    Err(StoreError::Invalid {
        field,
        message: format!("no {} {id} in this site", table.trim_end_matches('s')),
    })
}

/// Checks that a row of `table` with `id` exists in `site`, for an id the caller named as
/// the subject of a request (a path, not a field): missing, it is not found.
pub(crate) async fn require_found(
    conn: &mut sqlx::AnyConnection,
    table: &'static str,
    what: &'static str,
    site: SiteId,
    id: i64,
) -> Result<(), StoreError> {
    if exists_in_site(conn, table, site, id).await? {
        return Ok(());
    }
    Err(StoreError::NotFound { what, id })
}

/// Checks a name: 1 to 200 characters, not all blank.
pub(crate) fn require_name(name: &str) -> Result<(), StoreError> {
    if name.trim().is_empty() || name.len() > 200 {
        return Err(StoreError::Invalid {
            field: "name",
            message: "must be 1 to 200 characters".into(),
        });
    }
    Ok(())
}

impl Store {
    /// Creates a zone.
    pub async fn create_zone(
        &self,
        site: SiteId,
        zone: &NewZone,
    ) -> Result<ZoneRecord, StoreError> {
        require_name(&zone.name)?;
        let mut tx = self.begin_write().await?;
        if let Some(parent) = zone.parent {
            require_in_site(&mut tx, "zones", "parent", site, i64::from(parent.0)).await?;
        }
        let row = sqlx::query(&format!(
            "INSERT INTO zones (site_id, name, parent_id, explicit_grant_only, two_person, pin_required, anti_passback) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {ZONE_COLUMNS}"
        ))
        .bind(i64::from(site.0))
        .bind(&zone.name)
        .bind(zone.parent.map(|p| i64::from(p.0)))
        .bind(flag(zone.rules.explicit_grant_only))
        .bind(flag(zone.rules.two_person))
        .bind(flag(zone.rules.pin_required))
        .bind(flag(zone.rules.anti_passback))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::on_constraint(e, "name", "parent"))?;
        bump_policy(&mut tx, site).await?;
        tx.commit().await?;
        Ok(ZoneRecord::from_row(&row)?)
    }

    /// The site's zones, by id.
    pub async fn zones(&self, site: SiteId) -> Result<Vec<ZoneRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ZONE_COLUMNS} FROM zones WHERE site_id = $1 ORDER BY id"
        ))
        .bind(i64::from(site.0))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(ZoneRecord::from_row)
            .collect::<Result<_, _>>()?)
    }

    /// A zone of the site.
    pub async fn zone(&self, site: SiteId, zone: ZoneId) -> Result<ZoneRecord, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {ZONE_COLUMNS} FROM zones WHERE id = $1 AND site_id = $2"
        ))
        .bind(i64::from(zone.0))
        .bind(i64::from(site.0))
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound {
            what: "zone",
            id: i64::from(zone.0),
        })?;
        Ok(ZoneRecord::from_row(&row)?)
    }

    /// Creates a door.
    pub async fn create_door(
        &self,
        site: SiteId,
        door: &NewDoor,
    ) -> Result<DoorRecord, StoreError> {
        require_name(&door.name)?;
        let mut tx = self.begin_write().await?;
        require_in_site(&mut tx, "zones", "zone", site, i64::from(door.zone.0)).await?;
        if let Some(c) = door.controller {
            require_in_site(&mut tx, "controllers", "controller", site, i64::from(c.0)).await?;
        }
        if let Some(s) = door.unlock_schedule {
            require_in_site(
                &mut tx,
                "schedules",
                "unlock_schedule",
                site,
                i64::from(s.0),
            )
            .await?;
        }
        let row = sqlx::query(&format!(
            "INSERT INTO doors (site_id, name, zone_id, controller_id, unlock_schedule_id, first_card_unlock) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {DOOR_COLUMNS}"
        ))
        .bind(i64::from(site.0))
        .bind(&door.name)
        .bind(i64::from(door.zone.0))
        .bind(door.controller.map(|c| i64::from(c.0)))
        .bind(door.unlock_schedule.map(|s| i64::from(s.0)))
        .bind(flag(door.first_card_unlock))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::on_constraint(e, "name", "zone"))?;
        bump_policy(&mut tx, site).await?;
        tx.commit().await?;
        Ok(DoorRecord::from_row(&row)?)
    }

    /// The site's doors, by id.
    pub async fn doors(&self, site: SiteId) -> Result<Vec<DoorRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {DOOR_COLUMNS} FROM doors WHERE site_id = $1 ORDER BY id"
        ))
        .bind(i64::from(site.0))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(DoorRecord::from_row)
            .collect::<Result<_, _>>()?)
    }

    /// Creates a controller (not yet enrolled).
    pub async fn create_controller(
        &self,
        site: SiteId,
        name: &str,
    ) -> Result<ControllerRecord, StoreError> {
        require_name(name)?;
        let row = sqlx::query(&format!(
            "INSERT INTO controllers (site_id, name) VALUES ($1, $2) RETURNING {CONTROLLER_COLUMNS}"
        ))
        .bind(i64::from(site.0))
        .bind(name)
        .fetch_one(self.pool())
        .await
        .map_err(|e| StoreError::on_constraint(e, "name", "site"))?;
        Ok(ControllerRecord::from_row(&row)?)
    }

    /// The site's controllers, by id.
    pub async fn controllers(&self, site: SiteId) -> Result<Vec<ControllerRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {CONTROLLER_COLUMNS} FROM controllers WHERE site_id = $1 ORDER BY id"
        ))
        .bind(i64::from(site.0))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(ControllerRecord::from_row)
            .collect::<Result<_, _>>()?)
    }
}
