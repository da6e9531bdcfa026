//! The controller's calls to the server, each signed with its device key
//! (docs/sync-protocol.md): the bundle and command long-polls, command acknowledgements,
//! event uploads, heartbeats and the reader-key escrow.

use super::error::SyncError;
use super::identity::Identity;
use super::signed_time::SignedTime;
use super::transport::{Request, Response, Transport};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_core::bundle::{BundleDelta, BundleVersion, SignedBundle};
use gatehouse_core::wire::signed_request::{
    DEVICE_HEADER, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signing_message,
};
use gatehouse_core::wire::{BatchAck, CommandAck, CommandEnvelope, EventBatch};
use hyper::Method;
use hyper::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use rand_core::{OsRng, RngCore};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A request that is not a long-poll gets this long.
const SHORT: Duration = Duration::from_secs(15);
/// A long-poll gets its wait plus this.
const LONG_POLL_MARGIN: Duration = Duration::from_secs(10);
/// The longest wait the server grants a long-poll.
pub const MAX_WAIT_SECS: u32 = 25;

const BUNDLE_TYPE: &str = "application/vnd.gatehouse.bundle";
const DELTA_TYPE: &str = "application/vnd.gatehouse.delta";

/// What the bundle long-poll brought.
#[derive(Debug)]
pub enum BundleAnswer {
    /// Nothing newer than the bundle held, within the wait.
    Unchanged,
    /// A whole bundle (a new controller, or the server no longer has the held version).
    Whole(SignedBundle),
    /// The changes since the held version, signed over the resulting whole.
    Delta(Box<BundleDelta>),
}

/// An answer and the server's signed time that came with it.
#[derive(Debug)]
pub struct Answer<T> {
    /// What the server answered.
    pub value: T,
    /// Its signed time (checked by the caller against the keys it trusts).
    pub time: Option<SignedTime>,
}

/// A signed-request client for one enrolled controller.
#[derive(Debug)]
pub struct SyncClient {
    transport: Transport,
    identity: Identity,
    /// The controller's clock floor (Unix ms): requests are stamped with the later of it
    /// and the system clock, so a Pi that booted without a clock still signs a time the
    /// server accepts once the floor has been raised.
    floor_ms: AtomicI64,
}

impl SyncClient {
    /// A client for `identity`'s server.
    pub fn new(identity: Identity) -> Result<SyncClient, SyncError> {
        let transport = Transport::new(&identity.server, identity.fingerprint)?;
        Ok(SyncClient {
            transport,
            identity,
            floor_ms: AtomicI64::new(0),
        })
    }

    /// The enrolled identity.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// Raises the time requests are stamped with to at least `floor_ms`.
    pub fn raise_floor(&self, floor_ms: i64) {
        self.floor_ms.fetch_max(floor_ms, Ordering::Relaxed);
    }

    fn now_ms(&self) -> i64 {
        let system = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        system.max(self.floor_ms.load(Ordering::Relaxed))
    }

    /// Sends a signed request; a 4xx or 5xx becomes an error carrying the server's message.
    async fn call(
        &self,
        method: Method,
        path_and_query: String,
        content_type: Option<&'static str>,
        body: Vec<u8>,
        timeout: Duration,
    ) -> Result<(Response, Option<SignedTime>), SyncError> {
        let mut nonce = [0u8; 16];
        OsRng.fill_bytes(&mut nonce);
        let nonce = hex::encode(nonce);
        let timestamp = self.now_ms();
        let device = self.identity.device();
        let signature = self.identity.key.sign(&signing_message(
            method.as_str(),
            &path_and_query,
            timestamp,
            &nonce,
            &body,
        ));
        let value = |s: &str| HeaderValue::from_str(s).expect("ASCII header value");
        let mut headers: Vec<(HeaderName, HeaderValue)> = vec![
            (HeaderName::from_static(DEVICE_HEADER), value(&device)),
            (
                HeaderName::from_static(TIMESTAMP_HEADER),
                value(&timestamp.to_string()),
            ),
            (HeaderName::from_static(NONCE_HEADER), value(&nonce)),
            (
                HeaderName::from_static(SIGNATURE_HEADER),
                value(&URL_SAFE_NO_PAD.encode(signature)),
            ),
        ];
        if let Some(content_type) = content_type {
            headers.push((CONTENT_TYPE, HeaderValue::from_static(content_type)));
        }
        let response = self
            .transport
            .send(Request {
                method,
                path_and_query,
                headers,
                body,
                timeout,
            })
            .await?;
        refusal(&response)?;
        let time = SignedTime::from_response(&response, &device, &nonce);
        Ok((response, time))
    }

    /// `GET /api/v1/sync/bundle`: the bundle newer than `held`, waiting up to `wait_secs`
    /// (at most [`MAX_WAIT_SECS`]) for one.
    pub async fn bundle(
        &self,
        held: Option<BundleVersion>,
        wait_secs: u32,
    ) -> Result<Answer<BundleAnswer>, SyncError> {
        let wait_secs = wait_secs.min(MAX_WAIT_SECS);
        let path = match held {
            Some(v) => format!(
                "/api/v1/sync/bundle?epoch={}&version={}&wait={wait_secs}",
                v.epoch, v.version
            ),
            None => "/api/v1/sync/bundle".to_owned(),
        };
        let timeout = Duration::from_secs(wait_secs.into()) + LONG_POLL_MARGIN;
        let (response, time) = self
            .call(Method::GET, path, None, Vec::new(), timeout)
            .await?;
        let value = match (response.status, response.header("content-type")) {
            (204, _) => BundleAnswer::Unchanged,
            (200, Some(BUNDLE_TYPE)) => BundleAnswer::Whole(
                SignedBundle::from_bytes(&response.body)
                    .map_err(|e| SyncError::Protocol(format!("bundle: {e}")))?,
            ),
            (200, Some(DELTA_TYPE)) => BundleAnswer::Delta(Box::new(
                BundleDelta::from_bytes(&response.body)
                    .map_err(|e| SyncError::Protocol(format!("bundle delta: {e}")))?,
            )),
            (status, content_type) => {
                return Err(SyncError::Protocol(format!(
                    "bundle answer {status} with content type {content_type:?}"
                )));
            }
        };
        Ok(Answer { value, time })
    }

    /// `GET /api/v1/sync/commands`: commands not yet acknowledged, waiting up to
    /// `wait_secs` for one.
    pub async fn commands(
        &self,
        wait_secs: u32,
    ) -> Result<Answer<Vec<CommandEnvelope>>, SyncError> {
        #[derive(serde::Deserialize)]
        struct Commands {
            commands: Vec<CommandEnvelope>,
        }
        let wait_secs = wait_secs.min(MAX_WAIT_SECS);
        let path = format!("/api/v1/sync/commands?wait={wait_secs}");
        let timeout = Duration::from_secs(wait_secs.into()) + LONG_POLL_MARGIN;
        let (response, time) = self
            .call(Method::GET, path, None, Vec::new(), timeout)
            .await?;
        let commands: Commands = json(&response, "commands")?;
        Ok(Answer {
            value: commands.commands,
            time,
        })
    }

    /// `POST /api/v1/sync/commands/ack`.
    pub async fn acknowledge(&self, ack: &CommandAck) -> Result<Answer<()>, SyncError> {
        let body = serde_json::to_vec(ack).expect("an ack serializes");
        let path = "/api/v1/sync/commands/ack".to_owned();
        let (_, time) = self
            .call(Method::POST, path, Some("application/json"), body, SHORT)
            .await?;
        Ok(Answer { value: (), time })
    }

    /// `POST /api/v1/sync/events`: the server's acknowledgement of the batch.
    pub async fn upload(&self, batch: &EventBatch) -> Result<Answer<BatchAck>, SyncError> {
        let body = serde_json::to_vec(batch).expect("a batch serializes");
        let path = "/api/v1/sync/events".to_owned();
        let (response, time) = self
            .call(Method::POST, path, Some("application/json"), body, SHORT)
            .await?;
        Ok(Answer {
            value: json(&response, "event batch acknowledgement")?,
            time,
        })
    }

    /// `POST /api/v1/sync/heartbeat` with the controller's report.
    pub async fn heartbeat(&self, report: &serde_json::Value) -> Result<Answer<()>, SyncError> {
        let body = serde_json::to_vec(report).expect("a report serializes");
        let path = "/api/v1/sync/heartbeat".to_owned();
        let (_, time) = self
            .call(Method::POST, path, Some("application/json"), body, SHORT)
            .await?;
        Ok(Answer { value: (), time })
    }
}

impl SyncClient {
    /// `PUT /api/v1/sync/reader-keys`: the controller's reader key store, sealed to the
    /// server's escrow recipient ([`super::seal`]); the latest copy replaces the one before.
    pub async fn escrow_reader_keys(&self, sealed: Vec<u8>) -> Result<Answer<()>, SyncError> {
        let path = "/api/v1/sync/reader-keys".to_owned();
        let (_, time) = self
            .call(
                Method::PUT,
                path,
                Some("application/octet-stream"),
                sealed,
                SHORT,
            )
            .await?;
        Ok(Answer { value: (), time })
    }

    /// `GET /api/v1/sync/reader-keys`: the store this controller escrowed, as exported, for
    /// `ReaderKeyStore::restore` on a replacement controller (the server records the
    /// release in its admin audit chain).
    pub async fn fetch_reader_keys(&self) -> Result<Answer<Vec<u8>>, SyncError> {
        let path = "/api/v1/sync/reader-keys".to_owned();
        let (response, time) = self
            .call(Method::GET, path, None, Vec::new(), SHORT)
            .await?;
        if response.status != 200 {
            return Err(SyncError::Protocol(format!(
                "reader keys: status {}",
                response.status
            )));
        }
        Ok(Answer {
            value: response.body,
            time,
        })
    }
}

/// The server's refusal as an error: `{"error": code, "message": text}` for 4xx and 5xx.
fn refusal(response: &Response) -> Result<(), SyncError> {
    if response.status < 400 {
        return Ok(());
    }
    let message = serde_json::from_slice::<serde_json::Value>(&response.body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(&response.body).into_owned());
    let status = response.status;
    Err(if status >= 500 {
        SyncError::Server { status, message }
    } else {
        SyncError::Refused { status, message }
    })
}

fn json<T: serde::de::DeserializeOwned>(response: &Response, what: &str) -> Result<T, SyncError> {
    if response.status != 200 {
        return Err(SyncError::Protocol(format!(
            "{what}: status {}",
            response.status
        )));
    }
    serde_json::from_slice(&response.body).map_err(|e| SyncError::Protocol(format!("{what}: {e}")))
}
