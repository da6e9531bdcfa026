//! `gatehouse-door enroll --server URL --code CODE`: the controller makes its own key pair,
//! registers the public half with the one-time code over the pinned channel, and keeps what
//! the server answered (docs/sync-protocol.md §1).

use super::error::SyncError;
use super::identity::Identity;
use super::transport::{Request, Transport};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_core::credential::IssuerKey;
use gatehouse_core::ids::ControllerId;
use gatehouse_core::wire::enrollment::{DeviceKind, EnrollmentCode};
use hyper::Method;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use rand_core::{OsRng, RngCore};
use std::path::Path;
use std::time::Duration;

/// The server's answer to an enrollment.
#[derive(serde::Deserialize)]
struct Enrolled {
    device: String,
    reader_key_escrow_recipient: Option<String>,
}

/// Enrolls with `code` at `server` and saves the identity in `state_dir`. A controller
/// enrolled before is enrolled again (a replacement for a dead one takes over its id); the
/// new key replaces the old one only once the server has accepted it.
pub async fn enroll(server: &str, code: &str, state_dir: &Path) -> Result<Identity, SyncError> {
    let code: EnrollmentCode = code
        .parse()
        .map_err(|e| SyncError::Config(format!("--code: {e}")))?;
    if code.kind != DeviceKind::Controller {
        return Err(SyncError::Config(format!(
            "--code: this is a code for a {}, not for a door controller",
            code.kind.name()
        )));
    }
    let controller = u32::try_from(code.device).map(ControllerId).map_err(|_| {
        SyncError::Config(format!(
            "--code: controller id {} is out of range",
            code.device
        ))
    })?;
    let transport = Transport::new(server, code.fingerprint)?;
    let mut seed = [0u8; 32];
    OsRng.fill_bytes(&mut seed);
    let key = IssuerKey::from_seed(&seed);
    seed.iter_mut().for_each(|b| *b = 0);
    let body = serde_json::json!({
        "code": code.to_string(),
        "public_key": URL_SAFE_NO_PAD.encode(key.public().to_bytes()),
    });
    let response = transport
        .send(Request {
            method: Method::POST,
            path_and_query: "/api/v1/enroll".to_owned(),
            headers: vec![(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            body: serde_json::to_vec(&body).expect("JSON"),
            timeout: Duration::from_secs(30),
        })
        .await?;
    if response.status != 200 {
        let message = serde_json::from_slice::<serde_json::Value>(&response.body)
            .ok()
            .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
            .unwrap_or_default();
        return Err(SyncError::Refused {
            status: response.status,
            message,
        });
    }
    let enrolled: Enrolled = serde_json::from_slice(&response.body)
        .map_err(|e| SyncError::Protocol(format!("enrollment answer: {e}")))?;
    let expected = format!("controller:{}", code.device);
    if enrolled.device != expected {
        return Err(SyncError::Protocol(format!(
            "the server enrolled {}, not {expected}",
            enrolled.device
        )));
    }
    let identity = Identity {
        controller,
        server: server.trim_end_matches('/').to_owned(),
        fingerprint: code.fingerprint,
        escrow_recipient: enrolled.reader_key_escrow_recipient,
        key,
    };
    identity.save(state_dir)?;
    Ok(identity)
}
