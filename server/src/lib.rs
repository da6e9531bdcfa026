//! The Gatehouse server: store (SQLite and PostgreSQL), admin API, issuance and controller
//! sync. Its work is the server issue; until then this crate is empty on purpose, so that
//! nothing depends on a server that does not exist yet.
