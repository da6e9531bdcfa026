//! The register of every signed QR credential issued — visitor passes, staff QR badges,
//! property passes: its serial, kind, holder, the key that signed it and its window.
//! Revocation lists are read from here (`bundle.rs`), so revoking is setting `revoked_at`
//! and raising the policy version in the same transaction.

use super::columns::{get_u64, id};
use super::sites::bump_policy;
use super::{Store, StoreError};
use gatehouse_core::credential::{CredentialKind, KeyId};
use gatehouse_core::ids::{PassSerial, SiteId};
use gatehouse_core::time::Timestamp;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A pass as the register holds it: enough to sign its text again (claims are rebuilt
/// from this row and the kind's own table).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IssuedPass {
    /// The serial in the QR.
    pub serial: PassSerial,
    /// Visitor pass, staff QR badge or property pass.
    pub kind: CredentialKind,
    /// The QR's `sub`: `v<visitor id>` for a visitor, the person id for staff and carriers.
    pub subject: String,
    /// The key that signed it.
    #[serde(serialize_with = "key_id_hex")]
    pub key_id: KeyId,
    /// Valid from (whole seconds, in ms).
    pub not_before: Timestamp,
    /// Valid until, exclusive (whole seconds, in ms).
    pub expires: Timestamp,
    /// When it was signed (whole seconds, in ms): the QR's `iat`.
    pub issued_at: Timestamp,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}

/// A key id in JSON as its 16 hex digits, as `gatehouse keys list` prints it.
pub(crate) fn key_id_hex<S: serde::Serializer>(kid: &KeyId, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(kid)
}

/// A validity window, as asked for (Unix ms).
#[derive(Clone, Copy, Debug)]
pub struct Window {
    /// Valid from.
    pub not_before: Timestamp,
    /// Valid until, exclusive.
    pub expires: Timestamp,
}

impl Window {
    /// The window in the whole seconds a QR carries (CWT times are seconds): both ends
    /// rounded down. It must be non-empty and not over at `now`.
    pub(crate) fn in_whole_seconds(self, now: Timestamp) -> Result<Window, StoreError> {
        let secs = |t: Timestamp| Timestamp::from_unix_secs(t.unix_secs());
        let w = Window {
            not_before: secs(self.not_before),
            expires: secs(self.expires),
        };
        if w.expires <= w.not_before {
            return Err(StoreError::Invalid {
                field: "expires",
                message: "must be at least a second after not_before".into(),
            });
        }
        if w.expires <= now {
            return Err(StoreError::Invalid {
                field: "expires",
                message: "is already past".into(),
            });
        }
        Ok(w)
    }
}

pub(crate) const PASS_COLUMNS: &str =
    "serial, kind, subject, key_id, not_before, expires, issued_at, revoked_at";

fn parse_kind(text: &str) -> Result<CredentialKind, sqlx::Error> {
    CredentialKind::ALL
        .into_iter()
        .find(|k| k.name() == text)
        .ok_or_else(|| sqlx::Error::Decode(format!("pass kind {text:?}").into()))
}

impl IssuedPass {
    pub(crate) fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        let key: Vec<u8> = row.try_get("key_id")?;
        let key = <[u8; 8]>::try_from(key)
            .map_err(|_| sqlx::Error::Decode("key_id is not 8 bytes".into()))?;
        Ok(IssuedPass {
            serial: PassSerial(get_u64(row, "serial")?),
            kind: parse_kind(&row.try_get::<String, _>("kind")?)?,
            subject: row.try_get("subject")?,
            key_id: KeyId(key),
            not_before: Timestamp(row.try_get("not_before")?),
            expires: Timestamp(row.try_get("expires")?),
            issued_at: Timestamp(row.try_get("issued_at")?),
            revoked_at: row.try_get::<Option<i64>, _>("revoked_at")?.map(Timestamp),
        })
    }
}

/// Registers a pass about to be signed, in the caller's transaction; the window must
/// already be in whole seconds. Issuing opens nothing new on a controller's own list, so
/// the policy version stays.
pub(crate) async fn register_pass(
    conn: &mut sqlx::AnyConnection,
    site: SiteId,
    kind: CredentialKind,
    subject: &str,
    key_id: KeyId,
    window: Window,
    now: Timestamp,
) -> Result<IssuedPass, StoreError> {
    let issued_at = Timestamp::from_unix_secs(now.unix_secs());
    let row = sqlx::query(&format!(
        "INSERT INTO passes (site_id, kind, subject, key_id, not_before, expires, issued_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {PASS_COLUMNS}"
    ))
    .bind(i64::from(site.0))
    .bind(kind.name())
    .bind(subject)
    .bind(key_id.0.to_vec())
    .bind(window.not_before.0)
    .bind(window.expires.0)
    .bind(issued_at.0)
    .fetch_one(conn)
    .await?;
    Ok(IssuedPass::from_row(&row)?)
}

/// Revokes a pass in the caller's transaction and raises the policy version, so the
/// serial reaches every controller's revocation list. Revoking twice changes nothing.
pub(crate) async fn revoke_pass(
    conn: &mut sqlx::AnyConnection,
    site: SiteId,
    serial: PassSerial,
    now: Timestamp,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE passes SET revoked_at = $1 WHERE serial = $2 AND site_id = $3 AND revoked_at IS NULL",
    )
    .bind(now.0)
    .bind(id(serial.0))
    .bind(i64::from(site.0))
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() > 0 {
        bump_policy(conn, site).await?;
    }
    Ok(())
}

impl Store {
    /// How many passes signed with `key` are still unexpired at `now` and not revoked:
    /// while any are, the key must stay trusted.
    pub async fn live_passes_signed_with(
        &self,
        key: KeyId,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM passes WHERE key_id = $1 AND expires > $2 AND revoked_at IS NULL",
        )
        .bind(key.0.to_vec())
        .bind(now.0)
        .fetch_one(self.pool())
        .await?;
        Ok(n.unsigned_abs())
    }

    /// A pass from the register.
    pub async fn issued_pass(
        &self,
        site: SiteId,
        serial: PassSerial,
    ) -> Result<IssuedPass, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {PASS_COLUMNS} FROM passes WHERE serial = $1 AND site_id = $2"
        ))
        .bind(id(serial.0))
        .bind(i64::from(site.0))
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound {
            what: "pass",
            id: id(serial.0),
        })?;
        Ok(IssuedPass::from_row(&row)?)
    }
}
