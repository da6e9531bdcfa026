//! `gatehouse export events --csv`: events from a data directory's database as CSV, newest
//! first, filtered, paged through the store; bad arguments named with exit 2.

use super::support::{Run, gatehouse};
use gatehouse_core::credential::CredentialKind;
use gatehouse_core::decide::{CredentialRef, Decision, Holder};
use gatehouse_core::ids::{DoorId, PassSerial, PersonId, ZoneId};
use gatehouse_core::model::Direction;
use gatehouse_core::reason::Reason;
use gatehouse_core::time::Timestamp;
use gatehouse_core::wire::{DoorEvent, DoorEventKind, Event, JournalEntry, JournalId};
use gatehouse_server::config::Config;
use gatehouse_server::startup::{first_site, open_store};
use std::path::Path;

/// 2026-11-25T09:00:00Z.
const NOW: i64 = 1_795_597_200_000;

const HEADER: &str = "at,controller,journal,seq,kind,door,zone,person,pass_serial,granted,reason";

fn access(seq: u64, door: u32, holder: Holder, reason: Reason, at: i64) -> JournalEntry {
    let credential = match holder {
        Holder::Visitor(serial) => CredentialRef::Pass {
            kind: CredentialKind::Visitor,
            serial,
        },
        Holder::Person(_) => CredentialRef::Card("H10301:12:1001".parse().unwrap()),
    };
    JournalEntry {
        journal: JournalId(0xabc),
        seq,
        event: Event::Access(Decision {
            reason,
            door: DoorId(door),
            direction: Direction::Entry,
            zone: Some(ZoneId(door)),
            credential,
            holder: Some(holder),
            companion: None,
            at: Timestamp(at),
            clock_trusted: true,
        }),
    }
}

fn forced(journal: u64, seq: u64, at: i64) -> JournalEntry {
    JournalEntry {
        journal: JournalId(journal),
        seq,
        event: Event::Door(DoorEvent {
            door: DoorId(2),
            kind: DoorEventKind::ForcedOpen,
            at: Timestamp(at),
        }),
    }
}

/// A data directory whose database holds `entries` from one controller; returns the
/// controller's id.
fn data_dir_with(dir: &Path, entries: Vec<JournalEntry>) -> u32 {
    let config = Config {
        data_dir: dir.to_path_buf(),
        ..Config::default()
    };
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = open_store(&config).await.unwrap();
        let site = first_site(&store, NOW).await.unwrap();
        let controller = store.create_controller(site, "lobby").await.unwrap().id;
        let mut by_journal: Vec<(JournalId, Vec<JournalEntry>)> = Vec::new();
        for e in entries {
            match by_journal.iter_mut().find(|(j, _)| *j == e.journal) {
                Some((_, list)) => list.push(e),
                None => by_journal.push((e.journal, vec![e])),
            }
        }
        for (journal, list) in by_journal {
            for chunk in list.chunks(500) {
                store
                    .ingest_events(site, controller, journal, chunk, NOW)
                    .await
                    .unwrap();
            }
        }
        controller.0
    })
}

fn export(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["export", "events", "--data-dir", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    gatehouse(all)
}

fn five_events() -> Vec<JournalEntry> {
    let alice = Holder::Person(PersonId(101));
    vec![
        access(1, 1, alice, Reason::Granted, NOW),
        access(
            2,
            2,
            Holder::Person(PersonId(102)),
            Reason::Revoked,
            NOW + 1_500,
        ),
        access(
            3,
            1,
            Holder::Visitor(PassSerial(5005)),
            Reason::Granted,
            NOW + 2_000,
        ),
        forced(0xabc, 4, NOW + 3_000),
        access(5, 2, alice, Reason::Granted, NOW + 4_000),
    ]
}

#[test]
fn events_are_written_newest_first_and_filtered() {
    let dir = tempfile::tempdir().unwrap();
    let c = data_dir_with(dir.path(), five_events());
    let all = export(dir.path(), &["--csv"]).ok();
    let rows = [
        format!("2026-11-25T09:00:04.000Z,{c},0000000000000abc,5,access,2,2,101,,true,granted"),
        format!("2026-11-25T09:00:03.000Z,{c},0000000000000abc,4,door,2,,,,,"),
        format!("2026-11-25T09:00:02.000Z,{c},0000000000000abc,3,access,1,1,,5005,true,granted"),
        format!("2026-11-25T09:00:01.500Z,{c},0000000000000abc,2,access,2,2,102,,false,revoked"),
        format!("2026-11-25T09:00:00.000Z,{c},0000000000000abc,1,access,1,1,101,,true,granted"),
    ];
    assert_eq!(all.stdout, format!("{HEADER}\n{}\n", rows.join("\n")));

    let alice = export(dir.path(), &["--csv", "--person", "101"]).ok();
    assert_eq!(
        alice.stdout,
        format!("{HEADER}\n{}\n{}\n", rows[0], rows[4])
    );

    // From as RFC 3339 (inclusive), to as Unix ms (exclusive).
    let window = export(
        dir.path(),
        &[
            "--csv",
            "--door",
            "2",
            "--from",
            "2026-11-25T10:00:01.500+01:00",
            "--to",
            &(NOW + 4_000).to_string(),
        ],
    )
    .ok();
    assert_eq!(
        window.stdout,
        format!("{HEADER}\n{}\n{}\n", rows[1], rows[3])
    );

    let nobody = export(dir.path(), &["--csv", "--person", "999"]).ok();
    assert_eq!(nobody.stdout, format!("{HEADER}\n"));

    // To a file: the same bytes, nothing on stdout, no partial file left.
    let out = dir.path().join("events.csv");
    let to_file = export(dir.path(), &["--csv", "--out", out.to_str().unwrap()]).ok();
    assert_eq!(to_file.stdout, "");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), all.stdout);
    assert!(!dir.path().join(".events.csv.partial").exists());
}

#[test]
fn a_long_export_is_paged_without_repeats_or_gaps() {
    let dir = tempfile::tempdir().unwrap();
    // More than two pages of 1000, some sharing a time (ties broken by seq).
    let entries = (1..=2_345)
        .map(|seq| forced(0x77, seq, NOW + i64::try_from(seq / 2).unwrap()))
        .collect();
    data_dir_with(dir.path(), entries);
    let run = export(dir.path(), &["--csv"]).ok();
    let mut lines = run.stdout.lines();
    assert_eq!(lines.next(), Some(HEADER));
    let seqs: Vec<u64> = lines
        .map(|l| l.split(',').nth(3).unwrap().parse().unwrap())
        .collect();
    assert_eq!(seqs, (1..=2_345).rev().collect::<Vec<u64>>());
}

#[test]
fn bad_arguments_are_named_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    data_dir_with(dir.path(), five_events());
    let cases: [(&[&str], &str); 5] = [
        (&["--csv", "--from", "yesterday"], "--from"),
        (&["--csv", "--to", "2026-13-01T00:00:00Z"], "--to"),
        (&["--csv", "--person", "alice"], "--person"),
        (&["--csv", "--from", "2000", "--to", "1000"], "--to"),
        (&["--from", "1000"], "--csv"),
    ];
    for (args, named) in cases {
        let run = export(dir.path(), args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains(named), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert_eq!(run.stdout, "", "{args:?}");
    }

    // A data directory without a database is a wrong --data-dir, and none is created.
    let empty = tempfile::tempdir().unwrap();
    let missing = empty.path().join("nothing-here");
    let run = export(&missing, &["--csv"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("no database at"), "{}", run.stderr);
    assert!(!missing.join("gatehouse.db").exists());
}
