//! Restoring a backup: check every member before touching anything, stage the files in the
//! data directory, check the keys and certificate load, move them into place, then start a
//! new bundle epoch and record the restore in the admin audit chain.

use super::archive::walk;
use super::encrypt::{self, Identities};
use super::files::Pending;
use super::manifest::{DATABASE, Manifest, SourceDatabase};
use super::{BackupError, sqlite};
use crate::config::Config;
use crate::data_dir::{DataDir, FsError, ensure_private_dir, sync_dir};
use crate::escrow::EscrowKey;
use crate::keyring::Keyring;
use crate::store::{SiteRecord, Store, StoreError};
use crate::tls::ServerTls;
use gatehouse_core::bundle::BundleVersion;
use gatehouse_core::ids::SiteId;
use gatehouse_core::time::Timestamp;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The audit stream of admin actions (the one `http::audit_trail` writes).
const ADMIN_STREAM: &str = "admin";

/// What to restore, and how.
#[derive(Clone, Debug, Default)]
pub struct RestoreOptions {
    /// The backup file.
    pub file: PathBuf,
    /// The age identity file, for an encrypted backup.
    pub identity: Option<PathBuf>,
    /// Replace the files of a data directory that is not empty.
    pub force: bool,
}

/// A restore that was done.
#[derive(Debug)]
pub struct Restored {
    /// What the backup held.
    pub manifest: Manifest,
    /// Whether it was encrypted.
    pub encrypted: bool,
    /// The policy the restored database was at.
    pub restored: BundleVersion,
    /// The new bundle version: a new epoch, version 1.
    pub now_at: BundleVersion,
    /// Files of the data directory moved aside rather than replaced.
    pub set_aside: Vec<PathBuf>,
}

/// The epoch a restore starts: greater than the database's and the backup's, and at least
/// the current Unix time in seconds. Epochs are taken from the clock when a site is made and
/// at every restore, so an epoch taken now exceeds every epoch the live server issued
/// before now, including after a restore of its own; `None` when no epoch is left.
pub fn next_epoch(database: u32, backup: u32, now_ms: i64) -> Option<u32> {
    let now_secs = u32::try_from(now_ms.div_euclid(1000).max(0)).unwrap_or(u32::MAX);
    let after = database.max(backup).checked_add(1)?;
    Some(after.max(now_secs))
}

/// Restores `options.file` into the configured data directory (and, on SQLite, database)
/// at `now`.
pub async fn restore(
    config: &Config,
    options: &RestoreOptions,
    now: Timestamp,
) -> Result<Restored, BackupError> {
    let file = &options.file;
    let identities = options
        .identity
        .as_deref()
        .map(Identities::load)
        .transpose()?;
    let (reader, encrypted) = encrypt::open(file, identities.as_ref())?;
    let manifest = walk(file, reader, &mut |_| Ok(None))?;

    let database = sqlite::sqlite_file(config);
    match (manifest.database, &database) {
        (SourceDatabase::Sqlite, None) => {
            return Err(BackupError::Mismatch(format!(
                "{} holds a SQLite database, but the configuration names PostgreSQL (database_url); restore it with a SQLite configuration",
                file.display()
            )));
        }
        (SourceDatabase::Postgres, Some(_)) => {
            return Err(BackupError::Mismatch(format!(
                "{} was taken from PostgreSQL and holds no database: restore the pg_dump with pg_restore, set database_url to that database, then run restore again",
                file.display()
            )));
        }
        _ => {}
    }
    if manifest.database == SourceDatabase::Postgres {
        // The database must already be restored (pg_restore): check before any file moves.
        let store = open(config).await?;
        let site = site_of(&store, &manifest).await;
        store.close().await;
        site?;
    }
    let dir = DataDir::new(&config.data_dir);
    if !options.force {
        refuse_if_not_empty(dir.root())?;
        if let Some(db) = database.as_deref().filter(|db| db.exists()) {
            return Err(BackupError::NotEmpty {
                path: db.to_path_buf(),
            });
        }
    }

    dir.ensure()?;
    let staging = Staging::new(&dir)?;
    let mut pending_db: Option<(Pending, File)> = None;
    let (reader, _) = encrypt::open(file, identities.as_ref())?;
    let again = walk(file, reader, &mut |member| {
        if member.path == DATABASE {
            let db = database.as_deref().expect("checked: a SQLite target");
            let (pending, out) = Pending::create(db)?;
            let copy = out.try_clone().map_err(|e| FsError::new("open", db, e))?;
            pending_db = Some((pending, out));
            Ok(Some(copy))
        } else {
            staging.create(&member.path).map(Some)
        }
    })?;
    if again != manifest {
        return Err(BackupError::Damaged {
            path: file.clone(),
            problem: "the file changed while it was being restored".into(),
        });
    }
    staging.check()?;

    let mut set_aside = Vec::new();
    let checkpoints = crate::checkpoints::file(dir.root());
    if checkpoints.exists() {
        // They pin the replaced database's chains; kept for the record, out of the way.
        let aside =
            checkpoints.with_file_name(format!("checkpoints.jsonl.before-restore-{}", now.0));
        std::fs::rename(&checkpoints, &aside)
            .map_err(|e| FsError::new("move aside", &checkpoints, e))?;
        set_aside.push(aside);
    }
    for member in manifest.files.iter().filter(|f| f.path != DATABASE) {
        staging.install(&member.path, &dir.root().join(&member.path))?;
    }
    if let (Some(db), Some((pending, out))) = (&database, pending_db) {
        // A WAL or shared-memory file of the replaced database would be replayed onto the
        // restored one and corrupt it.
        for suffix in ["-wal", "-shm"] {
            let mut name = db.clone().into_os_string();
            name.push(suffix);
            remove_if_exists(Path::new(&name))?;
        }
        pending.commit(out)?;
    }
    drop(staging);

    let (restored, now_at) = new_epoch(config, &manifest, now).await?;
    Ok(Restored {
        manifest,
        encrypted,
        restored,
        now_at,
        set_aside,
    })
}

/// Starts the new epoch on the restored database and records the restore.
async fn new_epoch(
    config: &Config,
    manifest: &Manifest,
    now: Timestamp,
) -> Result<(BundleVersion, BundleVersion), BackupError> {
    let store = open(config).await?;
    let result = async {
        let site = site_of(&store, manifest).await?;
        let restored = BundleVersion {
            epoch: site.policy_epoch,
            version: site.policy_version,
        };
        let epoch = next_epoch(site.policy_epoch, manifest.policy.epoch, now.0)
            .ok_or_else(|| BackupError::Mismatch("the policy epoch is at its maximum".into()))?;
        store.start_epoch(site.id, epoch).await?;
        let entry = serde_json::json!({
            "at": now.0,
            "actor": "gatehouse restore",
            "action": "restore",
            "backup_created_at": manifest.created_at,
            "backup_policy": format!("{}.{}", manifest.policy.epoch, manifest.policy.version),
            "epoch": epoch,
        });
        store
            .append_audit(ADMIN_STREAM, now.0, entry.to_string().into_bytes())
            .await?;
        Ok((restored, BundleVersion { epoch, version: 1 }))
    }
    .await;
    store.close().await;
    result
}

/// Opens the configured database (applying newer migrations), creating nothing else: a
/// restore that is refused leaves no data directory behind.
async fn open(config: &Config) -> Result<Store, BackupError> {
    let url = match &config.database_url {
        Some(url) => url.expose().to_owned(),
        None => Store::sqlite_url(&DataDir::new(&config.data_dir).database()),
    };
    Ok(Store::open(&url).await?)
}

/// The backup's site in the database; a database without it was not restored.
async fn site_of(store: &Store, manifest: &Manifest) -> Result<SiteRecord, BackupError> {
    match store.site(SiteId(manifest.site.id)).await {
        Err(StoreError::NotFound { .. }) => Err(BackupError::Mismatch(format!(
            "the database has no site {} ({:?}): on PostgreSQL, restore the pg_dump with pg_restore before running restore",
            manifest.site.id, manifest.site.name
        ))),
        other => Ok(other?),
    }
}

fn refuse_if_not_empty(root: &Path) -> Result<(), BackupError> {
    match std::fs::read_dir(root) {
        Ok(mut entries) => match entries.next() {
            None => Ok(()),
            Some(_) => Err(BackupError::NotEmpty {
                path: root.to_path_buf(),
            }),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(FsError::new("list", root, e).into()),
    }
}

fn remove_if_exists(path: &Path) -> Result<(), FsError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(FsError::new("delete", path, e)),
        _ => Ok(()),
    }
}

/// A private directory in the data directory where the files are written and checked
/// before they replace anything; removed when dropped.
struct Staging {
    root: PathBuf,
}

impl Staging {
    fn new(dir: &DataDir) -> Result<Staging, BackupError> {
        Ok(Staging {
            root: sqlite::private_temp_dir(dir.root(), "restore")?,
        })
    }

    /// A new 0600 file for the member at `path` (a path the manifest validated).
    fn create(&self, path: &str) -> Result<File, BackupError> {
        let target = self.root.join(path);
        if let Some(parent) = target.parent() {
            ensure_private_dir(parent)?;
        }
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&target)
            .map_err(|e| FsError::new("create", &target, e).into())
    }

    /// Loads the staged keys and certificate the way the server will.
    fn check(&self) -> Result<(), BackupError> {
        let staged = DataDir::new(&self.root);
        Keyring::open(&staged)?;
        if staged.escrow_key().exists() {
            EscrowKey::load(&staged.escrow_key())?;
        }
        match (staged.tls_cert().exists(), staged.tls_key().exists()) {
            (true, true) => ServerTls::from_pem_files(&staged.tls_cert(), &staged.tls_key())
                .map(drop)
                .map_err(|e| BackupError::Mismatch(format!("the backup's TLS certificate: {e}"))),
            (false, false) => Ok(()),
            _ => Err(BackupError::Mismatch(
                "the backup holds only one of tls/cert.pem and tls/key.pem".into(),
            )),
        }
    }

    /// Moves the staged member at `path` to `target`.
    fn install(&self, path: &str, target: &Path) -> Result<(), BackupError> {
        let parent = super::files::parent_of(target);
        ensure_private_dir(parent)?;
        std::fs::rename(self.root.join(path), target)
            .map_err(|e| FsError::new("rename into", target, e))?;
        sync_dir(parent)?;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        // Best effort: what is left is dot-named inside the 0700 data directory.
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE_CREATED: u32 = 1_795_000_000;

    #[test]
    fn the_new_epoch_is_the_restore_time_in_seconds() {
        assert_eq!(
            next_epoch(SITE_CREATED, SITE_CREATED, 1_795_597_200_999),
            Some(1_795_597_200)
        );
    }

    #[test]
    fn the_new_epoch_exceeds_the_database_s_and_the_backup_s_even_with_a_slow_clock() {
        // A clock behind the site's creation (a replacement machine not yet synced).
        assert_eq!(
            next_epoch(SITE_CREATED, SITE_CREATED, 1_000_000_000_000),
            Some(SITE_CREATED + 1)
        );
        // The database was restored to a later epoch than the backup's.
        assert_eq!(
            next_epoch(SITE_CREATED + 50, SITE_CREATED, 1_000),
            Some(SITE_CREATED + 51)
        );
        assert_eq!(next_epoch(5, 9, -1), Some(10));
        assert_eq!(next_epoch(u32::MAX, 1, 0), None);
    }

    #[test]
    fn a_restored_bundle_outranks_any_version_of_an_older_epoch() {
        let epoch = next_epoch(SITE_CREATED, SITE_CREATED, 1_795_597_200_000).unwrap();
        let live = BundleVersion {
            epoch: SITE_CREATED,
            version: u64::MAX,
        };
        assert!(BundleVersion { epoch, version: 1 } > live);
    }
}
