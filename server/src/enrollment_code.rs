//! One-time enrollment codes: the secret a new device presents once, with the server's
//! certificate fingerprint for it to pin. The admin API hands them out; the demo enrolls
//! its controllers with them the same way.

use crate::auth::tokens;
use crate::state::AppState;
use crate::store::{DeviceKind, StoreError};
use gatehouse_core::wire::enrollment::EnrollmentCode;

/// How long an enrollment code stays usable.
pub const CODE_LIFETIME_MS: i64 = 24 * 60 * 60 * 1000;

/// Starts the enrollment of `device` (replacing any code it had) and returns its code and
/// until when it is usable (Unix ms).
pub async fn issue(
    state: &AppState,
    kind: DeviceKind,
    device: u64,
) -> Result<(EnrollmentCode, i64), StoreError> {
    let secret = tokens::random_secret();
    let expires_at = state.now().0 + CODE_LIFETIME_MS;
    state
        .store
        .start_enrollment(state.site, kind, device, &tokens::hash(&secret), expires_at)
        .await?;
    let code = EnrollmentCode {
        kind,
        device,
        secret,
        fingerprint: state.tls_fingerprint,
    };
    Ok((code, expires_at))
}
