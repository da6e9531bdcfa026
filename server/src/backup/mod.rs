//! Backups and restore: one file that holds everything a restore needs, and the restore that
//! brings a server back so its controllers accept bundles from it again.
//!
//! # The file
//!
//! A tar archive (readable with `tar tvf`), optionally encrypted with age to one or more
//! X25519 recipients (`age -d -i KEY FILE | tar x` recovers it without Gatehouse). Members,
//! in order:
//!
//! ```text
//! manifest.json           format, created_at, database kind, site, policy (epoch, version),
//!                         and every other member's size and SHA-256
//! manifest.json.sha256    the SHA-256 of manifest.json, so a damaged manifest shows too
//! gatehouse.db            SQLite only: a `VACUUM INTO` snapshot (consistent while serving)
//! keys/issuer-<kid>.key   every issuer key, and keys/current
//! keys/escrow.key         the identity controllers' reader keys are escrowed to
//! tls/cert.pem, key.pem   the server certificate, when it lives in the data directory
//! checkpoints/checkpoints.jsonl   the signed audit-chain heads kept off the database
//! ```
//!
//! The file is written under a temporary name with mode 0600 and renamed when complete, so
//! a backup file that exists is whole. A restore reads it twice: once to check every member
//! against the manifest, touching nothing, then to install it.
//!
//! On PostgreSQL the database is not in the file: it is dumped with `pg_dump` and restored
//! with `pg_restore` (docs/server.md), and the file carries the rest.
//!
//! # Why a restore moves the epoch
//!
//! Controllers refuse a bundle older than the one they hold, by `(epoch, version)`. The
//! live server may have gone on to later versions after the backup was taken, so a restored
//! server's versions alone would look like a rollback. A restore therefore starts a new
//! epoch, greater than the backup's, the database's and the current Unix time in seconds
//! (the epoch a site starts with is its creation time, so a later restore is always
//! greater), and controllers take its bundles.

mod archive;
mod create;
mod encrypt;
mod files;
mod manifest;
mod offsite;
mod restore;
mod sqlite;

pub use create::{BackupOptions, Created, create};
pub use manifest::{Manifest, ManifestFile, ManifestPolicy, ManifestSite, SourceDatabase};
pub use offsite::{is_backup_file_name, prune};
pub use restore::{RestoreOptions, Restored, next_epoch, restore};

use crate::data_dir::FsError;
use crate::escrow::EscrowKeyError;
use crate::keyring::KeyringError;
use crate::store::StoreError;
use std::path::PathBuf;

/// Why a backup or a restore did not happen. Each names what to fix.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// A file or directory could not be read or written.
    #[error(transparent)]
    Fs(#[from] FsError),
    /// The data directory is not one a backup can be taken of.
    #[error("{0}")]
    Source(String),
    /// The database.
    #[error("database: {0}")]
    Store(#[from] StoreError),
    /// The SQLite snapshot.
    #[error("SQLite snapshot of {}: {message}", path.display())]
    Snapshot {
        /// The database file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A recipient or identity given for encryption is not usable.
    #[error("{0}")]
    Key(String),
    /// The backup is encrypted and no identity was given.
    #[error(
        "{} is encrypted with age: give --identity FILE, the age identity (AGE-SECRET-KEY-1…) it was encrypted to",
        path.display()
    )]
    NeedsIdentity {
        /// The backup file.
        path: PathBuf,
    },
    /// The backup is encrypted, but not to the identity given.
    #[error(
        "{} is not encrypted to the identity in {}: no recipient stanza matches it",
        path.display(),
        identity.display()
    )]
    WrongIdentity {
        /// The backup file.
        path: PathBuf,
        /// The identity file.
        identity: PathBuf,
    },
    /// The file is not a Gatehouse backup.
    #[error("{} is not a Gatehouse backup: {message}", path.display())]
    NotABackup {
        /// The file.
        path: PathBuf,
        /// Why not.
        message: String,
    },
    /// The backup is damaged, truncated or was altered: nothing was restored.
    #[error("{} is damaged, truncated or was altered ({problem}); nothing was restored", path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the member.
        problem: String,
    },
    /// The backup does not fit the configuration it is restored into.
    #[error("{0}")]
    Mismatch(String),
    /// The data directory already holds files.
    #[error(
        "{} is not empty; restore into an empty directory, or give --force to replace the files the backup holds",
        path.display()
    )]
    NotEmpty {
        /// The data directory.
        path: PathBuf,
    },
    /// The restored issuer keys do not load.
    #[error("the backup's issuer keys: {0}")]
    Keyring(#[from] KeyringError),
    /// The reader-key escrow key (in the data directory, or restored from the backup) does
    /// not load.
    #[error("the reader-key escrow key: {0}")]
    Escrow(#[from] EscrowKeyError),
    /// The backup was written, but its off-site copy was not.
    #[error("the backup {} was written, but not its off-site copy: {message}", written.display())]
    Offsite {
        /// The backup that was written.
        written: PathBuf,
        /// Why the copy failed.
        message: String,
    },
}

impl BackupError {
    /// Whether the backup file itself was judged and refused (damaged, altered, not a
    /// backup, or not encrypted to the identity), rather than the command's setting.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            BackupError::Damaged { .. }
                | BackupError::NotABackup { .. }
                | BackupError::WrongIdentity { .. }
        )
    }
}
