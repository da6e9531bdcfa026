//! Reading the audit log, for auditors and admins: the streams with their heads, and a
//! stream's entries page by page with each link's hashes (so a reader can check the chain
//! itself) and, for admin actions, the before/after documents while they are kept.
//! `gatehouse audit verify` is the full check, against the signed checkpoints too.

use super::error::ApiError;
use super::path::ApiPath;
use super::query::ApiQuery;
use super::responses::{GetErrors, ListErrors};
use crate::auth::Allow;
use crate::auth::rules::ReadAudit;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

/// The most entries one page answers.
pub const MAX_PAGE: u32 = 500;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(streams))
        .route("/audit/{stream}", get(entries))
}

/// A stream and its head.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StreamHead {
    /// `admin` or `controller:<id>`.
    pub stream: String,
    /// The newest entry's seq.
    pub seq: u64,
    /// The newest entry's hash (hex).
    pub hash: String,
}

/// One link of a chain.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// Position in the stream, from 1, without gaps.
    pub seq: u64,
    /// What was recorded (pseudonymous ids only).
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// The previous entry's hash (hex).
    pub prev: String,
    /// This entry's hash (hex).
    pub hash: String,
    /// The resource before an admin action changed it, while kept.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The resource after, while kept.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

/// Which entries.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EntriesQuery {
    /// Entries after this seq (default 0: from the start).
    #[serde(default)]
    after: u64,
    /// At most this many (1 to 500; default 100).
    #[serde(default = "default_limit")]
    limit: u32,
}

fn default_limit() -> u32 {
    100
}

/// The streams of the audit log with their heads.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    responses((status = 200, body = Vec<StreamHead>, description = "OK"), ListErrors))]
pub async fn streams(
    _: Allow<ReadAudit>,
    State(state): State<AppState>,
) -> Result<Json<Vec<StreamHead>>, ApiError> {
    let mut heads = Vec::new();
    for stream in state.store.audit_streams().await? {
        if let Some(head) = state.store.audit_head(&stream).await? {
            heads.push(StreamHead {
                stream,
                seq: head.seq,
                hash: hex::encode(head.hash),
            });
        }
    }
    Ok(Json(heads))
}

fn document(text: Option<String>) -> Option<serde_json::Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

/// A page of a stream's entries, oldest first. Unknown stream: 404; `limit` outside
/// 1–500: 422 `limit`.
#[utoipa::path(get, path = "/api/v1/audit/{stream}", tag = "audit",
    params(("stream" = String, Path, description = "`admin` or `controller:<id>`"), EntriesQuery),
    responses((status = 200, body = Vec<AuditEntry>, description = "OK"), GetErrors))]
pub async fn entries(
    _: Allow<ReadAudit>,
    State(state): State<AppState>,
    ApiPath(stream): ApiPath<String>,
    ApiQuery(query): ApiQuery<EntriesQuery>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    if !(1..=MAX_PAGE).contains(&query.limit) {
        return Err(ApiError::Invalid {
            field: "limit",
            message: format!("1 to {MAX_PAGE}"),
        });
    }
    if state.store.audit_head(&stream).await?.is_none() {
        return Err(ApiError::NotFound(format!("no audit stream {stream:?}")));
    }
    let entries = state
        .store
        .audit_entries(&stream, query.after, query.limit)
        .await?;
    let (first, last) = match (entries.first(), entries.last()) {
        (Some(f), Some(l)) => (f.seq, l.seq),
        _ => return Ok(Json(Vec::new())),
    };
    let mut details = state
        .store
        .audit_details(&stream, first, last)
        .await?
        .into_iter()
        .peekable();
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        let (before, after) = match details.next_if(|(seq, _, _)| *seq == e.seq) {
            Some((_, before, after)) => (document(before), document(after)),
            None => (None, None),
        };
        out.push(AuditEntry {
            seq: e.seq,
            payload: serde_json::from_slice(&e.payload)
                .unwrap_or_else(|_| serde_json::Value::String(hex::encode(&e.payload))),
            prev: hex::encode(e.prev),
            hash: hex::encode(e.hash),
            before,
            after,
        });
    }
    Ok(Json(out))
}
