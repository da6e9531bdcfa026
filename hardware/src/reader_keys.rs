//! The controller's store of per-reader OSDP Secure Channel keys (SCBK).
//!
//! Each keyed reader has its own random 128-bit key. The keys live in one file on the
//! controller (mode 0600, written whole and renamed into place, so a power cut leaves the
//! old file or the new one), never in the policy bundle: a bundle is the same for every
//! reader a controller drives and is stored on disk in the clear, and a reader key is worth
//! more to an attacker than any badge.
//!
//! A replacement controller must not strand keyed readers (they refuse every other key, and
//! re-keying them needs the installer's time-boxed action at each one), so the store can be
//! exported for escrow: the controller encrypts the export for the server and uploads it over
//! its signed channel; a controller re-enrolled under the same id fetches it back
//! (docs/hardware-reader-keys.md).

use crate::osdp::Key;
use crate::reader::ReaderId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// What went wrong with the key store.
#[derive(Debug, thiserror::Error)]
pub enum KeyStoreError {
    /// Reading or writing the file failed.
    #[error("reader key store {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file may be read by others than its owner.
    #[error(
        "reader key store {path} has mode {mode:o}; it must be 600 (readable by its owner only)"
    )]
    Exposed {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file (or an escrow copy) is not a key store.
    #[error("reader key store {what}: {reason}")]
    Malformed {
        /// The file, or "escrow copy".
        what: String,
        /// What is wrong.
        reason: String,
    },
}

/// The file's contents.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    v: u32,
    readers: BTreeMap<String, StoredKey>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredKey {
    /// 32 hex digits.
    scbk: String,
    /// When the key was installed in the reader (Unix ms).
    installed_at_ms: i64,
}

const VERSION: u32 = 1;

/// The keys of the readers a controller drives, as kept on its disk.
pub struct KeyStore {
    path: PathBuf,
    keys: BTreeMap<ReaderId, (Key, i64)>,
}

impl fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyStore")
            .field("path", &self.path)
            .field("readers", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl KeyStore {
    /// Opens the store at `path`; a missing file is an empty store (no reader keyed yet).
    /// A file readable by others than its owner is refused, not used.
    pub fn open(path: &Path) -> Result<Self, KeyStoreError> {
        let io = |source| KeyStoreError::Io {
            path: path.to_path_buf(),
            source,
        };
        let text = match fs::read(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(KeyStore {
                    path: path.to_path_buf(),
                    keys: BTreeMap::new(),
                });
            }
            Err(e) => return Err(io(e)),
        };
        let mode = fs::metadata(path).map_err(io)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(KeyStoreError::Exposed {
                path: path.to_path_buf(),
                mode,
            });
        }
        let keys = parse(&text, &path.display().to_string())?;
        Ok(KeyStore {
            path: path.to_path_buf(),
            keys,
        })
    }

    /// The key of `reader`, if it is keyed.
    pub fn get(&self, reader: &ReaderId) -> Option<&Key> {
        self.keys.get(reader).map(|(key, _)| key)
    }

    /// The keyed readers.
    pub fn readers(&self) -> impl Iterator<Item = &ReaderId> {
        self.keys.keys()
    }

    /// Records `reader`'s new key (installed at `installed_at_ms`) and writes the file.
    pub fn insert(
        &mut self,
        reader: ReaderId,
        key: Key,
        installed_at_ms: i64,
    ) -> Result<(), KeyStoreError> {
        self.keys.insert(reader, (key, installed_at_ms));
        self.save()
    }

    /// The store's contents, to be encrypted for the server's escrow.
    pub fn export(&self) -> Vec<u8> {
        serde_json::to_vec(&self.stored()).expect("a key store serializes")
    }

    /// Replaces the store's contents with an escrow copy (a replacement controller taking
    /// over keyed readers) and writes the file.
    pub fn restore(&mut self, export: &[u8]) -> Result<(), KeyStoreError> {
        self.keys = parse(export, "escrow copy")?;
        self.save()
    }

    fn stored(&self) -> Stored {
        Stored {
            v: VERSION,
            readers: self
                .keys
                .iter()
                .map(|(reader, (key, at))| {
                    (
                        reader.name().to_string(),
                        StoredKey {
                            scbk: hex::encode(key.bytes()),
                            installed_at_ms: *at,
                        },
                    )
                })
                .collect(),
        }
    }

    /// Writes the whole store to a temporary file (created 0600), syncs it and renames it
    /// over the old one, then syncs the folder, so the rename itself survives a power cut.
    fn save(&self) -> Result<(), KeyStoreError> {
        let io = |source| KeyStoreError::Io {
            path: self.path.clone(),
            source,
        };
        let mut temp = self.path.clone().into_os_string();
        temp.push(".new");
        let temp = PathBuf::from(temp);
        let bytes = self.export();
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temp)
            .map_err(io)?;
        // `mode` applies only when the file is created: a leftover temporary file keeps its
        // own bits, so they are set again.
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(io)?;
        file.write_all(&bytes).map_err(io)?;
        file.sync_all().map_err(io)?;
        fs::rename(&temp, &self.path).map_err(io)?;
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
        }
        Ok(())
    }
}

fn parse(bytes: &[u8], what: &str) -> Result<BTreeMap<ReaderId, (Key, i64)>, KeyStoreError> {
    let malformed = |reason: String| KeyStoreError::Malformed {
        what: what.to_string(),
        reason,
    };
    let stored: Stored = serde_json::from_slice(bytes).map_err(|e| malformed(e.to_string()))?;
    if stored.v != VERSION {
        return Err(malformed(format!("version {} is not {VERSION}", stored.v)));
    }
    stored
        .readers
        .into_iter()
        .map(|(name, k)| {
            let key = Key::from_hex(&k.scbk)
                .map_err(|e| malformed(format!("the key of reader {name}: {e}")))?;
            Ok((ReaderId::new(&name), (key, k.installed_at_ms)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn keys_survive_a_reopen_in_a_file_only_its_owner_reads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reader-keys.json");
        let mut store = KeyStore::open(&path).unwrap();
        assert_eq!(store.readers().count(), 0);
        let key = Key::random();
        store
            .insert(ReaderId::new("lobby-in"), key.clone(), 1_700_000_000_000)
            .unwrap();
        assert_eq!(mode(&path), 0o600);
        let again = KeyStore::open(&path).unwrap();
        assert_eq!(again.get(&ReaderId::new("lobby-in")), Some(&key));
        assert_eq!(again.get(&ReaderId::new("dock-in")), None);
        assert!(!format!("{again:?}").contains(&hex::encode(key.bytes())));
        assert_eq!(format!("{key:?}"), "Key(..)");
    }

    #[test]
    fn a_file_others_can_read_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reader-keys.json");
        let mut store = KeyStore::open(&path).unwrap();
        store
            .insert(ReaderId::new("lobby-in"), Key::random(), 1)
            .unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = KeyStore::open(&path).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "reader key store {} has mode 644; it must be 600 (readable by its owner only)",
                path.display()
            )
        );
    }

    #[test]
    fn an_escrow_copy_restores_the_keys_on_a_replacement() {
        let dir = tempfile::tempdir().unwrap();
        let mut old = KeyStore::open(&dir.path().join("old.json")).unwrap();
        let key = Key::from_hex("000102030405060708090a0b0c0d0e0f").unwrap();
        old.insert(ReaderId::new("server-room-in"), key.clone(), 5)
            .unwrap();
        let export = old.export();

        let path = dir.path().join("new.json");
        let mut new = KeyStore::open(&path).unwrap();
        new.restore(&export).unwrap();
        assert_eq!(new.get(&ReaderId::new("server-room-in")), Some(&key));
        assert_eq!(
            KeyStore::open(&path)
                .unwrap()
                .get(&ReaderId::new("server-room-in")),
            Some(&key)
        );
    }

    #[test]
    fn bad_files_and_keys_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reader-keys.json");
        let mut store = KeyStore::open(&path).unwrap();
        let cases: [(&[u8], &str); 3] = [
            (
                b"not json",
                "reader key store escrow copy: expected ident at line 1 column 2",
            ),
            (
                br#"{"v":2,"readers":{}}"#,
                "reader key store escrow copy: version 2 is not 1",
            ),
            (
                br#"{"v":1,"readers":{"a":{"scbk":"abc","installed_at_ms":1}}}"#,
                "reader key store escrow copy: the key of reader a: a Secure Channel key is 32 \
                 hex digits",
            ),
        ];
        for (bytes, message) in cases {
            assert_eq!(store.restore(bytes).unwrap_err().to_string(), message);
        }
        // Nothing was written by a refused copy.
        assert!(!path.exists());
    }
}
