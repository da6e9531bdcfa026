//! Benchmarks of the door's hot paths against a 100,000-badge, 500-door bundle:
//! a card decision, a QR visitor pass (verify + decide), and loading the bundle (verify +
//! index). Run with `scripts/bench`, which also times pycose on the same pass.
//!
//! The bundle's encoded size and the pass used are written to `target/bench/` so the
//! pycose comparison verifies exactly the same bytes.

use criterion::{Criterion, criterion_group, criterion_main};
use gatehouse_core::bundle::{Policy, SignedBundle};
use gatehouse_core::credential::{CredentialKind, PassClaims, TrustStore, issue};
use gatehouse_core::decide::{Credential, LocalState, Presented, decide};
use gatehouse_core::ids::{DoorId, PassSerial, PersonId, ZoneId};
use gatehouse_core::model::Direction;
use gatehouse_core::sample;
use gatehouse_core::time::{Clock, Timestamp};
use std::hint::black_box;

const PEOPLE: u32 = 100_000;
const DOORS: u32 = 500;
/// Wednesday 25 November 2026, 09:00 UTC (10:00 in Berlin).
const NOW: i64 = 1_795_597_200;

fn setup() -> (SignedBundle, Policy, TrustStore) {
    let issued = Timestamp::from_unix_secs(NOW - 3600);
    let bundle = sample::large_site(PEOPLE, DOORS, issued);
    let signed = SignedBundle::sign(bundle, &sample::issuer());
    let trust = TrustStore::with([sample::issuer().public()]);
    let policy = Policy::load(&signed, &trust, None).expect("the large site verifies");
    (signed, policy, trust)
}

fn visitor_pass() -> String {
    issue(
        &sample::issuer(),
        &PassClaims {
            iss: None,
            sub: "v1234567".into(),
            nbf: NOW - 1800,
            exp: NOW + 8 * 3600,
            iat: Some(NOW - 1800),
            kind: CredentialKind::Visitor,
            serial: PassSerial(123_456),
            zones: vec![ZoneId(10_000), ZoneId(10_001), ZoneId(10_002)],
            escort: false,
            host: Some(PersonId(1_000_001)),
            items: vec![],
        },
    )
}

fn benches(c: &mut Criterion) {
    let (signed, policy, trust) = setup();
    let stored = signed.to_bytes();
    let pass = visitor_pass();
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&out).expect("target/bench");
    std::fs::write(out.join("bundle-size.txt"), format!("{}\n", stored.len())).expect("write size");
    std::fs::write(out.join("pass.txt"), &pass).expect("write pass");
    std::fs::write(
        out.join("issuer.pub"),
        sample::issuer().public().to_spki_pem(),
    )
    .expect("write key");
    eprintln!(
        "bundle: {PEOPLE} badges, {DOORS} doors, {} bytes encoded",
        stored.len()
    );

    let state = LocalState::new();
    let clock = Clock::trusted(Timestamp::from_unix_secs(NOW));
    // Cycle through cards and doors so the benchmark does not measure one cached path.
    let cards: Vec<_> = (0..1024)
        .map(|i| sample::large_site_card(i * 97 % PEOPLE))
        .collect();
    let mut i = 0usize;
    c.bench_function("decide/card", |b| {
        b.iter(|| {
            i = i.wrapping_add(1);
            let presented = Presented {
                door: DoorId(1 + u32::try_from(i % 500).expect("small")),
                direction: Direction::Entry,
                credential: Credential::Card(cards[i % cards.len()]),
                pin: None,
            };
            black_box(decide(&policy, black_box(&presented), clock, &state))
        })
    });

    c.bench_function("decide/qr_visitor_pass", |b| {
        b.iter(|| {
            let presented = Presented {
                door: DoorId(1),
                direction: Direction::Entry,
                credential: Credential::Qr(black_box(&pass)),
                pin: None,
            };
            let d = decide(&policy, &presented, clock, &state);
            assert!(d.granted(), "{d:?}");
            d
        })
    });

    let mut group = c.benchmark_group("bundle");
    group.sample_size(10);
    group.bench_function("load_100k", |b| {
        b.iter(|| {
            let signed = SignedBundle::from_bytes(black_box(&stored)).expect("stored form");
            Policy::load(&signed, &trust, None).expect("verifies")
        })
    });
    group.finish();
}

criterion_group!(decide_benches, benches);
criterion_main!(decide_benches);
