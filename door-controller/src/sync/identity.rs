//! What enrollment leaves on the controller: which controller it is, its own Ed25519 key,
//! the server's address and the certificate it pinned, and the recipient its reader keys
//! are escrowed to. Two files in the state folder: `device.key` (PKCS#8 PEM, mode 0600)
//! and `enrollment.json`.

use super::error::SyncError;
use crate::files::write_atomic;
use gatehouse_core::credential::IssuerKey;
use gatehouse_core::ids::ControllerId;
use serde::{Deserialize, Serialize};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// The enrolled controller.
#[derive(Debug)]
pub struct Identity {
    /// Its id on the server.
    pub controller: ControllerId,
    /// The server, e.g. `https://gatehouse.example.com:8443`.
    pub server: String,
    /// SHA-256 of the server's certificate (None: a loopback development server).
    pub fingerprint: Option<[u8; 32]>,
    /// The server's age recipient for the reader-key escrow.
    pub escrow_recipient: Option<String>,
    /// The controller's own signing key (its `Debug` shows only the key id).
    pub key: IssuerKey,
}

/// `enrollment.json`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    v: u16,
    controller: u32,
    server: String,
    fingerprint: Option<String>,
    escrow_recipient: Option<String>,
}

const KEY_FILE: &str = "device.key";
const RECORD_FILE: &str = "enrollment.json";

fn file_error(path: &Path, message: impl std::fmt::Display) -> SyncError {
    SyncError::File {
        path: path.display().to_string(),
        message: message.to_string(),
    }
}

impl Identity {
    /// `controller:<id>`, as the server names this device.
    pub fn device(&self) -> String {
        format!("controller:{}", self.controller.0)
    }

    /// Reads the identity from `state_dir`; an error names the file and what is wrong
    /// (missing: the controller is not enrolled yet).
    pub fn load(state_dir: &Path) -> Result<Identity, SyncError> {
        let record_path = state_dir.join(RECORD_FILE);
        let text = std::fs::read_to_string(&record_path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                file_error(
                    &record_path,
                    "not enrolled yet: run `gatehouse-door enroll`",
                )
            } else {
                file_error(&record_path, e)
            }
        })?;
        let record: Record =
            serde_json::from_str(&text).map_err(|e| file_error(&record_path, e))?;
        if record.v != 1 {
            return Err(file_error(
                &record_path,
                format!("unknown version {}", record.v),
            ));
        }
        let fingerprint = match &record.fingerprint {
            None => None,
            Some(hex_text) => Some(
                hex::decode(hex_text)
                    .ok()
                    .and_then(|b| <[u8; 32]>::try_from(b).ok())
                    .ok_or_else(|| file_error(&record_path, "fingerprint: not 64 hex digits"))?,
            ),
        };
        let key_path = state_dir.join(KEY_FILE);
        let meta = std::fs::metadata(&key_path).map_err(|e| file_error(&key_path, e))?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(file_error(
                &key_path,
                format!("mode {mode:03o} lets others read the device key; chmod 600 it"),
            ));
        }
        let pem = std::fs::read_to_string(&key_path).map_err(|e| file_error(&key_path, e))?;
        let key = IssuerKey::from_pkcs8_pem(&pem).map_err(|e| file_error(&key_path, e))?;
        Ok(Identity {
            controller: ControllerId(record.controller),
            server: record.server,
            fingerprint,
            escrow_recipient: record.escrow_recipient,
            key,
        })
    }

    /// Writes the identity to `state_dir` (created if missing, mode 0700): the key first,
    /// then the record, each replaced atomically.
    pub fn save(&self, state_dir: &Path) -> Result<(), SyncError> {
        std::fs::create_dir_all(state_dir).map_err(|e| file_error(state_dir, e))?;
        std::fs::set_permissions(state_dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| file_error(state_dir, e))?;
        let key_path = state_dir.join(KEY_FILE);
        write_atomic(&key_path, self.key.to_pkcs8_pem().as_bytes(), 0o600)
            .map_err(|e| file_error(&key_path, e))?;
        let record = Record {
            v: 1,
            controller: self.controller.0,
            server: self.server.clone(),
            fingerprint: self.fingerprint.map(hex::encode),
            escrow_recipient: self.escrow_recipient.clone(),
        };
        let record_path = state_dir.join(RECORD_FILE);
        let json = serde_json::to_vec_pretty(&record).expect("the record serializes");
        write_atomic(&record_path, &json, 0o600).map_err(|e| file_error(&record_path, e))
    }

    /// Where the identity lives in `state_dir` (for messages).
    pub fn record_path(state_dir: &Path) -> PathBuf {
        state_dir.join(RECORD_FILE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity() -> Identity {
        Identity {
            controller: ControllerId(12),
            server: "https://gatehouse.example.com:8443".into(),
            fingerprint: Some([0xab; 32]),
            escrow_recipient: Some("age1example".into()),
            key: IssuerKey::from_seed(&[9; 32]),
        }
    }

    #[test]
    fn saved_and_loaded_alike() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = dir.path().join("state");
        identity().save(&state).expect("save");
        let back = Identity::load(&state).expect("load");
        assert_eq!(back.controller, ControllerId(12));
        assert_eq!(back.device(), "controller:12");
        assert_eq!(back.fingerprint, Some([0xab; 32]));
        assert_eq!(back.escrow_recipient.as_deref(), Some("age1example"));
        assert_eq!(back.key.id(), IssuerKey::from_seed(&[9; 32]).id());
    }

    #[test]
    fn a_missing_or_exposed_identity_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = Identity::load(dir.path())
            .expect_err("not enrolled")
            .to_string();
        assert!(err.contains("enrollment.json: not enrolled yet"), "{err}");
        identity().save(dir.path()).expect("save");
        let key = dir.path().join("device.key");
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let err = Identity::load(dir.path()).expect_err("exposed").to_string();
        assert!(
            err.contains("mode 644 lets others read the device key"),
            "{err}"
        );
    }
}
