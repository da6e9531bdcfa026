//! Users of the console and the API, and their roles.

use super::columns::{get_flag, get_u64, id};
use super::{Store, StoreError};
use gatehouse_core::ids::{PersonId, SiteId};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

/// What a user may do. Device principals (kiosks, controllers) are not users.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Configures everything.
    Admin,
    /// Guards: alarms, events, lockdown, momentary unlock.
    Security,
    /// Front desk: visitors and passes.
    Receptionist,
    /// Staff who invite and approve their visitors.
    Host,
    /// Reads the audit log and events; changes nothing.
    Auditor,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Security,
        Role::Receptionist,
        Role::Host,
        Role::Auditor,
    ];

    /// Its stored name.
    pub const fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Security => "security",
            Role::Receptionist => "receptionist",
            Role::Host => "host",
            Role::Auditor => "auditor",
        }
    }

    /// The role with this name.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// A user as stored (without the password hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UserRecord {
    /// The user.
    pub id: u64,
    /// Their site.
    #[schema(value_type = u32)]
    pub site: SiteId,
    /// Their login name.
    pub username: String,
    /// Their role.
    pub role: Role,
    /// The person they are, if any (a host's visitors, a manager's reviews).
    #[schema(value_type = Option<u64>)]
    pub person: Option<PersonId>,
    /// Disabled users cannot log in.
    pub disabled: bool,
    /// Must set a new password at next login (a one-time password was issued).
    pub must_change_password: bool,
}

/// A new user; the password is already hashed (argon2id PHC string).
#[derive(Clone, Debug)]
pub struct NewUser {
    /// Login name.
    pub username: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Role.
    pub role: Role,
    /// The person they are.
    pub person: Option<PersonId>,
    /// Must change the password at first login.
    pub must_change_password: bool,
}

/// The user columns (unqualified: they are unambiguous in the joins with sessions).
pub(crate) const USER_COLUMNS: &str =
    "id, site_id, username, role, person_id, disabled, must_change_password";

impl UserRecord {
    pub(crate) fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        let role: String = row.try_get("role")?;
        Ok(UserRecord {
            id: get_u64(row, "id")?,
            site: SiteId(super::columns::get_u32(row, "site_id")?),
            username: row.try_get("username")?,
            role: Role::from_name(&role)
                .ok_or_else(|| sqlx::Error::Decode(format!("role {role:?}").into()))?,
            person: row
                .try_get::<Option<i64>, _>("person_id")?
                .map(|p| PersonId(p.unsigned_abs())),
            disabled: get_flag(row, "disabled")?,
            must_change_password: get_flag(row, "must_change_password")?,
        })
    }
}

impl Store {
    /// Creates a user.
    pub async fn create_user(
        &self,
        site: SiteId,
        u: &NewUser,
        now_ms: i64,
    ) -> Result<UserRecord, StoreError> {
        let name_ok = (1..=64).contains(&u.username.len())
            && u.username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c));
        if !name_ok {
            return Err(StoreError::Invalid {
                field: "username",
                message: "1 to 64 letters, digits or . _ - @".into(),
            });
        }
        let row = sqlx::query(&format!(
            "INSERT INTO users (site_id, username, password_hash, role, person_id, must_change_password, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {USER_COLUMNS}"
        ))
        .bind(i64::from(site.0))
        .bind(&u.username)
        .bind(&u.password_hash)
        .bind(u.role.name())
        .bind(u.person.map(|p| id(p.0)))
        .bind(i64::from(u.must_change_password))
        .bind(now_ms)
        .fetch_one(self.pool())
        .await
        .map_err(|e| StoreError::on_constraint(e, "username", "person"))?;
        Ok(UserRecord::from_row(&row)?)
    }

    /// A user and their password hash, by login name.
    pub async fn user_by_name(
        &self,
        username: &str,
    ) -> Result<Option<(UserRecord, String)>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = $1"
        ))
        .bind(username)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok((UserRecord::from_row(&r)?, r.try_get("password_hash")?)))
            .transpose()
    }

    /// How many users there are (the first admin is bootstrapped when there are none).
    pub async fn user_count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(self.pool())
            .await?;
        Ok(n.unsigned_abs())
    }
}

/// What checking a password needs: the user, their hash, and any lockout.
#[derive(Clone, Debug)]
pub struct LoginRecord {
    /// The user.
    pub user: UserRecord,
    /// Their argon2id PHC string.
    pub password_hash: String,
    /// Until when (Unix ms) repeated failures lock the account, if they ever did; a time
    /// in the past means unlocked.
    pub locked_until: Option<i64>,
}

impl Store {
    /// A user, their password hash and lockout, by login name.
    pub async fn login_record(&self, username: &str) -> Result<Option<LoginRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, password_hash, locked_until FROM users WHERE username = $1"
        ))
        .bind(username)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(login_from_row).transpose()
    }

    /// The same, by user id.
    pub async fn login_record_by_id(&self, user: u64) -> Result<Option<LoginRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, password_hash, locked_until FROM users WHERE id = $1"
        ))
        .bind(id(user))
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(login_from_row).transpose()
    }

    /// Counts a failed password. The `max_failures`-th consecutive failure locks the
    /// account until `lock_until_ms` and starts the count again, so the account gets
    /// `max_failures` more tries once the lock has passed. Returns the account's lock
    /// after this failure (possibly one set concurrently by another replica, or one long
    /// past).
    ///
    /// One statement, so replicas counting failures of the same account at the same time
    /// add up instead of overwriting each other.
    pub async fn record_login_failure(
        &self,
        user: u64,
        max_failures: u32,
        lock_until_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        let locked_until: Option<i64> = sqlx::query_scalar(
            "UPDATE users SET \
               locked_until = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END, \
               failed_logins = CASE WHEN failed_logins + 1 >= $1 THEN 0 ELSE failed_logins + 1 END \
             WHERE id = $3 RETURNING locked_until",
        )
        .bind(i64::from(max_failures))
        .bind(lock_until_ms)
        .bind(id(user))
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound {
            what: "user",
            id: id(user),
        })?;
        Ok(locked_until)
    }

    /// Forgets failed logins after a success.
    pub async fn clear_login_failures(&self, user: u64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE users SET failed_logins = 0, locked_until = NULL \
             WHERE id = $1 AND (failed_logins <> 0 OR locked_until IS NOT NULL)",
        )
        .bind(id(user))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Sets a new password (argon2id PHC string) and whether it must be changed at next
    /// use; unlocks the account.
    pub async fn set_password(
        &self,
        user: u64,
        password_hash: &str,
        must_change_password: bool,
    ) -> Result<UserRecord, StoreError> {
        let row = sqlx::query(&format!(
            "UPDATE users SET password_hash = $1, must_change_password = $2, \
               failed_logins = 0, locked_until = NULL \
             WHERE id = $3 RETURNING {USER_COLUMNS}"
        ))
        .bind(password_hash)
        .bind(i64::from(must_change_password))
        .bind(id(user))
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound {
            what: "user",
            id: id(user),
        })?;
        Ok(UserRecord::from_row(&row)?)
    }
}

fn login_from_row(row: &AnyRow) -> Result<LoginRecord, StoreError> {
    Ok(LoginRecord {
        user: UserRecord::from_row(row)?,
        password_hash: row.try_get("password_hash")?,
        locked_until: row.try_get("locked_until")?,
    })
}
