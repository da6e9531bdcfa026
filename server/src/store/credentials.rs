//! Sessions and API tokens: only their SHA-256 is stored, so a copy of the database opens
//! no session.

use super::columns::id;
use super::users::{USER_COLUMNS, UserRecord};
use super::{Store, StoreError};
use sqlx::Row;

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
}
