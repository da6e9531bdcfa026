//! The tamper-evident audit log, the pure part: hash chains, their verification, and signed
//! checkpoints of their heads. No database and no I/O here; the store builds payloads, keeps
//! the rows and feeds them back through a [`Verifier`].
//!
//! # Streams
//!
//! The log is a set of independent append-only chains, one per *stream*: `admin` for admin
//! actions, `controller:<id>` for each controller's access events. One chain per stream
//! means appending to one stream never waits behind another's lock, so controllers ingest
//! in parallel. A controller's chain has a row per upload, which commits to the `events`
//! rows that upload stored ([`ChainedEvents`]). Each row is an [`Entry`]: stream, `seq` (1, 2, 3 … without gaps), payload,
//! `prev` (the hash of row `seq - 1`, all zeros for row 1) and `hash`.
//!
//! Payloads are the canonical bytes of a row built from pseudonymous ids only, so purging a
//! visitor's personal data elsewhere leaves every chain intact.
//!
//! # The link hash
//!
//! ```text
//! hash = SHA-256( "gatehouse-audit-v1\0"
//!               || u64 BE length of stream || stream (UTF-8)
//!               || u64 BE seq
//!               || prev (32 bytes)
//!               || SHA-256(payload) (32 bytes) )
//! ```
//!
//! Every field is fixed-size or length-prefixed, so no two different rows encode alike;
//! the context string keeps a link hash from ever meaning anything else; binding the
//! stream and seq stops a row from being moved to another stream or position.
//!
//! # What a check catches
//!
//! Walking a chain in seq order catches a changed row (its hash no longer matches its
//! content), a deleted row in the middle (a gap in seq) and a rewritten row (the next row's
//! `prev` no longer matches). A deleted *tail* leaves a shorter but consistent chain, and an
//! attacker who rewrites every row from some point on leaves a consistent chain too: the
//! server therefore signs the heads periodically ([`Checkpoint`]), and checkpoints exported
//! off the database ([`Checkpoint::to_json_line`]) pin the chain at those rows.
//!
//! # The checkpoint signature
//!
//! ```text
//! Ed25519 over  "gatehouse-checkpoint-v1\0"
//!               || u64 BE length of stream || stream (UTF-8)
//!               || u64 BE seq || head (32 bytes)
//!               || i64 BE signed_at (Unix ms) || key id (8 bytes)
//! ```
//!
//! Its context string differs from the chain's and from every other signature the issuer
//! key makes (`gatehouse-bundle-v1\0`, COSE's `Signature1` structure), so a checkpoint
//! signature is never valid as a bundle or a pass, nor the other way round.

mod chain;
mod chain_break;
mod chained_events;
mod checkpoint;
mod export;
#[cfg(test)]
mod tampering;
mod verify;

pub use chain::{ChainWriter, Entry, Head, link_hash, next_entry};
pub use chain_break::ChainBreak;
pub use chained_events::{ChainedEvents, EventDigest, EventRowRef};
pub use checkpoint::{Checkpoint, CheckpointError};
pub use export::CheckpointParseError;
pub use verify::{Verifier, verify};
