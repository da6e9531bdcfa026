//! The serial QR scanner end to end: a pseudo-terminal stands in for the USB CDC scanner.
//! The test writes scans into the master side as a scanner would; the scanner code opens
//! the slave `/dev/pts/N` by path, as it opens `/dev/ttyACM0` on a door.

use gatehouse_core::credential::{IssuerKey, PREFIX, base45, cose};
use gatehouse_hardware::qr::{ScannerError, SerialConfig, SerialScanner};
use gatehouse_hardware::reader::{ReadData, ReaderEvent, ReaderHealth, ReaderId};
use serialport::{SerialPort, TTYPort};
use std::io::Write;
use std::time::Duration;

fn pass_text() -> String {
    let message = cose::sign(&IssuerKey::from_seed(&[9; 32]), b"claims");
    format!("{PREFIX}{}", base45::encode(&message))
}

/// A pty pair, and a scanner opened on the slave's path.
fn scanner_on_pty() -> (TTYPort, TTYPort, SerialScanner) {
    let (master, slave) = TTYPort::pair().expect("openpty");
    let path = slave.name().expect("the slave has a path");
    let mut config = SerialConfig::new(&path);
    config.read_timeout = Duration::from_millis(100);
    config.max_len = 1024;
    let scanner = SerialScanner::open(ReaderId::new("exit-qr"), &config).expect("open");
    // The slave stays open in the test too: closing every slave fd would hang up the pty.
    (master, slave, scanner)
}

/// The next `n` reads' data, giving up after 50 read timeouts.
fn reads(scanner: &mut SerialScanner, n: usize) -> Vec<ReadData> {
    let mut out = Vec::new();
    for _ in 0..50 {
        if out.len() == n {
            break;
        }
        if let Some(read) = scanner.next_read().expect("read") {
            assert_eq!(read.reader, ReaderId::new("exit-qr"));
            out.push(read.data);
        }
    }
    out
}

#[test]
fn lines_written_by_a_scanner_become_reads() {
    let (mut master, _slave, mut scanner) = scanner_on_pty();
    let pass = pass_text();
    let overlong = "9".repeat(1500);
    let input = format!("{pass}\r\nhttps://example.com/x\r{overlong}\n{pass}\n\u{0}\r");
    master.write_all(input.as_bytes()).unwrap();
    assert_eq!(
        reads(&mut scanner, 5),
        vec![
            ReadData::Qr(pass.clone()),
            ReadData::Unreadable {
                reason: "not a Gatehouse code: no GH1: prefix".into()
            },
            ReadData::Unreadable {
                reason: "scan longer than 1024 bytes".into()
            },
            ReadData::Qr(pass),
            ReadData::Unreadable {
                reason: "not a Gatehouse code: no GH1: prefix".into()
            },
        ]
    );
    // Nothing more: the read timeout passes with no scan.
    assert!(scanner.next_read().unwrap().is_none());
}

#[test]
fn a_scan_without_a_terminator_ends_at_the_read_timeout() {
    let (mut master, _slave, mut scanner) = scanner_on_pty();
    let pass = pass_text();
    master.write_all(pass.as_bytes()).unwrap();
    assert_eq!(reads(&mut scanner, 1), vec![ReadData::Qr(pass)]);
}

#[test]
fn a_scanner_that_goes_away_is_reported_offline() {
    let (master, slave, scanner) = scanner_on_pty();
    drop(master);
    drop(slave);
    let mut events = Vec::new();
    let end = scanner.run(|event| {
        events.extend(event);
        true
    });
    assert!(matches!(end, ScannerError::Read(_)), "{end:?}");
    let health: Vec<_> = events
        .iter()
        .map(|e| match e {
            ReaderEvent::Health { health, .. } => health.clone(),
            ReaderEvent::Read(read) => panic!("unexpected read {read:?}"),
        })
        .collect();
    assert_eq!(
        health,
        [
            ReaderHealth::Online { secure: false },
            ReaderHealth::Offline
        ]
    );
}

#[test]
fn a_missing_port_is_an_error_not_a_panic() {
    let config = SerialConfig::new("/dev/gatehouse-no-such-scanner");
    let err = SerialScanner::open(ReaderId::new("x"), &config).unwrap_err();
    assert!(matches!(err, ScannerError::Open { .. }), "{err:?}");
}
