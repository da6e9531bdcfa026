//! The signed policy bundle: verification, rollback, consistency, and deltas that rebuild
//! exactly the bundle a full rebuild gives.

mod delta;
mod scope;
mod signed;

use gatehouse_core::bundle::Bundle;
use gatehouse_core::credential::TrustStore;
use gatehouse_core::sample;
use gatehouse_core::time::Timestamp;

pub fn sample_bundle(version: u64) -> Bundle {
    sample::bundle(Timestamp::from_unix_secs(1_795_000_000), version)
}

pub fn trust() -> TrustStore {
    TrustStore::with([sample::issuer().public()])
}
