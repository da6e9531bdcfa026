//! Backup file names, the copy to the off-site directory, and retention.
//!
//! Backups Gatehouse names itself are `gatehouse-backup-<UTC time to the millisecond>.tar`
//! (`.tar.age` when encrypted), so their names sort by age. Retention deletes only files
//! with exactly such a name — never anything else an operator keeps in the directory.

use super::files::Pending;
use crate::data_dir::FsError;
use std::fs::File;
use std::path::{Path, PathBuf};

const PREFIX: &str = "gatehouse-backup-";

/// The name of a backup taken at `created_at_ms` (Unix ms).
pub fn file_name(created_at_ms: i64, encrypted: bool) -> String {
    let at = chrono::DateTime::from_timestamp_millis(created_at_ms).unwrap_or_default();
    format!(
        "{PREFIX}{}.tar{}",
        at.format("%Y%m%dT%H%M%S%.3fZ"),
        if encrypted { ".age" } else { "" }
    )
}

/// The time part of a backup file name (`20261125T100000.123Z`), if it is one.
fn stamp(name: &str) -> Option<&str> {
    let rest = name.strip_prefix(PREFIX)?;
    let stamp = rest
        .strip_suffix(".tar.age")
        .or_else(|| rest.strip_suffix(".tar"))?;
    let b = stamp.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    (b.len() == 20
        && digits(0..8)
        && b[8] == b'T'
        && digits(9..15)
        && b[15] == b'.'
        && digits(16..19)
        && b[19] == b'Z')
        .then_some(stamp)
}

/// Whether `name` is a backup file name Gatehouse gave (and so retention may delete).
pub fn is_backup_file_name(name: &str) -> bool {
    stamp(name).is_some()
}

/// Copies `file` into `dir` as `name` (0600, atomically). The directory must exist: a
/// missing one is usually an unmounted share, and writing into the mount point would put
/// the "off-site" copy on the local disk.
pub fn copy_to(file: &Path, dir: &Path, name: &str) -> Result<PathBuf, String> {
    if !dir.is_dir() {
        return Err(format!(
            "backup.offsite_dir {} is not a directory (is the share mounted?)",
            dir.display()
        ));
    }
    let target = dir.join(name);
    let (pending, mut out) = Pending::create(&target).map_err(|e| e.to_string())?;
    let mut from = File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    std::io::copy(&mut from, &mut out).map_err(|e| format!("{}: {e}", target.display()))?;
    pending.commit(out).map_err(|e| e.to_string())
}

/// Deletes all but the newest `keep` Gatehouse backups in `dir`; returns what it deleted.
/// Other files, directories and symlinks are left alone.
pub fn prune(dir: &Path, keep: u32) -> Result<Vec<PathBuf>, FsError> {
    let mut backups = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| FsError::new("list", dir, e))? {
        let entry = entry.map_err(|e| FsError::new("list", dir, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(stamp) = stamp(name) else { continue };
        let is_file = entry
            .file_type()
            .map_err(|e| FsError::new("inspect", &entry.path(), e))?
            .is_file();
        if is_file {
            backups.push((stamp.to_owned(), entry.path()));
        }
    }
    backups.sort();
    let keep = usize::try_from(keep).unwrap_or(usize::MAX);
    let excess = backups.len().saturating_sub(keep);
    let mut deleted = Vec::with_capacity(excess);
    for (_, path) in backups.into_iter().take(excess) {
        std::fs::remove_file(&path).map_err(|e| FsError::new("delete", &path, e))?;
        deleted.push(path);
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_by_time_and_only_ours_match() {
        assert_eq!(
            file_name(1_795_597_200_123, false),
            "gatehouse-backup-20261125T090000.123Z.tar"
        );
        assert_eq!(
            file_name(1_795_597_200_000, true),
            "gatehouse-backup-20261125T090000.000Z.tar.age"
        );
        assert!(is_backup_file_name(
            "gatehouse-backup-20261125T090000.123Z.tar"
        ));
        for other in [
            "gatehouse-backup-20261125T090000Z.tar",
            "gatehouse-backup-20261125T090000.123Z.tar.gz",
            "gatehouse-backup-latest.tar",
            "my-gatehouse-backup-20261125T090000.123Z.tar",
            "notes.txt",
        ] {
            assert!(!is_backup_file_name(other), "{other}");
        }
    }

    #[test]
    fn prune_keeps_the_newest_and_touches_nothing_else() {
        let tmp = tempfile::tempdir().unwrap();
        let names = [
            file_name(1_795_597_200_000, false),
            file_name(1_795_597_300_000, true),
            file_name(1_795_597_100_000, false),
            "notes.txt".to_owned(),
            "gatehouse-backup-old.tar".to_owned(),
        ];
        for name in &names {
            std::fs::write(tmp.path().join(name), b"x").unwrap();
        }
        // A directory with a backup's name is not a backup.
        std::fs::create_dir(tmp.path().join(file_name(1_795_597_000_000, false))).unwrap();

        let deleted = prune(tmp.path(), 2).unwrap();
        assert_eq!(deleted, [tmp.path().join(&names[2])]);
        let mut left: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        let mut expected = vec![
            names[0].clone(),
            names[1].clone(),
            names[3].clone(),
            names[4].clone(),
            file_name(1_795_597_000_000, false),
        ];
        expected.sort();
        assert_eq!(left, expected);
        assert!(prune(tmp.path(), 2).unwrap().is_empty());
    }

    #[test]
    fn a_missing_offsite_directory_is_not_created() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("b.tar");
        std::fs::write(&file, b"backup").unwrap();
        let missing = tmp.path().join("mnt/offsite");
        let err = copy_to(&file, &missing, "x.tar").unwrap_err();
        assert!(
            err.ends_with("is not a directory (is the share mounted?)"),
            "{err}"
        );
        assert!(!missing.exists());
        let copied = copy_to(&file, tmp.path(), "y.tar").unwrap();
        assert_eq!(std::fs::read(copied).unwrap(), b"backup");
    }
}
