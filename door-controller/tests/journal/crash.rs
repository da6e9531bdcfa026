//! SIGKILL at random moments: a child process (this test binary again, running
//! [`child`]) opens the journal, acknowledges what the parent has checked, and appends
//! events as fast as it can, printing each seq once `append` has returned it. The parent
//! kills it after a random delay (seeded; set GATEHOUSE_CRASH_SEED to replay a run), opens
//! the journal and checks that every printed seq holds its exact event, that the seqs run
//! on from 1 without a gap, and that no event is there twice or out of order.

use gatehouse_core::ids::DoorId;
use gatehouse_core::time::Timestamp;
use gatehouse_core::wire::{DoorEvent, DoorEventKind, Event};
use gatehouse_door::journal::{Appended, Journal, JournalConfig};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DIR: &str = "GATEHOUSE_JOURNAL_CRASH_DIR";
const ROUND: &str = "GATEHOUSE_JOURNAL_CRASH_ROUND";
const ACK: &str = "GATEHOUSE_JOURNAL_CRASH_ACK";
const ROUNDS: u64 = 150;

/// Small segments, so segments are started, filled and deleted under the kills.
fn config() -> JournalConfig {
    JournalConfig {
        max_bytes: 64 << 20,
        segment_bytes: 4096,
        sync_interval: Duration::from_millis(5),
    }
}

/// The `i`th event of a round.
fn event(round: u64, i: u64) -> Event {
    Event::Door(DoorEvent {
        door: DoorId(7),
        kind: DoorEventKind::ExitRequest,
        at: Timestamp(i64::try_from(round * 1_000_000 + i).unwrap()),
    })
}

/// SplitMix64: a seeded sequence of delays, without a dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    }
}

/// The child's part: does nothing unless the parent started this binary to run it.
#[test]
fn child() {
    let Ok(dir) = std::env::var(DIR) else {
        return;
    };
    let round: u64 = std::env::var(ROUND).unwrap().parse().unwrap();
    let ack: u64 = std::env::var(ACK).unwrap().parse().unwrap();
    let mut out = std::io::stdout().lock();
    let mut journal = Journal::open(&dir, config()).unwrap();
    writeln!(out, "#open {}", journal.id().0).unwrap();
    journal.acknowledge(ack).unwrap();
    writeln!(out, "#acked {ack}").unwrap();
    // Bounded, should the parent be gone.
    for i in 0..1_000_000 {
        match journal.append(&event(round, i)).unwrap() {
            Appended::Stored { seq } => writeln!(out, "#seq {seq} {i}").unwrap(),
            refused => panic!("{refused:?}"),
        }
        out.flush().unwrap();
    }
}

/// What a killed child printed, whole lines only.
#[derive(Debug, Default)]
struct Printed {
    id: Option<u64>,
    acked: Option<u64>,
    /// (seq, i) pairs.
    appended: Vec<(u64, u64)>,
}

fn run_child(dir: &Path, round: u64, ack: u64, delay: Duration) -> Printed {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["crash::child", "--exact", "--nocapture", "--test-threads=1"])
        .env(DIR, dir)
        .env(ROUND, round.to_string())
        .env(ACK, ack.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    child.kill().unwrap();
    child.wait().unwrap();
    let mut text = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    let mut printed = Printed::default();
    // A line cut by the kill has no newline: left out.
    let whole = &text[..text.rfind('\n').map_or(0, |n| n + 1)];
    // The child's lines start with '#'; libtest may put its own words before the first.
    for line in whole
        .lines()
        .filter_map(|l| l.split_once('#').map(|(_, ours)| ours))
    {
        let words: Vec<&str> = line.split(' ').collect();
        match words[..] {
            ["open", id] => printed.id = Some(id.parse().unwrap()),
            ["acked", n] => printed.acked = Some(n.parse().unwrap()),
            ["seq", seq, i] => printed
                .appended
                .push((seq.parse().unwrap(), i.parse().unwrap())),
            _ => panic!("unexpected line from the child: {line}"),
        }
    }
    printed
}

#[test]
fn sigkill_at_random_moments_loses_and_duplicates_nothing() {
    let seed =
        std::env::var("GATEHOUSE_CRASH_SEED").map_or(0x6a74_6c5f_6372_7368, |s| s.parse().unwrap());
    println!("seed {seed} (GATEHOUSE_CRASH_SEED replays it)");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let mut id = None;
    // Every entry not yet acknowledged, as found on the last opening.
    let mut known: BTreeMap<u64, Event> = BTreeMap::new();
    let mut last_seq = 0;
    let mut ack = 0;
    let mut was_acknowledged = 0;
    let (mut printed_total, mut torn_tails, mut killed_before_open) = (0, 0, 0);
    for round in 1..=ROUNDS {
        let delay = Duration::from_micros(rng.below(60_000));
        let printed = run_child(dir.path(), round, ack, delay);
        let journal = Journal::open(dir.path(), config()).unwrap();
        let context = format!("round {round}, killed after {delay:?}");

        if let Some(child_id) = printed.id {
            assert_eq!(child_id, journal.id().0, "{context}");
        } else {
            killed_before_open += 1;
        }
        assert_eq!(*id.get_or_insert(journal.id()), journal.id(), "{context}");
        torn_tails += u32::from(journal.torn_tail().is_some());

        // The acknowledgement the child was given: before or after, nothing between.
        let acknowledged = journal.status().acknowledged;
        assert!(
            (was_acknowledged..=ack).contains(&acknowledged),
            "{context}: acknowledged {acknowledged}"
        );
        if printed.acked.is_some() {
            assert_eq!(acknowledged, ack, "{context}");
        }

        journal.sync().unwrap();
        let entries = journal.pending(usize::MAX).unwrap();
        // Contiguous from the acknowledgement: nothing lost, nothing doubled.
        for (k, entry) in entries.iter().enumerate() {
            assert_eq!(entry.seq, acknowledged + 1 + k as u64, "{context}");
            assert_eq!(entry.journal, journal.id(), "{context}");
        }
        assert_eq!(journal.last_seq(), acknowledged + entries.len() as u64);
        // What was there before is there unchanged.
        for entry in entries.iter().filter(|e| e.seq <= last_seq) {
            assert_eq!(Some(&entry.event), known.get(&entry.seq), "{context}");
        }
        assert!(journal.last_seq() >= last_seq, "{context}: entries lost");
        // This round's events: its 0th, 1st, 2nd … in order, each once.
        let new: Vec<_> = entries.iter().filter(|e| e.seq > last_seq).collect();
        for (i, entry) in new.iter().enumerate() {
            assert_eq!(
                entry.event,
                event(round, i as u64),
                "{context}, seq {}",
                entry.seq
            );
        }
        // Every seq the child was told of holds its event.
        for &(seq, i) in &printed.appended {
            assert!(seq > last_seq, "{context}: seq {seq} given out twice");
            let entry = &entries[usize::try_from(seq - acknowledged - 1).unwrap()];
            assert_eq!(entry.event, event(round, i), "{context}, seq {seq}");
        }
        printed_total += printed.appended.len();

        known = entries.into_iter().map(|e| (e.seq, e.event)).collect();
        last_seq = journal.last_seq();
        was_acknowledged = acknowledged;
        // The next child acknowledges a random part of what was checked (or nothing new).
        ack += rng.below(last_seq - ack + 1);
    }
    let elapsed = started.elapsed();
    println!(
        "{ROUNDS} rounds in {elapsed:?}: {printed_total} appends printed, {last_seq} entries, \
         {torn_tails} torn tails cut, {killed_before_open} children killed before opening"
    );
    assert!(printed_total > 0);
    assert!(elapsed < Duration::from_secs(60), "too slow: {elapsed:?}");
}
