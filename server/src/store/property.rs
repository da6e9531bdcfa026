//! Property passes: permission for one person to take listed items out of the building.
//! A pass is requested, then approved (which registers and signs its QR) or refused; a
//! guard logs the items leaving and, if they were to come back, their return. Revoking an
//! approved pass puts its serial on the revocation lists.

use super::columns::{get_u64, id};
use super::passes::{IssuedPass, Window, register_pass, revoke_pass};
use super::zones_doors::require_in_site;
use super::{Store, StoreError};
use gatehouse_core::credential::{CredentialKind, KeyId};
use gatehouse_core::ids::{PassSerial, PersonId, SiteId};
use gatehouse_core::model::{Item, ItemId, PropertyPassStatus};
use gatehouse_core::time::Timestamp;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

/// The most items on one pass (its QR names each).
pub const MAX_ITEMS: usize = 20;

/// An item to list on a request.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    /// The company's asset tag.
    #[serde(default)]
    pub asset_tag: Option<String>,
    /// The maker's serial number.
    #[serde(default)]
    pub serial_number: Option<String>,
    /// What it is ("ThinkPad T14, grey").
    pub description: String,
}

/// A request to take items out.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPropertyPass {
    /// Who carries the items out.
    #[schema(value_type = u64)]
    pub carrier: PersonId,
    /// What leaves (1 to 20 items).
    pub items: Vec<NewItem>,
    /// Why (repair, home office, loan…).
    pub reason: String,
    /// From when the items may leave (Unix ms; default now).
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub not_before: Option<Timestamp>,
    /// Until when (Unix ms, exclusive).
    #[schema(value_type = i64)]
    pub expires: Timestamp,
    /// When they are due back, if they are coming back (Unix ms).
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub return_by: Option<Timestamp>,
}

/// An item as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ItemRecord {
    /// The item's id (the QR names items by id).
    #[schema(value_type = u64)]
    pub id: ItemId,
    /// Asset tag.
    pub asset_tag: Option<String>,
    /// Serial number.
    pub serial_number: Option<String>,
    /// Description.
    pub description: String,
}

impl From<ItemRecord> for Item {
    fn from(r: ItemRecord) -> Item {
        Item {
            id: r.id,
            asset_tag: r.asset_tag,
            serial_number: r.serial_number,
            description: r.description,
        }
    }
}

/// A property pass as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PropertyPassRecord {
    /// The request's id.
    pub id: u64,
    /// Who carries the items.
    #[schema(value_type = u64)]
    pub carrier: PersonId,
    /// The items.
    pub items: Vec<ItemRecord>,
    /// Why.
    pub reason: String,
    /// Valid from (Unix ms; whole seconds once approved).
    #[schema(value_type = i64)]
    pub not_before: Timestamp,
    /// Valid until, exclusive.
    #[schema(value_type = i64)]
    pub expires: Timestamp,
    /// Due back by.
    #[schema(value_type = Option<i64>)]
    pub return_by: Option<Timestamp>,
    /// Requested, approved, removed, returned or revoked.
    #[schema(value_type = String)]
    pub status: PropertyPassStatus,
    /// The QR's serial, once approved.
    #[schema(value_type = Option<u64>)]
    pub serial: Option<PassSerial>,
    /// The user who asked.
    pub requested_by: u64,
    /// The user who approved or refused.
    pub decided_by: Option<u64>,
}

/// Which property passes to list.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PropertyPassQuery {
    /// Only passes in this status.
    #[serde(default)]
    #[param(value_type = Option<String>)]
    pub status: Option<PropertyPassStatus>,
    /// Only this carrier's.
    #[serde(default)]
    pub carrier: Option<u64>,
}

/// How many property passes a list answers at most.
pub const MAX_PROPERTY_LISTED: u32 = 200;

fn status_text(s: PropertyPassStatus) -> &'static str {
    match s {
        PropertyPassStatus::Requested => "requested",
        PropertyPassStatus::Approved => "approved",
        PropertyPassStatus::Removed => "removed",
        PropertyPassStatus::Returned => "returned",
        PropertyPassStatus::Revoked => "revoked",
    }
}

fn parse_status(text: &str) -> Result<PropertyPassStatus, sqlx::Error> {
    Ok(match text {
        "requested" => PropertyPassStatus::Requested,
        "approved" => PropertyPassStatus::Approved,
        "removed" => PropertyPassStatus::Removed,
        "returned" => PropertyPassStatus::Returned,
        "revoked" => PropertyPassStatus::Revoked,
        other => {
            return Err(sqlx::Error::Decode(
                format!("property pass status {other:?}").into(),
            ));
        }
    })
}

const COLUMNS: &str = "id, carrier_id, reason, not_before, expires, return_by, status, serial, \
                       requested_by, decided_by";

fn record_from_row(
    row: &AnyRow,
    items: Vec<ItemRecord>,
) -> Result<PropertyPassRecord, sqlx::Error> {
    Ok(PropertyPassRecord {
        id: get_u64(row, "id")?,
        carrier: PersonId(get_u64(row, "carrier_id")?),
        items,
        reason: row.try_get("reason")?,
        not_before: Timestamp(row.try_get("not_before")?),
        expires: Timestamp(row.try_get("expires")?),
        return_by: row.try_get::<Option<i64>, _>("return_by")?.map(Timestamp),
        status: parse_status(&row.try_get::<String, _>("status")?)?,
        serial: row
            .try_get::<Option<i64>, _>("serial")?
            .map(|s| PassSerial(s.unsigned_abs())),
        requested_by: get_u64(row, "requested_by")?,
        decided_by: row
            .try_get::<Option<i64>, _>("decided_by")?
            .map(i64::unsigned_abs),
    })
}

fn optional_text(field: &'static str, value: &Option<String>) -> Result<(), StoreError> {
    match value {
        Some(v) if v.trim().is_empty() || v.chars().count() > 100 => Err(StoreError::Invalid {
            field,
            message: "1 to 100 characters, or leave it out".into(),
        }),
        _ => Ok(()),
    }
}

fn check_request(p: &NewPropertyPass) -> Result<(), StoreError> {
    if p.items.is_empty() || p.items.len() > MAX_ITEMS {
        return Err(StoreError::Invalid {
            field: "items",
            message: format!("list 1 to {MAX_ITEMS} items"),
        });
    }
    for item in &p.items {
        if item.description.trim().is_empty() || item.description.chars().count() > 200 {
            return Err(StoreError::Invalid {
                field: "items",
                message: "every item needs a description of 1 to 200 characters".into(),
            });
        }
        optional_text("items", &item.asset_tag)?;
        optional_text("items", &item.serial_number)?;
    }
    if p.reason.trim().is_empty() || p.reason.chars().count() > 500 {
        return Err(StoreError::Invalid {
            field: "reason",
            message: "1 to 500 characters".into(),
        });
    }
    if let Some(back) = p.return_by {
        if back < p.not_before.unwrap_or(Timestamp(i64::MIN)) {
            return Err(StoreError::Invalid {
                field: "return_by",
                message: "must not be before not_before".into(),
            });
        }
    }
    Ok(())
}

impl Store {
    /// Records a request; nothing is signed until it is approved.
    pub async fn request_property_pass(
        &self,
        site: SiteId,
        p: &NewPropertyPass,
        requested_by: u64,
        now: Timestamp,
    ) -> Result<PropertyPassRecord, StoreError> {
        check_request(p)?;
        let window = Window {
            not_before: p.not_before.unwrap_or(now),
            expires: p.expires,
        }
        .in_whole_seconds(now)?;
        let mut tx = self.begin_write().await?;
        require_in_site(&mut tx, "people", "carrier", site, id(p.carrier.0)).await?;
        let pass_id: i64 = sqlx::query_scalar(
            "INSERT INTO property_passes (site_id, carrier_id, reason, not_before, expires, return_by, \
             status, requested_by, requested_at, status_changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'requested', $7, $8, $8) RETURNING id",
        )
        .bind(i64::from(site.0))
        .bind(id(p.carrier.0))
        .bind(p.reason.trim())
        .bind(window.not_before.0)
        .bind(window.expires.0)
        .bind(p.return_by.map(|t| t.0))
        .bind(id(requested_by))
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        for item in &p.items {
            sqlx::query(
                "INSERT INTO property_items (property_pass_id, asset_tag, serial_number, description) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(pass_id)
            .bind(item.asset_tag.as_deref().map(str::trim))
            .bind(item.serial_number.as_deref().map(str::trim))
            .bind(item.description.trim())
            .execute(&mut *tx)
            .await?;
        }
        let record = property_pass_in(&mut tx, site, pass_id.unsigned_abs()).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// A property pass.
    pub async fn property_pass(
        &self,
        site: SiteId,
        pass: u64,
    ) -> Result<PropertyPassRecord, StoreError> {
        let mut conn = self.pool().acquire().await?;
        property_pass_in(&mut conn, site, pass).await
    }

    /// Property passes, newest first, at most [`MAX_PROPERTY_LISTED`].
    pub async fn property_passes(
        &self,
        site: SiteId,
        q: &PropertyPassQuery,
    ) -> Result<Vec<PropertyPassRecord>, StoreError> {
        let mut sql = "SELECT id FROM property_passes WHERE site_id = $1".to_string();
        let mut n = 1;
        if q.status.is_some() {
            n += 1;
            sql.push_str(&format!(" AND status = ${n}"));
        }
        if q.carrier.is_some() {
            n += 1;
            sql.push_str(&format!(" AND carrier_id = ${n}"));
        }
        sql.push_str(&format!(" ORDER BY id DESC LIMIT {MAX_PROPERTY_LISTED}"));
        let mut query = sqlx::query_scalar::<_, i64>(&sql).bind(i64::from(site.0));
        if let Some(status) = q.status {
            query = query.bind(status_text(status));
        }
        if let Some(carrier) = q.carrier {
            query = query.bind(id(carrier));
        }
        let ids = query.fetch_all(self.pool()).await?;
        let mut conn = self.pool().acquire().await?;
        let mut out = Vec::with_capacity(ids.len());
        for pass in ids {
            out.push(property_pass_in(&mut conn, site, pass.unsigned_abs()).await?);
        }
        Ok(out)
    }

    /// Approves a requested pass and registers its QR, to be signed with `key_id`. Only a
    /// requested pass can be approved (422 `status`).
    pub async fn approve_property_pass(
        &self,
        site: SiteId,
        pass: u64,
        approver: u64,
        key_id: KeyId,
        now: Timestamp,
    ) -> Result<(PropertyPassRecord, IssuedPass), StoreError> {
        let mut tx = self.begin_write().await?;
        let current = property_pass_in(&mut tx, site, pass).await?;
        require_status(&current, PropertyPassStatus::Requested, "approved")?;
        let window = Window {
            not_before: current.not_before.max(now),
            expires: current.expires,
        }
        .in_whole_seconds(now)?;
        let issued = register_pass(
            &mut tx,
            site,
            CredentialKind::Property,
            &current.carrier.0.to_string(),
            key_id,
            window,
            now,
        )
        .await?;
        let done = sqlx::query(
            "UPDATE property_passes SET status = 'approved', serial = $1, not_before = $2, \
             decided_by = $3, decided_at = $4, status_changed_at = $4 \
             WHERE id = $5 AND status = 'requested'",
        )
        .bind(id(issued.serial.0))
        .bind(window.not_before.0)
        .bind(id(approver))
        .bind(now.0)
        .bind(id(pass))
        .execute(&mut *tx)
        .await?;
        // Decided meanwhile by someone else (PostgreSQL runs transactions side by side):
        // dropping the transaction drops the pass registered above too.
        if done.rows_affected() != 1 {
            return Err(changed_meanwhile());
        }
        let record = property_pass_in(&mut tx, site, pass).await?;
        tx.commit().await?;
        Ok((record, issued))
    }

    /// Moves a pass on: refuse a request or revoke an approved pass (`Revoked`), log the
    /// items leaving (`Removed`, from approved) or coming back (`Returned`, from removed).
    /// Any other step: 422 `status`.
    pub async fn advance_property_pass(
        &self,
        site: SiteId,
        pass: u64,
        to: PropertyPassStatus,
        by: Option<u64>,
        now: Timestamp,
    ) -> Result<PropertyPassRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        let current = property_pass_in(&mut tx, site, pass).await?;
        match to {
            PropertyPassStatus::Removed => {
                require_status(&current, PropertyPassStatus::Approved, "removed")?;
                if now < current.not_before || now >= current.expires {
                    return Err(StoreError::Invalid {
                        field: "status",
                        message: "the pass is outside its validity window".into(),
                    });
                }
            }
            PropertyPassStatus::Returned => {
                require_status(&current, PropertyPassStatus::Removed, "returned")?;
            }
            PropertyPassStatus::Revoked => {
                if !matches!(
                    current.status,
                    PropertyPassStatus::Requested | PropertyPassStatus::Approved
                ) {
                    return Err(StoreError::Invalid {
                        field: "status",
                        message: format!(
                            "a {} pass cannot be revoked",
                            status_text(current.status)
                        ),
                    });
                }
            }
            PropertyPassStatus::Requested | PropertyPassStatus::Approved => {
                return Err(StoreError::Invalid {
                    field: "status",
                    message: format!("cannot move a pass to {}", status_text(to)),
                });
            }
        }
        let decided = current.status == PropertyPassStatus::Requested;
        let done = sqlx::query(
            "UPDATE property_passes SET status = $1, status_changed_at = $2, \
             decided_by = CASE WHEN $3 = 1 THEN $4 ELSE decided_by END, \
             decided_at = CASE WHEN $3 = 1 THEN $2 ELSE decided_at END \
             WHERE id = $5 AND status = $6",
        )
        .bind(status_text(to))
        .bind(now.0)
        .bind(i64::from(decided))
        .bind(by.map(id))
        .bind(id(pass))
        .bind(status_text(current.status))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(changed_meanwhile());
        }
        if let (PropertyPassStatus::Revoked, Some(serial)) = (to, current.serial) {
            revoke_pass(&mut tx, site, serial, now).await?;
        }
        let record = property_pass_in(&mut tx, site, pass).await?;
        tx.commit().await?;
        Ok(record)
    }
}

fn changed_meanwhile() -> StoreError {
    StoreError::Invalid {
        field: "status",
        message: "the pass changed meanwhile; read it again".into(),
    }
}

fn require_status(
    current: &PropertyPassRecord,
    needed: PropertyPassStatus,
    to: &str,
) -> Result<(), StoreError> {
    if current.status == needed {
        return Ok(());
    }
    Err(StoreError::Invalid {
        field: "status",
        message: format!(
            "a {} pass cannot be {to}; it must be {}",
            status_text(current.status),
            status_text(needed)
        ),
    })
}

async fn property_pass_in(
    conn: &mut sqlx::AnyConnection,
    site: SiteId,
    pass: u64,
) -> Result<PropertyPassRecord, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM property_passes WHERE id = $1 AND site_id = $2"
    ))
    .bind(id(pass))
    .bind(i64::from(site.0))
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound {
        what: "property pass",
        id: id(pass),
    })?;
    let items = sqlx::query(
        "SELECT id, asset_tag, serial_number, description FROM property_items \
         WHERE property_pass_id = $1 ORDER BY id",
    )
    .bind(id(pass))
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(ItemRecord {
            id: ItemId(get_u64(r, "id")?),
            asset_tag: r.try_get("asset_tag")?,
            serial_number: r.try_get("serial_number")?,
            description: r.try_get("description")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(record_from_row(&row, items)?)
}
