//! A query-string extractor whose rejections are the API's JSON errors, like every other
//! error (axum's own answers in plain text).

use super::error::ApiError;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// `?a=1&b=2`, read into `T`; a parameter that is unknown, missing or of the wrong type is
/// a 422 naming `query` with serde's message (which names the parameter).
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e| ApiError::Invalid {
                field: "query",
                message: e.body_text(),
            })
    }
}
