//! `gatehouse backup` and `gatehouse restore`: one file with everything a restore needs,
//! and the restore that brings a server back in a new bundle epoch.

use super::Failure;
use super::admin::StoreArgs;
use super::server::load_config;
use clap::Args;
use gatehouse_server::backup::{
    BackupError, BackupOptions, RestoreOptions, SourceDatabase, create, restore,
};
use gatehouse_server::state::system_clock;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The file to write (mode 0600; never replaces an existing file). Default:
    /// DATA_DIR/backups/gatehouse-backup-<time>.tar, keeping the newest backup.keep there.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Encrypt with age to this X25519 recipient (age1…, from age-keygen); repeatable.
    #[arg(long, value_name = "RECIPIENT")]
    encrypt_to: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// The age identity file (AGE-SECRET-KEY-1…) of an encrypted backup.
    #[arg(long)]
    identity: Option<PathBuf>,
    /// Replace the files of a data directory that is not empty (stop the server first).
    #[arg(long)]
    force: bool,
    /// The backup file.
    file: PathBuf,
}

fn failure(e: BackupError) -> Failure {
    if e.is_refusal() {
        Failure::Refused(e.to_string())
    } else {
        Failure::Usage(e.to_string())
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Runtime::new()
        .map_err(|e| Failure::Usage(format!("cannot start the runtime: {e}")))
}

/// Writes the backup; prints its path on stdout, the rest on stderr.
pub fn run_backup(args: BackupArgs) -> Result<(), Failure> {
    let config = load_config(args.store.config.as_deref(), args.store.data_dir, None)?;
    let options = BackupOptions {
        out: args.out,
        encrypt_to: args.encrypt_to,
    };
    let created = runtime()?
        .block_on(create(&config, &options, system_clock()()))
        .map_err(failure)?;
    let m = &created.manifest;
    println!("{}", created.path.display());
    eprintln!(
        "backed up site {} ({:?}) at policy {}.{}: {} files, {} bytes{}",
        m.site.id,
        m.site.name,
        m.policy.epoch,
        m.policy.version,
        m.files.len(),
        created.size,
        if created.encrypted {
            ", encrypted with age"
        } else {
            ""
        }
    );
    if m.database == SourceDatabase::Postgres {
        eprintln!(
            "the database is PostgreSQL and is NOT in this file: dump it with pg_dump (see docs/server.md, \"Backups and restore\")"
        );
    }
    if let Some(copy) = &created.offsite {
        eprintln!("off-site copy: {}", copy.display());
    }
    for old in &created.deleted {
        eprintln!("deleted old backup: {}", old.display());
    }
    Ok(())
}

/// Restores a backup; prints what was restored and the new policy version.
pub fn run_restore(args: RestoreArgs) -> Result<(), Failure> {
    let config = load_config(args.store.config.as_deref(), args.store.data_dir, None)?;
    let options = RestoreOptions {
        file: args.file,
        identity: args.identity,
        force: args.force,
    };
    let restored = runtime()?
        .block_on(restore(&config, &options, system_clock()()))
        .map_err(failure)?;
    for aside in &restored.set_aside {
        eprintln!("kept the replaced file as {}", aside.display());
    }
    let m = &restored.manifest;
    println!(
        "restored site {} ({:?}) from the backup of {} into {}: policy {} -> {} (new epoch)",
        m.site.id,
        m.site.name,
        m.created_at,
        config.data_dir.display(),
        restored.restored,
        restored.now_at
    );
    Ok(())
}
