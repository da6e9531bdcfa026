//! The controller's side of the sync protocol (docs/sync-protocol.md): enrollment, signed
//! requests over TLS with the server's certificate pinned, and the calls a running
//! controller makes.
//!
//! - [`enroll`]: `gatehouse-door enroll`, making the controller's key and registering it;
//! - [`Identity`]: what enrollment leaves in the state folder;
//! - [`SyncClient`]: bundle and command long-polls, acknowledgements, event uploads,
//!   heartbeats and the reader-key escrow ([`seal`] encrypts the store for it), each
//!   signed, each answer carrying the server's [`SignedTime`];
//! - `transport` and `pinned_tls`: one HTTP/1.1 exchange, TLS accepting only the pinned
//!   certificate.

mod client;
mod enroll;
mod error;
mod escrow;
mod identity;
mod pinned_tls;
mod signed_time;
mod transport;

pub use client::{Answer, BundleAnswer, MAX_WAIT_SECS, SyncClient};
pub use enroll::enroll;
pub use error::SyncError;
pub use escrow::seal;
pub use identity::Identity;
pub use signed_time::SignedTime;
