//! Whole-program tests of the `gatehouse` command, one binary for all of them (STYLE.md).
//!
//! Credentials are checked against an independent Python implementation of the GH1 format,
//! tests/python/gh_pass.py: passes must cross between the two, and both must refuse the same
//! tampered passes for the same reason. `support::python` finds it (run `scripts/test`).

mod admin;
mod audit;
mod backup;
mod card;
mod demo;
mod door_runtime;
mod door_sync;
mod export;
mod interop;
mod keys;
mod reader_key_escrow;
mod scale_out;
mod server;
mod server_keys;
mod support;
mod tamper;
mod validity;
