//! People: `GET /people` (search, cursor paging), `POST /people`, `GET /people/{id}`,
//! `PUT /people/{id}/pin`.

use super::audit_trail::with_before;
use super::error::{ApiError, ErrorBody};
use super::json::ApiJson;
use super::path::ApiPath;
use super::query::ApiQuery;
use super::responses::{ChangeErrors, CreateErrors, GetErrors, ListErrors};
use crate::auth::Allow;
use crate::auth::rules::{ManageBadges, ReadPolicy};
use crate::state::AppState;
use crate::store::{BadgeRecord, NewPerson, PeoplePage, PeopleQuery, PersonRecord};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, put};
use axum::{Json, Router};
use gatehouse_core::ids::PersonId;
use gatehouse_core::model::Pin;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A page holds this many people unless `limit` says otherwise.
const DEFAULT_LIMIT: u32 = 50;
/// And never more than this.
const MAX_LIMIT: u32 = 200;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/people", get(list_people).post(create_person))
        .route("/people/{id}", get(get_person))
        .route("/people/{id}/pin", put(set_pin))
}

/// The query of `GET /people`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleParams {
    /// Only people whose name contains this (case-insensitive).
    q: Option<String>,
    /// The cursor: `next` of the previous page.
    #[param(value_type = Option<u64>)]
    after: Option<String>,
    /// How many, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    limit: Option<String>,
}

impl PeopleParams {
    fn query(self) -> Result<PeopleQuery, ApiError> {
        let name = self.q.filter(|q| !q.trim().is_empty());
        if name.as_ref().is_some_and(|q| q.len() > 200) {
            return Err(invalid("q", "at most 200 characters"));
        }
        let after = self
            .after
            .map(|a| a.parse::<u64>().map(PersonId))
            .transpose()
            .map_err(|_| invalid("after", "must be the `next` of a previous page"))?;
        let limit = match self.limit {
            None => DEFAULT_LIMIT,
            Some(l) => l
                .parse::<u32>()
                .ok()
                .filter(|l| (1..=MAX_LIMIT).contains(l))
                .ok_or_else(|| invalid("limit", "must be 1 to 200"))?,
        };
        Ok(PeopleQuery { name, after, limit })
    }
}

fn invalid(field: &'static str, message: &str) -> ApiError {
    ApiError::Invalid {
        field,
        message: message.into(),
    }
}

/// A page of the site's people, by id: `next`, when not null, is the `after` of the next
/// page.
#[utoipa::path(get, path = "/api/v1/people", tag = "people", params(PeopleParams),
    responses((status = 200, body = PeoplePage, description = "OK"),
        (status = 422, body = ErrorBody, description = "a malformed query string, or `q`, `after` or `limit` not acceptable"),
        ListErrors))]
pub async fn list_people(
    _: Allow<ReadPolicy>,
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<PeopleParams>,
) -> Result<Json<PeoplePage>, ApiError> {
    let query = params.query()?;
    Ok(Json(state.store.people(state.site, &query).await?))
}

/// Creates a person. Unknown manager: 422 `manager`.
#[utoipa::path(post, path = "/api/v1/people", tag = "people", request_body = NewPerson,
    responses((status = 201, body = PersonRecord, description = "Created"), CreateErrors))]
pub async fn create_person(
    _: Allow<ManageBadges>,
    State(state): State<AppState>,
    ApiJson(person): ApiJson<NewPerson>,
) -> Result<(StatusCode, Json<PersonRecord>), ApiError> {
    let created = state
        .store
        .create_person(state.site, &person, state.now().0)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// A person with their groups and badges.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PersonDetail {
    /// The person.
    #[serde(flatten)]
    person: PersonRecord,
    /// Their badges, by id.
    badges: Vec<BadgeRecord>,
}

/// One person, with their groups and badges.
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people",
    params(("id" = u64, Path, description = "The person")),
    responses((status = 200, body = PersonDetail, description = "OK"), GetErrors))]
pub async fn get_person(
    _: Allow<ReadPolicy>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
) -> Result<Json<PersonDetail>, ApiError> {
    let person = state.store.person(state.site, PersonId(id)).await?;
    let badges = state.store.badges_of(state.site, person.id).await?;
    Ok(Json(PersonDetail { person, badges }))
}

/// A PIN to set, or `null` to clear it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPin {
    /// 4 to 12 digits, or null. Required, so that an empty body clears nothing.
    #[serde(deserialize_with = "Option::deserialize")]
    #[schema(value_type = Option<String>, required = true, pattern = "^[0-9]{4,12}$")]
    pin: Option<String>,
}

impl fmt::Debug for SetPin {
    // A PIN never reaches a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetPin").finish_non_exhaustive()
    }
}

/// Sets or clears a person's PIN; the server keeps only its verifier. Not 4 to 12 digits:
/// 422 `pin`.
#[utoipa::path(put, path = "/api/v1/people/{id}/pin", tag = "people", request_body = SetPin,
    params(("id" = u64, Path, description = "The person")),
    responses((status = 200, body = PersonRecord, description = "OK"), ChangeErrors))]
pub async fn set_pin(
    _: Allow<ManageBadges>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<u64>,
    ApiJson(body): ApiJson<SetPin>,
) -> Result<Response, ApiError> {
    let pin = body
        .pin
        .map(|p| Pin::parse(&p))
        .transpose()
        .map_err(|_| invalid("pin", "must be 4 to 12 digits"))?;
    let person = PersonId(id);
    let before = state.store.person(state.site, person).await?;
    state
        .store
        .set_pin(state.site, person, pin.as_ref())
        .await?;
    let after = state.store.person(state.site, person).await?;
    Ok(with_before(Json(after), &before))
}
