//! The Gatehouse server: the only holder of signing keys, and the one place where people,
//! badges, zones, visitors and events live.
//!
//! - [`startup`] prepares a server (keys, TLS, database, first admin) and [`serve`] runs it;
//! - [`http`]: the API; [`auth`]: who is calling;
//! - [`store`]: SQLite or PostgreSQL, one implementation, one conformance suite;
//! - [`audit`]: the tamper-evident hash chains.

pub mod audit;
pub mod auth;
pub mod backup;
pub mod checkpoints;
pub mod config;
pub mod data_dir;
pub mod enrollment_code;
pub mod escrow;
pub mod event_alarms;
pub mod http;
pub mod issuance;
pub mod key_reload;
pub mod keyring;
pub mod metrics;
pub mod monitor;
pub mod retention;
pub mod serve;
pub mod startup;
pub mod state;
pub mod store;
pub mod sync;
pub mod tls;
