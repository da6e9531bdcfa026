//! Optional encryption with age (<https://age-encryption.org/v1>) to X25519 recipients, so
//! the standard `age` tool decrypts a backup too: `age -d -i key.txt FILE | tar x`.
//!
//! age authenticates every 64 KiB chunk and the end of the stream, so a changed or cut
//! encrypted backup fails to decrypt rather than restoring something else.

use super::BackupError;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// The first bytes of every binary age file.
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";
/// The first bytes of an ASCII-armored age file.
const ARMOR_MAGIC: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";

/// Parses `age1…` recipients; an error names the one that is not.
pub fn parse_recipients(texts: &[String]) -> Result<Vec<age::x25519::Recipient>, BackupError> {
    texts
        .iter()
        .map(|text| {
            text.trim().parse().map_err(|_| {
                BackupError::Key(format!(
                    "--encrypt-to {text:?} is not an age X25519 recipient (age1…, from age-keygen)"
                ))
            })
        })
        .collect()
}

/// Where the archive's bytes go: the file, or age wrapping it.
pub enum Sink {
    /// Unencrypted.
    Plain(BufWriter<File>),
    /// Encrypted to the recipients.
    Age(age::stream::StreamWriter<BufWriter<File>>),
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Sink::Plain(_) => "Sink::Plain",
            Sink::Age(_) => "Sink::Age",
        })
    }
}

impl Sink {
    /// Writes into `file`, encrypted when there are recipients.
    pub fn new(file: File, recipients: &[age::x25519::Recipient]) -> Result<Sink, BackupError> {
        let out = BufWriter::new(file);
        if recipients.is_empty() {
            return Ok(Sink::Plain(out));
        }
        let encryptor =
            age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
                .map_err(|e| BackupError::Key(format!("age: {e}")))?;
        let writer = encryptor
            .wrap_output(out)
            .map_err(|e| BackupError::Key(format!("age: {e}")))?;
        Ok(Sink::Age(writer))
    }

    /// Ends the stream (age's last chunk) and returns the file, flushed.
    pub fn finish(self) -> io::Result<File> {
        let out = match self {
            Sink::Plain(out) => out,
            Sink::Age(writer) => writer.finish()?,
        };
        out.into_inner().map_err(io::IntoInnerError::into_error)
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Plain(out) => out.write(buf),
            Sink::Age(out) => out.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Plain(out) => out.flush(),
            Sink::Age(out) => out.flush(),
        }
    }
}

/// The identities of an age identity file (as `age-keygen` writes it), read once.
pub struct Identities {
    path: PathBuf,
    identities: Vec<Box<dyn age::Identity>>,
}

impl std::fmt::Debug for Identities {
    // Never the keys.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identities")
            .field("path", &self.path)
            .field("count", &self.identities.len())
            .finish()
    }
}

impl Identities {
    /// Reads `path`. Its error names the file and the line, never the key.
    pub fn load(path: &Path) -> Result<Identities, BackupError> {
        let file = File::open(path).map_err(|e| {
            BackupError::Key(format!("cannot read --identity {}: {e}", path.display()))
        })?;
        let bad = |e: &dyn std::fmt::Display| {
            BackupError::Key(format!(
                "--identity {}: {e} (expected an age identity file, AGE-SECRET-KEY-1…)",
                path.display()
            ))
        };
        let identities = age::IdentityFile::from_buffer(BufReader::new(file))
            .map_err(|e| bad(&e))?
            .into_identities()
            .map_err(|e| bad(&e))?;
        if identities.is_empty() {
            return Err(bad(&"no identity in the file"));
        }
        Ok(Identities {
            path: path.to_path_buf(),
            identities,
        })
    }
}

/// Opens a backup for reading: decrypted when it is an age file (which needs
/// `identities`), as it is otherwise. Returns the reader and whether it was encrypted.
pub fn open(
    path: &Path,
    identities: Option<&Identities>,
) -> Result<(Box<dyn Read>, bool), BackupError> {
    let io_error = |e: io::Error| crate::data_dir::FsError::new("read", path, e);
    let mut raw = File::open(path).map_err(io_error)?;
    let mut start = [0u8; 64];
    let mut have = 0;
    while have < start.len() {
        match raw.read(&mut start[have..]).map_err(io_error)? {
            0 => break,
            n => have += n,
        }
    }
    let start = &start[..have];
    // Start again from the first byte for whichever reader takes it.
    let file = BufReader::new(io::Cursor::new(start.to_vec()).chain(raw));
    if start.starts_with(ARMOR_MAGIC) {
        return Err(BackupError::NotABackup {
            path: path.to_path_buf(),
            message: "it is an ASCII-armored age file; decrypt it with `age -d` first".into(),
        });
    }
    if !start.starts_with(AGE_MAGIC) {
        return Ok((Box::new(file), false));
    }
    let Some(identities) = identities else {
        return Err(BackupError::NeedsIdentity {
            path: path.to_path_buf(),
        });
    };
    let damaged = |e: &dyn std::fmt::Display| BackupError::Damaged {
        path: path.to_path_buf(),
        problem: format!("age header: {e}"),
    };
    let decryptor = age::Decryptor::new_buffered(file).map_err(|e| damaged(&e))?;
    match decryptor.decrypt(identities.identities.iter().map(|i| i.as_ref())) {
        Ok(reader) => Ok((Box::new(reader), true)),
        Err(age::DecryptError::NoMatchingKeys) => Err(BackupError::WrongIdentity {
            path: path.to_path_buf(),
            identity: identities.path.clone(),
        }),
        Err(e) => Err(damaged(&e)),
    }
}
