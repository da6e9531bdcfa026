//! The last-good signed bundle on disk: what the controller decides from at start, before
//! any network call, and what it keeps when the server is gone for days.
//!
//! Only a whole signed bundle is ever stored (a delta is applied first and the result's
//! signature checked), replaced atomically, so a power cut leaves the old bundle or the new
//! one. A bundle is stored only after it verified against the keys of the bundle held and
//! was newer than it ([`accept`]); on disk it is trusted as the device key beside it is: at
//! start it is checked whole (its signature under the keys it names, its consistency) and
//! must be scoped to this controller.

use crate::files::write_atomic;
use crate::sync::BundleAnswer;
use gatehouse_core::bundle::{BundleError, Policy, SignedBundle};
use gatehouse_core::ids::ControllerId;
use std::io;
use std::path::{Path, PathBuf};

/// The file name in the state folder.
const FILE: &str = "bundle.bin";

/// Why a stored or offered bundle is not used.
#[derive(Debug, thiserror::Error)]
pub enum BundleRefused {
    /// It does not verify, is not newer than the one held, or is inconsistent.
    #[error(transparent)]
    Invalid(#[from] BundleError),
    /// It is another controller's bundle.
    #[error("bundle is scoped to controller {found}, this controller is {expected}")]
    OtherController {
        /// This controller.
        expected: ControllerId,
        /// The bundle's.
        found: ControllerId,
    },
    /// The stored file could not be read or written.
    #[error("bundle file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// The bundle file of one controller.
#[derive(Clone, Debug)]
pub struct BundleStore {
    path: PathBuf,
    controller: ControllerId,
}

impl BundleStore {
    /// The store in `state_dir` for `controller`.
    pub fn new(state_dir: &Path, controller: ControllerId) -> Self {
        BundleStore {
            path: state_dir.join(FILE),
            controller,
        }
    }

    /// The last-good bundle, or `None` when none was ever stored.
    pub fn load(&self) -> Result<Option<Policy>, BundleRefused> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(self.io(source)),
        };
        let signed = SignedBundle::from_bytes(&bytes)?;
        let policy = Policy::load_first(&signed)?;
        self.check_scope(&policy)?;
        Ok(Some(policy))
    }

    /// Checks what the bundle long-poll brought against the bundle `held` (the first bundle,
    /// when nothing is held, trusts the keys it names: it came over the pinned channel),
    /// stores it and returns its policy. On any refusal nothing is stored and the held
    /// bundle stays.
    pub fn accept(
        &self,
        held: Option<&Policy>,
        answer: BundleAnswer,
    ) -> Result<Option<Policy>, BundleRefused> {
        let (signed, policy) = match (answer, held) {
            (BundleAnswer::Unchanged, _) => return Ok(None),
            (BundleAnswer::Whole(signed), None) => {
                let policy = Policy::load_first(&signed)?;
                (signed, policy)
            }
            (BundleAnswer::Whole(signed), Some(held)) => {
                let policy = Policy::load(&signed, held.trust(), Some(held.version()))?;
                (signed, policy)
            }
            (BundleAnswer::Delta(delta), Some(held)) => held.apply_delta(&delta, held.trust())?,
            (BundleAnswer::Delta(_), None) => {
                return Err(BundleRefused::Invalid(BundleError::Malformed(
                    "a delta came, but no bundle is held to apply it to".into(),
                )));
            }
        };
        self.check_scope(&policy)?;
        write_atomic(&self.path, &signed.into_bytes(), 0o600).map_err(|e| self.io(e))?;
        Ok(Some(policy))
    }

    fn check_scope(&self, policy: &Policy) -> Result<(), BundleRefused> {
        let found = policy.bundle().header.controller;
        if found != self.controller {
            return Err(BundleRefused::OtherController {
                expected: self.controller,
                found,
            });
        }
        Ok(())
    }

    fn io(&self, source: io::Error) -> BundleRefused {
        BundleRefused::Io {
            path: self.path.clone(),
            source,
        }
    }
}

#[cfg(test)]
mod tests;
