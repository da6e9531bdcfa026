//! How a device (door controller, kiosk) signs its requests to the server.
//!
//! Headers: `X-GH-Device: controller:12` (or `kiosk:3`), `X-GH-Timestamp` (Unix ms),
//! `X-GH-Nonce` (16 to 64 URL-safe characters, never reused), `X-GH-Signature` (base64url,
//! no padding, of the Ed25519 signature over [`signing_message`]). The server accepts a
//! timestamp within [`REPLAY_WINDOW_MS`] of its own clock and each nonce once per device, so
//! a captured request cannot be sent again.

use sha2::{Digest, Sha256};

/// Names the calling device: `controller:<id>` or `kiosk:<id>`.
pub const DEVICE_HEADER: &str = "x-gh-device";
/// The request time, Unix milliseconds.
pub const TIMESTAMP_HEADER: &str = "x-gh-timestamp";
/// A value used once.
pub const NONCE_HEADER: &str = "x-gh-nonce";
/// The signature, base64url without padding.
pub const SIGNATURE_HEADER: &str = "x-gh-signature";
/// How far a request's timestamp may be from the server's clock.
pub const REPLAY_WINDOW_MS: i64 = 60_000;

/// The bytes a device signs: a context line, then method, path with query, timestamp,
/// nonce and the SHA-256 of the body, one per line.
pub fn signing_message(
    method: &str,
    path_and_query: &str,
    timestamp_ms: i64,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let body_hash: String = Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!(
        "gatehouse-request-v1\n{method}\n{path_and_query}\n{timestamp_ms}\n{nonce}\n{body_hash}"
    )
    .into_bytes()
}

/// Whether a nonce has an acceptable form.
pub fn nonce_is_valid(nonce: &str) -> bool {
    (16..=64).contains(&nonce.len())
        && nonce
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The bytes the server signs to vouch for its time in a response to a device: the time,
/// the device and the nonce of the device's request, so an old answer cannot be replayed to
/// wind a controller's clock floor back or forward.
pub fn server_time_message(time_ms: i64, device: &str, request_nonce: &str) -> Vec<u8> {
    format!("gatehouse-time-v1\n{time_ms}\n{device}\n{request_nonce}").into_bytes()
}

/// Response header: the server's time, Unix ms.
pub const SERVER_TIME_HEADER: &str = "x-gh-server-time";
/// Response header: base64url Ed25519 signature over [`server_time_message`].
pub const SERVER_TIME_SIGNATURE_HEADER: &str = "x-gh-server-time-signature";
/// Response header: the key id (hex) that signed the time.
pub const SERVER_KEY_HEADER: &str = "x-gh-key-id";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_binds_every_part() {
        let base = signing_message("POST", "/api/v1/x?a=1", 5, "nonce-nonce-nonce", b"{}");
        assert_ne!(
            base,
            signing_message("GET", "/api/v1/x?a=1", 5, "nonce-nonce-nonce", b"{}")
        );
        assert_ne!(
            base,
            signing_message("POST", "/api/v1/x?a=2", 5, "nonce-nonce-nonce", b"{}")
        );
        assert_ne!(
            base,
            signing_message("POST", "/api/v1/x?a=1", 6, "nonce-nonce-nonce", b"{}")
        );
        assert_ne!(
            base,
            signing_message("POST", "/api/v1/x?a=1", 5, "nonce-nonce-noncf", b"{}")
        );
        assert_ne!(
            base,
            signing_message("POST", "/api/v1/x?a=1", 5, "nonce-nonce-nonce", b"[]")
        );
        assert!(nonce_is_valid("abcdefghijklmnop"));
        assert!(!nonce_is_valid("short"));
        assert!(!nonce_is_valid("has spaces in it!"));
    }
}
