//! People: who may hold badges. Their name and email live only here; everywhere else they
//! are their number.

use super::columns::{flag, get_flag, get_u64, id};
use super::sites::bump_policy;
use super::zones_doors::require_in_site;
use super::{Store, StoreError};
use gatehouse_core::ids::{GroupId, PersonId, SiteId};
use gatehouse_core::model::{Pin, PinVerifier};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

/// A person as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PersonRecord {
    /// The person (their pseudonym outside this table).
    #[schema(value_type = u64)]
    pub id: PersonId,
    /// Their name.
    pub display_name: String,
    /// Their email.
    pub email: Option<String>,
    /// Their manager, who reviews their access every year.
    #[schema(value_type = Option<u64>)]
    pub manager: Option<PersonId>,
    /// Passes doors in lockdown.
    pub lockdown_override: bool,
    /// Card + PIN at every door.
    pub pin_required: bool,
    /// Whether a PIN is set.
    pub has_pin: bool,
    /// Groups they belong to.
    #[schema(value_type = Vec<u32>)]
    pub groups: Vec<GroupId>,
}

/// A new person.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    /// Their name.
    pub display_name: String,
    /// Their email.
    #[serde(default)]
    pub email: Option<String>,
    /// Their manager.
    #[serde(default)]
    #[schema(value_type = Option<u64>)]
    pub manager: Option<PersonId>,
    /// Passes doors in lockdown.
    #[serde(default)]
    pub lockdown_override: bool,
    /// Card + PIN at every door.
    #[serde(default)]
    pub pin_required: bool,
}

const COLUMNS: &str = "p.id, p.display_name, p.email, p.manager_id, p.lockdown_override, p.pin_required, \
                       p.pin_verifier IS NOT NULL AS has_pin";

impl PersonRecord {
    fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        // `IS NOT NULL` is a boolean in PostgreSQL and an integer in SQLite.
        let has_pin = match row.try_get::<i64, _>("has_pin") {
            Ok(v) => v != 0,
            Err(_) => row.try_get::<bool, _>("has_pin")?,
        };
        Ok(PersonRecord {
            id: PersonId(get_u64(row, "id")?),
            display_name: row.try_get("display_name")?,
            email: row.try_get("email")?,
            manager: row
                .try_get::<Option<i64>, _>("manager_id")?
                .map(|m| PersonId(m.unsigned_abs())),
            lockdown_override: get_flag(row, "lockdown_override")?,
            pin_required: get_flag(row, "pin_required")?,
            has_pin,
            groups: Vec::new(),
        })
    }
}

impl Store {
    /// Creates a person.
    pub async fn create_person(
        &self,
        site: SiteId,
        p: &NewPerson,
        now_ms: i64,
    ) -> Result<PersonRecord, StoreError> {
        if p.display_name.trim().is_empty() || p.display_name.len() > 200 {
            return Err(StoreError::Invalid {
                field: "display_name",
                message: "must be 1 to 200 characters".into(),
            });
        }
        let mut tx = self.pool().begin().await?;
        if let Some(m) = p.manager {
            require_in_site(&mut tx, "people", "manager", site, id(m.0)).await?;
        }
        let new_id: i64 = sqlx::query_scalar(
            "INSERT INTO people (site_id, display_name, email, manager_id, lockdown_override, pin_required, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(i64::from(site.0))
        .bind(&p.display_name)
        .bind(&p.email)
        .bind(p.manager.map(|m| id(m.0)))
        .bind(flag(p.lockdown_override))
        .bind(flag(p.pin_required))
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await?;
        bump_policy(&mut tx, site).await?;
        tx.commit().await?;
        self.person(site, PersonId(new_id.unsigned_abs())).await
    }

    /// A person, with their groups.
    pub async fn person(&self, site: SiteId, person: PersonId) -> Result<PersonRecord, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM people p WHERE p.id = $1 AND p.site_id = $2"
        ))
        .bind(id(person.0))
        .bind(i64::from(site.0))
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound {
            what: "person",
            id: id(person.0),
        })?;
        let mut record = PersonRecord::from_row(&row)?;
        let groups: Vec<i64> = sqlx::query_scalar(
            "SELECT group_id FROM group_members WHERE person_id = $1 ORDER BY group_id",
        )
        .bind(id(person.0))
        .fetch_all(self.pool())
        .await?;
        record.groups = groups
            .into_iter()
            .filter_map(|g| u32::try_from(g).ok().map(GroupId))
            .collect();
        Ok(record)
    }

    /// Sets or clears a person's PIN; only its verifier is stored.
    pub async fn set_pin(
        &self,
        site: SiteId,
        person: PersonId,
        pin: Option<&Pin>,
    ) -> Result<(), StoreError> {
        let salt = self.pin_salt(site).await?;
        let verifier = pin.map(|p| PinVerifier::derive(&salt, person, p).0.to_vec());
        let mut tx = self.pool().begin().await?;
        let done =
            sqlx::query("UPDATE people SET pin_verifier = $1 WHERE id = $2 AND site_id = $3")
                .bind(verifier)
                .bind(id(person.0))
                .bind(i64::from(site.0))
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "person",
                id: id(person.0),
            });
        }
        bump_policy(&mut tx, site).await?;
        tx.commit().await?;
        Ok(())
    }
}
