//! Badges: cards and staff QR badges bound to people, and where a badge is suspended,
//! reported lost or revoked.

use super::columns::{get_u64, id};
use super::passes::{IssuedPass, Window, register_pass, revoke_pass};
use super::sites::bump_policy;
use super::zones_doors::require_in_site;
use super::{Store, StoreError};
use gatehouse_core::card::CardId;
use gatehouse_core::credential::{CredentialKind, KeyId};
use gatehouse_core::ids::{BadgeId, PassSerial, PersonId, SiteId};
use gatehouse_core::model::{BadgeCredential, BadgeStatus};
use gatehouse_core::time::Timestamp;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

/// A badge as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BadgeRecord {
    /// The badge.
    #[schema(value_type = u64)]
    pub id: BadgeId,
    /// Whose it is.
    #[schema(value_type = u64)]
    pub person: PersonId,
    /// The card, or the staff QR badge's serial.
    #[schema(value_type = Object)]
    pub credential: BadgeCredential,
    /// Its status.
    #[schema(value_type = String)]
    pub status: BadgeStatus,
    /// Valid from (Unix ms).
    #[schema(value_type = Option<i64>)]
    pub not_before: Option<Timestamp>,
    /// Valid until (Unix ms, exclusive).
    #[schema(value_type = Option<i64>)]
    pub expires: Option<Timestamp>,
}

/// A staff QR badge to issue: a signed QR that works like the person's card.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQrBadge {
    /// Whose it is.
    #[schema(value_type = u64)]
    pub person: PersonId,
    /// Valid from (Unix ms; default now).
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub not_before: Option<Timestamp>,
    /// Valid until, exclusive (Unix ms): a QR badge always expires.
    #[schema(value_type = i64)]
    pub expires: Timestamp,
}

/// A card to enroll.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBadge {
    /// Whose it is.
    #[schema(value_type = u64)]
    pub person: PersonId,
    /// The card, in canonical form (`{"type":"wiegand","format":"H10301",…}`).
    #[schema(value_type = Object)]
    pub card: CardId,
    /// Valid from (Unix ms).
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub not_before: Option<Timestamp>,
    /// Valid until (Unix ms, exclusive).
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub expires: Option<Timestamp>,
}

pub(crate) fn status_text(s: BadgeStatus) -> &'static str {
    match s {
        BadgeStatus::Active => "active",
        BadgeStatus::Suspended => "suspended",
        BadgeStatus::Lost => "lost",
        BadgeStatus::Revoked => "revoked",
    }
}

pub(crate) fn parse_status(text: &str) -> Result<BadgeStatus, sqlx::Error> {
    Ok(match text {
        "active" => BadgeStatus::Active,
        "suspended" => BadgeStatus::Suspended,
        "lost" => BadgeStatus::Lost,
        "revoked" => BadgeStatus::Revoked,
        other => {
            return Err(sqlx::Error::Decode(
                format!("badge status {other:?}").into(),
            ));
        }
    })
}

impl BadgeRecord {
    pub(crate) fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        let card: Option<String> = row.try_get("card_id")?;
        let serial: Option<i64> = row.try_get("qr_serial")?;
        let credential = match (card, serial) {
            (Some(card), None) => {
                BadgeCredential::Card(card.parse().map_err(|e| sqlx::Error::Decode(Box::new(e)))?)
            }
            (None, Some(serial)) => BadgeCredential::Qr(PassSerial(serial.unsigned_abs())),
            _ => {
                return Err(sqlx::Error::Decode(
                    "a badge is a card or a QR serial".into(),
                ));
            }
        };
        Ok(BadgeRecord {
            id: BadgeId(get_u64(row, "id")?),
            person: PersonId(get_u64(row, "person_id")?),
            credential,
            status: parse_status(&row.try_get::<String, _>("status")?)?,
            not_before: row.try_get::<Option<i64>, _>("not_before")?.map(Timestamp),
            expires: row.try_get::<Option<i64>, _>("expires")?.map(Timestamp),
        })
    }
}

pub(crate) const BADGE_COLUMNS: &str =
    "id, person_id, card_id, qr_serial, status, not_before, expires";

impl Store {
    /// Enrolls a card for a person. A card already enrolled at the site is a conflict on
    /// `card`.
    pub async fn enroll_card(
        &self,
        site: SiteId,
        b: &NewBadge,
        now_ms: i64,
    ) -> Result<BadgeRecord, StoreError> {
        if let (Some(nb), Some(exp)) = (b.not_before, b.expires) {
            if exp <= nb {
                return Err(StoreError::Invalid {
                    field: "expires",
                    message: "must be after not_before".into(),
                });
            }
        }
        let mut tx = self.begin_write().await?;
        require_in_site(&mut tx, "people", "person", site, id(b.person.0)).await?;
        let row = sqlx::query(&format!(
            "INSERT INTO badges (site_id, person_id, card_id, status, not_before, expires, created_at, status_changed_at) \
             VALUES ($1, $2, $3, 'active', $4, $5, $6, $6) RETURNING {BADGE_COLUMNS}"
        ))
        .bind(i64::from(site.0))
        .bind(id(b.person.0))
        .bind(b.card.to_string())
        .bind(b.not_before.map(|t| t.0))
        .bind(b.expires.map(|t| t.0))
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::on_constraint(e, "card", "person"))?;
        bump_policy(&mut tx, site).await?;
        tx.commit().await?;
        Ok(BadgeRecord::from_row(&row)?)
    }

    /// Issues a staff QR badge: registers its pass (to be signed with `key_id`) and binds
    /// its serial to the person as a badge, in one transaction.
    pub async fn issue_qr_badge(
        &self,
        site: SiteId,
        b: &NewQrBadge,
        key_id: KeyId,
        now: Timestamp,
    ) -> Result<(BadgeRecord, IssuedPass), StoreError> {
        let window = Window {
            not_before: b.not_before.unwrap_or(now),
            expires: b.expires,
        }
        .in_whole_seconds(now)?;
        let mut tx = self.begin_write().await?;
        require_in_site(&mut tx, "people", "person", site, id(b.person.0)).await?;
        let pass = register_pass(
            &mut tx,
            site,
            CredentialKind::Staff,
            &b.person.0.to_string(),
            key_id,
            window,
            now,
        )
        .await?;
        let row = sqlx::query(&format!(
            "INSERT INTO badges (site_id, person_id, qr_serial, status, not_before, expires, created_at, status_changed_at) \
             VALUES ($1, $2, $3, 'active', $4, $5, $6, $6) RETURNING {BADGE_COLUMNS}"
        ))
        .bind(i64::from(site.0))
        .bind(id(b.person.0))
        .bind(id(pass.serial.0))
        .bind(window.not_before.0)
        .bind(window.expires.0)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        bump_policy(&mut tx, site).await?;
        tx.commit().await?;
        Ok((BadgeRecord::from_row(&row)?, pass))
    }

    /// Whether this card or QR serial is a badge reported lost.
    pub async fn badge_is_lost(
        &self,
        site: SiteId,
        credential: &BadgeCredential,
    ) -> Result<bool, StoreError> {
        let query = match credential {
            BadgeCredential::Card(card) => sqlx::query_scalar(
                "SELECT COUNT(*) FROM badges WHERE site_id = $1 AND status = 'lost' AND card_id = $2",
            )
            .bind(i64::from(site.0))
            .bind(card.to_string()),
            BadgeCredential::Qr(serial) => sqlx::query_scalar(
                "SELECT COUNT(*) FROM badges WHERE site_id = $1 AND status = 'lost' AND qr_serial = $2",
            )
            .bind(i64::from(site.0))
            .bind(id(serial.0)),
        };
        let n: i64 = query.fetch_one(self.pool()).await?;
        Ok(n > 0)
    }

    /// A badge.
    pub async fn badge(&self, site: SiteId, badge: BadgeId) -> Result<BadgeRecord, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {BADGE_COLUMNS} FROM badges WHERE id = $1 AND site_id = $2"
        ))
        .bind(id(badge.0))
        .bind(i64::from(site.0))
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound {
            what: "badge",
            id: id(badge.0),
        })?;
        Ok(BadgeRecord::from_row(&row)?)
    }

    /// Changes a badge's status: suspend, reactivate, report lost, revoke. Lost and
    /// revoked are final.
    pub async fn set_badge_status(
        &self,
        site: SiteId,
        badge: BadgeId,
        status: BadgeStatus,
        now_ms: i64,
    ) -> Result<BadgeRecord, StoreError> {
        let mut tx = self.begin_write().await?;
        let current: Option<String> =
            sqlx::query_scalar("SELECT status FROM badges WHERE id = $1 AND site_id = $2")
                .bind(id(badge.0))
                .bind(i64::from(site.0))
                .fetch_optional(&mut *tx)
                .await?;
        let current = parse_status(&current.ok_or(StoreError::NotFound {
            what: "badge",
            id: id(badge.0),
        })?)?;
        if matches!(current, BadgeStatus::Lost | BadgeStatus::Revoked) && status != current {
            return Err(StoreError::Invalid {
                field: "status",
                message: format!(
                    "a {} badge stays {}",
                    status_text(current),
                    status_text(current)
                ),
            });
        }
        let row = sqlx::query(&format!(
            "UPDATE badges SET status = $1, status_changed_at = $2 WHERE id = $3 RETURNING {BADGE_COLUMNS}"
        ))
        .bind(status_text(status))
        .bind(now_ms)
        .bind(id(badge.0))
        .fetch_one(&mut *tx)
        .await?;
        let record = BadgeRecord::from_row(&row)?;
        // A lost or revoked QR badge's serial goes on the revocation lists as well, so the
        // signed QR is refused even by a door whose bundle lacks the badge.
        if let (BadgeCredential::Qr(serial), BadgeStatus::Lost | BadgeStatus::Revoked) =
            (record.credential, status)
        {
            revoke_pass(&mut tx, site, serial, Timestamp(now_ms)).await?;
        }
        bump_policy(&mut tx, site).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// A person's badges, by id.
    pub async fn badges_of(
        &self,
        site: SiteId,
        person: PersonId,
    ) -> Result<Vec<BadgeRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {BADGE_COLUMNS} FROM badges WHERE site_id = $1 AND person_id = $2 ORDER BY id"
        ))
        .bind(i64::from(site.0))
        .bind(id(person.0))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(BadgeRecord::from_row)
            .collect::<Result<_, _>>()?)
    }
}
