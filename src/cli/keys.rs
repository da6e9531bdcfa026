//! `gatehouse keys generate`: a new Ed25519 issuer key pair on disk.

use super::Failure;
use clap::{Args, Subcommand};
use gatehouse_core::credential::IssuerKey;
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
