//! Bringing a server up: data directory, keys, TLS, database, first site and first admin.
//! Everything a `gatehouse server` needs before it accepts a connection, and nothing that
//! talks to the network, so tests can start a server on `127.0.0.1:0` the same way.

use crate::auth::password;
use crate::config::Config;
use crate::data_dir::{DataDir, FsError, write_secret};
use crate::escrow::{EscrowKey, EscrowKeyError};
use crate::keyring::{Keyring, KeyringError};
use crate::state::{AppState, Clock};
use crate::store::{NewUser, Role, Store, StoreError};
use crate::tls::{ServerTls, TlsError};
use gatehouse_core::ids::SiteId;
use rand::RngCore;
use std::sync::{Arc, RwLock};

/// Why the server could not start. Each names what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The data directory.
    #[error(transparent)]
    DataDir(#[from] FsError),
    /// The issuer keys.
    #[error("issuer keys: {0}")]
    Keyring(#[from] KeyringError),
    /// The reader-key escrow key.
    #[error("reader-key escrow key: {0}")]
    Escrow(#[from] EscrowKeyError),
    /// The TLS certificate.
    #[error("TLS: {0}")]
    Tls(#[from] TlsError),
    /// The database.
    #[error("database: {0}")]
    Store(#[from] StoreError),
}

/// A server ready to serve.
#[derive(Debug)]
pub struct Prepared {
    /// Shared state for the handlers.
    pub state: AppState,
    /// The TLS material, unless TLS is off (loopback only).
    pub tls: Option<ServerTls>,
    /// Where the one-time password of a freshly bootstrapped admin was written.
    pub initial_admin_password: Option<std::path::PathBuf>,
}

/// Prepares the data directory, keys (issuer and reader-key escrow), TLS and database; on
/// the very first start, creates the site and the first admin, whose one-time password is
/// written to `DATA_DIR/initial-admin-password` (mode 0600).
pub async fn prepare(config: &Config, clock: Clock) -> Result<Prepared, StartError> {
    let dir = DataDir::new(&config.data_dir);
    dir.ensure()?;
    let keyring = Keyring::open(&dir)?;
    let escrow = EscrowKey::open(&dir)?;
    let tls = ServerTls::load_or_create(&dir, &config.tls)?;
    let store = open_store(config).await?;
    let now = clock();
    let site = first_site(&store, now.0).await?;
    let initial_admin_password = bootstrap_admin(&store, &dir, site, now.0).await?;
    let state = AppState {
        store: store.clone(),
        keyring: Arc::new(RwLock::new(keyring)),
        escrow: Arc::new(escrow),
        site,
        clock,
        tls: tls.is_some(),
        tls_fingerprint: tls.as_ref().map(ServerTls::fingerprint),
        sync: crate::sync::watch::start(
            store.clone(),
            site,
            std::time::Duration::from_secs(config.sync.fallback_poll_secs.into()),
        )
        .await?,
        site_bundle: Default::default(),
        metrics: Default::default(),
    };
    store.spawn_wal_checkpoints();
    crate::checkpoints::spawn_periodic(state.clone(), config.data_dir.clone());
    crate::monitor::spawn(state.clone());
    crate::auth::device::spawn_nonce_pruning(state.clone());
    crate::retention::spawn(state.clone(), config.retention.visitor_days);
    crate::key_reload::spawn(state.clone(), dir);
    Ok(Prepared {
        state,
        tls,
        initial_admin_password,
    })
}

/// Opens the configured database (the SQLite file in the data directory unless a URL is
/// configured), creating the data directory if need be, and applies the migrations. The
/// server and the admin commands (`gatehouse admin …`) open it the same way.
pub async fn open_store(config: &Config) -> Result<Store, StartError> {
    let dir = DataDir::new(&config.data_dir);
    dir.ensure()?;
    let url = match &config.database_url {
        Some(url) => url.expose().to_string(),
        None => Store::sqlite_url(&dir.database()),
    };
    Ok(Store::open(&url).await?)
}

/// The site this server runs, created on the very first start.
pub async fn first_site(store: &Store, now_ms: i64) -> Result<SiteId, StartError> {
    Ok(match store.sites().await?.first() {
        Some(site) => site.id,
        None => {
            let mut salt = [0u8; 16];
            rand::rngs::OsRng.fill_bytes(&mut salt);
            store
                .create_site("Gatehouse", "UTC", salt, now_ms)
                .await?
                .id
        }
    })
}

/// Creates the first admin when there is no user at all. Runs once: afterwards there is a
/// user, and a lost password is reset with `gatehouse admin reset-password`.
async fn bootstrap_admin(
    store: &Store,
    dir: &DataDir,
    site: SiteId,
    now_ms: i64,
) -> Result<Option<std::path::PathBuf>, StartError> {
    if store.user_count().await? > 0 {
        return Ok(None);
    }
    let one_time = password::one_time();
    let user = NewUser {
        username: "admin".into(),
        password_hash: password::hash(&one_time).expect("a generated password has a valid length"),
        role: Role::Admin,
        person: None,
        must_change_password: true,
    };
    // The password file first: if the server dies in between, no admin exists whose
    // password nobody knows.
    let path = dir.initial_admin_password();
    write_secret(&path, format!("{one_time}\n").as_bytes())?;
    store.create_user(site, &user, now_ms).await?;
    Ok(Some(path))
}
