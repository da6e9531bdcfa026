//! Access groups: sets of (zone, schedule) grants, and who belongs to them.

use super::columns::get_u32;
use super::sites::bump_policy;
use super::zones_doors::{require_found, require_in_site, require_name};
use super::{Store, StoreError};
use gatehouse_core::ids::{GroupId, PersonId, SiteId};
use gatehouse_core::model::Grant;
use serde::{Deserialize, Serialize};

/// An access group as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct GroupRecord {
    /// The group.
    #[schema(value_type = u32)]
    pub id: GroupId,
    /// Its name.
    pub name: String,
    /// What it grants.
    #[schema(value_type = Vec<Object>)]
    pub grants: Vec<Grant>,
}

/// A new access group.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    /// Its name.
    pub name: String,
    /// What it grants.
    #[schema(value_type = Vec<Object>)]
    pub grants: Vec<Grant>,
}

impl Store {
    /// Creates an access group with its grants.
    pub async fn create_group(
        &self,
        site: SiteId,
        group: &NewGroup,
    ) -> Result<GroupRecord, StoreError> {
        require_name(&group.name)?;
        let mut tx = self.begin_write().await?;
        for grant in &group.grants {
            require_in_site(
                &mut tx,
                "zones",
                "grants.zone",
                site,
                i64::from(grant.zone.0),
            )
            .await?;
            require_in_site(
                &mut tx,
                "schedules",
                "grants.schedule",
                site,
                i64::from(grant.schedule.0),
            )
            .await?;
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO access_groups (site_id, name) VALUES ($1, $2) RETURNING id",
        )
        .bind(i64::from(site.0))
        .bind(&group.name)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::on_constraint(e, "name", "site"))?;
        let mut grants = group.grants.clone();
        grants.sort();
        grants.dedup();
        for grant in &grants {
            sqlx::query(
                "INSERT INTO group_grants (group_id, zone_id, schedule_id) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(i64::from(grant.zone.0))
            .bind(i64::from(grant.schedule.0))
            .execute(&mut *tx)
            .await?;
        }
        bump_policy(&mut tx, site).await?;
        tx.commit().await?;
        let id =
            u32::try_from(id).map_err(|_| sqlx::Error::Decode("group id out of range".into()))?;
        Ok(GroupRecord {
            id: GroupId(id),
            name: group.name.clone(),
            grants,
        })
    }

    /// The site's groups with their grants, by id.
    pub async fn groups(&self, site: SiteId) -> Result<Vec<GroupRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT g.id, g.name, gg.zone_id, gg.schedule_id FROM access_groups g \
             LEFT JOIN group_grants gg ON gg.group_id = g.id WHERE g.site_id = $1 \
             ORDER BY g.id, gg.zone_id, gg.schedule_id",
        )
        .bind(i64::from(site.0))
        .fetch_all(self.pool())
        .await?;
        let mut out: Vec<GroupRecord> = Vec::new();
        for row in rows {
            use sqlx::Row;
            let id = GroupId(get_u32(&row, "id")?);
            if out.last().is_none_or(|g| g.id != id) {
                out.push(GroupRecord {
                    id,
                    name: row.try_get("name")?,
                    grants: Vec::new(),
                });
            }
            if let (Some(zone), Some(schedule)) = (
                super::columns::get_opt_u32(&row, "zone_id")?,
                super::columns::get_opt_u32(&row, "schedule_id")?,
            ) {
                out.last_mut().expect("pushed above").grants.push(Grant {
                    zone: gatehouse_core::ids::ZoneId(zone),
                    schedule: gatehouse_core::ids::ScheduleId(schedule),
                });
            }
        }
        Ok(out)
    }

    /// Puts a person in a group (a no-op if they already are). An unknown group or person
    /// is not found: both name the subject of the request.
    pub async fn add_member(
        &self,
        site: SiteId,
        group: GroupId,
        person: PersonId,
    ) -> Result<(), StoreError> {
        self.change_membership(
            site,
            group,
            person,
            "INSERT INTO group_members (group_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .await
    }

    /// Takes a person out of a group (a no-op if they are not in it).
    pub async fn remove_member(
        &self,
        site: SiteId,
        group: GroupId,
        person: PersonId,
    ) -> Result<(), StoreError> {
        self.change_membership(
            site,
            group,
            person,
            "DELETE FROM group_members WHERE group_id = $1 AND person_id = $2",
        )
        .await
    }

    /// Checks that group and person exist in the site, runs `statement` (bound to group
    /// and person) and raises the policy version, in one transaction.
    async fn change_membership(
        &self,
        site: SiteId,
        group: GroupId,
        person: PersonId,
        statement: &str,
    ) -> Result<(), StoreError> {
        let person_id = super::columns::id(person.0);
        let mut tx = self.begin_write().await?;
        require_found(&mut tx, "access_groups", "group", site, i64::from(group.0)).await?;
        require_found(&mut tx, "people", "person", site, person_id).await?;
        sqlx::query(statement)
            .bind(i64::from(group.0))
            .bind(person_id)
            .execute(&mut *tx)
            .await?;
        bump_policy(&mut tx, site).await?;
        tx.commit().await?;
        Ok(())
    }
}
