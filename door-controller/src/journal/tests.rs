//! The journal's outcomes, exactly: seqs, files, errors. The crash test (SIGKILL at random
//! moments) is in `tests/journal`.

use super::*;
use gatehouse_core::ids::DoorId;
use gatehouse_core::time::Timestamp;
use gatehouse_core::wire::{DoorEvent, DoorEventKind, Event, JournalEntry};
use std::fs;
use std::io::Write;
use std::time::Duration;

fn event(n: i64) -> Event {
    Event::Door(DoorEvent {
        door: DoorId(1),
        kind: DoorEventKind::ExitRequest,
        at: Timestamp(n),
    })
}

fn config() -> JournalConfig {
    JournalConfig {
        max_bytes: 1 << 20,
        segment_bytes: 1024,
        sync_interval: Duration::from_millis(1),
    }
}

fn stored(j: &mut Journal, n: i64) -> u64 {
    match j.append(&event(n)).unwrap() {
        Appended::Stored { seq } => seq,
        refused => panic!("event {n}: {refused:?}"),
    }
}

/// Every pending entry, after an fsync.
fn all_pending(j: &Journal) -> Vec<JournalEntry> {
    j.sync().unwrap();
    j.pending(usize::MAX).unwrap()
}

fn seqs(entries: &[JournalEntry]) -> Vec<u64> {
    entries.iter().map(|e| e.seq).collect()
}

fn segment_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".seg"))
        .collect();
    names.sort();
    names
}

fn last_segment(dir: &Path) -> PathBuf {
    dir.join(segment_files(dir).pop().unwrap())
}

#[test]
fn appending_after_reopening_continues_the_seq() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path(), config()).unwrap();
    let id = j.id();
    assert_eq!((stored(&mut j, 10), stored(&mut j, 11)), (1, 2));
    drop(j);
    let mut j = Journal::open(dir.path(), config()).unwrap();
    assert_eq!(j.id(), id);
    assert_eq!(j.last_seq(), 2);
    assert_eq!(stored(&mut j, 12), 3);
    let entries = all_pending(&j);
    assert_eq!(
        entries,
        (1..=3)
            .map(|seq| JournalEntry {
                journal: id,
                seq,
                event: event(9 + i64::try_from(seq).unwrap()),
            })
            .collect::<Vec<_>>()
    );
    assert_eq!(j.torn_tail(), None);
    // Another folder, another journal.
    let other = tempfile::tempdir().unwrap();
    assert_ne!(Journal::open(other.path(), config()).unwrap().id(), id);
}

#[test]
fn a_torn_tail_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path(), config()).unwrap();
    for n in 1..=3 {
        stored(&mut j, n);
    }
    drop(j);
    let seg = last_segment(dir.path());
    let whole = fs::metadata(&seg).unwrap().len();
    let half = frame::encode(JournalId(1), 4, &event(4)).unwrap();
    for tail in [
        &half[..half.len() / 2],
        &half[..5],
        b"garbage!!".as_slice(),
        &[0; 300],
    ] {
        fs::OpenOptions::new()
            .append(true)
            .open(&seg)
            .unwrap()
            .write_all(tail)
            .unwrap();
        let j = Journal::open(dir.path(), config()).unwrap();
        assert_eq!(
            j.torn_tail(),
            Some(&TornTail {
                path: seg.clone(),
                offset: whole,
                bytes: tail.len() as u64,
            })
        );
        assert_eq!(j.last_seq(), 3);
        assert_eq!(fs::metadata(&seg).unwrap().len(), whole);
    }
    let mut j = Journal::open(dir.path(), config()).unwrap();
    assert_eq!(j.torn_tail(), None);
    assert_eq!(stored(&mut j, 4), 4);
    assert_eq!(seqs(&all_pending(&j)), [1, 2, 3, 4]);
}

#[test]
fn corruption_before_the_tail_is_an_error_naming_the_file_and_offset() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path(), config()).unwrap();
    for n in 1..=3 {
        stored(&mut j, n);
    }
    drop(j);
    let seg = last_segment(dir.path());
    let mut bytes = fs::read(&seg).unwrap();
    let first = bytes.len() / 3;
    // A bit flipped in the second record's payload: the third still reads, so this is no
    // torn tail and nothing may be cut.
    bytes[first + frame::HEADER + 20] ^= 0x01;
    fs::write(&seg, &bytes).unwrap();
    let err = Journal::open(dir.path(), config()).unwrap_err();
    assert!(
        matches!(&err, JournalError::Corrupt { path, offset, problem }
            if *path == seg && *offset == first as u64 && problem == "checksum mismatch"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{}: corrupt record at byte {first}: checksum mismatch",
            seg.display()
        )
    );
    // Nothing was cut.
    assert_eq!(fs::read(&seg).unwrap(), bytes);
}

#[test]
fn a_bad_tail_in_an_older_segment_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path(), config()).unwrap();
    for n in 1..=20 {
        stored(&mut j, n);
    }
    drop(j);
    let files = segment_files(dir.path());
    assert!(files.len() >= 2, "{files:?}");
    let first = dir.path().join(&files[0]);
    let len = fs::metadata(&first).unwrap().len();
    fs::OpenOptions::new()
        .write(true)
        .open(&first)
        .unwrap()
        .set_len(len - 3)
        .unwrap();
    let err = Journal::open(dir.path(), config()).unwrap_err();
    assert!(
        matches!(&err, JournalError::Corrupt { path, problem, .. }
            if *path == first && problem == "record cut short"),
        "{err:?}"
    );
}

#[test]
fn a_missing_state_file_beside_segments_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path(), config()).unwrap();
    stored(&mut j, 1);
    drop(j);
    fs::remove_file(dir.path().join("journal.json")).unwrap();
    assert!(matches!(
        Journal::open(dir.path(), config()),
        Err(JournalError::State { path, .. }) if path == dir.path().join("journal.json")
    ));
}

#[test]
fn acknowledging_deletes_whole_segments_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path(), config()).unwrap();
    for n in 1..=40 {
        stored(&mut j, n);
    }
    let before = segment_files(dir.path());
    assert!(before.len() >= 4, "{before:?}");
    j.sync().unwrap();
    j.acknowledge(20).unwrap();
    // Exactly the segments holding nothing after 20 are gone.
    let after = segment_files(dir.path());
    let first_kept: u64 = after[0].trim_end_matches(".seg").parse().unwrap();
    assert!(first_kept <= 21, "{after:?}");
    assert_eq!(after, before[before.len() - after.len()..]);
    assert!(after.len() < before.len());
    assert_eq!(j.backlog(), 20);
    drop(j);

    let mut j = Journal::open(dir.path(), config()).unwrap();
    assert_eq!(j.status().acknowledged, 20);
    assert_eq!(seqs(&all_pending(&j)), (21..=40).collect::<Vec<_>>());
    // A stale acknowledgement changes nothing; one past the end is refused.
    j.acknowledge(5).unwrap();
    assert!(matches!(
        j.acknowledge(41),
        Err(JournalError::AckBeyondEnd {
            highest: 41,
            last: 40
        })
    ));
    j.acknowledge(40).unwrap();
    assert_eq!(segment_files(dir.path()), Vec::<String>::new());
    assert_eq!((j.backlog(), j.status().bytes), (0, 0));
    drop(j);

    let mut j = Journal::open(dir.path(), config()).unwrap();
    assert_eq!((j.last_seq(), j.backlog()), (40, 0));
    assert_eq!(stored(&mut j, 41), 41);
    assert_eq!(seqs(&all_pending(&j)), [41]);
}

#[test]
fn pending_hands_out_the_oldest_fsynced_entries_at_most_max() {
    let dir = tempfile::tempdir().unwrap();
    // One segment (starting a segment fsyncs the last one) and a slow flusher.
    let slow = JournalConfig {
        segment_bytes: 1 << 16,
        sync_interval: Duration::from_secs(1),
        ..config()
    };
    let mut j = Journal::open(dir.path(), slow).unwrap();
    for n in 1..=25 {
        stored(&mut j, n);
    }
    // Not fsynced yet (the flusher waits a second): nothing may reach the server.
    assert_eq!(j.pending(10).unwrap(), []);
    j.sync().unwrap();
    let first = j.pending(10).unwrap();
    assert_eq!(seqs(&first), (1..=10).collect::<Vec<_>>());
    assert_eq!(first[3].event, event(4));
    j.acknowledge(10).unwrap();
    assert_eq!(seqs(&j.pending(10).unwrap()), (11..=20).collect::<Vec<_>>());
    assert_eq!(
        seqs(&j.pending(100).unwrap()),
        (11..=25).collect::<Vec<_>>()
    );
    assert_eq!(j.backlog(), 15);
}

#[test]
fn the_flusher_fsyncs_within_the_interval() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path(), config()).unwrap();
    stored(&mut j, 1);
    // The flusher, not the test, syncs: poll until it has (1 ms interval).
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while j.pending(10).unwrap().is_empty() {
        assert!(std::time::Instant::now() < deadline, "never fsynced");
        std::thread::yield_now();
    }
    assert_eq!(seqs(&j.pending(10).unwrap()), [1]);
}

/// 600 bytes of segments at most: three or four events.
fn tiny() -> JournalConfig {
    JournalConfig {
        max_bytes: 600,
        segment_bytes: 300,
        sync_interval: Duration::from_millis(1),
    }
}

#[test]
fn a_full_journal_refuses_counts_and_then_journals_the_overflow_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path(), tiny()).unwrap();
    let mut n = 0;
    let kept = loop {
        n += 1;
        match j.append(&event(n)).unwrap() {
            Appended::Stored { .. } => {}
            Appended::Refused { dropped } => {
                assert_eq!(dropped, 1);
                break n - 1;
            }
        }
    };
    let kept_seq = u64::try_from(kept).unwrap();
    assert!(j.status().nearly_full);
    assert_eq!(
        j.append(&event(100)).unwrap(),
        Appended::Refused { dropped: 2 }
    );
    assert_eq!(
        j.append(&event(101)).unwrap(),
        Appended::Refused { dropped: 3 }
    );
    let overflow = Overflow {
        dropped: 3,
        first_at: Timestamp(kept + 1),
        last_at: Timestamp(101),
        after_seq: kept_seq,
    };
    assert_eq!(j.overflow(), Some(overflow));
    drop(j);

    // Persisted; and every unacknowledged entry is still there.
    let mut j = Journal::open(dir.path(), tiny()).unwrap();
    assert_eq!(j.overflow(), Some(overflow));
    assert_eq!(j.status().overflow, Some(overflow));
    let entries = all_pending(&j);
    assert_eq!(seqs(&entries), (1..=kept_seq).collect::<Vec<_>>());
    assert!(entries.iter().zip(1..).all(|(e, n)| e.event == event(n)));
    assert_eq!(
        j.append(&event(102)).unwrap(),
        Appended::Refused { dropped: 4 }
    );

    // Room again: the overflow goes in first, once.
    j.acknowledge(kept_seq).unwrap();
    let overflow_event = Event::JournalOverflow {
        dropped: 4,
        first_at: Timestamp(kept + 1),
        last_at: Timestamp(102),
    };
    assert_eq!(j.overflow(), None);
    assert_eq!(
        all_pending(&j),
        [JournalEntry {
            journal: j.id(),
            seq: kept_seq + 1,
            event: overflow_event.clone(),
        }]
    );
    assert_eq!(
        j.append(&event(103)).unwrap(),
        Appended::Stored { seq: kept_seq + 2 }
    );
    drop(j);
    let j = Journal::open(dir.path(), tiny()).unwrap();
    let entries = all_pending(&j);
    assert_eq!(entries[0].event, overflow_event);
    assert_eq!(seqs(&entries), [kept_seq + 1, kept_seq + 2]);
    assert_eq!(j.overflow(), None);
}

#[test]
fn an_overflow_entry_written_before_a_crash_is_not_written_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut j = Journal::open(dir.path(), tiny()).unwrap();
    while let Appended::Stored { .. } = j.append(&event(1)).unwrap() {}
    let full_state = fs::read(dir.path().join("journal.json")).unwrap();
    let kept = j.last_seq();
    j.acknowledge(kept).unwrap();
    assert_eq!(j.last_seq(), kept + 1);
    drop(j);
    // As if the process died after writing the overflow entry, before forgetting the
    // count: the old state with the new acknowledgement.
    let mut state: serde_json::Value = serde_json::from_slice(&full_state).unwrap();
    state["acknowledged"] = kept.into();
    fs::write(dir.path().join("journal.json"), state.to_string()).unwrap();
    let j = Journal::open(dir.path(), tiny()).unwrap();
    assert_eq!(j.overflow(), None);
    assert_eq!(j.last_seq(), kept + 1);
    assert_eq!(seqs(&all_pending(&j)), [kept + 1]);
}

#[test]
fn nearly_full_at_80_percent() {
    let dir = tempfile::tempdir().unwrap();
    let config = JournalConfig {
        max_bytes: 10_000,
        segment_bytes: 1000,
        sync_interval: Duration::from_millis(1),
    };
    let mut j = Journal::open(dir.path(), config).unwrap();
    while j.status().bytes < 8000 {
        assert!(!j.status().nearly_full);
        stored(&mut j, 1);
    }
    assert!(j.status().nearly_full);
}

#[test]
fn a_config_that_cannot_work_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let bad = JournalConfig {
        max_bytes: 1000,
        segment_bytes: 600,
        ..config()
    };
    assert!(matches!(
        Journal::open(dir.path(), bad),
        Err(JournalError::Config(
            "max_bytes must be at least twice segment_bytes"
        ))
    ));
}
