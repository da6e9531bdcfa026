//! The Gatehouse server: the only holder of signing keys, and the one place where people,
//! badges, zones, visitors and events live.
//!
//! - [`store`]: SQLite or PostgreSQL, one implementation, one conformance suite.

pub mod audit;
pub mod auth;
pub mod config;
pub mod data_dir;
pub mod http;
pub mod keyring;
pub mod store;
pub mod tls;
