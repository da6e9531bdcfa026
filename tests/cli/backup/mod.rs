//! `gatehouse backup` and `gatehouse restore` on real data directories, with real server
//! processes: a backup restores into a working server whose controllers resync; encrypted
//! backups, damaged files, the off-site copy with retention and PostgreSQL are checked the
//! same way.

// Also the whole-system door controller tests' site (`crate::door_runtime`).
pub(crate) mod controller;
mod damaged;
mod encrypted;
mod offsite;
mod postgres;
mod resync;
mod support;
