//! What every request handler can reach.

use crate::keyring::Keyring;
use crate::store::Store;
use gatehouse_core::ids::SiteId;
use gatehouse_core::time::Timestamp;
use std::sync::{Arc, RwLock};

/// Where handlers get the time: the system clock in a server, a fixed one in tests.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp(i64::try_from(since.as_millis()).unwrap_or(i64::MAX))
    })
}

/// The server's shared state.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The issuer keys (rotation takes the write lock).
    pub keyring: Arc<RwLock<Keyring>>,
    /// The identity controllers' reader key stores are escrowed to.
    pub escrow: Arc<crate::escrow::EscrowKey>,
    /// The site this server runs (one site per server for now).
    pub site: SiteId,
    /// The time.
    pub clock: Clock,
    /// Whether requests arrive over TLS (session cookies are then `Secure`).
    pub tls: bool,
    /// SHA-256 of the server's TLS certificate, which enrollment codes carry so devices pin
    /// it; none when TLS is off (loopback development).
    pub tls_fingerprint: Option<[u8; 32]>,
    /// The site's latest policy version and command, for long-polls to wait on.
    pub sync: crate::sync::watch::SyncWatch,
    /// The site-wide bundle of the latest version built.
    pub site_bundle: crate::sync::bundles::SiteBundleCache,
    /// What `/metrics` reports that is counted as it happens.
    pub metrics: Arc<crate::metrics::Metrics>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("site", &self.site)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Now.
    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }
}
