//! Access groups and their members: `GET /groups`, `POST /groups`,
//! `PUT|DELETE /groups/{id}/members/{person_id}`.

use super::error::ApiError;
use super::json::ApiJson;
use super::path::ApiPath;
use super::responses::{ChangeErrors, CreateErrors, ListErrors};
use crate::auth::Allow;
use crate::auth::rules::{Configure, ReadPolicy};
use crate::state::AppState;
use crate::store::{GroupRecord, NewGroup, PersonRecord};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use gatehouse_core::ids::{GroupId, PersonId};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/groups", get(list_groups).post(create_group))
        .route(
            "/groups/{id}/members/{person_id}",
            put(add_member).delete(remove_member),
        )
}

/// The site's access groups with their grants, by id.
#[utoipa::path(get, path = "/api/v1/groups", tag = "groups",
    responses((status = 200, body = Vec<GroupRecord>, description = "OK"), ListErrors))]
pub async fn list_groups(
    _: Allow<ReadPolicy>,
    State(state): State<AppState>,
) -> Result<Json<Vec<GroupRecord>>, ApiError> {
    Ok(Json(state.store.groups(state.site).await?))
}

/// Creates an access group with its grants (`[{"zone", "schedule"}]`). Name taken: 409
/// `name`; unknown zone or schedule: 422 `grants.zone` or `grants.schedule`.
#[utoipa::path(post, path = "/api/v1/groups", tag = "groups", request_body = NewGroup,
    responses((status = 201, body = GroupRecord, description = "Created"), CreateErrors))]
pub async fn create_group(
    _: Allow<Configure>,
    State(state): State<AppState>,
    ApiJson(group): ApiJson<NewGroup>,
) -> Result<(StatusCode, Json<GroupRecord>), ApiError> {
    let created = state.store.create_group(state.site, &group).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Puts a person in a group (again: no change). Answers the person with their groups.
#[utoipa::path(put, path = "/api/v1/groups/{id}/members/{person_id}", tag = "groups",
    params(("id" = u32, Path, description = "The group"),
        ("person_id" = u64, Path, description = "The person")),
    responses((status = 200, body = PersonRecord, description = "OK"), ChangeErrors))]
pub async fn add_member(
    _: Allow<Configure>,
    State(state): State<AppState>,
    ApiPath((group, person)): ApiPath<(u32, u64)>,
) -> Result<Json<PersonRecord>, ApiError> {
    let (group, person) = (GroupId(group), PersonId(person));
    state.store.add_member(state.site, group, person).await?;
    Ok(Json(state.store.person(state.site, person).await?))
}

/// Takes a person out of a group (not in it: no change).
#[utoipa::path(delete, path = "/api/v1/groups/{id}/members/{person_id}", tag = "groups",
    params(("id" = u32, Path, description = "The group"),
        ("person_id" = u64, Path, description = "The person")),
    responses((status = 204, description = "Removed"), ChangeErrors))]
pub async fn remove_member(
    _: Allow<Configure>,
    State(state): State<AppState>,
    ApiPath((group, person)): ApiPath<(u32, u64)>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .remove_member(state.site, GroupId(group), PersonId(person))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
