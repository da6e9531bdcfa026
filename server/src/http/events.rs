//! `GET /api/v1/events`: searching what the doors decided and what happened at them, newest
//! first, a page at a time.

use super::error::{ApiError, ErrorBody};
use super::query::ApiQuery;
use crate::auth::Allow;
use crate::auth::rules::ReadEvents;
use crate::state::AppState;
use crate::store::{EventCursor, EventQuery, EventRecord};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use gatehouse_core::reason::Reason;
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new().route("/events", get(search))
}

/// Filters; all optional.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EventParams {
    /// Only this person's (pseudonymous id).
    person: Option<u64>,
    /// Only at this door.
    door: Option<u32>,
    /// Only into this zone.
    zone: Option<u32>,
    /// `granted` or `denied`.
    outcome: Option<String>,
    /// A reason code, e.g. `revoked`.
    reason: Option<String>,
    /// From (Unix ms, inclusive).
    from: Option<i64>,
    /// Until (Unix ms, exclusive).
    to: Option<i64>,
    /// The `next` cursor of the previous page.
    after: Option<String>,
    /// Page size, 1 to 500 (default 100).
    limit: Option<u32>,
}

/// A page of events.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventPage {
    /// The events, newest first.
    items: Vec<EventRecord>,
    /// The cursor of the next (older) page, if any.
    next: Option<String>,
}

/// Events matching the filters, newest first.
#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(EventParams),
    responses((status = 200, body = EventPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn search(
    _: Allow<ReadEvents>,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<EventParams>,
) -> Result<Json<EventPage>, ApiError> {
    let invalid = |field, message: &str| ApiError::Invalid {
        field,
        message: message.to_string(),
    };
    let limit = p.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(invalid("limit", "1 to 500"));
    }
    let granted = match p.outcome.as_deref() {
        None => None,
        Some("granted") => Some(true),
        Some("denied") => Some(false),
        Some(_) => return Err(invalid("outcome", "granted or denied")),
    };
    if let Some(reason) = &p.reason {
        if !Reason::ALL.iter().any(|r| r.code() == reason) {
            return Err(invalid(
                "reason",
                "not a reason code (see docs/access-decision.md)",
            ));
        }
    }
    if let (Some(from), Some(to)) = (p.from, p.to) {
        if to <= from {
            return Err(invalid("to", "must be after from"));
        }
    }
    let after = p
        .after
        .as_deref()
        .map(|a| {
            a.parse::<EventCursor>()
                .map_err(|()| invalid("after", "not a cursor from a previous page"))
        })
        .transpose()?;
    let query = EventQuery {
        person: p.person,
        door: p.door,
        zone: p.zone,
        granted,
        reason: p.reason,
        from: p.from,
        to: p.to,
        after,
        limit,
    };
    let (items, next) = state.store.search_events(state.site, &query).await?;
    Ok(Json(EventPage {
        items,
        next: next.map(|c| c.to_string()),
    }))
}
