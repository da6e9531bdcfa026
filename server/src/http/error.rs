//! The one error type of every API handler, and how it becomes a response: JSON
//! `{"error": code, "message": text}` with the status the variant documents. Database and
//! unexpected errors are logged and answered with a bare 500; their detail never leaves
//! the server.

use crate::store::StoreError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An API error.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request cannot be read (bad JSON, wrong content type).
    #[error("{0}")]
    BadRequest(String),
    /// 401: no valid session or token.
    #[error("authentication required")]
    Unauthenticated,
    /// 401: credentials were sent but are not valid, and saying why helps the caller (a
    /// device whose clock is off, a replayed request).
    #[error("{0}")]
    BadCredentials(String),
    /// 403: authenticated, but the role may not do this.
    #[error("your role may not do this")]
    Forbidden,
    /// 403: the user signed in with a one-time password and must change it before doing
    /// anything else (`POST /api/v1/auth/password`).
    #[error("change your password first (POST /api/v1/auth/password)")]
    PasswordChangeRequired,
    /// 403: a session request that changes something without the session's CSRF token.
    #[error("missing or wrong X-CSRF-Token header")]
    Csrf,
    /// 404: no such thing.
    #[error("{0}")]
    NotFound(String),
    /// 413: the body is larger than this endpoint takes (the message says how large).
    #[error("{0}")]
    TooLarge(String),
    /// 409: a unique value already taken.
    #[error("{field} is already taken")]
    Conflict {
        /// The field.
        field: &'static str,
    },
    /// 422: a field's value is not acceptable.
    #[error("{field}: {message}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// 429: too many attempts; try again later.
    #[error("too many attempts; try again in {retry_after_secs} s")]
    TooManyAttempts {
        /// Seconds until the next attempt is allowed.
        retry_after_secs: u64,
    },
    /// 500: something the caller cannot fix; logged with its detail.
    #[error("internal error")]
    Internal(String),
}

/// The body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable code: `bad_request`, `unauthenticated`, `forbidden`,
    /// `password_change_required`, `csrf`, `not_found`, `too_large`, `conflict`,
    /// `invalid`, `too_many_attempts`, `internal`.
    pub error: &'static str,
    /// What went wrong, for people.
    pub message: String,
    /// The field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, Option<&'static str>) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request", None),
            ApiError::Unauthenticated | ApiError::BadCredentials(_) => {
                (StatusCode::UNAUTHORIZED, "unauthenticated", None)
            }
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "forbidden", None),
            ApiError::PasswordChangeRequired => {
                (StatusCode::FORBIDDEN, "password_change_required", None)
            }
            ApiError::Csrf => (StatusCode::FORBIDDEN, "csrf", None),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", None),
            ApiError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large", None),
            ApiError::Conflict { field } => (StatusCode::CONFLICT, "conflict", Some(field)),
            ApiError::Invalid { field, .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some(field))
            }
            ApiError::TooManyAttempts { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts", None)
            }
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", None),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, field) = self.parts();
        let message = match &self {
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                "internal error".to_string()
            }
            other => other.to_string(),
        };
        let mut response = (
            status,
            Json(ErrorBody {
                error,
                message,
                field,
            }),
        )
            .into_response();
        if let ApiError::TooManyAttempts { retry_after_secs } = self {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                retry_after_secs
                    .to_string()
                    .parse()
                    .expect("digits are a valid header"),
            );
        }
        response
    }
}

impl From<crate::issuance::IssueError> for ApiError {
    fn from(e: crate::issuance::IssueError) -> Self {
        ApiError::Invalid {
            field: "serial",
            message: e.to_string(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { .. } => ApiError::NotFound(e.to_string()),
            StoreError::Conflict { field } => ApiError::Conflict { field },
            StoreError::Invalid { field, message } => ApiError::Invalid { field, message },
            StoreError::Config(_) | StoreError::Migration(_) | StoreError::Database(_) => {
                ApiError::Internal(e.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(e: ApiError) -> (StatusCode, serde_json::Value) {
        let response = e.into_response();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn invalid_names_the_field() {
        let (status, json) = body(ApiError::Invalid {
            field: "zone",
            message: "no zone 9 in this site".into(),
        })
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(json["error"], "invalid");
        assert_eq!(json["field"], "zone");
        assert_eq!(json["message"], "zone: no zone 9 in this site");
    }

    #[tokio::test]
    async fn internal_detail_stays_in_the_server() {
        let (status, json) = body(ApiError::Internal("password=hunter2 in a query".into())).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(json["message"], "internal error");
    }
}
