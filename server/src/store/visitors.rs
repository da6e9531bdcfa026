//! Visitors and their passes: registering a visitor with a host, issuing a pass for some
//! zones and a window, and ending it at check-out or by revocation (which puts its serial
//! on every controller's revocation list).

use super::columns::{flag, get_flag, get_u64, id};
use super::passes::{IssuedPass, Window, key_id_hex, register_pass, revoke_pass};
use super::people::contains_pattern;
use super::zones_doors::{require_found, require_in_site};
use super::{Store, StoreError};
use gatehouse_core::credential::{CredentialKind, KeyId};
use gatehouse_core::ids::{PassSerial, PersonId, SiteId, VisitorId, ZoneId};
use gatehouse_core::model::VisitorPassStatus;
use gatehouse_core::time::Timestamp;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

/// The most zones one pass may name (a QR must stay scannable).
pub const MAX_PASS_ZONES: usize = 16;
/// How many visitors a list answers at most.
pub const MAX_VISITORS_LISTED: u32 = 200;

/// A visitor to register.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVisitor {
    /// Their name as they give it.
    pub display_name: String,
    /// Who they are with.
    #[serde(default)]
    pub company: Option<String>,
    /// Where to send the invitation.
    #[serde(default)]
    pub email: Option<String>,
    /// The member of staff responsible for them.
    #[schema(value_type = u64)]
    pub host: PersonId,
}

/// A visitor as stored. After the retention period their personal data is purged: the
/// name and contact become empty and `purged` true; the id stays, so events and audit
/// chains that name it stay intact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct VisitorRecord {
    /// The visitor's pseudonymous id (a pass's `sub` is `v<id>`).
    #[schema(value_type = u64)]
    pub id: VisitorId,
    /// Their name.
    pub display_name: String,
    /// Who they are with.
    pub company: Option<String>,
    /// Their e-mail.
    pub email: Option<String>,
    /// Their host.
    #[schema(value_type = u64)]
    pub host: PersonId,
    /// When registered (Unix ms).
    #[schema(value_type = i64)]
    pub created_at: Timestamp,
    /// Whether their personal data has been purged.
    pub purged: bool,
}

/// Which visitors to list.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct VisitorQuery {
    /// Only this host's visitors.
    #[serde(default)]
    pub host: Option<u64>,
    /// Name contains this (case-insensitive).
    #[serde(default)]
    pub q: Option<String>,
}

/// A pass to issue to a visitor.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVisitorPass {
    /// Zones the pass opens (1 to 16).
    #[schema(value_type = Vec<u32>)]
    pub zones: Vec<ZoneId>,
    /// Whether a member of staff must badge first at every door.
    #[serde(default)]
    pub escort: bool,
    /// Valid from (Unix ms; default now).
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub not_before: Option<Timestamp>,
    /// Valid until, exclusive (Unix ms).
    #[schema(value_type = i64)]
    pub expires: Timestamp,
}

/// A visitor pass as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct VisitorPassRecord {
    /// The serial in the QR.
    #[schema(value_type = u64)]
    pub serial: PassSerial,
    /// Whose it is.
    #[schema(value_type = u64)]
    pub visitor: VisitorId,
    /// Their host.
    #[schema(value_type = u64)]
    pub host: PersonId,
    /// Zones it opens.
    #[schema(value_type = Vec<u32>)]
    pub zones: Vec<ZoneId>,
    /// Escort required.
    pub escort: bool,
    /// Valid from (Unix ms, whole seconds).
    #[schema(value_type = i64)]
    pub not_before: Timestamp,
    /// Valid until, exclusive (Unix ms, whole seconds).
    #[schema(value_type = i64)]
    pub expires: Timestamp,
    /// When it was signed.
    #[schema(value_type = i64)]
    pub issued_at: Timestamp,
    /// The signing key's id (hex).
    #[schema(value_type = String)]
    #[serde(serialize_with = "key_id_hex")]
    pub key_id: KeyId,
    /// Active, checked out or revoked.
    #[schema(value_type = String)]
    pub status: VisitorPassStatus,
}

fn status_text(s: VisitorPassStatus) -> &'static str {
    match s {
        VisitorPassStatus::Active => "active",
        VisitorPassStatus::CheckedOut => "checked_out",
        VisitorPassStatus::Revoked => "revoked",
    }
}

fn parse_status(text: &str) -> Result<VisitorPassStatus, sqlx::Error> {
    Ok(match text {
        "active" => VisitorPassStatus::Active,
        "checked_out" => VisitorPassStatus::CheckedOut,
        "revoked" => VisitorPassStatus::Revoked,
        other => {
            return Err(sqlx::Error::Decode(
                format!("visitor pass status {other:?}").into(),
            ));
        }
    })
}

const VISITOR_COLUMNS: &str = "id, display_name, company, email, host_id, created_at, CASE WHEN purged_at IS NULL THEN 0 ELSE 1 END AS purged";

impl VisitorRecord {
    fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(VisitorRecord {
            id: VisitorId(get_u64(row, "id")?),
            display_name: row.try_get("display_name")?,
            company: row.try_get("company")?,
            email: row.try_get("email")?,
            host: PersonId(get_u64(row, "host_id")?),
            created_at: Timestamp(row.try_get("created_at")?),
            purged: get_flag(row, "purged")?,
        })
    }
}

const VISITOR_PASS_COLUMNS: &str = "p.serial, p.kind, p.subject, p.key_id, p.not_before, \
     p.expires, p.issued_at, p.revoked_at, v.visitor_id, v.host_id, v.zones, v.escort, v.status";

impl VisitorPassRecord {
    fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        let pass = IssuedPass::from_row(row)?;
        let zones: String = row.try_get("zones")?;
        let zones = serde_json::from_str(&zones)
            .map_err(|e| sqlx::Error::Decode(format!("visitor pass zones: {e}").into()))?;
        Ok(VisitorPassRecord {
            serial: pass.serial,
            visitor: VisitorId(get_u64(row, "visitor_id")?),
            host: PersonId(get_u64(row, "host_id")?),
            zones,
            escort: get_flag(row, "escort")?,
            not_before: pass.not_before,
            expires: pass.expires,
            issued_at: pass.issued_at,
            key_id: pass.key_id,
            status: parse_status(&row.try_get::<String, _>("status")?)?,
        })
    }
}

fn text_field(field: &'static str, value: &str, max: usize) -> Result<(), StoreError> {
    if value.trim().is_empty() {
        return Err(StoreError::Invalid {
            field,
            message: "must not be empty".into(),
        });
    }
    if value.chars().count() > max {
        return Err(StoreError::Invalid {
            field,
            message: format!("at most {max} characters"),
        });
    }
    Ok(())
}

impl Store {
    /// Registers a visitor with their host.
    pub async fn create_visitor(
        &self,
        site: SiteId,
        v: &NewVisitor,
        now: Timestamp,
    ) -> Result<VisitorRecord, StoreError> {
        text_field("display_name", &v.display_name, 200)?;
        if let Some(company) = &v.company {
            text_field("company", company, 200)?;
        }
        if let Some(email) = &v.email {
            if !email.contains('@') || email.chars().count() > 254 {
                return Err(StoreError::Invalid {
                    field: "email",
                    message: "not an e-mail address".into(),
                });
            }
        }
        let mut tx = self.begin_write().await?;
        require_in_site(&mut tx, "people", "host", site, id(v.host.0)).await?;
        let row = sqlx::query(&format!(
            "INSERT INTO visitors (site_id, display_name, company, email, host_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {VISITOR_COLUMNS}"
        ))
        .bind(i64::from(site.0))
        .bind(v.display_name.trim())
        .bind(v.company.as_deref().map(str::trim))
        .bind(v.email.as_deref().map(str::trim))
        .bind(id(v.host.0))
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(VisitorRecord::from_row(&row)?)
    }

    /// A visitor.
    pub async fn visitor(
        &self,
        site: SiteId,
        visitor: VisitorId,
    ) -> Result<VisitorRecord, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {VISITOR_COLUMNS} FROM visitors WHERE id = $1 AND site_id = $2"
        ))
        .bind(id(visitor.0))
        .bind(i64::from(site.0))
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound {
            what: "visitor",
            id: id(visitor.0),
        })?;
        Ok(VisitorRecord::from_row(&row)?)
    }

    /// Visitors, newest first, at most [`MAX_VISITORS_LISTED`].
    pub async fn visitors(
        &self,
        site: SiteId,
        q: &VisitorQuery,
    ) -> Result<Vec<VisitorRecord>, StoreError> {
        let mut sql = format!("SELECT {VISITOR_COLUMNS} FROM visitors WHERE site_id = $1");
        let mut n = 1;
        if q.host.is_some() {
            n += 1;
            sql.push_str(&format!(" AND host_id = ${n}"));
        }
        if q.q.is_some() {
            n += 1;
            sql.push_str(&format!(" AND LOWER(display_name) LIKE ${n} ESCAPE '\\'"));
        }
        sql.push_str(&format!(" ORDER BY id DESC LIMIT {MAX_VISITORS_LISTED}"));
        let mut query = sqlx::query(&sql).bind(i64::from(site.0));
        if let Some(host) = q.host {
            query = query.bind(id(host));
        }
        if let Some(text) = &q.q {
            query = query.bind(contains_pattern(text.trim()));
        }
        let rows = query.fetch_all(self.pool()).await?;
        Ok(rows
            .iter()
            .map(VisitorRecord::from_row)
            .collect::<Result<_, _>>()?)
    }

    /// Registers a pass for a visitor, to be signed with `key_id`. The window is cut to
    /// whole seconds, as the QR carries it.
    pub async fn issue_visitor_pass(
        &self,
        site: SiteId,
        visitor: VisitorId,
        p: &NewVisitorPass,
        key_id: KeyId,
        now: Timestamp,
    ) -> Result<VisitorPassRecord, StoreError> {
        if p.zones.is_empty() || p.zones.len() > MAX_PASS_ZONES {
            return Err(StoreError::Invalid {
                field: "zones",
                message: format!("name 1 to {MAX_PASS_ZONES} zones"),
            });
        }
        let mut zones = p.zones.clone();
        zones.sort();
        zones.dedup();
        let window = Window {
            not_before: p.not_before.unwrap_or(now),
            expires: p.expires,
        }
        .in_whole_seconds(now)?;
        let mut tx = self.begin_write().await?;
        require_found(&mut tx, "visitors", "visitor", site, id(visitor.0)).await?;
        let (host, purged): (i64, Option<i64>) =
            sqlx::query_as("SELECT host_id, purged_at FROM visitors WHERE id = $1")
                .bind(id(visitor.0))
                .fetch_one(&mut *tx)
                .await?;
        if purged.is_some() {
            return Err(StoreError::Invalid {
                field: "visitor",
                message: "this visitor's record was purged; register them again".into(),
            });
        }
        for zone in &zones {
            require_in_site(&mut tx, "zones", "zones", site, i64::from(zone.0)).await?;
        }
        let subject = format!("v{}", visitor.0);
        let pass = register_pass(
            &mut tx,
            site,
            CredentialKind::Visitor,
            &subject,
            key_id,
            window,
            now,
        )
        .await?;
        sqlx::query(
            "INSERT INTO visitor_passes (serial, visitor_id, host_id, zones, escort, status, status_changed_at) \
             VALUES ($1, $2, $3, $4, $5, 'active', $6)",
        )
        .bind(id(pass.serial.0))
        .bind(id(visitor.0))
        .bind(host)
        .bind(serde_json::to_string(&zones).expect("zone ids serialize"))
        .bind(flag(p.escort))
        .bind(now.0)
        .execute(&mut *tx)
        .await?;
        let record = visitor_pass_in(&mut tx, site, pass.serial).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// A visitor pass.
    pub async fn visitor_pass(
        &self,
        site: SiteId,
        serial: PassSerial,
    ) -> Result<VisitorPassRecord, StoreError> {
        let mut conn = self.pool().acquire().await?;
        visitor_pass_in(&mut conn, site, serial).await
    }

    /// A visitor's passes, newest first.
    pub async fn visitor_passes_of(
        &self,
        site: SiteId,
        visitor: VisitorId,
    ) -> Result<Vec<VisitorPassRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {VISITOR_PASS_COLUMNS} FROM visitor_passes v JOIN passes p ON p.serial = v.serial \
             WHERE v.visitor_id = $1 AND p.site_id = $2 ORDER BY p.serial DESC"
        ))
        .bind(id(visitor.0))
        .bind(i64::from(site.0))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(VisitorPassRecord::from_row)
            .collect::<Result<_, _>>()?)
    }

    /// The zones a person may enter by their groups' grants: each granted zone and the
    /// zones inside it, except those marked explicit-grant-only (as `decide()` reads
    /// grants), whatever the schedule.
    pub async fn zones_open_to(
        &self,
        site: SiteId,
        person: PersonId,
    ) -> Result<Vec<ZoneId>, StoreError> {
        let granted: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT g.zone_id FROM group_grants g \
             JOIN group_members m ON m.group_id = g.group_id \
             JOIN people p ON p.id = m.person_id WHERE p.site_id = $1 AND m.person_id = $2",
        )
        .bind(i64::from(site.0))
        .bind(id(person.0))
        .fetch_all(self.pool())
        .await?;
        let zones = self.zones(site).await?;
        let mut open: Vec<ZoneId> = Vec::new();
        for zone in &zones {
            // Walk up from the zone: open if a granted zone is met before an explicit one
            // (other than the zone itself being granted).
            let mut at = Some(zone);
            while let Some(z) = at {
                if granted.contains(&i64::from(z.id.0)) {
                    open.push(zone.id);
                    break;
                }
                if z.rules.explicit_grant_only {
                    break;
                }
                at = z
                    .parent
                    .and_then(|p| zones.iter().find(|candidate| candidate.id == p));
            }
        }
        Ok(open)
    }

    /// Purges the personal data of visitors whose visit ended before `cutoff`: every pass
    /// ended (checked out, revoked, or expired) before it, or none issued and registered
    /// before it. The name becomes empty and company and e-mail are dropped; the id stays,
    /// so events, passes and audit chains that name it keep their meaning. Returns how many
    /// were purged.
    pub async fn purge_visitors(
        &self,
        site: SiteId,
        cutoff: Timestamp,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE visitors SET display_name = '', company = NULL, email = NULL, purged_at = $1 \
             WHERE site_id = $2 AND purged_at IS NULL AND created_at < $3 AND NOT EXISTS ( \
               SELECT 1 FROM visitor_passes v JOIN passes p ON p.serial = v.serial \
               WHERE v.visitor_id = visitors.id AND ( \
                 (v.status = 'active' AND p.expires >= $3) \
                 OR (v.status <> 'active' AND v.status_changed_at >= $3)))",
        )
        .bind(now.0)
        .bind(i64::from(site.0))
        .bind(cutoff.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    /// Ends an active pass — the visitor checked out, or staff revoked it — and revokes its
    /// serial, so every door refuses it from the next bundle on. A pass already ended:
    /// 422 `status`.
    pub async fn end_visitor_pass(
        &self,
        site: SiteId,
        serial: PassSerial,
        status: VisitorPassStatus,
        now: Timestamp,
    ) -> Result<VisitorPassRecord, StoreError> {
        debug_assert_ne!(status, VisitorPassStatus::Active);
        let mut tx = self.begin_write().await?;
        let current = visitor_pass_in(&mut tx, site, serial).await?;
        if current.status != VisitorPassStatus::Active {
            return Err(StoreError::Invalid {
                field: "status",
                message: format!("the pass is already {}", status_text(current.status)),
            });
        }
        sqlx::query(
            "UPDATE visitor_passes SET status = $1, status_changed_at = $2 WHERE serial = $3",
        )
        .bind(status_text(status))
        .bind(now.0)
        .bind(id(serial.0))
        .execute(&mut *tx)
        .await?;
        revoke_pass(&mut tx, site, serial, now).await?;
        let record = visitor_pass_in(&mut tx, site, serial).await?;
        tx.commit().await?;
        Ok(record)
    }
}

async fn visitor_pass_in(
    conn: &mut sqlx::AnyConnection,
    site: SiteId,
    serial: PassSerial,
) -> Result<VisitorPassRecord, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {VISITOR_PASS_COLUMNS} FROM visitor_passes v JOIN passes p ON p.serial = v.serial \
         WHERE v.serial = $1 AND p.site_id = $2"
    ))
    .bind(id(serial.0))
    .bind(i64::from(site.0))
    .fetch_optional(conn)
    .await?
    .ok_or(StoreError::NotFound {
        what: "visitor pass",
        id: id(serial.0),
    })?;
    Ok(VisitorPassRecord::from_row(&row)?)
}
