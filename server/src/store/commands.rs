//! Commands to controllers — lockdown, release, momentary unlock — and the lockdowns in
//! force. A command is stored once with one delivery per controller it is for; each
//! controller fetches its pending deliveries over the signed sync channel and acknowledges
//! them. A lockdown is also recorded as in force and raises the policy version, so the
//! next bundle carries it and a controller that restarts (or missed the command) keeps it.

use super::columns::{get_u32, get_u64, id};
use super::sites::bump_policy;
use super::zones_doors::require_in_site;
use super::{Store, StoreError};
use gatehouse_core::ids::{ControllerId, SiteId, ZoneId};
use gatehouse_core::time::Timestamp;
use gatehouse_core::wire::{
    Command, CommandAck, CommandEnvelope, CommandId, CommandOutcome, Scope, WIRE_VERSION,
};
use serde::Serialize;
use sqlx::Row;

/// A controller carries out a command only within this long of its issue; the server
/// stops offering it then too.
pub const COMMAND_LIFETIME_MS: i64 = 60_000;
/// The longest momentary unlock.
pub const MAX_UNLOCK_SECS: u16 = 300;

/// What became of a command at one controller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DeliveryRecord {
    /// The controller.
    #[schema(value_type = u32)]
    pub controller: ControllerId,
    /// When it acknowledged (Unix ms).
    #[schema(value_type = Option<i64>)]
    pub acked_at: Option<Timestamp>,
    /// Applied, or rejected with why.
    #[schema(value_type = Option<Object>)]
    pub outcome: Option<CommandOutcome>,
}

/// A command as stored, with its deliveries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CommandRecord {
    /// Its id.
    #[schema(value_type = u64)]
    pub id: CommandId,
    /// What was asked.
    #[schema(value_type = Object)]
    pub command: Command,
    /// When (Unix ms).
    #[schema(value_type = i64)]
    pub issued_at: Timestamp,
    /// By which user.
    pub issued_by: Option<u64>,
    /// One per controller it is for.
    pub deliveries: Vec<DeliveryRecord>,
}

/// A lockdown in force.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LockdownRecord {
    /// The zone, or none for the whole site.
    #[schema(value_type = Option<u32>)]
    pub zone: Option<ZoneId>,
    /// Since when (Unix ms).
    #[schema(value_type = i64)]
    pub started_at: Timestamp,
    /// By which user.
    pub started_by: Option<u64>,
}

fn scope_zone(scope: Scope) -> Option<i64> {
    match scope {
        Scope::Site => None,
        Scope::Zone(z) => Some(i64::from(z.0)),
    }
}

fn decode(e: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(e.to_string().into())
}

impl Store {
    /// Records a command and its deliveries. A lockdown is also put in force (starting one
    /// already in force: 409 `scope`), a release ends one (none in force: 422 `scope`);
    /// both raise the policy version. Lockdowns go to every enrolled controller of the
    /// site, a momentary unlock to the door's controller.
    pub async fn issue_command(
        &self,
        site: SiteId,
        command: Command,
        by: Option<u64>,
        now: Timestamp,
    ) -> Result<CommandRecord, StoreError> {
        let s = i64::from(site.0);
        let mut tx = self.begin_write().await?;
        let targets: Vec<i64> = match command {
            Command::Lockdown { scope } | Command::Release { scope } => {
                let zone = scope_zone(scope);
                if let Some(zone) = zone {
                    require_in_site(&mut tx, "zones", "scope", site, zone).await?;
                }
                let in_force: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM lockdowns WHERE site_id = $1 AND released_at IS NULL \
                     AND COALESCE(zone_id, 0) = $2",
                )
                .bind(s)
                .bind(zone.unwrap_or(0))
                .fetch_optional(&mut *tx)
                .await?;
                match (command, in_force) {
                    (Command::Lockdown { .. }, Some(_)) => {
                        return Err(StoreError::Conflict { field: "scope" });
                    }
                    (Command::Lockdown { .. }, None) => {
                        sqlx::query(
                            "INSERT INTO lockdowns (site_id, zone_id, started_at, started_by) \
                             VALUES ($1, $2, $3, $4)",
                        )
                        .bind(s)
                        .bind(zone)
                        .bind(now.0)
                        .bind(by.map(id))
                        .execute(&mut *tx)
                        .await
                        // Two lockdowns of one scope at once: the second is a conflict.
                        .map_err(|e| StoreError::on_constraint(e, "scope", "scope"))?;
                    }
                    (_, Some(lockdown)) => {
                        sqlx::query(
                            "UPDATE lockdowns SET released_at = $1, released_by = $2 WHERE id = $3",
                        )
                        .bind(now.0)
                        .bind(by.map(id))
                        .bind(lockdown)
                        .execute(&mut *tx)
                        .await?;
                    }
                    (_, None) => {
                        return Err(StoreError::Invalid {
                            field: "scope",
                            message: "no lockdown in force there".into(),
                        });
                    }
                }
                bump_policy(&mut tx, site).await?;
                sqlx::query_scalar(
                    "SELECT id FROM controllers WHERE site_id = $1 AND public_key IS NOT NULL \
                     AND revoked_at IS NULL ORDER BY id",
                )
                .bind(s)
                .fetch_all(&mut *tx)
                .await?
            }
            Command::MomentaryUnlock { door, seconds } => {
                if seconds == 0 || seconds > MAX_UNLOCK_SECS {
                    return Err(StoreError::Invalid {
                        field: "seconds",
                        message: format!("1 to {MAX_UNLOCK_SECS}"),
                    });
                }
                require_in_site(&mut tx, "doors", "door", site, i64::from(door.0)).await?;
                let controller: Option<i64> =
                    sqlx::query_scalar("SELECT controller_id FROM doors WHERE id = $1")
                        .bind(i64::from(door.0))
                        .fetch_one(&mut *tx)
                        .await?;
                let controller = controller.ok_or_else(|| StoreError::Invalid {
                    field: "door",
                    message: "the door has no controller".into(),
                })?;
                vec![controller]
            }
        };
        let command_id: i64 = sqlx::query_scalar(
            "INSERT INTO commands (site_id, command, issued_at, issued_by) VALUES ($1, $2, $3, $4) \
             RETURNING id",
        )
        .bind(s)
        .bind(serde_json::to_string(&command).expect("a command serializes"))
        .bind(now.0)
        .bind(by.map(id))
        .fetch_one(&mut *tx)
        .await?;
        for controller in targets {
            sqlx::query(
                "INSERT INTO command_deliveries (command_id, controller_id) VALUES ($1, $2)",
            )
            .bind(command_id)
            .bind(controller)
            .execute(&mut *tx)
            .await?;
        }
        super::notify::notify(&mut tx).await?;
        tx.commit().await?;
        self.command(site, CommandId(command_id.unsigned_abs()))
            .await
    }

    /// A command with its deliveries.
    pub async fn command(
        &self,
        site: SiteId,
        command: CommandId,
    ) -> Result<CommandRecord, StoreError> {
        let row = sqlx::query(
            "SELECT id, command, issued_at, issued_by FROM commands WHERE id = $1 AND site_id = $2",
        )
        .bind(id(command.0))
        .bind(i64::from(site.0))
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound {
            what: "command",
            id: id(command.0),
        })?;
        let deliveries = sqlx::query(
            "SELECT controller_id, acked_at, outcome FROM command_deliveries WHERE command_id = $1 \
             ORDER BY controller_id",
        )
        .bind(id(command.0))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let outcome: Option<String> = r.try_get("outcome")?;
            Ok(DeliveryRecord {
                controller: ControllerId(get_u32(r, "controller_id")?),
                acked_at: r.try_get::<Option<i64>, _>("acked_at")?.map(Timestamp),
                outcome: outcome
                    .map(|o| serde_json::from_str(&o).map_err(decode))
                    .transpose()?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let text: String = row.try_get("command")?;
        Ok(CommandRecord {
            id: CommandId(get_u64(&row, "id")?),
            command: serde_json::from_str(&text).map_err(decode)?,
            issued_at: Timestamp(row.try_get("issued_at")?),
            issued_by: row
                .try_get::<Option<i64>, _>("issued_by")?
                .map(i64::unsigned_abs),
            deliveries,
        })
    }

    /// The commands a controller has not acknowledged, issued within the last
    /// [`COMMAND_LIFETIME_MS`], oldest first.
    pub async fn pending_commands(
        &self,
        controller: ControllerId,
        now: Timestamp,
    ) -> Result<Vec<CommandEnvelope>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.id, c.command, c.issued_at FROM command_deliveries d \
             JOIN commands c ON c.id = d.command_id \
             WHERE d.controller_id = $1 AND d.acked_at IS NULL AND c.issued_at > $2 ORDER BY c.id",
        )
        .bind(i64::from(controller.0))
        .bind(now.0 - COMMAND_LIFETIME_MS)
        .fetch_all(self.pool())
        .await?;
        let envelopes = rows
            .iter()
            .map(|r| {
                let text: String = r.try_get("command")?;
                Ok(CommandEnvelope {
                    v: WIRE_VERSION,
                    id: CommandId(get_u64(r, "id")?),
                    issued_at: Timestamp(r.try_get("issued_at")?),
                    command: serde_json::from_str(&text).map_err(decode)?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(envelopes)
    }

    /// Records a controller's acknowledgement. The first one counts; a repeat is harmless.
    /// A command that was not for this controller: 422 `id`.
    pub async fn ack_command(
        &self,
        controller: ControllerId,
        ack: &CommandAck,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let acked: Option<Option<i64>> = sqlx::query_scalar(
            "SELECT acked_at FROM command_deliveries WHERE command_id = $1 AND controller_id = $2",
        )
        .bind(id(ack.id.0))
        .bind(i64::from(controller.0))
        .fetch_optional(&mut *tx)
        .await?;
        match acked {
            None => {
                return Err(StoreError::Invalid {
                    field: "id",
                    message: format!("command {} was not sent to this controller", ack.id.0),
                });
            }
            Some(Some(_)) => return Ok(()),
            Some(None) => {}
        }
        sqlx::query(
            "UPDATE command_deliveries SET acked_at = $1, outcome = $2 \
             WHERE command_id = $3 AND controller_id = $4",
        )
        .bind(now.0)
        .bind(serde_json::to_string(&ack.outcome).expect("an outcome serializes"))
        .bind(id(ack.id.0))
        .bind(i64::from(controller.0))
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// The newest command id of the site (0 for none): what wakes command long-polls.
    pub async fn latest_command(&self, site: SiteId) -> Result<u64, StoreError> {
        let latest: Option<i64> =
            sqlx::query_scalar("SELECT MAX(id) FROM commands WHERE site_id = $1")
                .bind(i64::from(site.0))
                .fetch_one(self.pool())
                .await?;
        Ok(latest.map_or(0, i64::unsigned_abs))
    }

    /// The lockdowns in force, site-wide first, then by zone.
    pub async fn lockdowns(&self, site: SiteId) -> Result<Vec<LockdownRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT zone_id, started_at, started_by FROM lockdowns \
             WHERE site_id = $1 AND released_at IS NULL ORDER BY COALESCE(zone_id, 0)",
        )
        .bind(i64::from(site.0))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                Ok(LockdownRecord {
                    zone: r
                        .try_get::<Option<i64>, _>("zone_id")?
                        .map(|z| u32::try_from(z).map(ZoneId).map_err(decode))
                        .transpose()?,
                    started_at: Timestamp(r.try_get("started_at")?),
                    started_by: r
                        .try_get::<Option<i64>, _>("started_by")?
                        .map(i64::unsigned_abs),
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?)
    }
}
