//! `gatehouse-door selftest`: checks that this build of the controller works on this machine
//! before it is trusted with a door — the cryptography, the bundle format and the decision,
//! each against an outcome known in advance. Run on the Pi after an install or an upgrade,
//! and by `scripts/test` on the aarch64 build under qemu, where a miscompiled or mislinked
//! build shows up as a failed check rather than as a door that opens for the wrong card.

#[cfg(feature = "rpi")]
mod gpio;
mod hardware;

use crate::config::ControllerConfig;
use crate::journal::{Appended, Journal, JournalConfig, JournalError};
use gatehouse_core::bundle::{BundleError, BundleVersion, Policy, SignedBundle};
use gatehouse_core::credential::{PublicKey, TrustStore};
use gatehouse_core::decide::{Credential, LocalState, Presented, decide};
use gatehouse_core::model::Direction;
use gatehouse_core::reason::Reason;
use gatehouse_core::sample::{self, doors, people};
use gatehouse_core::time::{Clock, Timestamp};
use gatehouse_core::wire::Event;
use std::io::Write;
use std::path::Path;

/// One check: its name and what it found wrong, if anything.
#[derive(Debug)]
pub struct Outcome {
    /// The check.
    pub name: String,
    /// `Err` names what did not hold.
    pub result: Result<(), String>,
}

/// Runs every check (and, given a configuration, the checks of it), prints one line per
/// check to `out`, and returns whether all passed.
pub fn run(config: Option<&ControllerConfig>, out: &mut impl Write) -> bool {
    let mut outcomes = checks();
    if let Some(config) = config {
        outcomes.extend(config_checks(config));
    }
    report(&outcomes, out)
}

/// Prints `ok <name>` or `FAILED <name>: why` per outcome; true if all passed.
fn report(outcomes: &[Outcome], out: &mut impl Write) -> bool {
    for o in outcomes {
        let line = match &o.result {
            Ok(()) => format!("ok      {}", o.name),
            Err(why) => format!("FAILED  {}: {why}", o.name),
        };
        // A closed stdout must not turn a passing self-test into a failing one or a panic.
        let _ = writeln!(out, "{line}");
    }
    outcomes.iter().all(|o| o.result.is_ok())
}

/// Every check, in order.
pub fn checks() -> Vec<Outcome> {
    vec![
        Outcome {
            name: "ed25519 (RFC 8032 test vector)".into(),
            result: ed25519_vector(),
        },
        Outcome {
            name: "bundle (sign, encode, decode, verify; tampering and rollback refused)".into(),
            result: bundle_round_trip(),
        },
        Outcome {
            name: "decision (the built-in sample site)".into(),
            result: sample_decisions(),
        },
        Outcome {
            name: "journal (append, fsync, reopen, hand out, acknowledge; in a temporary folder)"
                .into(),
            result: journal_round_trip(),
        },
    ]
}

/// The checks of a configuration that parsed (parsing checked every key and value): its
/// state folder can be written, and the hardware it names is there (see
/// [`hardware::checks`]).
pub fn config_checks(config: &ControllerConfig) -> Vec<Outcome> {
    let mut outcomes = vec![Outcome {
        name: "configuration: the state folder is writable".into(),
        result: writable(&config.controller.state_dir),
    }];
    outcomes.extend(hardware::checks(config));
    outcomes
}

fn writable(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let probe = dir.join(format!(".selftest-{}", std::process::id()));
    std::fs::write(&probe, b"ok").map_err(|e| format!("{}: {e}", probe.display()))?;
    std::fs::remove_file(&probe).map_err(|e| format!("{}: {e}", probe.display()))
}

/// A journal in a fresh temporary folder: an event appended and synced is found again
/// after reopening, handed out for upload, and gone from the backlog once acknowledged.
fn journal_round_trip() -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!(
        "gatehouse-selftest-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let result = journal_in(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn journal_in(dir: &Path) -> Result<(), String> {
    let event = Event::ControllerStarted {
        at: Timestamp::from_unix_secs(ISSUED_SECS),
    };
    fn err(what: &'static str) -> impl Fn(JournalError) -> String {
        move |e| format!("{what}: {e}")
    }
    let id = {
        let mut journal = Journal::open(dir, JournalConfig::default()).map_err(err("open"))?;
        let appended = journal.append(&event).map_err(err("append"))?;
        check(appended == Appended::Stored { seq: 1 }, || {
            format!("the first append gave {appended:?}")
        })?;
        journal.sync().map_err(err("sync"))?;
        journal.id()
    };
    let mut journal = Journal::open(dir, JournalConfig::default()).map_err(err("reopen"))?;
    check(journal.id() == id, || {
        "the journal id changed on reopening".into()
    })?;
    let pending = journal.pending(10).map_err(err("pending"))?;
    check(
        pending.len() == 1 && pending[0].seq == 1 && pending[0].event == event,
        || format!("reopened, it hands out {pending:?}"),
    )?;
    journal.acknowledge(1).map_err(err("acknowledge"))?;
    check(journal.backlog() == 0, || {
        format!(
            "after the acknowledgement the backlog is {}",
            journal.backlog()
        )
    })
}

fn check(ok: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(what()) }
}

fn unhex<const N: usize>(text: &str) -> [u8; N] {
    let bytes = hex::decode(text).expect("a hex constant");
    bytes.try_into().expect("a constant of the right length")
}

/// RFC 8032 §7.1, TEST 1 (the empty message): a signature made by another implementation
/// verifies here, and the same signature with one bit flipped does not.
fn ed25519_vector() -> Result<(), String> {
    let public: [u8; 32] =
        unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    let mut signature: [u8; 64] = unhex(concat!(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155",
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    ));
    let key = PublicKey::from_bytes(&public).map_err(|e| format!("the test key: {e}"))?;
    check(key.verify(b"", &signature), || {
        "a valid signature does not verify".into()
    })?;
    signature[0] ^= 1;
    check(!key.verify(b"", &signature), || {
        "a tampered signature verifies".into()
    })
}

/// The sample bundle, signed with the sample issuer key, survives encoding; a flipped byte
/// is refused, and so is an older version than the one held.
fn bundle_round_trip() -> Result<(), String> {
    let issued = Timestamp::from_unix_secs(ISSUED_SECS);
    let signed = SignedBundle::sign(sample::bundle(issued, 7), &sample::issuer());
    let bytes = signed.to_bytes();
    let decoded = SignedBundle::from_bytes(&bytes).map_err(|e| format!("decode: {e}"))?;
    let trust = TrustStore::with([sample::issuer().public()]);
    let policy = Policy::load(&decoded, &trust, None).map_err(|e| format!("verify: {e}"))?;
    let want = BundleVersion {
        epoch: 1,
        version: 7,
    };
    check(policy.version() == want, || {
        format!("decoded version {:?}, want {want:?}", policy.version())
    })?;

    let mut tampered = bytes.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 0x01;
    let refused = SignedBundle::from_bytes(&tampered)
        .map_err(|e| e.to_string())
        .and_then(|s| Policy::load(&s, &trust, None).map_err(|e| e.to_string()));
    check(refused.is_err(), || "a tampered bundle loads".into())?;

    let held = BundleVersion {
        epoch: 1,
        version: 8,
    };
    match Policy::load(&decoded, &trust, Some(held)) {
        Err(BundleError::Rollback { .. }) => Ok(()),
        other => Err(format!(
            "an older bundle than the one held: {:?}",
            other.map(|p| p.version())
        )),
    }
}

/// When the sample bundle was issued: Wednesday 2026-11-25 07:00 in Berlin.
const ISSUED_SECS: i64 = 1_795_586_400;
/// Three hours later, in office hours.
const WEDNESDAY_10AM_SECS: i64 = 1_795_597_200;

/// Decisions on the sample site whose reasons are known: staff in office hours, a
/// suspended badge, a card nobody issued.
fn sample_decisions() -> Result<(), String> {
    let issued = Timestamp::from_unix_secs(ISSUED_SECS);
    let signed = SignedBundle::sign(sample::bundle(issued, 1), &sample::issuer());
    let trust = TrustStore::with([sample::issuer().public()]);
    let policy = Policy::load(&signed, &trust, None).map_err(|e| format!("load: {e}"))?;
    let clock = Clock::trusted(Timestamp::from_unix_secs(WEDNESDAY_10AM_SECS));
    let unknown =
        gatehouse_core::card::CardId::wiegand(gatehouse_core::card::CardFormat::H10301, 99, 4242)
            .map_err(|e| e.to_string())?;
    let cases = [
        (
            "Alice at the office door",
            sample::card_of(people::ALICE),
            Reason::Granted,
        ),
        (
            "Frank's suspended badge",
            sample::card_of(people::FRANK),
            Reason::Suspended,
        ),
        ("a card nobody issued", unknown, Reason::UnknownCredential),
    ];
    for (what, card, want) in cases {
        let presented = Presented {
            door: doors::OFFICE,
            direction: Direction::Entry,
            credential: Credential::Card(card),
            pin: None,
        };
        let got = decide(&policy, &presented, clock, &LocalState::new()).reason;
        check(got == want, || format!("{what}: {got:?}, want {want:?}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_passes_on_this_build() {
        let mut out = Vec::new();
        let passed = run(None, &mut out);
        let text = String::from_utf8(out).expect("utf-8");
        assert!(passed, "{text}");
        assert_eq!(text.lines().filter(|l| l.starts_with("ok ")).count(), 4);
    }

    #[test]
    fn a_failed_check_is_named_and_fails_the_run() {
        let outcomes = [
            Outcome {
                name: "first".into(),
                result: Ok(()),
            },
            Outcome {
                name: "second".into(),
                result: check(false, || "what went wrong".into()),
            },
        ];
        let mut out = Vec::new();
        assert!(!report(&outcomes, &mut out));
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            "ok      first\nFAILED  second: what went wrong\n"
        );
    }
}
