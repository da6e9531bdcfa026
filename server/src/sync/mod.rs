//! Controller sync: the bundle each controller enforces, built from the store, scoped to its
//! doors, signed, and sent whole or as a delta; long-polls wake when the policy changes.

pub mod bundles;
pub mod watch;
