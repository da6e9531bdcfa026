use super::body::BundleVersion;
use crate::credential::KeyId;

/// Why a bundle or delta was refused. The controller keeps its last-good bundle.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// The bytes are not a bundle of a format this build reads.
    #[error("malformed bundle: {0}")]
    Malformed(String),
    /// Signed by a key the controller does not trust.
    #[error("bundle signed by untrusted key {0}")]
    UnknownKey(KeyId),
    /// The signature does not verify.
    #[error("bundle signature does not verify under key {0}")]
    BadSignature(KeyId),
    /// Not newer than the bundle held: a rollback (or a replay) is refused.
    #[error("bundle {offered} is not newer than the bundle held ({held})")]
    Rollback {
        /// The version held.
        held: BundleVersion,
        /// The version offered.
        offered: BundleVersion,
    },
    /// A delta that does not start from the bundle held.
    #[error("delta starts from {from}, but the bundle held is {held}")]
    DeltaBase {
        /// The version held.
        held: BundleVersion,
        /// The version the delta starts from.
        from: BundleVersion,
    },
    /// Signed and decodable, but inconsistent (a door in an unknown zone, a zone cycle, …).
    #[error("inconsistent bundle: {0}")]
    Inconsistent(String),
}
