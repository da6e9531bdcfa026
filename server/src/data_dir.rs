//! The layout of the data directory, and the one way secrets are written into it.
//!
//! Every path the server keeps on disk is named here, so a backup, a restore and an operator
//! reading the docs all agree on where the issuer keys, the TLS key and the database live.
//! The directory holds private keys: it is created 0700 and secrets are written 0600.
//!
//! ```text
//! DATA_DIR/                      0700
//!   gatehouse.db                 SQLite database (when no database_url is configured)
//!   initial-admin-password       0600, written once at bootstrap
//!   keys/                        0700
//!     issuer-<kid>.key           0600, PKCS#8 PEM Ed25519 issuer keys
//!     current                    the kid (hex) of the key that signs new credentials
//!     escrow.key                 0600, the age X25519 identity reader-key escrow copies are
//!                                encrypted to (docs/hardware-reader-keys.md)
//!   tls/                         0700
//!     cert.pem, key.pem          the server certificate (self-signed unless configured)
//!   checkpoints/                 signed audit-chain heads
//!   backups/                     local backup files
//! ```
//!
//! Unix only: the permission bits are the point.

use gatehouse_core::credential::KeyId;
use rand::RngCore;
use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// A file-system operation on the data directory failed.
#[derive(Debug, thiserror::Error)]
#[error("could not {action} {}: {source}", path.display())]
pub struct FsError {
    /// What was being done, e.g. "create directory".
    pub action: &'static str,
    /// The path it was done to.
    pub path: PathBuf,
    /// The operating system's answer.
    #[source]
    pub source: io::Error,
}

impl FsError {
    pub(crate) fn new(action: &'static str, path: &Path, source: io::Error) -> Self {
        FsError {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The data directory: where the database, keys and certificate live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// The data directory at `path` (nothing is touched until [`DataDir::ensure`]).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        DataDir { root: path.into() }
    }

    /// Creates the directory (0700) and `keys/` (0700) if they are missing.
    ///
    /// An existing `keys/` that group or others can enter is tightened to 0700: it holds the
    /// issuer keys. An existing root is left alone, since the operator may have chosen its
    /// mode (the secrets inside are 0600 regardless).
    pub fn ensure(&self) -> Result<(), FsError> {
        ensure_private_dir(&self.root)?;
        ensure_private_dir(&self.keys_dir())?;
        tighten_dir(&self.keys_dir())
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The embedded SQLite database.
    pub fn database(&self) -> PathBuf {
        self.root.join("gatehouse.db")
    }

    /// Where issuer keys live.
    pub fn keys_dir(&self) -> PathBuf {
        self.root.join("keys")
    }

    /// The PKCS#8 PEM file of the issuer key `kid`.
    pub fn issuer_key(&self, kid: KeyId) -> PathBuf {
        self.keys_dir().join(format!("issuer-{kid}.key"))
    }

    /// The file naming the current issuer key (its kid in hex).
    pub fn current_key_marker(&self) -> PathBuf {
        self.keys_dir().join("current")
    }

    /// The age X25519 identity that opens controllers' escrowed reader keys.
    pub fn escrow_key(&self) -> PathBuf {
        self.keys_dir().join("escrow.key")
    }

    /// Where the server certificate and its key live.
    pub fn tls_dir(&self) -> PathBuf {
        self.root.join("tls")
    }

    /// The server certificate (PEM).
    pub fn tls_cert(&self) -> PathBuf {
        self.tls_dir().join("cert.pem")
    }

    /// The server certificate's private key (PEM, 0600).
    pub fn tls_key(&self) -> PathBuf {
        self.tls_dir().join("key.pem")
    }

    /// The first admin's one-time password, written once at bootstrap (0600).
    pub fn initial_admin_password(&self) -> PathBuf {
        self.root.join("initial-admin-password")
    }

    /// Signed audit-chain checkpoints, kept off the database so a deleted tail shows.
    pub fn checkpoints_dir(&self) -> PathBuf {
        self.root.join("checkpoints")
    }

    /// Local backup files.
    pub fn backups_dir(&self) -> PathBuf {
        self.root.join("backups")
    }
}

/// Creates `path` and its missing parents with mode 0700 (before the umask, which can only
/// narrow it). An existing directory is left as it is.
pub fn ensure_private_dir(path: &Path) -> Result<(), FsError> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(|e| FsError::new("create directory", path, e))
}

/// Removes group and other access from a directory that holds secrets.
fn tighten_dir(path: &Path) -> Result<(), FsError> {
    let meta = fs::metadata(path).map_err(|e| FsError::new("inspect", path, e))?;
    let mode = meta.permissions().mode();
    if mode & 0o077 != 0 {
        fs::set_permissions(path, fs::Permissions::from_mode(mode & 0o700))
            .map_err(|e| FsError::new("restrict permissions of", path, e))?;
    }
    Ok(())
}

/// Writes a secret file atomically with mode 0600.
///
/// The bytes go to a fresh temporary file in the same directory, created with mode 0600
/// (`O_EXCL`, so a planted symlink is not followed and the file is never wider, not even for
/// an instant), are fsynced, then renamed over `path`, and the directory is fsynced: a
/// crash leaves either the old file or the new one, never half a key. The parent directory
/// must exist.
pub fn write_secret(path: &Path, bytes: &[u8]) -> Result<(), FsError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or_else(|| {
        FsError::new(
            "write",
            path,
            io::Error::new(io::ErrorKind::InvalidInput, "not a file path"),
        )
    })?;
    let mut suffix = [0u8; 8];
    rand::rngs::OsRng
        .try_fill_bytes(&mut suffix)
        .map_err(|e| FsError::new("write", path, io::Error::other(e)))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".tmp-{}", hex::encode(suffix)));
    let tmp = dir.join(tmp_name);

    let result = write_new_private(&tmp, bytes)
        .and_then(|()| fs::rename(&tmp, path).map_err(|e| FsError::new("rename into", path, e)))
        .and_then(|()| sync_dir(dir));
    if result.is_err() {
        // Best effort: a leftover temporary file is harmless (dot-named, 0600), only untidy.
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn write_new_private(tmp: &Path, bytes: &[u8]) -> Result<(), FsError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(tmp)
        .map_err(|e| FsError::new("create", tmp, e))?;
    file.write_all(bytes)
        .map_err(|e| FsError::new("write", tmp, e))?;
    file.sync_all().map_err(|e| FsError::new("sync", tmp, e))
}

/// Makes a rename or removal in `dir` durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), FsError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| FsError::new("sync directory", dir, e))
}

/// Fails unless the file's mode keeps group and others out; returns the mode otherwise.
/// Shared by the keyring and the TLS key so both refuse a key file someone else can read.
pub(crate) fn private_mode(file: &File) -> io::Result<Result<u32, u32>> {
    let mode = file.metadata()?.permissions().mode() & 0o7777;
    Ok(if mode & 0o077 == 0 {
        Ok(mode)
    } else {
        Err(mode)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode_of(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn layout_names_every_path_under_the_root() {
        let dir = DataDir::new("/srv/gh");
        let kid = KeyId([0xab, 0xcd, 0, 1, 2, 3, 4, 5]);
        assert_eq!(dir.database(), Path::new("/srv/gh/gatehouse.db"));
        assert_eq!(
            dir.issuer_key(kid),
            Path::new("/srv/gh/keys/issuer-abcd000102030405.key")
        );
        assert_eq!(dir.current_key_marker(), Path::new("/srv/gh/keys/current"));
        assert_eq!(dir.escrow_key(), Path::new("/srv/gh/keys/escrow.key"));
        assert_eq!(dir.tls_cert(), Path::new("/srv/gh/tls/cert.pem"));
        assert_eq!(dir.tls_key(), Path::new("/srv/gh/tls/key.pem"));
        assert_eq!(
            dir.initial_admin_password(),
            Path::new("/srv/gh/initial-admin-password")
        );
        assert_eq!(dir.checkpoints_dir(), Path::new("/srv/gh/checkpoints"));
        assert_eq!(dir.backups_dir(), Path::new("/srv/gh/backups"));
    }

    #[test]
    fn ensure_creates_private_directories_and_is_idempotent() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path().join("a/data"));
        dir.ensure().unwrap();
        assert_eq!(mode_of(dir.root()), 0o700);
        assert_eq!(mode_of(&dir.keys_dir()), 0o700);
        dir.ensure().unwrap();
    }

    #[test]
    fn ensure_tightens_an_open_keys_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path());
        fs::create_dir(dir.keys_dir()).unwrap();
        fs::set_permissions(dir.keys_dir(), fs::Permissions::from_mode(0o755)).unwrap();
        dir.ensure().unwrap();
        assert_eq!(mode_of(&dir.keys_dir()), 0o700);
    }

    #[test]
    fn write_secret_is_0600_replaces_and_leaves_no_temporary_file() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("secret");
        fs::write(&path, b"old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        write_secret(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(mode_of(&path), 0o600);
        let names: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("secret")]);
    }

    #[test]
    fn write_secret_into_a_missing_directory_names_the_path() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("missing/secret");
        let err = write_secret(&path, b"x").unwrap_err();
        assert_eq!(err.action, "create");
        assert!(err.to_string().contains("missing/.secret.tmp-"), "{err}");
    }

    #[test]
    fn private_mode_refuses_group_or_other_access() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("k");
        write_secret(&path, b"k").unwrap();
        assert_eq!(
            private_mode(&File::open(&path).unwrap()).unwrap(),
            Ok(0o600)
        );
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        assert_eq!(
            private_mode(&File::open(&path).unwrap()).unwrap(),
            Err(0o640)
        );
    }
}
