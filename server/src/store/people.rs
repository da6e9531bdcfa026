//! People: who may hold badges. Their name and email live only here; everywhere else they
//! are their number.

use super::columns::{flag, get_flag, get_u32, get_u64, id};
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

/// Which people to list: a page of at most `limit` after the cursor `after`, by id,
/// optionally only those whose name contains `name` (case folded; SQLite folds only ASCII).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeopleQuery {
    /// Part of the name.
    pub name: Option<String>,
    /// The last id of the previous page.
    pub after: Option<PersonId>,
    /// At most this many.
    pub limit: u32,
}

/// A page of people, and the cursor of the next page when there is one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PeoplePage {
    /// The people, by id.
    pub items: Vec<PersonRecord>,
    /// `after` for the next page; none on the last page.
    #[schema(value_type = Option<u64>)]
    pub next: Option<PersonId>,
}

/// `text` as a LIKE pattern matching any string that contains it.
pub(crate) fn contains_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
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
        let mut tx = self.begin_write().await?;
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

    /// A page of the site's people, with their groups.
    pub async fn people(&self, site: SiteId, q: &PeopleQuery) -> Result<PeoplePage, StoreError> {
        let after = q.after.map_or(0, |a| id(a.0));
        let sql = if q.name.is_some() {
            format!(
                "SELECT {COLUMNS} FROM people p WHERE p.site_id = $1 AND p.id > $2 \
                 AND LOWER(p.display_name) LIKE $3 ESCAPE '\\' ORDER BY p.id LIMIT $4"
            )
        } else {
            format!(
                "SELECT {COLUMNS} FROM people p WHERE p.site_id = $1 AND p.id > $2 \
                 ORDER BY p.id LIMIT $3"
            )
        };
        let mut query = sqlx::query(&sql).bind(i64::from(site.0)).bind(after);
        if let Some(name) = &q.name {
            query = query.bind(contains_pattern(name));
        }
        // One more than asked says whether there is a next page.
        let rows = query
            .bind(i64::from(q.limit) + 1)
            .fetch_all(self.pool())
            .await?;
        let mut items = rows
            .iter()
            .map(PersonRecord::from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let limit = usize::try_from(q.limit).unwrap_or(usize::MAX);
        let more = items.len() > limit;
        items.truncate(limit);
        if let (Some(first), Some(last)) = (items.first(), items.last()) {
            let members = sqlx::query(
                "SELECT m.person_id, m.group_id FROM group_members m \
                 JOIN people p ON p.id = m.person_id \
                 WHERE p.site_id = $1 AND m.person_id >= $2 AND m.person_id <= $3 \
                 ORDER BY m.person_id, m.group_id",
            )
            .bind(i64::from(site.0))
            .bind(id(first.id.0))
            .bind(id(last.id.0))
            .fetch_all(self.pool())
            .await?;
            for row in members {
                let person = PersonId(get_u64(&row, "person_id")?);
                let group = GroupId(get_u32(&row, "group_id")?);
                if let Ok(i) = items.binary_search_by_key(&person, |p| p.id) {
                    items[i].groups.push(group);
                }
            }
        }
        let next = more.then(|| items.last().map(|p| p.id)).flatten();
        Ok(PeoplePage { items, next })
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
        let mut tx = self.begin_write().await?;
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
