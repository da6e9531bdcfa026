//! The manifest: what a backup holds and the SHA-256 of each member, and the rules every
//! member path must follow (a restore writes only where these allow).

use serde::{Deserialize, Serialize};

/// The first member of every backup.
pub const MANIFEST: &str = "manifest.json";
/// The second member: the manifest's own SHA-256 in hex.
pub const MANIFEST_SHA256: &str = "manifest.json.sha256";
/// The database member (SQLite backups only).
pub const DATABASE: &str = "gatehouse.db";
/// The current-key marker.
pub const CURRENT_KEY: &str = "keys/current";
/// The reader-key escrow identity (in backups taken since the server made it).
pub const ESCROW_KEY: &str = "keys/escrow.key";
/// What `format` says in every manifest.
const FORMAT: &str = "gatehouse-backup";
/// The manifest version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// Which database the backup was taken from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceDatabase {
    /// The file holds the database (`gatehouse.db`).
    Sqlite,
    /// The database was not in the file: it is dumped with `pg_dump`.
    Postgres,
}

impl SourceDatabase {
    /// Its name as the manifest writes it.
    pub fn name(self) -> &'static str {
        match self {
            SourceDatabase::Sqlite => "sqlite",
            SourceDatabase::Postgres => "postgres",
        }
    }
}

/// The site a backup is of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestSite {
    /// Its id.
    pub id: u32,
    /// Its name.
    pub name: String,
}

/// The policy the backup's database was at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestPolicy {
    /// The bundle epoch.
    pub epoch: u32,
    /// The bundle version.
    pub version: u64,
}

/// One member besides the manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// Its path in the archive, which is its path in the data directory.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256 in lowercase hex.
    pub sha256: String,
}

/// What a backup holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always `gatehouse-backup`.
    pub format: String,
    /// [`FORMAT_VERSION`] when written by this build.
    pub version: u32,
    /// When the backup was taken, RFC 3339 UTC.
    pub created_at: String,
    /// The Gatehouse version that took it.
    pub gatehouse_version: String,
    /// The database it was taken from.
    pub database: SourceDatabase,
    /// The site.
    pub site: ManifestSite,
    /// The policy at the time.
    pub policy: ManifestPolicy,
    /// Every member after the manifest, in archive order.
    pub files: Vec<ManifestFile>,
}

impl Manifest {
    /// A manifest of this build's format.
    pub fn new(
        created_at: String,
        database: SourceDatabase,
        site: ManifestSite,
        policy: ManifestPolicy,
        files: Vec<ManifestFile>,
    ) -> Self {
        Manifest {
            format: FORMAT.to_owned(),
            version: FORMAT_VERSION,
            created_at,
            gatehouse_version: env!("CARGO_PKG_VERSION").to_owned(),
            database,
            site,
            policy,
            files,
        }
    }

    /// The entry for `path`.
    pub fn file(&self, path: &str) -> Option<&ManifestFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// Checks what a restore relies on: the format, that every path is one the data
    /// directory has (so nothing is written elsewhere), each once, that the issuer keys are
    /// there, and that the database is there exactly when the source was SQLite.
    pub fn validate(&self) -> Result<(), String> {
        if self.format != FORMAT {
            return Err(format!(
                "manifest format is {:?}, not {FORMAT:?}",
                self.format
            ));
        }
        if self.version != FORMAT_VERSION {
            return Err(format!(
                "backup format version {} (this Gatehouse reads version {FORMAT_VERSION}; use the release that wrote it)",
                self.version
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for file in &self.files {
            if !is_member_path(&file.path) {
                return Err(format!(
                    "manifest names {:?}, which is not a data-directory file",
                    file.path
                ));
            }
            if !seen.insert(file.path.as_str()) {
                return Err(format!("manifest names {:?} twice", file.path));
            }
            if file.sha256.len() != 64 || !file.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!(
                    "manifest's SHA-256 of {} is not 64 hex digits",
                    file.path
                ));
            }
        }
        if !seen.contains(CURRENT_KEY) || !seen.iter().any(|p| is_issuer_key(p)) {
            return Err("it holds no issuer keys".to_owned());
        }
        match (self.database, seen.contains(DATABASE)) {
            (SourceDatabase::Sqlite, false) => {
                Err("a SQLite backup without gatehouse.db".to_owned())
            }
            (SourceDatabase::Postgres, true) => {
                Err("a PostgreSQL backup that holds gatehouse.db".to_owned())
            }
            _ => Ok(()),
        }
    }
}

/// Whether `path` is `keys/issuer-<16 lowercase hex>.key`.
pub fn is_issuer_key(path: &str) -> bool {
    path.strip_prefix("keys/issuer-")
        .and_then(|rest| rest.strip_suffix(".key"))
        .is_some_and(|kid| {
            kid.len() == 16
                && kid
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

/// The paths a backup may hold: fixed names, never `..` or absolute.
pub fn is_member_path(path: &str) -> bool {
    matches!(
        path,
        DATABASE
            | CURRENT_KEY
            | ESCROW_KEY
            | "tls/cert.pem"
            | "tls/key.pem"
            | "checkpoints/checkpoints.jsonl"
    ) || is_issuer_key(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> ManifestFile {
        ManifestFile {
            path: path.to_owned(),
            size: 1,
            sha256: "ab".repeat(32),
        }
    }

    fn manifest(paths: &[&str], database: SourceDatabase) -> Manifest {
        Manifest::new(
            "2026-11-25T10:00:00.000Z".into(),
            database,
            ManifestSite {
                id: 1,
                name: "HQ".into(),
            },
            ManifestPolicy {
                epoch: 1_795_000_000,
                version: 7,
            },
            paths.iter().map(|p| file(p)).collect(),
        )
    }

    #[test]
    fn member_paths_are_the_data_directory_s_own() {
        for ok in [
            "gatehouse.db",
            "keys/current",
            "keys/issuer-0123456789abcdef.key",
            "keys/escrow.key",
            "tls/key.pem",
            "checkpoints/checkpoints.jsonl",
        ] {
            assert!(is_member_path(ok), "{ok}");
        }
        for bad in [
            "../gatehouse.db",
            "/etc/passwd",
            "keys/issuer-0123456789ABCDEF.key",
            "keys/issuer-../../x.key",
            "keys/issuer-0123456789abcde.key",
            "initial-admin-password",
            "keys/current/",
            "keys/escrow.key.old",
        ] {
            assert!(!is_member_path(bad), "{bad}");
        }
    }

    #[test]
    fn validate_names_what_is_missing_or_foreign() {
        let key = "keys/issuer-0123456789abcdef.key";
        manifest(
            &["gatehouse.db", "keys/current", key],
            SourceDatabase::Sqlite,
        )
        .validate()
        .unwrap();
        manifest(&["keys/current", key], SourceDatabase::Postgres)
            .validate()
            .unwrap();
        for (paths, database, problem) in [
            (
                &["keys/current", key][..],
                SourceDatabase::Sqlite,
                "a SQLite backup without gatehouse.db",
            ),
            (
                &["gatehouse.db", "keys/current", key][..],
                SourceDatabase::Postgres,
                "a PostgreSQL backup that holds gatehouse.db",
            ),
            (
                &["gatehouse.db", key][..],
                SourceDatabase::Sqlite,
                "it holds no issuer keys",
            ),
            (
                &["gatehouse.db", "keys/current", key, "../x"][..],
                SourceDatabase::Sqlite,
                "manifest names \"../x\", which is not a data-directory file",
            ),
            (
                &["gatehouse.db", "keys/current", key, key][..],
                SourceDatabase::Sqlite,
                "manifest names \"keys/issuer-0123456789abcdef.key\" twice",
            ),
        ] {
            assert_eq!(
                manifest(paths, database).validate(),
                Err(problem.to_owned())
            );
        }
        let mut newer = manifest(
            &["gatehouse.db", "keys/current", key],
            SourceDatabase::Sqlite,
        );
        newer.version = 2;
        assert!(
            newer
                .validate()
                .unwrap_err()
                .starts_with("backup format version 2")
        );
    }
}
