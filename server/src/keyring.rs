//! The issuer keys on disk: the server's signing keys, one PKCS#8 PEM file each.
//!
//! The server is the only holder of issuer keys (DESIGN.md). One of them is *current* and
//! signs new credentials and bundles; the others are kept so that passes they signed stay
//! verifiable until they expire (every credential names its `kid`). Rotation therefore adds
//! a key and moves the `keys/current` marker; nothing is deleted until an operator retires a
//! key on purpose.
//!
//! Key material never reaches a log: [`IssuerKey`]'s `Debug` shows only the kid, and so
//! does this module's.

use crate::data_dir::{DataDir, FsError, private_mode, sync_dir, write_secret};
use gatehouse_core::credential::{IssuerKey, KeyError, KeyId, TrustStore};
use hex::FromHex;
use rand::RngCore;
use secrecy::zeroize::Zeroize;
use std::collections::BTreeMap;
use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Why the keyring could not be opened or changed.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// Reading or writing the keys directory failed.
    #[error(transparent)]
    Fs(#[from] FsError),
    /// A key file that group or others may read is refused rather than used: the key may
    /// already have leaked, and an operator should decide.
    #[error(
        "{} has mode {mode:04o}: an issuer key must not be readable by group or others (chmod 600 it, and consider the key exposed)",
        path.display()
    )]
    InsecureKeyFile {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// An `issuer-*.key` file whose name does not hold a kid in lowercase hex.
    #[error("{}: the file name must be issuer-<kid>.key with the kid in 16 lowercase hex digits", path.display())]
    BadFileName {
        /// The file.
        path: PathBuf,
    },
    /// The key in a file is not the key its name says.
    #[error("{} holds key {found}, not the key its name says", path.display())]
    KidMismatch {
        /// The file.
        path: PathBuf,
        /// The kid of the key inside.
        found: KeyId,
    },
    /// A key file that is not an Ed25519 PKCS#8 PEM private key.
    #[error("{}: {source}", path.display())]
    BadKey {
        /// The file.
        path: PathBuf,
        /// What was wrong with it.
        #[source]
        source: KeyError,
    },
    /// `keys/current` does not hold a kid in hex.
    #[error("{}: expected the current key id in 16 lowercase hex digits", path.display())]
    BadMarker {
        /// The marker file.
        path: PathBuf,
    },
    /// `keys/current` names a key whose file is missing. Not papered over with a new key:
    /// passes signed by the missing key would silently stop verifying.
    #[error("keys/current names key {kid}, but {} is missing (restore it from a backup)", path.display())]
    CurrentKeyMissing {
        /// The kid named by the marker.
        kid: KeyId,
        /// The key file that should exist.
        path: PathBuf,
    },
    /// Several keys and no marker: which one signs is the operator's call, not a guess.
    #[error(
        "{} is missing and there are {count} issuer keys; write the kid of the current one into it",
        path.display()
    )]
    NoCurrentMarker {
        /// The marker file.
        path: PathBuf,
        /// How many keys were found.
        count: usize,
    },
    /// No key with this id.
    #[error("no issuer key {0}")]
    UnknownKey(KeyId),
    /// The current key signs new credentials; rotate before retiring it.
    #[error("key {0} is the current issuer key; rotate first, then retire it")]
    RetireCurrent(KeyId),
    /// The operating system's random number generator failed.
    #[error("no randomness for a new key: {0}")]
    Random(#[source] rand::Error),
}

/// One key, as `keys list` shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    /// The key id.
    pub id: KeyId,
    /// Whether it signs new credentials.
    pub current: bool,
}

/// The issuer keys of one data directory.
pub struct Keyring {
    dir: DataDir,
    keys: BTreeMap<KeyId, IssuerKey>,
    current: KeyId,
}

impl fmt::Debug for Keyring {
    // Kids only: the keys' own Debug already hides their material, this keeps it so.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("current", &self.current)
            .field("keys", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Keyring {
    /// Loads every `keys/issuer-<kid>.key`; on a data directory without keys, creates the
    /// first one and marks it current.
    ///
    /// Refuses a key file readable by group or others, a file whose kid does not match its
    /// name, and a `keys/current` that names a missing key. With no marker and exactly one
    /// key (a crash between writing the first key and its marker) that key becomes current.
    pub fn open(dir: &DataDir) -> Result<Keyring, KeyringError> {
        dir.ensure()?;
        let keys = load_keys(dir)?;
        let marker = dir.current_key_marker();
        match read_marker(&marker)? {
            Some(kid) if keys.contains_key(&kid) => Ok(Keyring {
                dir: dir.clone(),
                keys,
                current: kid,
            }),
            Some(kid) => Err(KeyringError::CurrentKeyMissing {
                kid,
                path: dir.issuer_key(kid),
            }),
            None => match (keys.len(), keys.keys().next().copied()) {
                (0, _) => {
                    let key = create_key(dir)?;
                    let kid = key.id();
                    write_marker(dir, kid)?;
                    tracing::info!(%kid, "first issuer key created");
                    Ok(Keyring {
                        dir: dir.clone(),
                        keys: BTreeMap::from([(kid, key)]),
                        current: kid,
                    })
                }
                (1, Some(kid)) => {
                    write_marker(dir, kid)?;
                    Ok(Keyring {
                        dir: dir.clone(),
                        keys,
                        current: kid,
                    })
                }
                (count, _) => Err(KeyringError::NoCurrentMarker {
                    path: marker,
                    count,
                }),
            },
        }
    }

    /// The key that signs new credentials and bundles.
    pub fn current(&self) -> &IssuerKey {
        // `open` and `rotate` only ever set `current` to a key in the map, and `retire`
        // refuses the current key.
        &self.keys[&self.current]
    }

    /// The key with this id, current or not.
    pub fn get(&self, kid: KeyId) -> Option<&IssuerKey> {
        self.keys.get(&kid)
    }

    /// Makes a fresh key current; the previous keys stay, so their passes still verify.
    ///
    /// The key file is written before the marker moves: a crash in between leaves an extra,
    /// unused key and the old current key in force.
    pub fn rotate(&mut self) -> Result<KeyId, KeyringError> {
        let key = create_key(&self.dir)?;
        let kid = key.id();
        write_marker(&self.dir, kid)?;
        self.keys.insert(kid, key);
        self.current = kid;
        tracing::info!(%kid, "issuer key rotated");
        Ok(kid)
    }

    /// Every key, in kid order.
    pub fn list(&self) -> Vec<KeyInfo> {
        self.keys
            .keys()
            .map(|&id| KeyInfo {
                id,
                current: id == self.current,
            })
            .collect()
    }

    /// The public halves of every key: what bundles carry so controllers and kiosks verify
    /// passes signed by any of them.
    pub fn trust_store(&self) -> TrustStore {
        TrustStore::with(self.keys.values().map(IssuerKey::public))
    }

    /// Deletes a key that is no longer current. Passes it signed stop verifying once the
    /// next bundle leaves it out, so retire a key only after its last pass has expired.
    pub fn retire(&mut self, kid: KeyId) -> Result<(), KeyringError> {
        if kid == self.current {
            return Err(KeyringError::RetireCurrent(kid));
        }
        if !self.keys.contains_key(&kid) {
            return Err(KeyringError::UnknownKey(kid));
        }
        let path = self.dir.issuer_key(kid);
        fs::remove_file(&path).map_err(|e| FsError::new("remove", &path, e))?;
        sync_dir(&self.dir.keys_dir())?;
        self.keys.remove(&kid);
        tracing::info!(%kid, "issuer key retired");
        Ok(())
    }
}

/// Makes a key from the operating system's randomness and writes its file (0600).
fn create_key(dir: &DataDir) -> Result<IssuerKey, KeyringError> {
    let mut seed = [0u8; 32];
    let filled = rand::rngs::OsRng.try_fill_bytes(&mut seed);
    let key = IssuerKey::from_seed(&seed);
    seed.zeroize();
    filled.map_err(KeyringError::Random)?;

    let mut pem = key.to_pkcs8_pem();
    let written = write_secret(&dir.issuer_key(key.id()), pem.as_bytes());
    pem.zeroize();
    written?;
    Ok(key)
}

/// Parses a kid the way it is written in file names and the marker: exactly the canonical
/// lowercase hex, so one key cannot appear under two spellings.
fn parse_kid(text: &str) -> Option<KeyId> {
    let kid = KeyId(<[u8; 8]>::from_hex(text).ok()?);
    (kid.to_string() == text).then_some(kid)
}

fn load_keys(dir: &DataDir) -> Result<BTreeMap<KeyId, IssuerKey>, KeyringError> {
    let keys_dir = dir.keys_dir();
    let entries = fs::read_dir(&keys_dir).map_err(|e| FsError::new("list", &keys_dir, e))?;
    let mut keys = BTreeMap::new();
    for entry in entries {
        let entry = entry.map_err(|e| FsError::new("list", &keys_dir, e))?;
        let name = entry.file_name();
        // Other files (the marker, a temporary file left by a crash) are not keys.
        let Some(stem) = name
            .to_str()
            .and_then(|n| n.strip_prefix("issuer-"))
            .and_then(|n| n.strip_suffix(".key"))
        else {
            continue;
        };
        let path = entry.path();
        let named =
            parse_kid(stem).ok_or_else(|| KeyringError::BadFileName { path: path.clone() })?;
        let key = read_key(&path)?;
        if key.id() != named {
            return Err(KeyringError::KidMismatch {
                path,
                found: key.id(),
            });
        }
        keys.insert(named, key);
    }
    Ok(keys)
}

fn read_key(path: &Path) -> Result<IssuerKey, KeyringError> {
    let mut file = File::open(path).map_err(|e| FsError::new("open", path, e))?;
    // Checked on the open file, so the mode judged is the mode of the bytes read.
    if let Err(mode) = private_mode(&file).map_err(|e| FsError::new("inspect", path, e))? {
        return Err(KeyringError::InsecureKeyFile {
            path: path.to_path_buf(),
            mode,
        });
    }
    let mut pem = String::new();
    let read = file.read_to_string(&mut pem);
    let key = read
        .map_err(|e| KeyringError::from(FsError::new("read", path, e)))
        .and_then(|_| {
            IssuerKey::from_pkcs8_pem(&pem).map_err(|source| KeyringError::BadKey {
                path: path.to_path_buf(),
                source,
            })
        });
    pem.zeroize();
    key
}

fn read_marker(path: &Path) -> Result<Option<KeyId>, KeyringError> {
    match fs::read_to_string(path) {
        Ok(text) => parse_kid(text.trim())
            .map(Some)
            .ok_or_else(|| KeyringError::BadMarker {
                path: path.to_path_buf(),
            }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(FsError::new("read", path, e).into()),
    }
}

fn write_marker(dir: &DataDir, kid: KeyId) -> Result<(), KeyringError> {
    // Not secret, but written the same atomic way: a torn marker would stop the server.
    Ok(write_secret(
        &dir.current_key_marker(),
        format!("{kid}\n").as_bytes(),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn data_dir() -> (tempfile::TempDir, DataDir) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path().join("data"));
        (tmp, dir)
    }

    #[test]
    fn first_open_creates_one_current_key_0600_and_reopen_finds_it() {
        let (_tmp, dir) = data_dir();
        let ring = Keyring::open(&dir).unwrap();
        let kid = ring.current().id();
        assert_eq!(
            ring.list(),
            vec![KeyInfo {
                id: kid,
                current: true
            }]
        );
        let mode = fs::metadata(dir.issuer_key(kid))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(
            fs::read_to_string(dir.current_key_marker()).unwrap(),
            format!("{kid}\n")
        );

        let again = Keyring::open(&dir).unwrap();
        assert_eq!(again.current().id(), kid);
        assert_eq!(again.list().len(), 1);
    }

    #[test]
    fn rotation_keeps_old_keys_trusted_and_survives_reopen() {
        let (_tmp, dir) = data_dir();
        let mut ring = Keyring::open(&dir).unwrap();
        let old = ring.current().id();
        let signature = ring.current().sign(b"pass 1");
        let new = ring.rotate().unwrap();
        assert_ne!(old, new);
        assert_eq!(ring.current().id(), new);

        let ring = Keyring::open(&dir).unwrap();
        assert_eq!(ring.current().id(), new);
        let mut expected = vec![
            KeyInfo {
                id: old,
                current: false,
            },
            KeyInfo {
                id: new,
                current: true,
            },
        ];
        expected.sort_by_key(|k| k.id);
        assert_eq!(ring.list(), expected);
        let trust = ring.trust_store();
        assert_eq!(trust.keys().len(), 2);
        assert!(trust.get(old).unwrap().verify(b"pass 1", &signature));
    }

    #[test]
    fn retire_removes_an_old_key_but_never_the_current_one() {
        let (_tmp, dir) = data_dir();
        let mut ring = Keyring::open(&dir).unwrap();
        let old = ring.current().id();
        let new = ring.rotate().unwrap();
        assert!(matches!(ring.retire(new), Err(KeyringError::RetireCurrent(k)) if k == new));
        ring.retire(old).unwrap();
        assert!(!dir.issuer_key(old).exists());
        assert!(matches!(ring.retire(old), Err(KeyringError::UnknownKey(k)) if k == old));
        let ring = Keyring::open(&dir).unwrap();
        assert_eq!(
            ring.list(),
            vec![KeyInfo {
                id: new,
                current: true
            }]
        );
    }

    #[test]
    fn a_key_file_readable_by_others_is_refused_by_name_and_mode() {
        let (_tmp, dir) = data_dir();
        let kid = Keyring::open(&dir).unwrap().current().id();
        let path = dir.issuer_key(kid);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = Keyring::open(&dir).unwrap_err();
        assert!(
            matches!(&err, KeyringError::InsecureKeyFile { path: p, mode: 0o644 } if *p == path),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains(&format!("issuer-{kid}.key")) && text.contains("0644"),
            "{text}"
        );
    }

    #[test]
    fn a_key_under_another_kid_is_refused() {
        let (_tmp, dir) = data_dir();
        dir.ensure().unwrap();
        let key = IssuerKey::from_seed(&[9; 32]);
        let wrong = KeyId([1, 2, 3, 4, 5, 6, 7, 8]);
        write_secret(&dir.issuer_key(wrong), key.to_pkcs8_pem().as_bytes()).unwrap();
        let err = Keyring::open(&dir).unwrap_err();
        assert!(
            matches!(&err, KeyringError::KidMismatch { path, found } if *path == dir.issuer_key(wrong) && *found == key.id()),
            "{err:?}"
        );
    }

    #[test]
    fn bad_names_bad_pem_and_bad_markers_are_errors_not_panics() {
        let (_tmp, dir) = data_dir();
        dir.ensure().unwrap();
        let odd = dir.keys_dir().join("issuer-XYZ.key");
        write_secret(&odd, b"whatever").unwrap();
        assert!(
            matches!(Keyring::open(&dir), Err(KeyringError::BadFileName { path }) if path == odd)
        );
        fs::remove_file(&odd).unwrap();

        let kid = KeyId([0; 8]);
        write_secret(&dir.issuer_key(kid), b"not a pem").unwrap();
        assert!(matches!(
            Keyring::open(&dir),
            Err(KeyringError::BadKey { .. })
        ));
        fs::remove_file(dir.issuer_key(kid)).unwrap();

        write_secret(&dir.current_key_marker(), b"zz\n").unwrap();
        assert!(matches!(
            Keyring::open(&dir),
            Err(KeyringError::BadMarker { .. })
        ));
    }

    #[test]
    fn a_marker_naming_a_missing_key_is_an_error_not_a_new_key() {
        let (_tmp, dir) = data_dir();
        let kid = Keyring::open(&dir).unwrap().current().id();
        fs::remove_file(dir.issuer_key(kid)).unwrap();
        assert!(matches!(
            Keyring::open(&dir),
            Err(KeyringError::CurrentKeyMissing { kid: k, .. }) if k == kid
        ));
        assert_eq!(
            fs::read_dir(dir.keys_dir()).unwrap().count(),
            1,
            "only the marker"
        );
    }

    #[test]
    fn a_lost_marker_is_rebuilt_for_one_key_and_refused_for_several() {
        let (_tmp, dir) = data_dir();
        let mut ring = Keyring::open(&dir).unwrap();
        let first = ring.current().id();
        fs::remove_file(dir.current_key_marker()).unwrap();
        assert_eq!(Keyring::open(&dir).unwrap().current().id(), first);

        ring.rotate().unwrap();
        fs::remove_file(dir.current_key_marker()).unwrap();
        assert!(matches!(
            Keyring::open(&dir),
            Err(KeyringError::NoCurrentMarker { count: 2, .. })
        ));
    }

    #[test]
    fn debug_shows_kids_and_no_key_material() {
        let (_tmp, dir) = data_dir();
        let ring = Keyring::open(&dir).unwrap();
        let pem = ring.current().to_pkcs8_pem();
        let body = pem.lines().nth(1).unwrap();
        let debug = format!("{ring:?}");
        assert!(debug.contains(&ring.current().id().to_string()), "{debug}");
        assert!(!debug.contains(body), "{debug}");
    }
}
