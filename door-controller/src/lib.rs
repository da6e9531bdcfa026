//! The door controller: the runtime (sync client, journal, door state machine) and the
//! installer's tools.
//!
//! - [`bundle_store`]: the last-good signed bundle on disk, what the doors decide from
//!   before any network call.
//! - [`cli`]: the commands (`enroll`, `run`, `status`, `selftest`, `reader probe`,
//!   `reader install-key`, `reader escrow`, `reader restore-keys`).
//! - [`clock_floor`]: the latest time known to have passed, raised by the server's signed
//!   time, for a Pi without a real-time clock.
//! - [`config`]: the configuration file, checked whole before anything runs.
//! - [`door`]: the door state machine, pure and on injected time.
//! - [`journal`]: the durable event journal every decision and door event is written to
//!   before the door acts, uploaded in batches and deleted once the server has it.
//! - [`key_install`]: `gatehouse-door reader install-key`, keying one OSDP reader.
//! - [`key_escrow`]: the reader key store escrowed with the server, and restored from it
//!   onto a replacement controller.
//! - [`probe`]: `gatehouse-door reader probe`, bringing one OSDP reader online and showing
//!   what it reads.
//! - [`sync`]: enrollment and the signed calls to the server, over TLS with the server's
//!   certificate pinned.
//! - [`files`]: state files replaced atomically.
//! - [`runtime`]: `gatehouse-door run`: the doors served from the bundle held, the journal,
//!   and the sync loops beside them.
//! - [`selftest`]: `gatehouse-door selftest`, checking this build's cryptography, bundle
//!   format and decisions against outcomes known in advance.
//! - [`systemd`]: sd_notify (ready, status, stopping, watchdog pings) for the systemd unit.

pub mod bundle_store;
pub mod cli;
pub mod clock_floor;
pub mod config;
pub mod door;
pub mod files;
pub mod journal;
pub mod key_escrow;
pub mod key_install;
pub mod probe;
pub mod runtime;
pub mod selftest;
pub mod sync;
pub mod systemd;
