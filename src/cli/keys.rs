//! `gatehouse keys generate|rotate|list|retire`: issuer key pairs — a standalone pair on disk, or
//! the server's own keys in its data directory.

use super::Failure;
use super::admin::StoreArgs;
use super::server::load_config;
use clap::{Args, Subcommand};
use gatehouse_core::credential::IssuerKey;
use gatehouse_server::data_dir::DataDir;
use gatehouse_server::keyring::Keyring;
use gatehouse_server::startup::{first_site, open_store};
use rand_core::{OsRng, RngCore};
use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Write DIR/issuer.key (PKCS#8 PEM, mode 0600) and DIR/issuer.pub (SPKI PEM); print
    /// the key id.
    Generate(GenerateArgs),
    /// Make a new key the server's current signing key; older keys stay trusted so passes
    /// they signed keep working until they expire. Prints the new key id. A running server
    /// picks it up by itself (it re-reads its keys when the policy version moves).
    Rotate(StoreArgs),
    /// List the server's keys: one line per key id, the current one marked.
    List(StoreArgs),
    /// Stop trusting an old key: its file is removed and the next bundles leave it out.
    /// Refused while passes it signed are unexpired (a retired key's passes stop opening
    /// doors), unless --force.
    Retire(RetireArgs),
}

#[derive(Debug, Args)]
pub struct RetireArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The key id (16 hex digits, as `keys list` prints it).
    kid: String,
    /// Retire even though passes it signed are still valid.
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Directory to write the key pair into (created if missing).
    #[arg(long)]
    out: PathBuf,
}

pub fn run(cmd: KeysCommand) -> Result<(), Failure> {
    match cmd {
        KeysCommand::Generate(args) => generate(&args.out),
        KeysCommand::Rotate(args) => rotate(&args),
        KeysCommand::List(args) => list(&args),
        KeysCommand::Retire(args) => retire(&args),
    }
}

fn generate(dir: &Path) -> Result<(), Failure> {
    let io_error = |path: &Path, e: std::io::Error| {
        Failure::Usage(format!("cannot write {}: {e}", path.display()))
    };
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    let mut seed = [0u8; 32];
    OsRng.fill_bytes(&mut seed);
    let key = IssuerKey::from_seed(&seed);
    seed.fill(0);

    let private = dir.join("issuer.key");
    // create_new: an existing key is never overwritten, it may be the one passes rely on.
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&private)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Failure::Usage(format!(
                "{} already exists; refusing to overwrite an issuer key",
                private.display()
            )),
            _ => io_error(&private, e),
        })?;
    file.write_all(key.to_pkcs8_pem().as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| io_error(&private, e))?;

    let public = dir.join("issuer.pub");
    std::fs::write(&public, key.public().to_spki_pem()).map_err(|e| io_error(&public, e))?;
    println!("{}", key.id());
    Ok(())
}

fn keyring(args: &StoreArgs) -> Result<(gatehouse_server::config::Config, Keyring), Failure> {
    let config = load_config(args.config.as_deref(), args.data_dir.clone(), None)?;
    let keyring = Keyring::open(&DataDir::new(&config.data_dir))
        .map_err(|e| Failure::Usage(format!("issuer keys: {e}")))?;
    Ok((config, keyring))
}

/// Raises the site's policy version, so controllers get a bundle with the trusted keys
/// as they are now.
fn publish_keys(config: &gatehouse_server::config::Config) -> Result<(), Failure> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| Failure::Usage(e.to_string()))?;
    runtime.block_on(async {
        let store = open_store(config)
            .await
            .map_err(|e| Failure::Usage(e.to_string()))?;
        let now = gatehouse_server::state::system_clock()();
        let site = first_site(&store, now.0)
            .await
            .map_err(|e| Failure::Usage(e.to_string()))?;
        store
            .touch_policy(site)
            .await
            .map_err(|e| Failure::Usage(e.to_string()))
    })
}

fn rotate(args: &StoreArgs) -> Result<(), Failure> {
    let (config, mut keyring) = keyring(args)?;
    let kid = keyring
        .rotate()
        .map_err(|e| Failure::Usage(format!("rotate: {e}")))?;
    // Controllers must learn to trust the new key: a new bundle version carries it.
    publish_keys(&config)?;
    println!("{kid}");
    Ok(())
}

fn retire(args: &RetireArgs) -> Result<(), Failure> {
    let (config, mut keyring) = keyring(&args.store)?;
    let kid = keyring
        .list()
        .into_iter()
        .map(|k| k.id)
        .find(|id| id.to_string() == args.kid.to_ascii_lowercase())
        .ok_or_else(|| Failure::Usage(format!("no issuer key {} here", args.kid)))?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| Failure::Usage(e.to_string()))?;
    let live = runtime.block_on(async {
        let store = open_store(&config)
            .await
            .map_err(|e| Failure::Usage(e.to_string()))?;
        let now = gatehouse_server::state::system_clock()();
        store
            .live_passes_signed_with(kid, now)
            .await
            .map_err(|e| Failure::Usage(e.to_string()))
    })?;
    if live > 0 && !args.force {
        return Err(Failure::Usage(format!(
            "key {kid} signed {live} passes that are still valid; retiring it now would lock \
             them out (wait until they expire, or use --force)"
        )));
    }
    keyring
        .retire(kid)
        .map_err(|e| Failure::Usage(format!("retire: {e}")))?;
    publish_keys(&config)?;
    println!("{kid}");
    Ok(())
}

fn list(args: &StoreArgs) -> Result<(), Failure> {
    let (_, keyring) = keyring(args)?;
    for key in keyring.list() {
        println!("{}{}", key.id, if key.current { "\tcurrent" } else { "" });
    }
    Ok(())
}
