//! The error answers of the resource routes, for their OpenAPI descriptions: every error
//! is an [`ErrorBody`] with the status its [`ApiError`](super::error::ApiError) variant
//! documents.

use super::error::ErrorBody;

/// The errors of a list.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code, reason = "described in the OpenAPI document, never built")]
pub enum ListErrors {
    /// No valid session or token.
    #[response(status = 401)]
    Unauthenticated(ErrorBody),
    /// The caller's role may not do this (or a session request lacks its CSRF token).
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// Something the caller cannot fix; logged, with its detail kept in the server.
    #[response(status = 500)]
    Internal(ErrorBody),
}

/// The errors of reading one thing by id.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code, reason = "described in the OpenAPI document, never built")]
pub enum GetErrors {
    /// The id is not a number.
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// No valid session or token.
    #[response(status = 401)]
    Unauthenticated(ErrorBody),
    /// The caller's role may not do this.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// No such thing in this site.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// Something the caller cannot fix; logged, with its detail kept in the server.
    #[response(status = 500)]
    Internal(ErrorBody),
}

/// The errors of a create.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code, reason = "described in the OpenAPI document, never built")]
pub enum CreateErrors {
    /// The body is not JSON (wrong content type, bad syntax).
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// No valid session or token.
    #[response(status = 401)]
    Unauthenticated(ErrorBody),
    /// The caller's role may not do this (or a session request lacks its CSRF token).
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// A unique value (`field`) is already taken.
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// A field (`field`) is missing, unknown, of the wrong type or not acceptable.
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// Something the caller cannot fix; logged, with its detail kept in the server.
    #[response(status = 500)]
    Internal(ErrorBody),
}

/// The errors of a change to one thing by id.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code, reason = "described in the OpenAPI document, never built")]
pub enum ChangeErrors {
    /// The id is not a number, or the body is not JSON.
    #[response(status = 400)]
    BadRequest(ErrorBody),
    /// No valid session or token.
    #[response(status = 401)]
    Unauthenticated(ErrorBody),
    /// The caller's role may not do this (or a session request lacks its CSRF token).
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// No such thing in this site.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// A field (`field`) is not acceptable.
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// Something the caller cannot fix; logged, with its detail kept in the server.
    #[response(status = 500)]
    Internal(ErrorBody),
}
