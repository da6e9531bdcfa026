//! The archive: a tar of the manifest, its digest and the members, written in one pass and
//! read back member by member with every byte counted and hashed against the manifest.

use super::BackupError;
use super::manifest::{MANIFEST, MANIFEST_SHA256, Manifest, ManifestFile};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The largest manifest a restore reads (a few hundred bytes per key; this is plenty).
const MANIFEST_LIMIT: u64 = 1 << 20;

/// Where a member's bytes come from.
#[derive(Debug)]
pub enum Source {
    /// Small files, read into memory.
    Bytes(Vec<u8>),
    /// The database snapshot, streamed from disk.
    File(PathBuf),
}

/// One member to write.
#[derive(Debug)]
pub struct Member {
    /// Its path in the archive and in the data directory.
    pub path: String,
    /// Its bytes.
    pub source: Source,
}

impl Member {
    fn open(&self) -> io::Result<Box<dyn Read + '_>> {
        Ok(match &self.source {
            Source::Bytes(bytes) => Box::new(bytes.as_slice()),
            Source::File(path) => Box::new(File::open(path)?),
        })
    }

    /// Its size and SHA-256, for the manifest.
    pub fn describe(&self) -> io::Result<ManifestFile> {
        let (size, sha256) = hash_copy(&mut self.open()?, &mut io::sink())?;
        Ok(ManifestFile {
            path: self.path.clone(),
            size,
            sha256,
        })
    }
}

/// Copies `from` into `to`, returning the byte count and the SHA-256 in hex.
fn hash_copy(from: &mut dyn Read, to: &mut dyn Write) -> io::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        to.write_all(&buf[..n])?;
        size += n as u64;
    }
    Ok((size, hex::encode(hasher.finalize())))
}

/// The SHA-256 of `bytes` in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn header(size: u64, mtime: u64) -> tar::Header {
    let mut header = tar::Header::new_ustar();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_size(size);
    header.set_mode(0o600);
    header.set_mtime(mtime);
    header.set_uid(0);
    header.set_gid(0);
    // The path goes in through append_data, which also sets the checksum.
    header
}

/// Writes the manifest, its digest and the members into `out`, ending the tar; returns
/// `out`. `mtime` (Unix seconds) stamps every member.
pub fn write<W: Write>(
    out: W,
    manifest: &Manifest,
    members: &[Member],
    mtime: u64,
) -> io::Result<W> {
    let mut tar = tar::Builder::new(out);
    let manifest_bytes = serde_json::to_vec_pretty(manifest).map_err(io::Error::other)?;
    let digest = format!("{}\n", sha256_hex(&manifest_bytes));
    for (path, bytes) in [
        (MANIFEST, &manifest_bytes),
        (MANIFEST_SHA256, &digest.into_bytes()),
    ] {
        let mut h = header(bytes.len() as u64, mtime);
        tar.append_data(&mut h, path, bytes.as_slice())?;
    }
    for member in members {
        let size = manifest
            .file(&member.path)
            .map(|f| f.size)
            .ok_or_else(|| io::Error::other(format!("{} is not in the manifest", member.path)))?;
        let mut h = header(size, mtime);
        // A file that changed size since it was hashed would make a corrupt archive.
        tar.append_data(&mut h, &member.path, member.open()?.take(size))?;
    }
    tar.into_inner()
}

/// Where a member read by [`walk`] goes: `None` only checks it.
pub type Destination<'a> = dyn FnMut(&ManifestFile) -> Result<Option<File>, BackupError> + 'a;

/// Reads a backup: the manifest first, then every member, each counted and hashed against
/// the manifest and handed to `destination`. Fails naming the member at the first thing
/// wrong — a member missing, extra, repeated, cut short or with other bytes — and returns
/// the manifest only when everything matched. `path` is the backup, for messages.
pub fn walk(
    path: &Path,
    reader: impl Read,
    destination: &mut Destination<'_>,
) -> Result<Manifest, BackupError> {
    let damaged = |problem: String| BackupError::Damaged {
        path: path.to_path_buf(),
        problem,
    };
    let mut archive = tar::Archive::new(reader);
    let mut entries = archive
        .entries()
        .map_err(|e| not_a_backup(path, format!("not a tar archive ({e})")))?;

    let mut small = |name: &str, first: bool| -> Result<Vec<u8>, BackupError> {
        let mut entry = match entries.next() {
            Some(Ok(entry)) => entry,
            Some(Err(e)) if first => {
                return Err(not_a_backup(path, format!("not a tar archive ({e})")));
            }
            Some(Err(e)) => return Err(damaged(format!("reading {name}: {e}"))),
            None if first => return Err(not_a_backup(path, "empty or not a tar archive".into())),
            None => return Err(damaged(format!("{name} is missing"))),
        };
        let found = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if found != name {
            let problem = format!(
                "the first members must be {MANIFEST} and {MANIFEST_SHA256}, found {found:?}"
            );
            return Err(if first {
                not_a_backup(path, problem)
            } else {
                damaged(problem)
            });
        }
        let mut bytes = Vec::new();
        entry
            .by_ref()
            .take(MANIFEST_LIMIT + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| damaged(format!("{name}: {e}")))?;
        if bytes.len() as u64 > MANIFEST_LIMIT {
            return Err(damaged(format!(
                "{name} is larger than {MANIFEST_LIMIT} bytes"
            )));
        }
        if bytes.len() as u64 != entry.header().size().unwrap_or(u64::MAX) {
            return Err(damaged(format!("{name} is cut short")));
        }
        Ok(bytes)
    };
    let manifest_bytes = small(MANIFEST, true)?;
    let digest = small(MANIFEST_SHA256, false)?;
    if String::from_utf8_lossy(&digest).trim() != sha256_hex(&manifest_bytes) {
        return Err(damaged(format!(
            "{MANIFEST} does not match its SHA-256 in {MANIFEST_SHA256}"
        )));
    }
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .map_err(|e| damaged(format!("{MANIFEST} is not a manifest: {e}")))?;
    manifest
        .validate()
        .map_err(|e| damaged(format!("{MANIFEST}: {e}")))?;

    let mut seen = BTreeSet::new();
    let mut last = MANIFEST_SHA256.to_owned();
    for entry in entries {
        let mut entry = entry.map_err(|e| damaged(format!("after {last}: {e}")))?;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let expected = manifest
            .file(&name)
            .ok_or_else(|| damaged(format!("{name:?} is not in the manifest")))?;
        if !entry.header().entry_type().is_file() {
            return Err(damaged(format!("{name} is not a regular file")));
        }
        if !seen.insert(name.clone()) {
            return Err(damaged(format!("{name} appears twice")));
        }
        let mut out = destination(expected)?;
        let (size, sha256) = match out.as_mut() {
            Some(file) => hash_copy(&mut entry, file),
            None => hash_copy(&mut entry, &mut io::sink()),
        }
        .map_err(|e| damaged(format!("{name}: {e}")))?;
        if size != expected.size {
            return Err(damaged(format!(
                "{name} has {size} bytes, the manifest says {}",
                expected.size
            )));
        }
        if sha256 != expected.sha256 {
            return Err(damaged(format!(
                "{name} does not match its SHA-256 in the manifest"
            )));
        }
        if let Some(file) = out {
            file.sync_all()
                .map_err(|e| BackupError::Fs(crate::data_dir::FsError::new("sync", path, e)))?;
        }
        last = name;
    }
    let missing: Vec<&str> = manifest
        .files
        .iter()
        .map(|f| f.path.as_str())
        .filter(|p| !seen.contains(*p))
        .collect();
    if !missing.is_empty() {
        return Err(damaged(format!(
            "missing {} (the file is cut short)",
            missing.join(", ")
        )));
    }
    Ok(manifest)
}

fn not_a_backup(path: &Path, message: String) -> BackupError {
    BackupError::NotABackup {
        path: path.to_path_buf(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::manifest::{ManifestPolicy, ManifestSite, SourceDatabase};

    const KEY: &str = "keys/issuer-0123456789abcdef.key";

    fn archive(members: Vec<Member>) -> Vec<u8> {
        let files = members.iter().map(|m| m.describe().unwrap()).collect();
        let manifest = Manifest::new(
            "2026-11-25T10:00:00.000Z".into(),
            SourceDatabase::Postgres,
            ManifestSite {
                id: 1,
                name: "HQ".into(),
            },
            ManifestPolicy {
                epoch: 5,
                version: 9,
            },
            files,
        );
        write(Vec::new(), &manifest, &members, 1_795_597_200).unwrap()
    }

    fn sample() -> Vec<u8> {
        archive(vec![
            Member {
                path: "keys/current".into(),
                source: Source::Bytes(b"0123456789abcdef\n".to_vec()),
            },
            Member {
                path: KEY.into(),
                source: Source::Bytes(b"-----BEGIN PRIVATE KEY-----\nsecret\n".to_vec()),
            },
        ])
    }

    fn check(bytes: &[u8]) -> Result<Manifest, BackupError> {
        walk(Path::new("b.tar"), bytes, &mut |_| Ok(None))
    }

    fn problem(bytes: &[u8]) -> String {
        match check(bytes).unwrap_err() {
            BackupError::Damaged { problem, .. } => problem,
            other => panic!("expected Damaged, got {other:?}"),
        }
    }

    fn offset_of(haystack: &[u8], needle: &[u8]) -> usize {
        haystack
            .windows(needle.len())
            .position(|w| w == needle)
            .unwrap()
    }

    #[test]
    fn a_sound_archive_reads_back_with_its_manifest() {
        let manifest = check(&sample()).unwrap();
        assert_eq!(
            manifest.policy,
            ManifestPolicy {
                epoch: 5,
                version: 9
            }
        );
        assert_eq!(
            manifest
                .files
                .iter()
                .map(|f| f.path.as_str())
                .collect::<Vec<_>>(),
            ["keys/current", KEY]
        );
        assert_eq!(manifest.file(KEY).unwrap().size, 35);
    }

    #[test]
    fn a_flipped_byte_in_a_member_names_the_member() {
        let mut bytes = sample();
        let at = offset_of(&bytes, b"secret");
        bytes[at] ^= 0x01;
        assert_eq!(
            problem(&bytes),
            format!("{KEY} does not match its SHA-256 in the manifest")
        );
    }

    #[test]
    fn a_flipped_byte_in_the_manifest_is_caught_by_its_digest() {
        let mut bytes = sample();
        let at = offset_of(&bytes, b"\"HQ\"");
        bytes[at + 1] = b'X';
        assert_eq!(
            problem(&bytes),
            "manifest.json does not match its SHA-256 in manifest.json.sha256"
        );
    }

    #[test]
    fn a_cut_archive_names_what_is_missing_or_short() {
        let bytes = sample();
        let key_data = offset_of(&bytes, b"-----BEGIN");
        // Cut inside the key's data: it comes up short.
        assert_eq!(
            problem(&bytes[..key_data + 10]),
            format!("{KEY} has 10 bytes, the manifest says 35")
        );
        // Cut right before the key's header: the key is missing.
        assert_eq!(
            problem(&bytes[..key_data - 512]),
            format!("missing {KEY} (the file is cut short)")
        );
    }

    #[test]
    fn something_else_is_not_a_backup() {
        let err = check(b"PK\x03\x04 a zip file, say").unwrap_err();
        assert!(matches!(&err, BackupError::NotABackup { .. }), "{err:?}");
        let other = {
            let mut tar = tar::Builder::new(Vec::new());
            let mut h = header(2, 0);
            tar.append_data(&mut h, "notes.txt", &b"hi"[..]).unwrap();
            tar.into_inner().unwrap()
        };
        assert_eq!(
            check(&other).unwrap_err().to_string(),
            "b.tar is not a Gatehouse backup: the first members must be manifest.json and manifest.json.sha256, found \"notes.txt\""
        );
    }
}
