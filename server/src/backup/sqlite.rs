//! The SQLite snapshot: `VACUUM INTO` a private temporary directory in the data directory.
//!
//! `VACUUM INTO` copies a consistent snapshot while the server keeps serving (it reads in
//! one transaction; writers carry on in the WAL), writes a compact file with no WAL beside
//! it, and never changes the source. The snapshot holds personal data, so it is made in a
//! 0700 directory and removed when the backup is done.

use super::BackupError;
use super::manifest::{ManifestPolicy, ManifestSite};
use crate::config::Config;
use crate::data_dir::{DataDir, FsError};
use rand::RngCore;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection, Row};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The SQLite file the configuration uses, or `None` on PostgreSQL.
pub fn sqlite_file(config: &Config) -> Option<PathBuf> {
    match &config.database_url {
        None => Some(DataDir::new(&config.data_dir).database()),
        Some(url) => {
            let url = url.expose();
            let rest = url.strip_prefix("sqlite:")?;
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            let path = rest.split('?').next().unwrap_or(rest);
            Some(PathBuf::from(path))
        }
    }
}

/// A snapshot file, removed with its directory when dropped.
#[derive(Debug)]
pub struct Snapshot {
    dir: PathBuf,
    /// The snapshot.
    pub file: PathBuf,
}

impl Drop for Snapshot {
    fn drop(&mut self) {
        // Best effort: a leftover is inside the 0700 data directory, dot-named.
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A fresh, empty 0700 directory `<parent>/.<prefix>-<random>`.
pub fn private_temp_dir(parent: &Path, prefix: &str) -> Result<PathBuf, BackupError> {
    let mut suffix = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut suffix);
    let dir = parent.join(format!(".{prefix}-{}", hex::encode(suffix)));
    // Not recursive: the directory must be new, so nobody else holds it open.
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .map_err(|e| FsError::new("create directory", &dir, e))?;
    Ok(dir)
}

/// Snapshots `db` into a temporary directory under `data_dir`, checks the copy's integrity
/// and reads the site and its policy from it (so the manifest says what the copy holds).
pub async fn snapshot(
    db: &Path,
    data_dir: &Path,
) -> Result<(Snapshot, ManifestSite, ManifestPolicy), BackupError> {
    let failed = |message: String| BackupError::Snapshot {
        path: db.to_path_buf(),
        message,
    };
    if !db.is_file() {
        return Err(failed(
            "no database there (start the server once, or check database_url)".into(),
        ));
    }
    let dir = private_temp_dir(data_dir, "backup")?;
    let snapshot = Snapshot {
        file: dir.join("gatehouse.db"),
        dir,
    };
    let mut source = SqliteConnectOptions::new()
        .filename(db)
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(30))
        .connect()
        .await
        .map_err(|e| failed(e.to_string()))?;
    let target = snapshot
        .file
        .to_str()
        .ok_or_else(|| failed("the data directory's path is not UTF-8".into()))?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&mut source)
        .await
        .map_err(|e| failed(format!("VACUUM INTO: {e}")))?;
    source.close().await.ok();

    let mut copy = SqliteConnectOptions::new()
        .filename(&snapshot.file)
        .read_only(true)
        .connect()
        .await
        .map_err(|e| failed(e.to_string()))?;
    let (site, policy) = read_snapshot(&mut copy).await.map_err(failed)?;
    copy.close().await.ok();
    Ok((snapshot, site, policy))
}

async fn read_snapshot(
    conn: &mut SqliteConnection,
) -> Result<(ManifestSite, ManifestPolicy), String> {
    let check: String = sqlx::query_scalar("PRAGMA quick_check")
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| e.to_string())?;
    if check != "ok" {
        return Err(format!("the database is damaged (quick_check: {check})"));
    }
    let row =
        sqlx::query("SELECT id, name, policy_epoch, policy_version FROM sites ORDER BY id LIMIT 1")
            .fetch_optional(&mut *conn)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the database has no site yet (start the server once)")?;
    let number = |column: &str| -> Result<i64, String> {
        row.try_get::<i64, _>(column).map_err(|e| e.to_string())
    };
    let out_of_range = |column: &str| format!("sites.{column} is out of range");
    Ok((
        ManifestSite {
            id: u32::try_from(number("id")?).map_err(|_| out_of_range("id"))?,
            name: row.try_get("name").map_err(|e| e.to_string())?,
        },
        ManifestPolicy {
            epoch: u32::try_from(number("policy_epoch")?)
                .map_err(|_| out_of_range("policy_epoch"))?,
            version: u64::try_from(number("policy_version")?)
                .map_err(|_| out_of_range("policy_version"))?,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DatabaseUrl;

    #[test]
    fn the_sqlite_file_comes_from_the_data_directory_or_the_url() {
        let mut config = Config {
            data_dir: "/srv/gh".into(),
            ..Config::default()
        };
        assert_eq!(sqlite_file(&config), Some("/srv/gh/gatehouse.db".into()));
        config.database_url = Some(DatabaseUrl::new("sqlite:///var/lib/gh.db?mode=rwc"));
        assert_eq!(sqlite_file(&config), Some("/var/lib/gh.db".into()));
        config.database_url = Some(DatabaseUrl::new("postgres://u:p@db/gh"));
        assert_eq!(sqlite_file(&config), None);
    }

    #[tokio::test]
    async fn a_snapshot_is_consistent_private_and_cleaned_up() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("gatehouse.db");
        let store = crate::store::Store::open(&crate::store::Store::sqlite_url(&db))
            .await
            .unwrap();
        let site = store
            .create_site("HQ", "Europe/Berlin", [0; 16], 1_795_597_200_000)
            .await
            .unwrap();
        store.touch_policy(site.id).await.unwrap();
        let (snapshot, manifest_site, policy) = snapshot(&db, tmp.path()).await.unwrap();
        assert_eq!(manifest_site.name, "HQ");
        assert_eq!(
            policy,
            ManifestPolicy {
                epoch: 1_795_597_200,
                version: 2
            }
        );
        let dir = snapshot.file.parent().unwrap().to_path_buf();
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(&dir).unwrap().permissions(),
        );
        assert_eq!(mode & 0o777, 0o700);
        assert!(snapshot.file.is_file());
        drop(snapshot);
        assert!(!dir.exists(), "the snapshot directory is removed");
        store.close().await;
    }

    #[tokio::test]
    async fn no_database_is_an_error_naming_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("gatehouse.db");
        let err = snapshot(&db, tmp.path()).await.unwrap_err().to_string();
        assert!(err.contains("gatehouse.db: no database there"), "{err}");
        assert!(!db.exists());
    }
}
