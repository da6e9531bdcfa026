//! The escrow key pair: an age X25519 identity in `DATA_DIR/keys/escrow.key`, made at the
//! first start and kept for as long as the data directory lives (every escrow copy is
//! encrypted to it), used for nothing else.
//!
//! The file is what `age-keygen` writes (comment lines, then one `AGE-SECRET-KEY-1…`
//! line), so an operator holding a backup can open an escrow copy with the standard `age`
//! tool. Like the issuer keys it is written 0600 and atomically, refused when group or
//! others may read it, and never logged: [`EscrowKey`]'s `Debug` shows the public
//! recipient only.

use crate::data_dir::{DataDir, FsError, private_mode, write_secret};
use age::secrecy::ExposeSecret;
use secrecy::zeroize::{Zeroize, Zeroizing};
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The first bytes of every binary age file.
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";
/// The first bytes of an ASCII-armored age file.
const ARMOR_MAGIC: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";

/// Why the escrow key could not be loaded or made. Each names the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum EscrowKeyError {
    /// Reading or writing the file failed.
    #[error(transparent)]
    Fs(#[from] FsError),
    /// The file may be read by group or others: refused rather than used, since the key may
    /// already have leaked.
    #[error(
        "{} has mode {mode:04o}: the reader-key escrow key must not be readable by group or others (chmod 600 it, and consider the escrowed reader keys exposed)",
        path.display()
    )]
    InsecureKeyFile {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file does not hold one age X25519 identity. Never replaced by a new key: the
    /// escrow copies already uploaded are encrypted to the old one.
    #[error("{}: {problem} (restore keys/escrow.key from a backup)", path.display())]
    BadKey {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it (never the file's content).
        problem: String,
    },
}

/// Why an uploaded escrow copy does not open with the escrow identity.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// Not an age file at all.
    #[error("the body is not an age-encrypted file (it must start with \"age-encryption.org/v1\")")]
    NotAge,
    /// An ASCII-armored age file: the protocol carries the binary form.
    #[error("the body is an ASCII-armored age file; send the binary form (age without --armor)")]
    Armored,
    /// An age file not encrypted to the escrow recipient.
    #[error(
        "the age file is not encrypted to this server's escrow recipient (reader_key_escrow_recipient of the enrollment answer)"
    )]
    WrongRecipient,
    /// An age file that is damaged, cut short or was changed.
    #[error("the age file is damaged, truncated or was altered: {0}")]
    Damaged(String),
}

/// The escrow identity and its public recipient.
pub struct EscrowKey {
    identity: age::x25519::Identity,
    recipient: age::x25519::Recipient,
}

impl fmt::Debug for EscrowKey {
    // The recipient is public; the identity never leaves this module.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EscrowKey")
            .field("recipient", &self.recipient.to_string())
            .finish_non_exhaustive()
    }
}

impl EscrowKey {
    /// Loads `keys/escrow.key`; on a data directory without one, makes it (0600).
    pub fn open(dir: &DataDir) -> Result<EscrowKey, EscrowKeyError> {
        dir.ensure()?;
        let path = dir.escrow_key();
        if path.exists() {
            return EscrowKey::load(&path);
        }
        let key = EscrowKey::from_identity(age::x25519::Identity::generate());
        let mut text = format!(
            "# Gatehouse reader-key escrow identity (docs/hardware-reader-keys.md)\n\
             # public key: {}\n{}\n",
            key.recipient,
            key.identity.to_string().expose_secret()
        );
        let written = write_secret(&path, text.as_bytes());
        text.zeroize();
        written?;
        tracing::info!(recipient = %key.recipient, "reader-key escrow key created");
        Ok(key)
    }

    /// Loads an existing key file, refusing one that group or others may read or that does
    /// not hold exactly one age X25519 identity.
    pub fn load(path: &Path) -> Result<EscrowKey, EscrowKeyError> {
        let mut file = File::open(path).map_err(|e| FsError::new("open", path, e))?;
        // Checked on the open file, so the mode judged is the mode of the bytes read.
        if let Err(mode) = private_mode(&file).map_err(|e| FsError::new("inspect", path, e))? {
            return Err(EscrowKeyError::InsecureKeyFile {
                path: path.to_path_buf(),
                mode,
            });
        }
        let mut bytes = Zeroizing::new(Vec::new());
        file.read_to_end(&mut bytes)
            .map_err(|e| FsError::new("read", path, e))?;
        let bad = |problem: &str| EscrowKeyError::BadKey {
            path: path.to_path_buf(),
            problem: problem.to_owned(),
        };
        let text = std::str::from_utf8(&bytes).map_err(|_| bad("not a text file"))?;
        let mut lines = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        let line = lines.next().ok_or_else(|| {
            bad("holds no identity (expected an age identity line, AGE-SECRET-KEY-1…)")
        })?;
        if lines.next().is_some() {
            return Err(bad(
                "holds more than one line besides comments; expected exactly one age identity",
            ));
        }
        let identity = age::x25519::Identity::from_str(line)
            .map_err(|_| bad("is not an age X25519 identity (AGE-SECRET-KEY-1…)"))?;
        Ok(EscrowKey::from_identity(identity))
    }

    fn from_identity(identity: age::x25519::Identity) -> EscrowKey {
        let recipient = identity.to_public();
        EscrowKey {
            identity,
            recipient,
        }
    }

    /// The public recipient (`age1…`) controllers encrypt their reader key store to.
    pub fn recipient(&self) -> String {
        self.recipient.to_string()
    }

    /// Decrypts an escrow copy. The plaintext is wiped from memory when dropped.
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, OpenError> {
        if !ciphertext.starts_with(AGE_MAGIC) {
            return Err(if ciphertext.trim_ascii_start().starts_with(ARMOR_MAGIC) {
                OpenError::Armored
            } else {
                OpenError::NotAge
            });
        }
        let damaged = |e: &dyn fmt::Display| OpenError::Damaged(e.to_string());
        let decryptor = age::Decryptor::new(ciphertext).map_err(|e| damaged(&e))?;
        let mut reader = match decryptor.decrypt(std::iter::once(&self.identity as _)) {
            Ok(reader) => reader,
            Err(age::DecryptError::NoMatchingKeys) => return Err(OpenError::WrongRecipient),
            Err(e) => return Err(damaged(&e)),
        };
        let mut plaintext = Zeroizing::new(Vec::new());
        // Bounded by the ciphertext, which the caller has bounded.
        reader
            .read_to_end(&mut plaintext)
            .map_err(|e: io::Error| damaged(&e))?;
        Ok(plaintext)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    fn data_dir() -> (tempfile::TempDir, DataDir) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::new(tmp.path().join("data"));
        (tmp, dir)
    }

    fn encrypt_to(recipient: &str, plaintext: &[u8]) -> Vec<u8> {
        let recipient = age::x25519::Recipient::from_str(recipient).unwrap();
        age::encrypt(&recipient, plaintext).unwrap()
    }

    #[test]
    fn first_open_makes_a_0600_age_identity_and_reopen_finds_the_same() {
        let (_tmp, dir) = data_dir();
        let key = EscrowKey::open(&dir).unwrap();
        let path = dir.escrow_key();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let recipient = key.recipient();
        assert!(recipient.starts_with("age1"), "{recipient}");
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            text.contains(&format!("# public key: {recipient}\n")),
            "{text}"
        );
        assert_eq!(
            text.lines()
                .filter(|l| l.starts_with("AGE-SECRET-KEY-1"))
                .count(),
            1
        );
        assert_eq!(EscrowKey::open(&dir).unwrap().recipient(), recipient);
    }

    #[test]
    fn a_copy_encrypted_to_the_recipient_opens_and_others_are_named() {
        let (_tmp, dir) = data_dir();
        let key = EscrowKey::open(&dir).unwrap();
        let sealed = encrypt_to(&key.recipient(), b"{\"v\":1,\"readers\":{}}");
        assert_eq!(
            &key.decrypt(&sealed).unwrap()[..],
            b"{\"v\":1,\"readers\":{}}"
        );

        let other = age::x25519::Identity::generate().to_public().to_string();
        assert_eq!(
            key.decrypt(&encrypt_to(&other, b"x")).unwrap_err(),
            OpenError::WrongRecipient
        );
        assert_eq!(key.decrypt(b"{\"v\":1}").unwrap_err(), OpenError::NotAge);
        assert_eq!(key.decrypt(b"").unwrap_err(), OpenError::NotAge);
        assert_eq!(
            key.decrypt(b"-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n")
                .unwrap_err(),
            OpenError::Armored
        );
        let mut cut = sealed.clone();
        cut.truncate(sealed.len() - 5);
        assert!(matches!(key.decrypt(&cut), Err(OpenError::Damaged(_))));
        let mut flipped = sealed.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(matches!(key.decrypt(&flipped), Err(OpenError::Damaged(_))));
        assert!(matches!(
            key.decrypt(b"age-encryption.org/v1\n-> nonsense\n"),
            Err(OpenError::Damaged(_))
        ));
    }

    #[test]
    fn a_key_file_readable_by_others_is_refused_by_name_and_mode() {
        let (_tmp, dir) = data_dir();
        EscrowKey::open(&dir).unwrap();
        let path = dir.escrow_key();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        let err = EscrowKey::open(&dir).unwrap_err();
        assert!(
            matches!(&err, EscrowKeyError::InsecureKeyFile { path: p, mode: 0o640 } if *p == path),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains("keys/escrow.key") && text.contains("0640"),
            "{text}"
        );
    }

    #[test]
    fn bad_content_is_an_error_naming_the_file_and_never_replaced() {
        let (_tmp, dir) = data_dir();
        dir.ensure().unwrap();
        let path = dir.escrow_key();
        let cases: [(&[u8], &str); 5] = [
            (b"", "holds no identity"),
            (b"# only a comment\n\n", "holds no identity"),
            (
                b"AGE-SECRET-KEY-1NOTAKEY\n",
                "is not an age X25519 identity",
            ),
            (b"\xff\xfe", "not a text file"),
            (b"a\nb\n", "more than one line"),
        ];
        for (content, problem) in cases {
            write_secret(&path, content).unwrap();
            let err = EscrowKey::open(&dir).unwrap_err();
            let text = err.to_string();
            assert!(
                matches!(&err, EscrowKeyError::BadKey { path: p, .. } if *p == path),
                "{err:?}"
            );
            assert!(
                text.contains("keys/escrow.key") && text.contains(problem),
                "{text}"
            );
            assert_eq!(fs::read(&path).unwrap(), content, "left as it was");
        }
    }

    #[test]
    fn debug_shows_the_recipient_and_no_secret() {
        let (_tmp, dir) = data_dir();
        let key = EscrowKey::open(&dir).unwrap();
        let debug = format!("{key:?}");
        assert!(debug.contains(&key.recipient()), "{debug}");
        assert!(!debug.contains("AGE-SECRET-KEY"), "{debug}");
    }
}
