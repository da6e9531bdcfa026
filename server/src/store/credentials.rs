//! Sessions and API tokens: only their SHA-256 is stored, so a copy of the database opens
//! no session.

use super::columns::{get_u64, id};
use super::users::{USER_COLUMNS, UserRecord};
use super::{Store, StoreError};
use gatehouse_core::time::Timestamp;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

/// An API token as its owner sees it in a list: never the token itself, which is shown
/// once when made and not kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApiTokenRecord {
    /// The token's id (to revoke it).
    pub id: u64,
    /// What its owner called it.
    pub name: String,
    /// When it was made (Unix ms).
    #[schema(value_type = i64)]
    pub created_at: Timestamp,
    /// When it last authenticated a request (Unix ms), if ever.
    #[schema(value_type = Option<i64>)]
    pub last_used_at: Option<Timestamp>,
}

impl ApiTokenRecord {
    fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(ApiTokenRecord {
            id: get_u64(row, "id")?,
            name: row.try_get("name")?,
            created_at: Timestamp(row.try_get("created_at")?),
            last_used_at: row
                .try_get::<Option<i64>, _>("last_used_at")?
                .map(Timestamp),
        })
    }
}

impl Store {
    /// Stores a new session.
    pub async fn create_session(
        &self,
        token_hash: &[u8; 32],
        user: u64,
        csrf_token: &str,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash.to_vec())
            .bind(id(user))
            .bind(csrf_token)
            .bind(now_ms)
            .bind(expires_ms)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The user of a live session and its CSRF token; none for an unknown or expired
    /// session, or a disabled user.
    pub async fn session_user(
        &self,
        token_hash: &[u8; 32],
        now_ms: i64,
    ) -> Result<Option<(UserRecord, String)>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND disabled = 0"
        ))
        .bind(token_hash.to_vec())
        .bind(now_ms)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok((UserRecord::from_row(&r)?, r.try_get("csrf_token")?)))
            .transpose()
    }

    /// Ends a session.
    pub async fn delete_session(&self, token_hash: &[u8; 32]) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash.to_vec())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Stores a new API token; returns its id.
    pub async fn create_api_token(
        &self,
        user: u64,
        name: &str,
        token_hash: &[u8; 32],
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        let new: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(id(user))
        .bind(name)
        .bind(token_hash.to_vec())
        .bind(now_ms)
        .fetch_one(self.pool())
        .await?;
        Ok(new.unsigned_abs())
    }

    /// The user of a live API token (and marks it used); none for an unknown or revoked
    /// token, or a disabled user.
    pub async fn token_user(
        &self,
        token_hash: &[u8; 32],
        now_ms: i64,
    ) -> Result<Option<UserRecord>, StoreError> {
        let row = sqlx::query(
            "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL RETURNING user_id",
        )
        .bind(now_ms)
        .bind(token_hash.to_vec())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let user: i64 = row.try_get("user_id")?;
        let user = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE id = $1 AND disabled = 0"
        ))
        .bind(user)
        .fetch_optional(self.pool())
        .await?;
        Ok(user.map(|r| UserRecord::from_row(&r)).transpose()?)
    }

    /// Ends a user's sessions, except `keep` (the one asking, when it is a session).
    /// Expired sessions go too.
    pub async fn end_sessions(&self, user: u64, keep: Option<&[u8; 32]>) -> Result<(), StoreError> {
        match keep {
            Some(keep) => {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                    .bind(id(user))
                    .bind(keep.to_vec())
                    .execute(self.pool())
                    .await?
            }
            None => {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(id(user))
                    .execute(self.pool())
                    .await?
            }
        };
        Ok(())
    }

    /// Deletes a user's expired sessions (done at each login, so the table holds only
    /// live sessions and those of users who have not come back).
    pub async fn delete_expired_sessions(&self, user: u64, now_ms: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND expires_at <= $2")
            .bind(id(user))
            .bind(now_ms)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// A user's live API tokens, oldest first.
    pub async fn api_tokens(&self, user: u64) -> Result<Vec<ApiTokenRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, created_at, last_used_at FROM api_tokens \
             WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id",
        )
        .bind(id(user))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(ApiTokenRecord::from_row)
            .collect::<Result<_, _>>()?)
    }

    /// Revokes one of `user`'s live tokens. Another user's token, or one already revoked,
    /// is not found: owners manage only their own.
    pub async fn revoke_api_token(
        &self,
        user: u64,
        token: u64,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 \
             WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(now_ms)
        .bind(id(token))
        .bind(id(user))
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "token",
                id: id(token),
            });
        }
        Ok(())
    }
}
