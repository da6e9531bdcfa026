//! The server's signed time on every sync answer (docs/sync-protocol.md §3): the time, the
//! key that signed it, and the signature over the time bound to this controller and this
//! request's nonce, so an old answer replayed to the controller proves nothing.

use super::transport::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gatehouse_core::credential::{KeyId, TrustStore};
use gatehouse_core::time::Timestamp;
use gatehouse_core::wire::signed_request::{
    SERVER_KEY_HEADER, SERVER_TIME_HEADER, SERVER_TIME_SIGNATURE_HEADER, server_time_message,
};

/// The signed time of one answer, not yet checked.
#[derive(Clone, Debug)]
pub struct SignedTime {
    time_ms: i64,
    key: KeyId,
    signature: [u8; 64],
    device: String,
    nonce: String,
}

impl SignedTime {
    /// Reads the headers of an answer to the request `device` sent with `nonce`; `None` when
    /// they are missing or malformed.
    pub(super) fn from_response(response: &Response, device: &str, nonce: &str) -> Option<Self> {
        let time_ms = response.header(SERVER_TIME_HEADER)?.parse().ok()?;
        let key = hex::decode(response.header(SERVER_KEY_HEADER)?).ok()?;
        let signature = URL_SAFE_NO_PAD
            .decode(response.header(SERVER_TIME_SIGNATURE_HEADER)?)
            .ok()?;
        Some(SignedTime {
            time_ms,
            key: KeyId(key.try_into().ok()?),
            signature: signature.try_into().ok()?,
            device: device.to_owned(),
            nonce: nonce.to_owned(),
        })
    }

    /// The time, if a key in `trust` signed it for this request; `None` otherwise (a key the
    /// controller does not trust yet, right after a rotation, or a forged header).
    pub fn verify(&self, trust: &TrustStore) -> Option<Timestamp> {
        let key = trust.get(self.key)?;
        let message = server_time_message(self.time_ms, &self.device, &self.nonce);
        key.verify(&message, &self.signature)
            .then_some(Timestamp(self.time_ms))
    }
}
