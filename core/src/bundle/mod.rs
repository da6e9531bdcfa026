//! The signed policy bundle: everything a door controller needs to decide alone.
//!
//! - [`Bundle`] is the content, scoped to one controller's doors ([`scope`]);
//! - [`SignedBundle`] is what travels and what a controller stores: the encoded bundle and
//!   the server's signature over it;
//! - [`BundleDelta`] brings a held bundle from one version to the next, with the signature
//!   over the resulting whole, so what a controller stores is always a signed complete
//!   bundle;
//! - [`Policy`] is a verified bundle with its lookup indexes, what `decide()` reads.

mod body;
mod delta;
mod error;
mod keyed;
mod policy;

pub mod scope;
mod signed;

pub use body::{
    Bundle, BundleHeader, BundleVersion, DoorTimings, FORMAT_VERSION, OfflineLimits, SiteKey,
};
pub use delta::{BundleDelta, CollectionDelta};
pub use error::BundleError;
pub use keyed::Keyed;
pub use policy::Policy;
pub use signed::SignedBundle;

/// Whether `name` is an IANA time zone this build knows (what a bundle's `time_zone` must
/// be). The server checks it when a site is configured, long before a controller loads.
pub fn is_known_time_zone(name: &str) -> bool {
    name.parse::<chrono_tz::Tz>().is_ok()
}
