//! Taking a backup: collect the data directory's files, snapshot the database, write the
//! archive atomically, then copy it off-site and apply retention.

use super::archive::{self, Member, Source};
use super::encrypt::{Sink, parse_recipients};
use super::manifest::{
    CURRENT_KEY, DATABASE, ESCROW_KEY, Manifest, ManifestPolicy, ManifestSite, SourceDatabase,
    is_issuer_key,
};
use super::{BackupError, files::Pending, offsite, sqlite};
use crate::config::Config;
use crate::data_dir::{DataDir, FsError, ensure_private_dir};
use crate::escrow::EscrowKey;
use crate::keyring::Keyring;
use crate::store::Store;
use gatehouse_core::time::Timestamp;
use std::path::{Path, PathBuf};

/// What to back up to.
#[derive(Clone, Debug, Default)]
pub struct BackupOptions {
    /// The file to write; `None` writes `DATA_DIR/backups/gatehouse-backup-<time>.tar`
    /// and applies retention there.
    pub out: Option<PathBuf>,
    /// age X25519 recipients (`age1…`); none writes the archive unencrypted.
    pub encrypt_to: Vec<String>,
}

/// A backup that was written.
#[derive(Debug)]
pub struct Created {
    /// The file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// What it holds.
    pub manifest: Manifest,
    /// Whether it is encrypted.
    pub encrypted: bool,
    /// The off-site copy, when one is configured.
    pub offsite: Option<PathBuf>,
    /// Older backups deleted by retention, locally and off-site.
    pub deleted: Vec<PathBuf>,
}

/// Takes a backup of the configured server at `now`.
pub async fn create(
    config: &Config,
    options: &BackupOptions,
    now: Timestamp,
) -> Result<Created, BackupError> {
    let recipients = parse_recipients(&options.encrypt_to)?;
    let encrypted = !recipients.is_empty();
    let dir = DataDir::new(&config.data_dir);
    let mut members = key_members(&dir)?;
    members.extend(tls_members(&dir)?);
    // The checkpoint copy is read before the database is: every checkpoint in it then names
    // rows the snapshot holds, and `audit verify` on a restored server finds no cut tail.
    if let Some(bytes) = read_if_exists(&crate::checkpoints::file(dir.root()))? {
        members.push(Member {
            path: "checkpoints/checkpoints.jsonl".into(),
            source: Source::Bytes(bytes),
        });
    }

    let (database, site, policy, snapshot) = match sqlite::sqlite_file(config) {
        Some(db) => {
            let (snapshot, site, policy) = sqlite::snapshot(&db, dir.root()).await?;
            members.push(Member {
                path: DATABASE.into(),
                source: Source::File(snapshot.file.clone()),
            });
            (SourceDatabase::Sqlite, site, policy, Some(snapshot))
        }
        None => {
            let (site, policy) = postgres_site(config).await?;
            (SourceDatabase::Postgres, site, policy, None)
        }
    };

    let files = members
        .iter()
        .map(Member::describe)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| BackupError::Source(format!("reading the files to back up: {e}")))?;
    let manifest = Manifest::new(rfc3339(now), database, site, policy, files);

    let name = offsite::file_name(now.0, encrypted);
    let out = match &options.out {
        Some(out) => out.clone(),
        None => {
            ensure_private_dir(&dir.backups_dir())?;
            dir.backups_dir().join(&name)
        }
    };
    let out_dir = super::files::parent_of(&out);
    if !out_dir.is_dir() {
        return Err(BackupError::Source(format!(
            "cannot write {}: {} is not a directory",
            out.display(),
            out_dir.display()
        )));
    }
    if out.exists() {
        return Err(BackupError::Source(format!(
            "{} already exists; a backup never replaces another file",
            out.display()
        )));
    }
    let (pending, file) = Pending::create(&out)?;
    let sink = Sink::new(file, &recipients)?;
    let mtime = u64::try_from(now.0.div_euclid(1000)).unwrap_or_default();
    let write_error = |e: std::io::Error| FsError::new("write", &out, e);
    let sink = archive::write(sink, &manifest, &members, mtime).map_err(write_error)?;
    let file = sink.finish().map_err(write_error)?;
    let size = file.metadata().map_err(write_error)?.len();
    let path = pending.commit(file)?;
    drop(snapshot);

    let mut deleted = Vec::new();
    if options.out.is_none() {
        deleted.extend(offsite::prune(&dir.backups_dir(), config.backup.keep)?);
    }
    let mut offsite_copy = None;
    if let Some(offsite_dir) = &config.backup.offsite_dir {
        let failed = |message: String| BackupError::Offsite {
            written: path.clone(),
            message,
        };
        offsite_copy = Some(offsite::copy_to(&path, offsite_dir, &name).map_err(failed)?);
        deleted.extend(
            offsite::prune(offsite_dir, config.backup.keep).map_err(|e| failed(e.to_string()))?,
        );
    }
    Ok(Created {
        path,
        size,
        manifest,
        encrypted,
        offsite: offsite_copy,
        deleted,
    })
}

/// `keys/current`, every `keys/issuer-<kid>.key` and `keys/escrow.key`, checked by loading
/// them the way the server does (so a backup never carries a key the server would refuse).
/// The escrow key is there once a server of this version has started on the directory.
fn key_members(dir: &DataDir) -> Result<Vec<Member>, BackupError> {
    let keys_dir = dir.keys_dir();
    let not_data_dir = || {
        BackupError::Source(format!(
            "{} holds no issuer keys: is it a Gatehouse data directory (has the server started)?",
            dir.root().display()
        ))
    };
    if !dir.current_key_marker().is_file() {
        return Err(not_data_dir());
    }
    Keyring::open(dir)?;
    let escrow = dir.escrow_key().exists();
    if escrow {
        EscrowKey::load(&dir.escrow_key())?;
    }
    let mut members = Vec::new();
    for entry in std::fs::read_dir(&keys_dir).map_err(|e| FsError::new("list", &keys_dir, e))? {
        let entry = entry.map_err(|e| FsError::new("list", &keys_dir, e))?;
        let Some(name) = entry.file_name().to_str().map(|n| format!("keys/{n}")) else {
            continue;
        };
        if name == CURRENT_KEY || (escrow && name == ESCROW_KEY) || is_issuer_key(&name) {
            let bytes =
                std::fs::read(entry.path()).map_err(|e| FsError::new("read", &entry.path(), e))?;
            members.push(Member {
                path: name,
                source: Source::Bytes(bytes),
            });
        }
    }
    if !members.iter().any(|m| is_issuer_key(&m.path)) {
        return Err(not_data_dir());
    }
    members.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(members)
}

/// The certificate and key in `tls/`, when the server made them there.
fn tls_members(dir: &DataDir) -> Result<Vec<Member>, BackupError> {
    let mut members = Vec::new();
    for (path, name) in [
        (dir.tls_cert(), "tls/cert.pem"),
        (dir.tls_key(), "tls/key.pem"),
    ] {
        if let Some(bytes) = read_if_exists(&path)? {
            members.push(Member {
                path: name.into(),
                source: Source::Bytes(bytes),
            });
        }
    }
    Ok(members)
}

fn read_if_exists(path: &Path) -> Result<Option<Vec<u8>>, FsError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(FsError::new("read", path, e)),
    }
}

/// The site and its policy from PostgreSQL (the database itself is dumped with pg_dump).
async fn postgres_site(config: &Config) -> Result<(ManifestSite, ManifestPolicy), BackupError> {
    let url = config
        .database_url
        .as_ref()
        .ok_or_else(|| BackupError::Source("no database configured".into()))?;
    let store = Store::open(url.expose()).await?;
    let sites = store.sites().await;
    store.close().await;
    let site = sites?.into_iter().next().ok_or_else(|| {
        BackupError::Source(format!(
            "the database {} has no site yet (start the server once)",
            url.redacted()
        ))
    })?;
    Ok((
        ManifestSite {
            id: site.id.0,
            name: site.name,
        },
        ManifestPolicy {
            epoch: site.policy_epoch,
            version: site.policy_version,
        },
    ))
}

fn rfc3339(at: Timestamp) -> String {
    chrono::DateTime::from_timestamp_millis(at.0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
