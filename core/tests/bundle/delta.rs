use super::{sample_bundle, trust};
use gatehouse_core::bundle::{
    Bundle, BundleDelta, BundleError, BundleVersion, Policy, SignedBundle,
};
use gatehouse_core::card::{CardFormat, CardId};
use gatehouse_core::ids::{BadgeId, GroupId, PassSerial, PersonId, ZoneId};
use gatehouse_core::model::{Badge, BadgeCredential, BadgeStatus, Person, PersonFlags};
use gatehouse_core::sample;
use proptest::prelude::*;

/// One edit the server might make between two bundle versions.
#[derive(Clone, Debug)]
enum Edit {
    AddPerson(u64, u32),
    RemovePerson(usize),
    SuspendBadge(usize),
    Revoke(u64),
    Unrevoke(usize),
    Lockdown(u32),
    LiftLockdown,
    MoveDoor(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (1000u64..1100, 1u32..60000).prop_map(|(p, c)| Edit::AddPerson(p, c)),
        any::<usize>().prop_map(Edit::RemovePerson),
        any::<usize>().prop_map(Edit::SuspendBadge),
        (1u64..5000).prop_map(Edit::Revoke),
        any::<usize>().prop_map(Edit::Unrevoke),
        (1u32..6).prop_map(Edit::Lockdown),
        Just(Edit::LiftLockdown),
        (any::<usize>(), any::<usize>()).prop_map(|(d, z)| Edit::MoveDoor(d, z)),
    ]
}

/// Applies edits as the server would, keeping the bundle consistent.
fn edited(base: &Bundle, edits: &[Edit], version: u64) -> Bundle {
    let mut b = base.clone();
    for e in edits {
        match *e {
            Edit::AddPerson(id, card) => {
                let person = PersonId(id);
                if b.people.iter().all(|p| p.id != person)
                    && b.badges.iter().all(|x| {
                        x.credential
                            != BadgeCredential::Card(
                                CardId::wiegand(CardFormat::H10301, 99, card % 65536).unwrap(),
                            )
                    })
                {
                    b.people.push(Person {
                        id: person,
                        groups: [GroupId(1)].into_iter().collect(),
                        flags: PersonFlags::default(),
                        pin: None,
                    });
                    b.badges.push(Badge {
                        id: BadgeId(id),
                        person,
                        credential: BadgeCredential::Card(
                            CardId::wiegand(CardFormat::H10301, 99, card % 65536).unwrap(),
                        ),
                        status: BadgeStatus::Active,
                        not_before: None,
                        expires: None,
                    });
                }
            }
            Edit::RemovePerson(i) if !b.people.is_empty() => {
                let gone = b.people.remove(i % b.people.len()).id;
                b.badges.retain(|x| x.person != gone);
            }
            Edit::SuspendBadge(i) if !b.badges.is_empty() => {
                let n = b.badges.len();
                b.badges[i % n].status = BadgeStatus::Suspended;
            }
            Edit::Revoke(s) if !b.revoked_serials.contains(&PassSerial(s)) => {
                b.revoked_serials.push(PassSerial(s));
            }
            Edit::Unrevoke(i) if !b.revoked_serials.is_empty() => {
                let n = b.revoked_serials.len();
                b.revoked_serials.remove(i % n);
            }
            Edit::Lockdown(z) if !b.lockdown.contains(&ZoneId(z)) => b.lockdown.push(ZoneId(z)),
            Edit::LiftLockdown => b.lockdown.clear(),
            Edit::MoveDoor(d, z) => {
                let (nd, nz) = (b.doors.len(), b.zones.len());
                b.doors[d % nd].zone = b.zones[z % nz].id;
            }
            _ => {}
        }
    }
    b.header.version.version = version;
    b.header.issued_at = gatehouse_core::time::Timestamp(b.header.issued_at.0 + 60_000);
    b.normalize();
    b
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Applying the delta from N to M gives exactly the bundle a full rebuild of M gives:
    /// the same bytes, verified by the signature made over the full M.
    #[test]
    fn delta_gives_exactly_the_full_bundle(
        before in proptest::collection::vec(edit(), 0..12),
        between in proptest::collection::vec(edit(), 0..12),
    ) {
        let n = edited(&sample_bundle(1), &before, 5);
        let m = edited(&n, &between, 9);
        let signed_n = SignedBundle::sign(n.clone(), &sample::issuer());
        let signed_m = SignedBundle::sign(m.clone(), &sample::issuer());
        let held = Policy::load(&signed_n, &trust(), None).unwrap();

        let delta = BundleDelta::between(&n, &m, &signed_m);
        let wire = BundleDelta::from_bytes(&delta.to_bytes()).unwrap();
        prop_assert_eq!(&wire, &delta);
        let (stored, policy) = held.apply_delta(&wire, &trust()).unwrap();
        prop_assert_eq!(stored.to_bytes(), signed_m.to_bytes());
        prop_assert_eq!(policy.bundle(), &m);
    }
}

#[test]
fn a_delta_from_another_version_is_refused() {
    let n = sample_bundle(5);
    let m = edited(&n, &[Edit::Revoke(7)], 6);
    let signed_m = SignedBundle::sign(m.clone(), &sample::issuer());
    let delta = BundleDelta::between(&n, &m, &signed_m);
    let older = Policy::load(
        &SignedBundle::sign(sample_bundle(4), &sample::issuer()),
        &trust(),
        None,
    )
    .unwrap();
    assert_eq!(
        older.apply_delta(&delta, &trust()).unwrap_err(),
        BundleError::DeltaBase {
            held: BundleVersion {
                epoch: 1,
                version: 4
            },
            from: BundleVersion {
                epoch: 1,
                version: 5
            },
        }
    );
}

#[test]
fn a_tampered_delta_fails_the_signature_over_the_whole() {
    let n = sample_bundle(5);
    let m = edited(&n, &[Edit::Revoke(7)], 6);
    let signed_m = SignedBundle::sign(m.clone(), &sample::issuer());
    let mut delta = BundleDelta::between(&n, &m, &signed_m);
    // Someone on the path drops the revocation of pass 7.
    delta.revoked_serials.upserts.clear();
    let held = Policy::load(&SignedBundle::sign(n, &sample::issuer()), &trust(), None).unwrap();
    assert!(matches!(
        held.apply_delta(&delta, &trust()),
        Err(BundleError::BadSignature(_))
    ));
    assert_eq!(
        held.version(),
        BundleVersion {
            epoch: 1,
            version: 5
        },
        "the held bundle stays"
    );
}

#[test]
fn a_delta_is_small_for_a_small_change() {
    let n = sample_bundle(5);
    let m = edited(&n, &[Edit::Revoke(7)], 6);
    let signed_m = SignedBundle::sign(m.clone(), &sample::issuer());
    let delta = BundleDelta::between(&n, &m, &signed_m).to_bytes();
    assert!(delta.len() < 200, "{} bytes", delta.len());
}
