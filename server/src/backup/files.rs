//! Writing a large private file atomically: a fresh 0600 temporary file beside it, renamed
//! over it once complete and synced, so the name only ever shows a whole file.

use crate::data_dir::{FsError, sync_dir};
use rand::RngCore;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// A temporary file that is removed unless [`Pending::commit`] renames it into place.
#[derive(Debug)]
pub struct Pending {
    tmp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Pending {
    /// Creates `.<name>.tmp-<random>` beside `target`, mode 0600, never following a
    /// planted symlink (`O_EXCL`). The parent directory must exist.
    pub fn create(target: &Path) -> Result<(Pending, File), FsError> {
        let dir = parent_of(target);
        let name = target.file_name().ok_or_else(|| {
            FsError::new(
                "write",
                target,
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file path"),
            )
        })?;
        let mut suffix = [0u8; 8];
        rand::rngs::OsRng.fill_bytes(&mut suffix);
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".tmp-{}", hex::encode(suffix)));
        let tmp = dir.join(tmp_name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| FsError::new("create", &tmp, e))?;
        Ok((
            Pending {
                tmp,
                target: target.to_path_buf(),
                committed: false,
            },
            file,
        ))
    }

    /// Syncs `file`, renames it over the target and syncs the directory.
    pub fn commit(mut self, file: File) -> Result<PathBuf, FsError> {
        file.sync_all()
            .map_err(|e| FsError::new("sync", &self.tmp, e))?;
        drop(file);
        std::fs::rename(&self.tmp, &self.target)
            .map_err(|e| FsError::new("rename into", &self.target, e))?;
        self.committed = true;
        sync_dir(parent_of(&self.target))?;
        Ok(self.target.clone())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: a leftover is dot-named and 0600, only untidy.
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// The directory a file is in (`.` for a bare name).
pub fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn only_a_committed_file_appears_and_it_is_0600() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("b.tar");
        let (pending, mut file) = Pending::create(&target).unwrap();
        file.write_all(b"whole").unwrap();
        assert!(!target.exists());
        pending.commit(file).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"whole");
        let mode = std::fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);

        let (abandoned, _file) = Pending::create(&tmp.path().join("c.tar")).unwrap();
        drop(abandoned);
        let names: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [std::ffi::OsString::from("b.tar")]);
    }
}
