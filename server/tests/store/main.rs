//! The store conformance suite: every test runs against SQLite and against PostgreSQL
//! (from `PG_TEST_URL`, each test in a fresh database), and must pass on both.

mod alarms;
mod audit;
mod backends;
mod bundle;
mod credentials;
mod events;
mod lookups;
mod passes;
mod policy;
mod reader_keys;
mod users;
